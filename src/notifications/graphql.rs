//! GraphQL for webhook subscriptions, their deliveries and attempts.

use std::collections::HashMap;

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_subscription};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    delivery::{self, Outcome},
    formats::Format,
    subscriptions::{self, Change, Target},
};
use crate::{
    audit::audited_write,
    error::AppResult,
    graphql::{
        ContextExt,
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
    outbox::EventType,
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookDisabledReason {
    /// Turned off by staff.
    Staff,
    /// Turned off after a day in which every attempt failed.
    Failing,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebhookDeliveryStatus {
    /// Not delivered yet; retried until `giveUpAt`.
    Pending,
    Delivered,
    /// Every attempt failed until `giveUpAt` (`redeliverWebhook` tries again).
    Failed,
}

impl WebhookDeliveryStatus {
    fn stored(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    fn parse(stored: &str) -> Self {
        match stored {
            "delivered" => Self::Delivered,
            "failed" => Self::Failed,
            _ => Self::Pending,
        }
    }
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WebhookSubscription {
    pub id: ID,
    pub community_id: ID,
    /// Scheme, host and path; query values (a WeCom robot's key) are hidden.
    pub url: String,
    pub description: String,
    pub format: Format,
    pub event_types: Vec<EventType>,
    /// Only events of this compound, when set.
    pub compound_id: Option<ID>,
    /// Only events of this grid, when set.
    pub grid_id: Option<ID>,
    pub enabled: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<WebhookDisabledReason>,
    /// Since when every attempt has failed; turned off a day after.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret before the last rotation still signs alongside.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<webhook_subscription::Model> for WebhookSubscription {
    fn from(s: webhook_subscription::Model) -> Self {
        Self {
            id: s.id.into(),
            community_id: s.community_id.into(),
            url: s.url_label.clone(),
            description: s.description.clone(),
            format: Format::parse(&s.format),
            event_types: s
                .event_types
                .as_array()
                .map(|types| {
                    types
                        .iter()
                        .filter_map(|t| EventType::parse(t.as_str()?))
                        .collect()
                })
                .unwrap_or_default(),
            compound_id: s.compound_id.map(ID::from),
            grid_id: s.grid_id.map(ID::from),
            enabled: s.enabled,
            disabled_at: s.disabled_at,
            disabled_reason: s.disabled_reason.as_deref().map(|r| match r {
                "failing" => WebhookDisabledReason::Failing,
                _ => WebhookDisabledReason::Staff,
            }),
            failing_since: s.failing_since,
            previous_secret_valid_until: subscriptions::overlap_until(&s, Utc::now()),
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

#[ComplexObject]
impl WebhookSubscription {
    /// Deliveries to this subscription, newest first, each with its attempts.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        status: Option<WebhookDeliveryStatus>,
    ) -> Result<Page<WebhookDelivery>> {
        let args = PageArgs::new(first, after)?;
        let id = parse_id("id", &self.id)?;
        let db = ctx.services().db.reader();
        let mut select = webhook_delivery::Entity::find()
            .filter(webhook_delivery::Column::SubscriptionId.eq(id));
        if let Some(status) = status {
            select = select.filter(webhook_delivery::Column::Status.eq(status.stored()));
        }
        let order = Order::NewestFirst(webhook_delivery::Column::Id);
        let mut page = ordered_page(db, select, order, None, args, |d| {
            Ok(WebhookDelivery::from(d))
        })
        .await?;
        // One statement for the attempts of the whole page.
        let mut attempts = attempts_of(db, page.edges.iter().map(|e| e.node.uuid)).await?;
        for edge in &mut page.edges {
            edge.node.attempts = attempts.remove(&edge.node.uuid).unwrap_or_default();
        }
        Ok(page)
    }
}

#[derive(SimpleObject)]
pub struct WebhookDelivery {
    pub id: ID,
    pub event_id: ID,
    pub event_type: Option<EventType>,
    pub status: WebhookDeliveryStatus,
    pub attempt_count: i32,
    /// When it is tried next (while pending).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// Retries stop then.
    pub give_up_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The body as sent (JSON), the same on every attempt.
    pub body: String,
    /// Oldest first.
    pub attempts: Vec<WebhookAttempt>,
    #[graphql(skip)]
    pub uuid: Uuid,
}

impl From<webhook_delivery::Model> for WebhookDelivery {
    fn from(d: webhook_delivery::Model) -> Self {
        let status = WebhookDeliveryStatus::parse(&d.status);
        let event_type = serde_json::from_str::<serde_json::Value>(&d.body)
            .ok()
            .and_then(|b| b["type"].as_str().and_then(EventType::parse));
        Self {
            id: d.id.into(),
            event_id: d.event_id.into(),
            event_type,
            status,
            attempt_count: d.attempt_count,
            next_attempt_at: (status == WebhookDeliveryStatus::Pending)
                .then_some(d.next_attempt_at),
            give_up_at: d.give_up_at,
            delivered_at: d.delivered_at,
            created_at: d.created_at,
            body: d.body,
            attempts: Vec::new(),
            uuid: d.id,
        }
    }
}

#[derive(SimpleObject)]
pub struct WebhookAttempt {
    pub id: ID,
    pub attempted_at: DateTime<Utc>,
    pub latency_ms: i32,
    pub outcome: Outcome,
    pub response_status: Option<i32>,
    /// The first 512 bytes of the answer, or why there was none.
    pub detail: String,
}

async fn attempts_of(
    conn: &impl ConnectionTrait,
    deliveries: impl Iterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, Vec<WebhookAttempt>>> {
    let ids: Vec<Uuid> = deliveries.collect();
    let mut by_delivery: HashMap<Uuid, Vec<WebhookAttempt>> = HashMap::new();
    if ids.is_empty() {
        return Ok(by_delivery);
    }
    for a in webhook_attempt::Entity::find()
        .filter(webhook_attempt::Column::DeliveryId.is_in(ids))
        .order_by_asc(webhook_attempt::Column::AttemptedAt)
        .order_by_asc(webhook_attempt::Column::Id)
        .all(conn)
        .await?
    {
        by_delivery
            .entry(a.delivery_id)
            .or_default()
            .push(WebhookAttempt {
                id: a.id.into(),
                attempted_at: a.attempted_at,
                latency_ms: a.latency_ms,
                outcome: Outcome::parse(&a.outcome),
                response_status: a.response_status,
                detail: a.detail,
            });
    }
    Ok(by_delivery)
}

async fn with_attempts(
    conn: &impl ConnectionTrait,
    d: webhook_delivery::Model,
) -> AppResult<WebhookDelivery> {
    let mut delivery = WebhookDelivery::from(d);
    delivery.attempts = attempts_of(conn, std::iter::once(delivery.uuid))
        .await?
        .remove(&delivery.uuid)
        .unwrap_or_default();
    Ok(delivery)
}

#[derive(Default)]
pub struct WebhookQuery;

#[Object]
impl WebhookQuery {
    /// A community's webhook subscriptions (at most 20), oldest first. Community admins,
    /// and street admins for their street office's communities.
    async fn webhook_subscriptions(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
    ) -> Result<Vec<WebhookSubscription>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        subscriptions::managed_place(db, viewer, community).await?;
        Ok(webhook_subscription::Entity::find()
            .filter(webhook_subscription::Column::CommunityId.eq(community))
            .order_by_asc(webhook_subscription::Column::Id)
            .all(db)
            .await
            .map_err(crate::error::AppError::from)?
            .into_iter()
            .map(WebhookSubscription::from)
            .collect())
    }

    async fn webhook_subscription(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookSubscription> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let (s, _) = subscriptions::managed(ctx.services().db.reader(), viewer, id).await?;
        Ok(s.into())
    }

    /// One delivery with its attempts.
    async fn webhook_delivery(&self, ctx: &Context<'_>, id: ID) -> Result<WebhookDelivery> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let db = ctx.services().db.reader();
        let (d, _) = subscriptions::managed_delivery(db, viewer, id).await?;
        Ok(with_attempts(db, d).await?)
    }
}

#[derive(InputObject)]
pub struct CreateWebhookSubscriptionInput {
    pub community_id: ID,
    /// `https://...` (plain http only where the deployment allows it). For `WECOM_ROBOT`,
    /// the robot's webhook address with its key.
    pub url: String,
    /// What it is for (值班群机器人, 区平台对接).
    pub description: String,
    pub format: Format,
    pub event_types: Vec<EventType>,
    pub compound_id: Option<ID>,
    pub grid_id: Option<ID>,
}

#[derive(InputObject)]
pub struct UpdateWebhookSubscriptionInput {
    pub id: ID,
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// `null` removes the filter.
    pub compound_id: MaybeUndefined<ID>,
    pub grid_id: MaybeUndefined<ID>,
    /// Turning a subscription back on resumes its pending deliveries.
    pub enabled: Option<bool>,
}

#[derive(SimpleObject)]
pub struct WebhookSecretPayload {
    pub subscription: WebhookSubscription,
    /// The signing secret (`whsec_...`), shown this once: keep it with the receiver.
    pub secret: String,
}

#[derive(SimpleObject)]
pub struct WebhookSubscriptionPayload {
    pub subscription: WebhookSubscription,
}

#[derive(SimpleObject)]
pub struct WebhookDeliveryPayload {
    pub delivery: WebhookDelivery,
}

fn optional_id(field: &str, id: &Option<ID>) -> AppResult<Option<Uuid>> {
    id.as_ref().map(|id| parse_id(field, id)).transpose()
}

fn changed_id(field: &str, id: &MaybeUndefined<ID>) -> AppResult<Option<Option<Uuid>>> {
    Ok(match id {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(id) => Some(Some(parse_id(field, id)?)),
    })
}

#[derive(Default)]
pub struct WebhookMutation;

#[Object]
impl WebhookMutation {
    /// Subscribes a URL to a community's events; the answer carries the signing secret,
    /// shown only here.
    async fn create_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        input: CreateWebhookSubscriptionInput,
    ) -> Result<WebhookSecretPayload> {
        let audit = json!({
            "communityId": input.community_id.as_str(),
            "format": format!("{:?}", input.format),
            "eventTypes": input.event_types.iter().map(|t| t.name()).collect::<Vec<_>>(),
        });
        let community = parse_id("input.communityId", &input.community_id);
        let compound = optional_id("input.compoundId", &input.compound_id);
        let grid = optional_id("input.gridId", &input.grid_id);
        let services = ctx.services().clone();
        let (model, secret) = audited_write(
            ctx,
            "createWebhookSubscription",
            audit,
            move |txn, viewer| {
                Box::pin(async move {
                    let target = Target {
                        url: input.url,
                        description: input.description,
                        event_types: input.event_types,
                        compound_id: compound?,
                        grid_id: grid?,
                    };
                    subscriptions::create(
                        txn,
                        viewer,
                        &services.data_keys,
                        &services.config.webhooks,
                        community?,
                        input.format,
                        target,
                    )
                    .await
                })
            },
        )
        .await?;
        Ok(WebhookSecretPayload {
            subscription: model.into(),
            secret,
        })
    }

    async fn update_webhook_subscription(
        &self,
        ctx: &Context<'_>,
        input: UpdateWebhookSubscriptionInput,
    ) -> Result<WebhookSubscriptionPayload> {
        let audit = json!({
            "id": input.id.as_str(),
            "urlChanged": input.url.is_some(),
            "enabled": input.enabled,
            "eventTypes": input.event_types.as_ref().map(|ts| ts.iter().map(|t| t.name()).collect::<Vec<_>>()),
        });
        let id = parse_id("input.id", &input.id);
        let compound = changed_id("input.compoundId", &input.compound_id);
        let grid = changed_id("input.gridId", &input.grid_id);
        let services = ctx.services().clone();
        let model = audited_write(
            ctx,
            "updateWebhookSubscription",
            audit,
            move |txn, viewer| {
                Box::pin(async move {
                    let change = Change {
                        url: input.url,
                        description: input.description,
                        event_types: input.event_types,
                        compound_id: compound?,
                        grid_id: grid?,
                        enabled: input.enabled,
                    };
                    subscriptions::update(
                        txn,
                        viewer,
                        &services.data_keys,
                        &services.config.webhooks,
                        id?,
                        change,
                    )
                    .await
                })
            },
        )
        .await?;
        ctx.services().outbox.wake();
        Ok(WebhookSubscriptionPayload {
            subscription: model.into(),
        })
    }

    /// A new signing secret (shown once); the old one keeps signing alongside for 24 hours
    /// so the receiver can switch without missing a delivery.
    async fn rotate_webhook_secret(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<WebhookSecretPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let services = ctx.services().clone();
        let (model, secret) =
            audited_write(ctx, "rotateWebhookSecret", audit, move |txn, viewer| {
                Box::pin(async move {
                    subscriptions::rotate_secret(txn, viewer, &services.data_keys, id?).await
                })
            })
            .await?;
        Ok(WebhookSecretPayload {
            subscription: model.into(),
            secret,
        })
    }

    /// Sends a delivery again (a failed one, or a delivered one the receiver lost), with
    /// a fresh day of retries.
    async fn redeliver_webhook(
        &self,
        ctx: &Context<'_>,
        delivery_id: ID,
    ) -> Result<WebhookDeliveryPayload> {
        let audit = json!({ "deliveryId": delivery_id.as_str() });
        let id = parse_id("deliveryId", &delivery_id);
        let services = ctx.services().clone();
        let d = audited_write(ctx, "redeliverWebhook", audit, move |txn, viewer| {
            Box::pin(async move {
                subscriptions::redeliver(txn, viewer, &services.config.webhooks, id?).await
            })
        })
        .await?;
        ctx.services().outbox.wake();
        let delivery = with_attempts(ctx.services().db.writer(), d).await?;
        Ok(WebhookDeliveryPayload { delivery })
    }

    /// Sends a `webhook.test` event to this subscription now (even while it is turned
    /// off) and answers with the attempt: status, latency, the receiver's answer. Not
    /// retried.
    async fn send_test_webhook(
        &self,
        ctx: &Context<'_>,
        subscription_id: ID,
    ) -> Result<WebhookDeliveryPayload> {
        let audit = json!({ "subscriptionId": subscription_id.as_str() });
        let id = parse_id("subscriptionId", &subscription_id);
        let services = ctx.services().clone();
        let config = services.config.webhooks.clone();
        let due = audited_write(ctx, "sendTestWebhook", audit, move |txn, viewer| {
            Box::pin(async move { subscriptions::test_delivery(txn, viewer, &config, id?).await })
        })
        .await?;
        let client = super::address::client(&services.config.webhooks)
            .map_err(crate::error::AppError::internal)?;
        let answer = delivery::send(
            &client,
            &services.config.webhooks,
            &services.data_keys,
            &due,
        )
        .await;
        delivery::record(&services, &due, &answer).await?;
        let d = webhook_delivery::Entity::find_by_id(due.delivery.id)
            .one(services.db.writer())
            .await
            .map_err(crate::error::AppError::from)?
            .ok_or(crate::error::AppError::NotFound(crate::error::msg!(
                "webhook delivery not found"
            )))?;
        let delivery = with_attempts(services.db.writer(), d).await?;
        Ok(WebhookDeliveryPayload { delivery })
    }
}
