//! One attempt at one delivery: sign (Standard Webhooks) or not (WeCom robot), send once
//! through the guarded client, and record what happened with its consequences (the next
//! retry, a failed delivery, a subscription failing for a day turned off) in one
//! transaction.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use entity::{webhook_attempt, webhook_delivery, webhook_subscription};
use rand::Rng;
use reqwest::Url;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter, sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::{address, formats::Format};
use crate::{
    config::WebhookConfig,
    crypto::DataKeys,
    error::AppResult,
    outbox::{self, EventType, Notification},
    state::Services,
};

/// How much of an answer is kept.
const EXCERPT_BYTES: usize = 512;
/// The longest wait between retries.
const MAX_BACKOFF: Duration = Duration::from_secs(3600);

/// A delivery this process has claimed, with its subscription.
pub struct Due {
    pub delivery: webhook_delivery::Model,
    pub subscription: webhook_subscription::Model,
}

/// How an attempt ended.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WebhookAttemptOutcome")]
pub enum Outcome {
    /// A 2xx answer (and, from a WeCom robot, `errcode` 0).
    Ok,
    /// An answer outside 2xx (a redirect is not followed and counts here).
    HttpError,
    /// A WeCom robot answered 200 with an error code.
    Rejected,
    /// No answer within the timeout.
    Timeout,
    /// The destination is not allowed (a private or local address, or plain http).
    Refused,
    /// The connection failed (DNS, TCP, TLS).
    Network,
}

impl Outcome {
    pub fn stored(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::HttpError => "http_error",
            Self::Rejected => "rejected",
            Self::Timeout => "timeout",
            Self::Refused => "refused",
            Self::Network => "network",
        }
    }

    pub fn parse(stored: &str) -> Self {
        [
            Self::Ok,
            Self::HttpError,
            Self::Rejected,
            Self::Timeout,
            Self::Refused,
            Self::Network,
        ]
        .into_iter()
        .find(|o| o.stored() == stored)
        .unwrap_or(Self::Network)
    }
}

/// What one attempt found.
pub struct Answer {
    pub outcome: Outcome,
    pub status: Option<u16>,
    /// The first bytes of the answer, or why there was none.
    pub detail: String,
    pub latency: Duration,
    pub at: DateTime<Utc>,
}

pub fn url_context(subscription: Uuid) -> String {
    format!("webhook.url:{subscription}")
}

pub fn secret_context(subscription: Uuid) -> String {
    format!("webhook.secret:{subscription}")
}

