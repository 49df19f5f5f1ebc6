//! Home visits (入户走访): who visited which household when, whom they met, what they
//! noted and which needs they found (each may have become a request).

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000007_create_household_resident::Household;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Visit::Table)
                    .col(pk_uuid(Visit::Id))
                    .col(uuid(Visit::CommunityId))
                    .col(uuid(Visit::HouseholdId))
                    .col(uuid(Visit::VisitorId))
                    .col(timestamp_with_time_zone(Visit::VisitedAt))
                    // The calendar day in China, for the visit plan's periods.
                    .col(date(Visit::VisitedOn))
                    .col(string(Visit::Met))
                    .col(text(Visit::Notes))
                    // `[{"title": ..., "requestId": ...}]`
                    .col(json_binary(Visit::Needs))
                    .col(timestamp_with_time_zone(Visit::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Visit::Table, (Visit::CommunityId, Visit::HouseholdId))
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_visit_household_day")
                    .table(Visit::Table)
                    .col(Visit::HouseholdId)
                    .col(Visit::VisitedOn)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Visit::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub(crate) enum Visit {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    VisitorId,
    VisitedAt,
    VisitedOn,
    Met,
    Notes,
    Needs,
    CreatedAt,
}
