//! Self-management committees (自管会) of compounds: the committee with its term and the
//! settings funds start from, and members' positions with their history. Holding a position
//! creates grants (source: the position), so powers follow positions and terms.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000004_create_compound_building::{Building, Compound},
    m20261123_000007_create_household_resident::Resident,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Committee::Table)
                    .col(pk_uuid(Committee::Id))
                    .col(uuid(Committee::CommunityId))
                    // One committee per compound; terms follow one another on it.
                    .col(uuid_uniq(Committee::CompoundId))
                    .col(string(Committee::Name))
                    .col(date(Committee::TermStartsOn))
                    .col(date(Committee::TermEndsOn))
                    .col(integer(Committee::ApprovalsRequired))
                    // In fen; empty: no expense needs a resolution.
                    .col(big_integer_null(Committee::ResolutionThresholdFen))
                    .col(integer(Committee::NoticeDays))
                    .col(timestamp_with_time_zone(Committee::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Committee::Table,
                                (Committee::CommunityId, Committee::CompoundId),
                            )
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_committee_community_id",
                        Committee::CommunityId,
                        Committee::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CommitteePosition::Table)
                    .col(pk_uuid(CommitteePosition::Id))
                    .col(uuid(CommitteePosition::CommunityId))
                    .col(uuid(CommitteePosition::CommitteeId))
                    .col(uuid(CommitteePosition::ResidentId))
                    .col(string(CommitteePosition::Position))
                    // The building a building leader (楼栋长) answers for.
                    .col(uuid_null(CommitteePosition::BuildingId))
                    .col(date(CommitteePosition::StartsOn))
                    .col(date(CommitteePosition::EndsOn))
                    .col(timestamp_with_time_zone_null(CommitteePosition::EndedAt))
                    .col(string_null(CommitteePosition::EndReason))
                    .col(boolean(CommitteePosition::PublishPhone))
                    // Why staff let someone who does not live in the compound hold it.
                    .col(string_null(CommitteePosition::ResidencyOverride))
                    .col(uuid_null(CommitteePosition::AppointedBy))
                    .col(timestamp_with_time_zone(CommitteePosition::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteePosition::Table,
                                (
                                    CommitteePosition::CommunityId,
                                    CommitteePosition::CommitteeId,
                                ),
                            )
                            .to(Committee::Table, (Committee::CommunityId, Committee::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteePosition::Table,
                                (
                                    CommitteePosition::CommunityId,
                                    CommitteePosition::ResidentId,
                                ),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                CommitteePosition::Table,
                                (
                                    CommitteePosition::CommunityId,
                                    CommitteePosition::BuildingId,
                                ),
                            )
                            .to(Building::Table, (Building::CommunityId, Building::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_committee_position_community_id",
                        CommitteePosition::CommunityId,
                        CommitteePosition::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        for (name, column) in [
            (
                "ix_committee_position_committee",
                CommitteePosition::CommitteeId,
            ),
            (
                "ix_committee_position_resident",
                CommitteePosition::ResidentId,
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(CommitteePosition::Table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(CommitteePosition::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Committee::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Committee {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Name,
    TermStartsOn,
    TermEndsOn,
    ApprovalsRequired,
    ResolutionThresholdFen,
    NoticeDays,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum CommitteePosition {
    Table,
    Id,
    CommunityId,
    CommitteeId,
    ResidentId,
    Position,
    BuildingId,
    StartsOn,
    EndsOn,
    EndedAt,
    EndReason,
    PublishPhone,
    ResidencyOverride,
    AppointedBy,
    CreatedAt,
}
