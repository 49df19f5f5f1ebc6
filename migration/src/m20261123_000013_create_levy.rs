//! Levies (分摊): a cost split between households of a compound, with each one's share.
//! Payments are contributions linked to the levy, so what is paid comes from the ledger.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000007_create_household_resident::Household,
    m20261123_000010_create_fund_ledger::Fund,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Levy::Table)
                    .col(pk_uuid(Levy::Id))
                    .col(uuid(Levy::CommunityId))
                    .col(uuid(Levy::FundId))
                    .col(string(Levy::Purpose))
                    .col(big_integer(Levy::TotalFen))
                    // `equal`, `area` or `per_household`.
                    .col(string(Levy::Method))
                    .col(uuid(Levy::CreatedBy))
                    .col(timestamp_with_time_zone(Levy::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Levy::Table, (Levy::CommunityId, Levy::FundId))
                            .to(Fund::Table, (Fund::CommunityId, Fund::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_levy_community_id",
                        Levy::CommunityId,
                        Levy::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LevyShare::Table)
                    .col(pk_uuid(LevyShare::Id))
                    .col(uuid(LevyShare::CommunityId))
                    .col(uuid(LevyShare::LevyId))
                    .col(uuid(LevyShare::HouseholdId))
                    .col(big_integer(LevyShare::ShareFen))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                LevyShare::Table,
                                (LevyShare::CommunityId, LevyShare::LevyId),
                            )
                            .to(Levy::Table, (Levy::CommunityId, Levy::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                LevyShare::Table,
                                (LevyShare::CommunityId, LevyShare::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .index(
                        Index::create()
                            .name("uq_levy_share_household")
                            .col(LevyShare::LevyId)
                            .col(LevyShare::HouseholdId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(LevyShare::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Levy::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Levy {
    Table,
    Id,
    CommunityId,
    FundId,
    Purpose,
    TotalFen,
    Method,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
enum LevyShare {
    Table,
    Id,
    CommunityId,
    LevyId,
    HouseholdId,
    ShareFen,
}
