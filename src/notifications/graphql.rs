//! GraphQL types and queries for webhook subscriptions, their deliveries and attempts.

use std::collections::HashMap;

use async_graphql::{ComplexObject, Context, Enum, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_subscription};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{delivery::Outcome, formats::Format, subscriptions};
use crate::{
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

pub(super) async fn with_attempts(
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
