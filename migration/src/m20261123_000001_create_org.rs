//! The top of the tenancy tree: street offices and their communities (the tenants).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(StreetOffice::Table)
                    .col(pk_uuid(StreetOffice::Id))
                    .col(string_uniq(StreetOffice::Name))
                    .col(string_null(StreetOffice::DivisionCode))
                    .col(timestamp_with_time_zone(StreetOffice::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Community::Table)
                    .col(pk_uuid(Community::Id))
                    .col(uuid(Community::StreetOfficeId))
                    .col(string(Community::Name))
                    .col(timestamp_with_time_zone(Community::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Community::Table, Community::StreetOfficeId)
                            .to(StreetOffice::Table, StreetOffice::Id),
                    )
                    .index(
                        Index::create()
                            .name("uq_community_street_office_name")
                            .col(Community::StreetOfficeId)
                            .col(Community::Name)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Community::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(StreetOffice::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum StreetOffice {
    Table,
    Id,
    Name,
    DivisionCode,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Community {
    Table,
    Id,
    StreetOfficeId,
    Name,
    CreatedAt,
}
