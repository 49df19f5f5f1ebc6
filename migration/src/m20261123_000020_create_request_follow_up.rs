//! Follow-ups (回访): after a request is resolved, its handler asks the resident whether
//! the problem is really gone, in person, by phone or on WeChat.

use sea_orm_migration::{prelude::*, schema::*};

use crate::{
    m20261123_000016_create_request::ServiceRequest, m20261123_000017_create_visit::Visit,
};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(RequestFollowUp::Table)
                    .col(pk_uuid(RequestFollowUp::Id))
                    .col(uuid(RequestFollowUp::CommunityId))
                    .col(uuid(RequestFollowUp::RequestId))
                    // `visit`, `phone` or `wechat`.
                    .col(string(RequestFollowUp::Method))
                    .col(timestamp_with_time_zone(RequestFollowUp::ContactedAt))
                    // Whom the handler spoke to.
                    .col(string(RequestFollowUp::SpokeWith))
                    // Whether the resident was satisfied; unknown when nobody was reached.
                    .col(boolean_null(RequestFollowUp::Satisfied))
                    .col(text(RequestFollowUp::Notes))
                    // An in-person follow-up is also a home visit, counted by the visit plan.
                    .col(uuid_null(RequestFollowUp::VisitId))
                    .col(uuid(RequestFollowUp::RecordedBy))
                    .col(timestamp_with_time_zone(RequestFollowUp::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                RequestFollowUp::Table,
                                (RequestFollowUp::CommunityId, RequestFollowUp::RequestId),
                            )
                            .to(
                                ServiceRequest::Table,
                                (ServiceRequest::CommunityId, ServiceRequest::Id),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(RequestFollowUp::Table, RequestFollowUp::VisitId)
                            .to(Visit::Table, Visit::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_request_follow_up_request")
                    .table(RequestFollowUp::Table)
                    .col(RequestFollowUp::RequestId)
                    .col(RequestFollowUp::ContactedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(RequestFollowUp::Table).to_owned())
            .await
    }
}

#[derive(DeriveIden)]
enum RequestFollowUp {
    Table,
    Id,
    CommunityId,
    RequestId,
    Method,
    ContactedAt,
    SpokeWith,
    Satisfied,
    Notes,
    VisitId,
    RecordedBy,
    CreatedAt,
}
