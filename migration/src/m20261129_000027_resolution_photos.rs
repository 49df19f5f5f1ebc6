//! Photo proof: a request's photos are the reporter's (`report`) or the handler's, taken
//! when it was fixed (`resolution`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RequestPhoto::Table)
                    .add_column(string(RequestPhoto::Stage).default("report"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(RequestPhoto::Table)
                    .drop_column(RequestPhoto::Stage)
                    .to_owned(),
            )
            .await
    }
}

#[derive(DeriveIden)]
enum RequestPhoto {
    Table,
    Stage,
}
