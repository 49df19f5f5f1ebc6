//! What a resolution approves spending: the expenses that cite it may not add up to more.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Motion::Table)
                    .add_column(big_integer_null(Motion::AmountFen))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Motion::Table)
                    .drop_column(Motion::AmountFen)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum Motion {
    Table,
    AmountFen,
}
