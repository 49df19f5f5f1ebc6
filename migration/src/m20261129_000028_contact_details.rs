//! Complete contact cards: a staff member's or grid worker's work phone (published on the
//! card), a community office's phone and address, and who is its party secretary.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .add_column(string_null(AppUser::WorkPhone))
                    .to_owned(),
            )
            .await?;
        // One column per ALTER: SQLite adds them one at a time.
        for column in [
            string_null(Community::OfficePhone),
            string_null(Community::OfficeAddress),
            uuid_null(Community::PartySecretaryUserId),
        ] {
            let mut column = column;
            manager
                .alter_table(
                    Table::alter()
                        .table(Community::Table)
                        .add_column(&mut column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            Community::OfficePhone,
            Community::OfficeAddress,
            Community::PartySecretaryUserId,
        ] {
            manager
                .alter_table(
                    Table::alter()
                        .table(Community::Table)
                        .drop_column(column)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(AppUser::Table)
                    .drop_column(AppUser::WorkPhone)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum AppUser {
    Table,
    WorkPhone,
}

#[derive(DeriveIden)]
enum Community {
    Table,
    OfficePhone,
    OfficeAddress,
    PartySecretaryUserId,
}
