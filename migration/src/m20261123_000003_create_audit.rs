//! The audit log: one row per request that changed something or read personal data.
//! No foreign keys: an audit row must outlive whatever it talks about.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AuditEntry::Table)
                    .col(pk_uuid(AuditEntry::Id))
                    .col(timestamp_with_time_zone(AuditEntry::OccurredAt))
                    .col(string(AuditEntry::RequestId))
                    .col(uuid_null(AuditEntry::ActorUserId))
                    .col(string(AuditEntry::Action))
                    .col(string(AuditEntry::Outcome))
                    .col(string_null(AuditEntry::ErrorCode))
                    .col(uuid_null(AuditEntry::StreetOfficeId))
                    .col(uuid_null(AuditEntry::CommunityId))
                    .col(uuid_null(AuditEntry::TargetId))
                    .col(json_binary(AuditEntry::Input))
                    .col(json_binary(AuditEntry::SubjectIds))
                    .col(string_null(AuditEntry::ClientAddr))
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("ix_audit_entry_community", AuditEntry::CommunityId),
            ("ix_audit_entry_street_office", AuditEntry::StreetOfficeId),
            ("ix_audit_entry_actor", AuditEntry::ActorUserId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(AuditEntry::Table)
                        .col(col)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AuditEntry::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum AuditEntry {
    Table,
    Id,
    OccurredAt,
    RequestId,
    ActorUserId,
    Action,
    Outcome,
    ErrorCode,
    StreetOfficeId,
    CommunityId,
    TargetId,
    Input,
    SubjectIds,
    ClientAddr,
}
