//! Published statements (公示) of a fund's ledger: a range of entries with its opening and
//! closing balances and head hash, readable by anyone holding the share link.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000010_create_fund_ledger::Fund;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Statement::Table)
                    .col(pk_uuid(Statement::Id))
                    .col(uuid(Statement::CommunityId))
                    .col(uuid(Statement::FundId))
                    .col(big_integer(Statement::FromSeq))
                    .col(big_integer(Statement::ToSeq))
                    .col(big_integer(Statement::OpeningBalanceFen))
                    .col(big_integer(Statement::ClosingBalanceFen))
                    .col(string(Statement::HeadHash))
                    .col(timestamp_with_time_zone(Statement::FirstOccurredAt))
                    .col(timestamp_with_time_zone(Statement::LastOccurredAt))
                    // SHA-256 of the share token; the token itself is shown once.
                    .col(string_uniq(Statement::ShareTokenHash))
                    .col(uuid(Statement::PublishedBy))
                    .col(timestamp_with_time_zone(Statement::PublishedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                Statement::Table,
                                (Statement::CommunityId, Statement::FundId),
                            )
                            .to(Fund::Table, (Fund::CommunityId, Fund::Id)),
                    )
                    .index(&mut crate::tenant_key(
                        "uq_statement_community_id",
                        Statement::CommunityId,
                        Statement::Id,
                    ))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Statement::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum Statement {
    Table,
    Id,
    CommunityId,
    FundId,
    FromSeq,
    ToSeq,
    OpeningBalanceFen,
    ClosingBalanceFen,
    HeadHash,
    FirstOccurredAt,
    LastOccurredAt,
    ShareTokenHash,
    PublishedBy,
    PublishedAt,
}
