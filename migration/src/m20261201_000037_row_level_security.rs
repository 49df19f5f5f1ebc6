//! Row-level security on every tenant table (`row_security`): the database refuses a
//! caller's statement the rows of communities outside their scope, whatever the statement
//! says. PostgreSQL only.

use sea_orm_migration::prelude::*;

use crate::row_security::{open_to_public, protect_all};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What an anonymous `publicStatement` reads: the statement, its fund and ledger.
pub const PUBLIC_TABLES: &[&str] = &["statement", "fund", "ledger_entry"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        protect_all(manager).await?;
        for table in PUBLIC_TABLES {
            open_to_public(manager, table).await?;
        }
        Ok(())
    }
}
