//! Row-level security on every tenant table (`row_security`): the database refuses a
//! caller's statement the rows of communities outside their scope, whatever the statement
//! says. PostgreSQL only.

use sea_orm_migration::prelude::*;

use crate::row_security::{open_to_callers, open_to_public, protect_all};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// What `publicStatement` reads to find a statement by its share token, with or without a
/// login; the token then opens the statement's community for the rest of the request.
pub const PUBLIC_TABLES: &[&str] = &["statement"];

/// Read whole by every logged-in caller: a user's grants, which the checks of who may
/// manage whom must all see (`identity::users::manageable_user`).
pub const CALLERS_TABLES: &[&str] = &["role_grant"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        protect_all(manager).await?;
        for table in PUBLIC_TABLES {
            open_to_public(manager, table).await?;
        }
        for table in CALLERS_TABLES {
            open_to_callers(manager, table).await?;
        }
        Ok(())
    }
}
