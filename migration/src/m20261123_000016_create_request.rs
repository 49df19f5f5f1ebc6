//! Resident requests (诉求, ARCHITECTURE.md §6): where they came from, where they are,
//! who handles them, their deadlines, and every step (status changes, replies to the
//! resident, internal notes, reassignments) as an event. Communities add categories.

use sea_orm_migration::{prelude::*, schema::*};

use crate::m20261123_000014_create_stored_file::StoredFile;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RequestCategory::Table)
                    .col(pk_uuid(RequestCategory::Id))
                    .col(uuid(RequestCategory::CommunityId))
                    .col(string(RequestCategory::Code))
                    .col(string(RequestCategory::Name))
                    .col(integer(RequestCategory::FirstResponseHours))
                    .col(integer(RequestCategory::ResolveHours))
                    .col(timestamp_with_time_zone(RequestCategory::CreatedAt))
                    .index(
                        Index::create()
                            .name("uq_request_category_code")
                            .col(RequestCategory::CommunityId)
                            .col(RequestCategory::Code)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ServiceRequest::Table)
                    .col(pk_uuid(ServiceRequest::Id))
                    .col(uuid(ServiceRequest::CommunityId))
                    .col(uuid_null(ServiceRequest::CompoundId))
                    .col(uuid_null(ServiceRequest::BuildingId))
                    .col(uuid_null(ServiceRequest::HouseholdId))
                    .col(uuid_null(ServiceRequest::GridId))
                    .col(uuid_null(ServiceRequest::AssigneeId))
                    .col(uuid_null(ServiceRequest::ReporterResidentId))
                    .col(uuid_null(ServiceRequest::ReporterUserId))
                    .col(uuid(ServiceRequest::RecordedBy))
                    // `app`, `wechat`, `hotline`, `phone` or `visit`.
                    .col(string(ServiceRequest::Source))
                    // WeChat group, nickname, original text and time; hotline ticket.
                    .col(json_binary(ServiceRequest::SourceDetail))
                    .col(string(ServiceRequest::Category))
                    .col(string(ServiceRequest::Title))
                    .col(text(ServiceRequest::Description))
                    // `normal` or `urgent`.
                    .col(string(ServiceRequest::Urgency))
                    .col(string(ServiceRequest::Status))
                    .col(uuid_null(ServiceRequest::DuplicateOf))
                    .col(string_null(ServiceRequest::ReferredTo))
                    .col(text_null(ServiceRequest::ReferralReply))
                    .col(string_null(ServiceRequest::RejectionReason))
                    .col(timestamp_with_time_zone(ServiceRequest::FirstResponseDueAt))
                    .col(timestamp_with_time_zone(ServiceRequest::ResolveDueAt))
                    .col(timestamp_with_time_zone_null(
                        ServiceRequest::AcknowledgedAt,
                    ))
                    .col(timestamp_with_time_zone_null(ServiceRequest::ResolvedAt))
                    .col(timestamp_with_time_zone_null(ServiceRequest::ClosedAt))
                    .col(integer_null(ServiceRequest::Rating))
                    .col(string_null(ServiceRequest::RatingComment))
                    .col(timestamp_with_time_zone(ServiceRequest::CreatedAt))
                    .col(timestamp_with_time_zone(ServiceRequest::UpdatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_service_request_community_id",
                        ServiceRequest::CommunityId,
                        ServiceRequest::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequestEvent::Table)
                    .col(pk_uuid(RequestEvent::Id))
                    .col(uuid(RequestEvent::CommunityId))
                    .col(uuid(RequestEvent::RequestId))
                    // `status`, `reply`, `note` or `assign`.
                    .col(string(RequestEvent::Kind))
                    .col(string_null(RequestEvent::StatusFrom))
                    .col(string_null(RequestEvent::StatusTo))
                    .col(text(RequestEvent::Body))
                    // Shown to the resident (replies, status changes) or staff only (notes).
                    .col(boolean(RequestEvent::Public))
                    .col(uuid(RequestEvent::ActorId))
                    .col(timestamp_with_time_zone(RequestEvent::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RequestEvent::Table,
                                (RequestEvent::CommunityId, RequestEvent::RequestId),
                            )
                            .to(
                                ServiceRequest::Table,
                                (ServiceRequest::CommunityId, ServiceRequest::Id),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(RequestPhoto::Table)
                    .col(pk_uuid(RequestPhoto::Id))
                    .col(uuid(RequestPhoto::CommunityId))
                    .col(uuid(RequestPhoto::RequestId))
                    .col(uuid(RequestPhoto::FileId))
                    .col(timestamp_with_time_zone(RequestPhoto::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RequestPhoto::Table,
                                (RequestPhoto::CommunityId, RequestPhoto::RequestId),
                            )
                            .to(
                                ServiceRequest::Table,
                                (ServiceRequest::CommunityId, ServiceRequest::Id),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RequestPhoto::Table,
                                (RequestPhoto::CommunityId, RequestPhoto::FileId),
                            )
                            .to(StoredFile::Table, (StoredFile::CommunityId, StoredFile::Id)),
                    )
                    .index(
                        Index::create()
                            .name("uq_request_photo_file")
                            .col(RequestPhoto::FileId)
                            .unique(),
                    )
                    .to_owned(),
            )
            .await?;
        let indexes = [
            (
                "ix_service_request_community_status",
                ServiceRequest::CommunityId.into_iden(),
                ServiceRequest::Status.into_iden(),
            ),
            (
                "ix_service_request_grid",
                ServiceRequest::GridId.into_iden(),
                ServiceRequest::Status.into_iden(),
            ),
            (
                "ix_service_request_assignee",
                ServiceRequest::AssigneeId.into_iden(),
                ServiceRequest::Status.into_iden(),
            ),
            (
                "ix_service_request_household",
                ServiceRequest::HouseholdId.into_iden(),
                ServiceRequest::Id.into_iden(),
            ),
        ];
        for (name, first, second) in indexes {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(ServiceRequest::Table)
                        .col(first)
                        .col(second)
                        .to_owned(),
                )
                .await?;
        }
        for (name, table, column) in [
            (
                "ix_request_event_request",
                RequestEvent::Table.into_iden(),
                RequestEvent::RequestId.into_iden(),
            ),
            (
                "ix_request_photo_request",
                RequestPhoto::Table.into_iden(),
                RequestPhoto::RequestId.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            RequestPhoto::Table.into_iden(),
            RequestEvent::Table.into_iden(),
            ServiceRequest::Table.into_iden(),
            RequestCategory::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

#[derive(DeriveIden)]
enum RequestCategory {
    Table,
    Id,
    CommunityId,
    Code,
    Name,
    FirstResponseHours,
    ResolveHours,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(crate) enum ServiceRequest {
    Table,
    Id,
    CommunityId,
    CompoundId,
    BuildingId,
    HouseholdId,
    GridId,
    AssigneeId,
    ReporterResidentId,
    ReporterUserId,
    RecordedBy,
    Source,
    SourceDetail,
    Category,
    Title,
    Description,
    Urgency,
    Status,
    DuplicateOf,
    ReferredTo,
    ReferralReply,
    RejectionReason,
    FirstResponseDueAt,
    ResolveDueAt,
    AcknowledgedAt,
    ResolvedAt,
    ClosedAt,
    Rating,
    RatingComment,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum RequestEvent {
    Table,
    Id,
    CommunityId,
    RequestId,
    Kind,
    StatusFrom,
    StatusTo,
    Body,
    Public,
    ActorId,
    CreatedAt,
}

#[derive(DeriveIden)]
enum RequestPhoto {
    Table,
    Id,
    CommunityId,
    RequestId,
    FileId,
    CreatedAt,
}
