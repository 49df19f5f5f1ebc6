//! GraphQL mutations for webhook subscriptions: create, change, rotate the secret, test,
//! redeliver.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use entity::webhook_delivery;
use sea_orm::EntityTrait;
use serde_json::json;
use uuid::Uuid;

use super::{
    delivery,
    formats::Format,
    graphql::{WebhookDelivery, WebhookSubscription, with_attempts},
    subscriptions::{self, Change, Target},
};
use crate::{
    audit::audited_write,
    error::{AppError, AppResult, msg},
    graphql::{ContextExt, parse_id},
    outbox::EventType,
};

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
        let client =
            super::address::client(&services.config.webhooks).map_err(AppError::internal)?;
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
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound(msg!("webhook delivery not found")))?;
        let delivery = with_attempts(services.db.writer(), d).await?;
        Ok(WebhookDeliveryPayload { delivery })
    }
}
