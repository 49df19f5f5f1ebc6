//! Outbound notifications (ARCHITECTURE.md §9): webhook subscriptions per community, the
//! outbox of events written in the transaction of the change that caused them, one
//! delivery per event and subscription, and every attempt to deliver it.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(WebhookSubscription::Table)
                    .col(pk_uuid(WebhookSubscription::Id))
                    .col(uuid(WebhookSubscription::CommunityId))
                    // Only events of this compound or grid, when set.
                    .col(uuid_null(WebhookSubscription::CompoundId))
                    .col(uuid_null(WebhookSubscription::GridId))
                    // Encrypted: a WeCom robot's key is part of its URL.
                    .col(text(WebhookSubscription::Url))
                    .col(string(WebhookSubscription::UrlLabel))
                    .col(string(WebhookSubscription::Description))
                    // `standard` or `wecom_robot`.
                    .col(string(WebhookSubscription::Format))
                    .col(json_binary(WebhookSubscription::EventTypes))
                    .col(boolean(WebhookSubscription::Enabled))
                    // Encrypted signing secrets; the previous one signs too until it expires.
                    .col(text(WebhookSubscription::Secret))
                    .col(text_null(WebhookSubscription::PreviousSecret))
                    .col(timestamp_with_time_zone_null(
                        WebhookSubscription::PreviousSecretUntil,
                    ))
                    // Since when every attempt has failed (none since the last success).
                    .col(timestamp_with_time_zone_null(
                        WebhookSubscription::FailingSince,
                    ))
                    .col(timestamp_with_time_zone_null(
                        WebhookSubscription::DisabledAt,
                    ))
                    .col(string_null(WebhookSubscription::DisabledReason))
                    .col(uuid(WebhookSubscription::CreatedBy))
                    .col(timestamp_with_time_zone(WebhookSubscription::CreatedAt))
                    .col(timestamp_with_time_zone(WebhookSubscription::UpdatedAt))
                    .index(&mut crate::tenant_key(
                        "uq_webhook_subscription_community_id",
                        WebhookSubscription::CommunityId,
                        WebhookSubscription::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(WebhookSubscription::Table, WebhookSubscription::CommunityId)
                            .to(Community::Table, Community::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NotificationEvent::Table)
                    .col(pk_uuid(NotificationEvent::Id))
                    .col(uuid(NotificationEvent::CommunityId))
                    .col(string(NotificationEvent::EventType))
                    .col(uuid_null(NotificationEvent::CompoundId))
                    .col(uuid_null(NotificationEvent::GridId))
                    // What the writer knew: IDs and facts; labels are added on fan-out.
                    .col(json_binary(NotificationEvent::Facts))
                    // Time-based events: one per subject and occasion, however many
                    // processes look.
                    .col(string_null(NotificationEvent::DedupeKey))
                    .col(timestamp_with_time_zone(NotificationEvent::OccurredAt))
                    // When its deliveries were made (NULL: not yet).
                    .col(timestamp_with_time_zone_null(
                        NotificationEvent::FannedOutAt,
                    ))
                    .index(&mut crate::tenant_key(
                        "uq_notification_event_community_id",
                        NotificationEvent::CommunityId,
                        NotificationEvent::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ux_notification_event_dedupe_key")
                    .table(NotificationEvent::Table)
                    .col(NotificationEvent::DedupeKey)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_notification_event_fan_out")
                    .table(NotificationEvent::Table)
                    .col(NotificationEvent::FannedOutAt)
                    .col(NotificationEvent::Id)
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(WebhookDelivery::Table)
                    .col(pk_uuid(WebhookDelivery::Id))
                    .col(uuid(WebhookDelivery::CommunityId))
                    .col(uuid(WebhookDelivery::SubscriptionId))
                    .col(uuid(WebhookDelivery::EventId))
                    // The body as sent (signed as is on every retry).
                    .col(text(WebhookDelivery::Body))
                    // `pending`, `delivered` or `failed`.
                    .col(string(WebhookDelivery::Status))
                    .col(integer(WebhookDelivery::AttemptCount))
                    .col(timestamp_with_time_zone(WebhookDelivery::NextAttemptAt))
                    // A process delivering it holds it until then.
                    .col(timestamp_with_time_zone_null(WebhookDelivery::LeaseUntil))
                    // Retries stop (and the delivery fails) after this.
                    .col(timestamp_with_time_zone(WebhookDelivery::GiveUpAt))
                    .col(timestamp_with_time_zone(WebhookDelivery::CreatedAt))
                    .col(timestamp_with_time_zone_null(WebhookDelivery::DeliveredAt))
                    .index(&mut crate::tenant_key(
                        "uq_webhook_delivery_community_id",
                        WebhookDelivery::CommunityId,
                        WebhookDelivery::Id,
                    ))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WebhookDelivery::Table,
                                (
                                    WebhookDelivery::CommunityId,
                                    WebhookDelivery::SubscriptionId,
                                ),
                            )
                            .to(
                                WebhookSubscription::Table,
                                (WebhookSubscription::CommunityId, WebhookSubscription::Id),
                            ),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WebhookDelivery::Table,
                                (WebhookDelivery::CommunityId, WebhookDelivery::EventId),
                            )
                            .to(
                                NotificationEvent::Table,
                                (NotificationEvent::CommunityId, NotificationEvent::Id),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, columns) in [
            (
                "ux_webhook_delivery_subscription_event",
                vec![WebhookDelivery::SubscriptionId, WebhookDelivery::EventId],
            ),
            (
                "ix_webhook_delivery_due",
                vec![WebhookDelivery::Status, WebhookDelivery::NextAttemptAt],
            ),
        ] {
            let mut index = Index::create();
            index.name(name).table(WebhookDelivery::Table);
            for column in columns {
                index.col(column);
            }
            if name.starts_with("ux_") {
                index.unique();
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .create_table(
                Table::create()
                    .table(WebhookAttempt::Table)
                    .col(pk_uuid(WebhookAttempt::Id))
                    .col(uuid(WebhookAttempt::CommunityId))
                    .col(uuid(WebhookAttempt::DeliveryId))
                    .col(timestamp_with_time_zone(WebhookAttempt::AttemptedAt))
                    .col(integer(WebhookAttempt::LatencyMs))
                    // `ok`, `http_error`, `rejected`, `timeout`, `refused` or `network`.
                    .col(string(WebhookAttempt::Outcome))
                    .col(integer_null(WebhookAttempt::ResponseStatus))
                    // The first bytes of the answer, or why there was none.
                    .col(string(WebhookAttempt::Detail))
                    .foreign_key(
                        ForeignKey::create()
                            .from(
                                WebhookAttempt::Table,
                                (WebhookAttempt::CommunityId, WebhookAttempt::DeliveryId),
                            )
                            .to(
                                WebhookDelivery::Table,
                                (WebhookDelivery::CommunityId, WebhookDelivery::Id),
                            ),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_attempt_delivery")
                    .table(WebhookAttempt::Table)
                    .col(WebhookAttempt::DeliveryId)
                    .col(WebhookAttempt::AttemptedAt)
                    .to_owned(),
            )
            .await?;
        // The scheduler looks for deadlines of the last day every minute: by index, not by
        // reading every request, vote and case ever recorded.
        for (name, table, column) in DEADLINES {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Alias::new(table))
                        .col(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (name, table, _) in DEADLINES {
            manager
                .drop_index(Index::drop().name(name).table(Alias::new(table)).to_owned())
                .await?;
        }
        for table in [
            WebhookAttempt::Table.into_iden(),
            WebhookDelivery::Table.into_iden(),
            NotificationEvent::Table.into_iden(),
            WebhookSubscription::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// The deadline columns the scheduler scans: (index, table, column).
const DEADLINES: [(&str, &str, &str); 5] = [
    (
        "ix_service_request_first_response_due",
        "service_request",
        "first_response_due_at",
    ),
    (
        "ix_service_request_resolve_due",
        "service_request",
        "resolve_due_at",
    ),
    ("ix_motion_voting_closes", "motion", "voting_closes_at"),
    (
        "ix_mediation_case_follow_up",
        "mediation_case",
        "follow_up_on",
    ),
    ("ix_announcement_created", "announcement", "created_at"),
];

#[derive(DeriveIden)]
enum Community {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum WebhookSubscription {
    Table,
    Id,
    CommunityId,
    CompoundId,
    GridId,
    Url,
    UrlLabel,
    Description,
    Format,
    EventTypes,
    Enabled,
    Secret,
    PreviousSecret,
    PreviousSecretUntil,
    FailingSince,
    DisabledAt,
    DisabledReason,
    CreatedBy,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum NotificationEvent {
    Table,
    Id,
    CommunityId,
    EventType,
    CompoundId,
    GridId,
    Facts,
    DedupeKey,
    OccurredAt,
    FannedOutAt,
}

#[derive(DeriveIden)]
enum WebhookDelivery {
    Table,
    Id,
    CommunityId,
    SubscriptionId,
    EventId,
    Body,
    Status,
    AttemptCount,
    NextAttemptAt,
    LeaseUntil,
    GiveUpAt,
    CreatedAt,
    DeliveredAt,
}

#[derive(DeriveIden)]
enum WebhookAttempt {
    Table,
    Id,
    CommunityId,
    DeliveryId,
    AttemptedAt,
    LatencyMs,
    Outcome,
    ResponseStatus,
    Detail,
}
