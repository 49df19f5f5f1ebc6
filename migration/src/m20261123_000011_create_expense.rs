//! Expenses of a fund: drafted by the treasurer, approved by committee members other than
//! the author, paid with a ledger entry. Each decision is kept.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000010_create_fund_ledger::{Counterparty, Fund};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Expense::Table)
                    .col(pk_uuid(Expense::Id))
                    .col(uuid(Expense::CommunityId))
                    .col(uuid(Expense::FundId))
                    .col(uuid(Expense::AuthorId))
                    .col(uuid(Expense::PayeeId))
                    .col(big_integer(Expense::AmountFen))
                    .col(string(Expense::Purpose))
                    .col(json_binary(Expense::Items))
                    .col(string(Expense::Status))
                    .col(uuid_null(Expense::ResolutionId))
                    .col(string_null(Expense::ClosingReason))
                    .col(uuid_null(Expense::PaidEntryId))
                    .col(timestamp_with_time_zone(Expense::CreatedAt))
                    .col(timestamp_with_time_zone(Expense::UpdatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Expense::Table, (Expense::CommunityId, Expense::FundId))
                            .to(Fund::Table, (Fund::CommunityId, Fund::Id)),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(Expense::Table, (Expense::CommunityId, Expense::PayeeId))
                            .to(
                                Counterparty::Table,
                                (Counterparty::CommunityId, Counterparty::Id),
                            ),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_expense_community_id",
                        Expense::CommunityId,
                        Expense::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExpenseDecision::Table)
                    .col(pk_uuid(ExpenseDecision::Id))
                    .col(uuid(ExpenseDecision::CommunityId))
                    .col(uuid(ExpenseDecision::ExpenseId))
                    .col(uuid(ExpenseDecision::DecidedBy))
                    // `approve` or `reject`.
                    .col(string(ExpenseDecision::Decision))
                    .col(string(ExpenseDecision::Comment))
                    .col(timestamp_with_time_zone(ExpenseDecision::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                ExpenseDecision::Table,
                                (ExpenseDecision::CommunityId, ExpenseDecision::ExpenseId),
                            )
                            .to(Expense::Table, (Expense::CommunityId, Expense::Id)),
                    )
                    // One decision per member per expense.
                    .index(
                        Index::create()
                            .name("uq_expense_decision_member")
                            .col(ExpenseDecision::ExpenseId)
                            .col(ExpenseDecision::DecidedBy)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_expense_fund")
                    .table(Expense::Table)
                    .col(Expense::FundId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(ExpenseDecision::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Expense::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
pub enum Expense {
    Table,
    Id,
    CommunityId,
    FundId,
    AuthorId,
    PayeeId,
    AmountFen,
    Purpose,
    Items,
    Status,
    ResolutionId,
    ClosingReason,
    PaidEntryId,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ExpenseDecision {
    Table,
    Id,
    CommunityId,
    ExpenseId,
    DecidedBy,
    Decision,
    Comment,
    CreatedAt,
}
