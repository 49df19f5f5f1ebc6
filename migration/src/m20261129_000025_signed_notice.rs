//! Public notice that can be checked: each published statement is signed and names the
//! statement before it (so statements chain), and a resolution on notice gets a share
//! token (kept as its hash) for its public page.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per ALTER: SQLite adds them one at a time.
        for column in [
            uuid_null(Statement::PrevStatementId),
            string_null(Statement::KeyId),
            string_null(Statement::Signature),
            timestamp_with_time_zone_null(Statement::SignedAt),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Statement::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Motion::Table)
                    .add_column(string_null(Motion::NoticeTokenHash))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_motion_notice_token_hash")
                    .table(Motion::Table)
                    .col(Motion::NoticeTokenHash)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("ux_motion_notice_token_hash")
                    .table(Motion::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Motion::Table)
                    .drop_column(Motion::NoticeTokenHash)
                    .to_owned(),
            )
            .await?;
        for column in [
            Statement::PrevStatementId,
            Statement::KeyId,
            Statement::Signature,
            Statement::SignedAt,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Statement::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum Statement {
    Table,
    PrevStatementId,
    KeyId,
    Signature,
    SignedAt,
}

#[derive(DeriveIden)]
enum Motion {
    Table,
    NoticeTokenHash,
}
