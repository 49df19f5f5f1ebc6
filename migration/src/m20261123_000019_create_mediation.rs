//! Mediation cases (调解): the parties and mediators, the sessions held, the outcome and
//! a follow-up date. Seen only by the community's staff and the case's mediators.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(MediationCase::Table)
                    .col(pk_uuid(MediationCase::Id))
                    .col(uuid(MediationCase::CommunityId))
                    .col(uuid_null(MediationCase::RequestId))
                    .col(string(MediationCase::Title))
                    .col(text(MediationCase::Description))
                    // `[{"householdId", "residentId", "label"}]`
                    .col(json_binary(MediationCase::Parties))
                    // `[{"userId", "name", "kind"}]`: staff, lawyer, counsellor.
                    .col(json_binary(MediationCase::Mediators))
                    // `open` or `closed`.
                    .col(string(MediationCase::Status))
                    // `agreement`, `no_agreement` or `referred`.
                    .col(string_null(MediationCase::Outcome))
                    .col(text_null(MediationCase::AgreementText))
                    .col(string_null(MediationCase::ReferredTo))
                    .col(date_null(MediationCase::FollowUpOn))
                    .col(uuid(MediationCase::CreatedBy))
                    .col(timestamp_with_time_zone(MediationCase::CreatedAt))
                    .col(timestamp_with_time_zone(MediationCase::UpdatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_mediation_case_community_id",
                        MediationCase::CommunityId,
                        MediationCase::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(MediationSession::Table)
                    .col(pk_uuid(MediationSession::Id))
                    .col(uuid(MediationSession::CommunityId))
                    .col(uuid(MediationSession::CaseId))
                    .col(timestamp_with_time_zone(MediationSession::HeldAt))
                    .col(string(MediationSession::Place))
                    .col(text(MediationSession::Notes))
                    .col(uuid(MediationSession::RecordedBy))
                    .col(timestamp_with_time_zone(MediationSession::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                MediationSession::Table,
                                (MediationSession::CommunityId, MediationSession::CaseId),
                            )
                            .to(
                                MediationCase::Table,
                                (MediationCase::CommunityId, MediationCase::Id),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_mediation_session_case")
                    .table(MediationSession::Table)
                    .col(MediationSession::CaseId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(MediationSession::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(MediationCase::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum MediationCase {
    Table,
    Id,
    CommunityId,
    RequestId,
    Title,
    Description,
    Parties,
    Mediators,
    Status,
    Outcome,
    AgreementText,
    ReferredTo,
    FollowUpOn,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum MediationSession {
    Table,
    Id,
    CommunityId,
    CaseId,
    HeldAt,
    Place,
    Notes,
    RecordedBy,
    CreatedAt,
}
