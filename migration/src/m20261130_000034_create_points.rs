//! Residents' points (积分, issue 22): a community's scheme (counting households or
//! residents), its rules and rewards, one account per household or resident with its head
//! (`head_seq`, balance) kept on the row, and the append-only entries. Entries are never
//! updated or deleted: triggers refuse it on both databases, as for `ledger_entry`. Every
//! unique key ends in (or holds) `community_id`, so the tables shard by community.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000001_create_org::Community,
    m20261123_000004_create_compound_building::Compound,
    m20261123_000007_create_household_resident::{Household, Resident},
};

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry \
     BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END",
    "CREATE TRIGGER points_entry_no_delete BEFORE DELETE ON points_entry \
     BEGIN SELECT RAISE(ABORT, 'points entries are append-only'); END",
];

const POSTGRES_TRIGGERS: [&str; 3] = [
    "CREATE OR REPLACE FUNCTION points_entry_append_only() RETURNS trigger AS $$ \
     BEGIN RAISE EXCEPTION 'points entries are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER points_entry_no_update BEFORE UPDATE ON points_entry \
     FOR EACH ROW EXECUTE FUNCTION points_entry_append_only()",
    "CREATE TRIGGER points_entry_no_delete BEFORE DELETE ON points_entry \
     FOR EACH ROW EXECUTE FUNCTION points_entry_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PointsScheme::Table)
                    .col(pk_uuid(PointsScheme::Id))
                    // One scheme per community.
                    .col(uuid_uniq(PointsScheme::CommunityId))
                    // `household` or `resident`.
                    .col(string(PointsScheme::Unit))
                    .col(uuid(PointsScheme::UpdatedBy))
                    .col(timestamp_with_time_zone(PointsScheme::UpdatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_points_scheme_community_id",
                        PointsScheme::CommunityId,
                        PointsScheme::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PointsScheme::Table, PointsScheme::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointsRule::Table)
                    .col(pk_uuid(PointsRule::Id))
                    .col(uuid(PointsRule::CommunityId))
                    .col(string(PointsRule::Name))
                    // `manual`, `waste_sorting`, `volunteer_hour`, `activity_attendance`,
                    // `meeting_attendance`.
                    .col(string(PointsRule::Trigger))
                    .col(big_integer(PointsRule::Points))
                    .col(big_integer_null(PointsRule::DailyCap))
                    .col(big_integer_null(PointsRule::MonthlyCap))
                    // The trigger while the rule is active and the trigger allows one
                    // active rule (every trigger but `manual`); null otherwise. Unique per
                    // community, so automatic awards always find one rule.
                    .col(string_null(PointsRule::ActiveTrigger))
                    .col(uuid(PointsRule::CreatedBy))
                    .col(timestamp_with_time_zone(PointsRule::CreatedAt))
                    .col(timestamp_with_time_zone_null(PointsRule::ArchivedAt))
                    .index(&mut crate::tenant_key(
                        "uq_points_rule_community_id",
                        PointsRule::CommunityId,
                        PointsRule::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_points_rule_active_trigger")
                            .col(PointsRule::CommunityId)
                            .col(PointsRule::ActiveTrigger)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(PointsRule::Table, PointsRule::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointsReward::Table)
                    .col(pk_uuid(PointsReward::Id))
                    .col(uuid(PointsReward::CommunityId))
                    .col(string(PointsReward::Name))
                    .col(text(PointsReward::Description))
                    .col(big_integer(PointsReward::Price))
                    // Decremented in the redemption's transaction, never below zero.
                    .col(big_integer(PointsReward::Stock))
                    .col(uuid(PointsReward::CreatedBy))
                    .col(timestamp_with_time_zone(PointsReward::CreatedAt))
                    .col(timestamp_with_time_zone_null(PointsReward::ArchivedAt))
                    .index(&mut crate::tenant_key(
                        "uq_points_reward_community_id",
                        PointsReward::CommunityId,
                        PointsReward::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(PointsReward::Table, PointsReward::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointsAccount::Table)
                    .col(pk_uuid(PointsAccount::Id))
                    .col(uuid(PointsAccount::CommunityId))
                    // Exactly one of the two, by the scheme's unit when it was opened.
                    .col(uuid_null(PointsAccount::HouseholdId))
                    .col(uuid_null(PointsAccount::ResidentId))
                    // Where the account ranks (the household's compound).
                    .col(uuid(PointsAccount::CompoundId))
                    // The head, updated with every entry in its transaction.
                    .col(big_integer(PointsAccount::HeadSeq))
                    .col(big_integer(PointsAccount::Balance))
                    .col(boolean(PointsAccount::RankingOptIn))
                    .col(timestamp_with_time_zone(PointsAccount::CreatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_points_account_community_id",
                        PointsAccount::CommunityId,
                        PointsAccount::Id,
                    ))
                    .index(
                        Index::create()
                            .name("uq_points_account_household")
                            .col(PointsAccount::HouseholdId)
                            .col(PointsAccount::CommunityId)
                            .unique(),
                    )
                    .index(
                        Index::create()
                            .name("uq_points_account_resident")
                            .col(PointsAccount::ResidentId)
                            .col(PointsAccount::CommunityId)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsAccount::Table,
                                (PointsAccount::CommunityId, PointsAccount::HouseholdId),
                            )
                            .to(Household::Table, (Household::CommunityId, Household::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsAccount::Table,
                                (PointsAccount::CommunityId, PointsAccount::ResidentId),
                            )
                            .to(Resident::Table, (Resident::CommunityId, Resident::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsAccount::Table,
                                (PointsAccount::CommunityId, PointsAccount::CompoundId),
                            )
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PointsEntry::Table)
                    .col(pk_uuid(PointsEntry::Id))
                    .col(uuid(PointsEntry::CommunityId))
                    .col(uuid(PointsEntry::AccountId))
                    .col(big_integer(PointsEntry::Seq))
                    // `award`, `redemption` or `reversal`.
                    .col(string(PointsEntry::Kind))
                    // Signed: awards add, redemptions take.
                    .col(big_integer(PointsEntry::Points))
                    .col(big_integer(PointsEntry::BalanceAfter))
                    .col(uuid_null(PointsEntry::RuleId))
                    // In the rule's unit (minutes for volunteer hours, else a count).
                    .col(big_integer_null(PointsEntry::Quantity))
                    .col(uuid_null(PointsEntry::RewardId))
                    .col(big_integer_null(PointsEntry::RewardQuantity))
                    .col(uuid_null(PointsEntry::ReversesEntryId))
                    // What made an automatic award ("activity:<id>:resident:<id>").
                    .col(string_null(PointsEntry::SourceKey))
                    // The entries of one batch award (a building's waste check).
                    .col(uuid_null(PointsEntry::BatchId))
                    .col(string(PointsEntry::Memo))
                    // The calendar day (China time) the caps count the entry on; a
                    // reversal keeps the day of the entry it reverses.
                    .col(date(PointsEntry::Day))
                    .col(timestamp_with_time_zone(PointsEntry::OccurredAt))
                    .col(timestamp_with_time_zone(PointsEntry::RecordedAt))
                    .col(uuid_null(PointsEntry::RecordedBy))
                    .index(&mut crate::tenant_key(
                        "uq_points_entry_community_id",
                        PointsEntry::CommunityId,
                        PointsEntry::Id,
                    ))
                    // No gap is possible to hide and no seq twice.
                    .index(
                        Index::create()
                            .name("uq_points_entry_account_seq")
                            .col(PointsEntry::AccountId)
                            .col(PointsEntry::Seq)
                            .col(PointsEntry::CommunityId)
                            .unique(),
                    )
                    // An entry is reversed at most once.
                    .index(
                        Index::create()
                            .name("uq_points_entry_reverses")
                            .col(PointsEntry::ReversesEntryId)
                            .col(PointsEntry::CommunityId)
                            .unique(),
                    )
                    // The same source never awards twice.
                    .index(
                        Index::create()
                            .name("uq_points_entry_source_key")
                            .col(PointsEntry::CommunityId)
                            .col(PointsEntry::SourceKey)
                            .unique(),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsEntry::Table,
                                (PointsEntry::CommunityId, PointsEntry::AccountId),
                            )
                            .to(
                                PointsAccount::Table,
                                (PointsAccount::CommunityId, PointsAccount::Id),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsEntry::Table,
                                (PointsEntry::CommunityId, PointsEntry::RuleId),
                            )
                            .to(PointsRule::Table, (PointsRule::CommunityId, PointsRule::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsEntry::Table,
                                (PointsEntry::CommunityId, PointsEntry::RewardId),
                            )
                            .to(
                                PointsReward::Table,
                                (PointsReward::CommunityId, PointsReward::Id),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                PointsEntry::Table,
                                (PointsEntry::CommunityId, PointsEntry::ReversesEntryId),
                            )
                            .to(
                                PointsEntry::Table,
                                (PointsEntry::CommunityId, PointsEntry::Id),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, table, columns) in [
            (
                "ix_points_account_ranking",
                PointsAccount::Table.into_iden(),
                vec![
                    PointsAccount::CompoundId.into_iden(),
                    PointsAccount::RankingOptIn.into_iden(),
                    PointsAccount::Balance.into_iden(),
                    PointsAccount::Id.into_iden(),
                ],
            ),
            (
                "ix_points_entry_account",
                PointsEntry::Table.into_iden(),
                vec![
                    PointsEntry::AccountId.into_iden(),
                    PointsEntry::Id.into_iden(),
                ],
            ),
            (
                "ix_points_entry_caps",
                PointsEntry::Table.into_iden(),
                vec![
                    PointsEntry::AccountId.into_iden(),
                    PointsEntry::RuleId.into_iden(),
                    PointsEntry::Day.into_iden(),
                ],
            ),
            (
                "ix_points_entry_kind",
                PointsEntry::Table.into_iden(),
                vec![
                    PointsEntry::CommunityId.into_iden(),
                    PointsEntry::Kind.into_iden(),
                    PointsEntry::Id.into_iden(),
                ],
            ),
            (
                "ix_points_entry_batch",
                PointsEntry::Table.into_iden(),
                vec![PointsEntry::BatchId.into_iden()],
            ),
            (
                "ix_points_rule_community",
                PointsRule::Table.into_iden(),
                vec![
                    PointsRule::CommunityId.into_iden(),
                    PointsRule::Id.into_iden(),
                ],
            ),
            (
                "ix_points_reward_community",
                PointsReward::Table.into_iden(),
                vec![
                    PointsReward::CommunityId.into_iden(),
                    PointsReward::Id.into_iden(),
                ],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(table);
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        let triggers: &[&str] = match manager.get_database_backend() {
            sea_orm::DatabaseBackend::Postgres => &POSTGRES_TRIGGERS,
            _ => &SQLITE_TRIGGERS,
        };
        for sql in triggers {
            manager.get_connection().execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            PointsEntry::Table.into_iden(),
            PointsAccount::Table.into_iden(),
            PointsReward::Table.into_iden(),
            PointsRule::Table.into_iden(),
            PointsScheme::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS points_entry_append_only()")
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum PointsScheme {
    Table,
    Id,
    CommunityId,
    Unit,
    UpdatedBy,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PointsRule {
    Table,
    Id,
    CommunityId,
    Name,
    Trigger,
    Points,
    DailyCap,
    MonthlyCap,
    ActiveTrigger,
    CreatedBy,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum PointsReward {
    Table,
    Id,
    CommunityId,
    Name,
    Description,
    Price,
    Stock,
    CreatedBy,
    CreatedAt,
    ArchivedAt,
}

#[derive(DeriveIden)]
enum PointsAccount {
    Table,
    Id,
    CommunityId,
    HouseholdId,
    ResidentId,
    CompoundId,
    HeadSeq,
    Balance,
    RankingOptIn,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PointsEntry {
    Table,
    Id,
    CommunityId,
    AccountId,
    Seq,
    Kind,
    Points,
    BalanceAfter,
    RuleId,
    Quantity,
    RewardId,
    RewardQuantity,
    ReversesEntryId,
    SourceKey,
    BatchId,
    Memo,
    Day,
    OccurredAt,
    RecordedAt,
    RecordedBy,
}
