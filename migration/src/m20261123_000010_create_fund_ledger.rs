//! Repair funds (维修基金) and their ledgers (ARCHITECTURE.md §4). Ledger entries are
//! append-only: triggers refuse UPDATE and DELETE on both databases. Counterparties' names
//! live in their own table, outside the hashed entries, so a name can be erased without
//! breaking the chain.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000004_create_compound_building::Compound;

#[derive(DeriveMigrationName)]
pub struct Migration;

const SQLITE_TRIGGERS: [&str; 2] = [
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
    "CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry \
     BEGIN SELECT RAISE(ABORT, 'ledger entries are append-only'); END",
];

const POSTGRES_TRIGGERS: [&str; 3] = [
    "CREATE OR REPLACE FUNCTION ledger_entry_append_only() RETURNS trigger AS $$ \
     BEGIN RAISE EXCEPTION 'ledger entries are append-only'; END; $$ LANGUAGE plpgsql",
    "CREATE TRIGGER ledger_entry_no_update BEFORE UPDATE ON ledger_entry \
     FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()",
    "CREATE TRIGGER ledger_entry_no_delete BEFORE DELETE ON ledger_entry \
     FOR EACH ROW EXECUTE FUNCTION ledger_entry_append_only()",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Fund::Table)
                    .col(pk_uuid(Fund::Id))
                    .col(uuid(Fund::CommunityId))
                    // Empty for a community-level fund.
                    .col(uuid_null(Fund::CompoundId))
                    .col(string(Fund::Name))
                    .col(string(Fund::Purpose))
                    .col(string(Fund::Status))
                    .col(boolean(Fund::AllowNegative))
                    .col(integer(Fund::ApprovalsRequired))
                    .col(big_integer_null(Fund::ResolutionThresholdFen))
                    // The head of the ledger, updated with every entry in its transaction.
                    .col(big_integer(Fund::HeadSeq))
                    .col(string(Fund::HeadHash))
                    .col(big_integer(Fund::BalanceFen))
                    .col(uuid_null(Fund::CreatedBy))
                    .col(timestamp_with_time_zone(Fund::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Fund::Table, (Fund::CommunityId, Fund::CompoundId))
                            .to(Compound::Table, (Compound::CommunityId, Compound::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_fund_community_id",
                        Fund::CommunityId,
                        Fund::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Counterparty::Table)
                    .col(pk_uuid(Counterparty::Id))
                    .col(uuid(Counterparty::CommunityId))
                    // `household` (the id is the household's), `donor` or `payee`.
                    .col(string(Counterparty::Kind))
                    .col(uuid_null(Counterparty::HouseholdId))
                    // Erasable (PIPL): the ledger refers to the id only.
                    .col(string_null(Counterparty::Name))
                    .col(timestamp_with_time_zone(Counterparty::CreatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_counterparty_community_id",
                        Counterparty::CommunityId,
                        Counterparty::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LedgerEntry::Table)
                    .col(pk_uuid(LedgerEntry::Id))
                    .col(uuid(LedgerEntry::CommunityId))
                    .col(uuid(LedgerEntry::FundId))
                    .col(big_integer(LedgerEntry::Seq))
                    .col(string(LedgerEntry::Kind))
                    .col(big_integer(LedgerEntry::AmountFen))
                    .col(big_integer(LedgerEntry::BalanceAfterFen))
                    .col(uuid_null(LedgerEntry::CounterpartyId))
                    .col(string_null(LedgerEntry::Channel))
                    .col(string(LedgerEntry::Memo))
                    .col(timestamp_with_time_zone(LedgerEntry::OccurredAt))
                    .col(timestamp_with_time_zone(LedgerEntry::RecordedAt))
                    .col(uuid(LedgerEntry::RecordedBy))
                    .col(uuid_null(LedgerEntry::ExpenseId))
                    .col(uuid_null(LedgerEntry::LevyId))
                    .col(uuid_null(LedgerEntry::ResolutionId))
                    .col(uuid_null(LedgerEntry::ReversesEntryId))
                    .col(string(LedgerEntry::PrevHash))
                    .col(string(LedgerEntry::Hash))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                LedgerEntry::Table,
                                (LedgerEntry::CommunityId, LedgerEntry::FundId),
                            )
                            .to(Fund::Table, (Fund::CommunityId, Fund::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                LedgerEntry::Table,
                                (LedgerEntry::CommunityId, LedgerEntry::CounterpartyId),
                            )
                            .to(
                                Counterparty::Table,
                                (Counterparty::CommunityId, Counterparty::Id),
                            ),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_ledger_entry_community_id",
                        LedgerEntry::CommunityId,
                        LedgerEntry::Id,
                    ))
                    // No gap is possible to hide and no seq twice.
                    .index(
                        Index::create()
                            .name("uq_ledger_entry_fund_seq")
                            .col(LedgerEntry::FundId)
                            .col(LedgerEntry::Seq)
                            .unique(),
                    )
                    // An entry is reversed at most once.
                    .index(
                        Index::create()
                            .name("uq_ledger_entry_reverses")
                            .col(LedgerEntry::ReversesEntryId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(IdempotencyRecord::Table)
                    .col(uuid(IdempotencyRecord::UserId))
                    .col(string(IdempotencyRecord::Key))
                    .col(string(IdempotencyRecord::Operation))
                    // SHA-256 of the operation's input: the same key with other input is refused.
                    .col(string(IdempotencyRecord::InputHash))
                    .col(json_binary(IdempotencyRecord::Response))
                    .col(timestamp_with_time_zone(IdempotencyRecord::CreatedAt))
                    .primary_key(
                        Index::create()
                            .col(IdempotencyRecord::UserId)
                            .col(IdempotencyRecord::Key),
                    )
                    .to_owned(),
            )
            .await?;
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
            IdempotencyRecord::Table.into_iden(),
            LedgerEntry::Table.into_iden(),
            Counterparty::Table.into_iden(),
            Fund::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
            manager
                .get_connection()
                .execute_unprepared("DROP FUNCTION IF EXISTS ledger_entry_append_only()")
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
pub enum Fund {
    Table,
    Id,
    CommunityId,
    CompoundId,
    Name,
    Purpose,
    Status,
    AllowNegative,
    ApprovalsRequired,
    ResolutionThresholdFen,
    HeadSeq,
    HeadHash,
    BalanceFen,
    CreatedBy,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum Counterparty {
    Table,
    Id,
    CommunityId,
    Kind,
    HouseholdId,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub enum LedgerEntry {
    Table,
    Id,
    CommunityId,
    FundId,
    Seq,
    Kind,
    AmountFen,
    BalanceAfterFen,
    CounterpartyId,
    Channel,
    Memo,
    OccurredAt,
    RecordedAt,
    RecordedBy,
    ExpenseId,
    LevyId,
    ResolutionId,
    ReversesEntryId,
    PrevHash,
    Hash,
}

#[derive(DeriveIden)]
enum IdempotencyRecord {
    Table,
    UserId,
    Key,
    Operation,
    InputHash,
    Response,
    CreatedAt,
}