/// The `webhook-signature` header: the current secret's signature, and the previous
/// secret's while it is still honoured (receivers accept either during a rotation).
fn signatures(
    keys: &DataKeys,
    s: &webhook_subscription::Model,
    id: &str,
    timestamp: i64,
    body: &str,
    now: DateTime<Utc>,
) -> String {
    let mut secrets = vec![keys.decrypt(&secret_context(s.id), &s.secret).ok()];
    if s.previous_secret_until.is_some_and(|until| now < until) {
        secrets.push(
            s.previous_secret
                .as_deref()
                .and_then(|p| keys.decrypt(&secret_context(s.id), p).ok()),
        );
    }
    secrets
        .into_iter()
        .flatten()
        .filter_map(|secret| super::formats::signature(&secret, id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sends the delivery's body once.
pub async fn send(
    client: &reqwest::Client,
    config: &WebhookConfig,
    keys: &DataKeys,
    due: &Due,
) -> Answer {
    let started = Instant::now();
    let at = Utc::now();
    let answer = |outcome, status, detail: String| Answer {
        outcome,
        status,
        detail,
        latency: started.elapsed(),
        at,
    };
    let s = &due.subscription;
    let url = match keys
        .decrypt(&url_context(s.id), &s.url)
        .ok()
        .and_then(|u| Url::parse(&u).ok())
    {
        Some(url) => url,
        None => {
            return answer(
                Outcome::Refused,
                None,
                "the stored URL cannot be read".into(),
            );
        }
    };
    if let Err(refusal) = address::check_before_send(&url, config) {
        return answer(Outcome::Refused, None, refusal.english());
    }
    let body = due.delivery.body.clone();
    let mut request = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json");
    if Format::parse(&s.format) == Format::Standard {
        let id = due.delivery.event_id.to_string();
        let timestamp = at.timestamp();
        request = request
            .header("webhook-id", &id)
            .header("webhook-timestamp", timestamp.to_string())
            .header(
                "webhook-signature",
                signatures(keys, s, &id, timestamp, &body, at),
            );
    }
    match request.body(body).send().await {
        Ok(mut response) => {
            let status = response.status();
            let mut excerpt = Vec::new();
            while excerpt.len() < EXCERPT_BYTES {
                match response.chunk().await {
                    Ok(Some(chunk)) => excerpt.extend_from_slice(&chunk),
                    _ => break,
                }
            }
            excerpt.truncate(EXCERPT_BYTES);
            let detail = String::from_utf8_lossy(&excerpt).into_owned();
            let outcome = if !status.is_success() {
                Outcome::HttpError
            } else if Format::parse(&s.format) == Format::WecomRobot
                && !super::formats::wecom_accepted(&excerpt)
            {
                Outcome::Rejected
            } else {
                Outcome::Ok
            };
            answer(outcome, Some(status.as_u16()), detail)
        }
        Err(err) => {
            let refused =
                std::iter::successors(Some(&err as &(dyn std::error::Error + 'static)), |e| {
                    e.source()
                })
                .find_map(|e| e.downcast_ref::<address::Refused>())
                .map(ToString::to_string);
            let (outcome, detail) = match refused {
                Some(why) => (Outcome::Refused, why),
                None if err.is_timeout() => (Outcome::Timeout, "no answer in time".to_owned()),
                // Without the URL: a WeCom robot's key is in it.
                None => (Outcome::Network, err.without_url().to_string()),
            };
            answer(outcome, None, detail)
        }
    }
}

/// The wait before retry number `attempts` (1: after the first failure): the base
/// doubled each time, at most an hour, then "full jitter" over its upper half so that
/// failing receivers are not hit in waves.
pub fn backoff(config: &WebhookConfig, attempts: i32) -> Duration {
    let doublings = u32::try_from(attempts.clamp(1, 30) - 1).unwrap_or(0);
    let ceiling = config
        .retry_base
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(MAX_BACKOFF);
    let half = ceiling / 2;
    half + half.mul_f64(rand::rng().random::<f64>())
}

/// Records an attempt and what follows from it, in one transaction. Returns whether the
/// subscription was turned off by this failure.
pub async fn record(services: &Services, due: &Due, answer: &Answer) -> AppResult<bool> {
    let config = &services.config.webhooks;
    let txn = services.db.begin_write().await?;
    let d = &due.delivery;
    webhook_attempt::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(d.community_id),
        delivery_id: Set(d.id),
        attempted_at: Set(answer.at),
        latency_ms: Set(i32::try_from(answer.latency.as_millis()).unwrap_or(i32::MAX)),
        outcome: Set(answer.outcome.stored().to_owned()),
        response_status: Set(answer.status.map(i32::from)),
        detail: Set(answer.detail.clone()),
    }
    .insert(&txn)
    .await?;
    let now = Utc::now();
    let mut delivery = d.clone().into_active_model();
    delivery.lease_until = Set(None);
    let mut disabled = false;
    if answer.outcome == Outcome::Ok {
        delivery.status = Set("delivered".into());
        delivery.delivered_at = Set(Some(now));
        webhook_subscription::Entity::update_many()
            .col_expr(
                webhook_subscription::Column::FailingSince,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .filter(webhook_subscription::Column::Id.eq(due.subscription.id))
            .filter(webhook_subscription::Column::FailingSince.is_not_null())
            .exec(&txn)
            .await?;
    } else {
        let next = now + backoff(config, d.attempt_count);
        if next > d.give_up_at {
            delivery.status = Set("failed".into());
        } else {
            delivery.next_attempt_at = Set(next);
        }
        disabled = note_failure(&txn, config, due.subscription.id, answer.at).await?;
    }
    delivery.update(&txn).await?;
    txn.commit().await?;
    if disabled {
        services.outbox.wake();
    }
    Ok(disabled)
}

/// Marks the subscription failing since this attempt if it was not already, and turns it
/// off (telling the community's other subscriptions that take `webhook.disabled`) once it
/// has failed for `disable_after`.
async fn note_failure(
    conn: &impl ConnectionTrait,
    config: &WebhookConfig,
    subscription: Uuid,
    at: DateTime<Utc>,
) -> AppResult<bool> {
    webhook_subscription::Entity::update_many()
        .col_expr(webhook_subscription::Column::FailingSince, Expr::value(at))
        .filter(webhook_subscription::Column::Id.eq(subscription))
        .filter(webhook_subscription::Column::FailingSince.is_null())
        .exec(conn)
        .await?;
    let Some(s) = webhook_subscription::Entity::find_by_id(subscription)
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let failing_for = s.failing_since.map(|since| at - since);
    if !s.enabled
        || failing_for.is_none_or(|f| f.to_std().unwrap_or_default() < config.disable_after)
    {
        return Ok(false);
    }
    let now = Utc::now();
    let mut off = s.clone().into_active_model();
    off.enabled = Set(false);
    off.disabled_at = Set(Some(now));
    off.disabled_reason = Set(Some("failing".into()));
    off.updated_at = Set(now);
    off.update(conn).await?;
    let told = Notification::new(
        EventType::WebhookDisabled,
        s.community_id,
        json!({
            "subscriptionId": s.id,
            "description": s.description,
            "url": s.url_label,
            "ownerId": s.created_by,
            "failingSince": s.failing_since,
        }),
    );
    outbox::stage(conn, vec![told]).await?;
    Ok(true)
}
