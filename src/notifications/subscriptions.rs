//! Managing webhook subscriptions: community admins for their community, street admins
//! for their street office's communities. URLs and secrets are stored encrypted; a secret
//! is shown once, when it is made.

use chrono::{DateTime, Duration, Utc};
use entity::{
    compound, grid, notification_event, reach::TenantEntity, webhook_delivery, webhook_subscription,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    address,
    delivery::{Due, secret_context, url_context},
    fan_out::{self, Labels},
    formats::{self, Format},
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    config::WebhookConfig,
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    graphql::clean_name,
    outbox::EventType,
    tenancy::{place_for, place_of},
};

/// Subscriptions one community may have (each is a stream of deliveries to watch).
pub const MAX_PER_COMMUNITY: u64 = 20;
/// How long a rotated-out secret still signs, so receivers can switch without a gap.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

pub struct Target {
    pub url: String,
    pub description: String,
    pub event_types: Vec<EventType>,
    pub compound_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
}

/// What a caller may change; `None` leaves a field as it is.
#[derive(Default)]
pub struct Change {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<EventType>>,
    /// `Some(None)` removes the filter.
    pub compound_id: Option<Option<Uuid>>,
    pub grid_id: Option<Option<Uuid>>,
    pub enabled: Option<bool>,
}

fn not_found() -> AppError {
    AppError::NotFound(msg!("webhook subscription not found"))
}

/// A subscription the caller manages; NOT_FOUND otherwise (also for other communities').
pub async fn managed(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(webhook_subscription::Model, Place)> {
    let s = webhook_subscription::Entity::find_in_reach(&viewer.reach(Capability::ManageWebhooks))
        .filter(webhook_subscription::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, s.community_id)
        .await
        .map_err(|_| not_found())?;
    Ok((s, place))
}

/// Where a community is, if the caller manages its webhooks: NOT_FOUND outside their
/// reach, FORBIDDEN inside it without the role.
pub async fn managed_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Place> {
    place_for(
        conn,
        viewer,
        community,
        Capability::ManageWebhooks,
        msg!("only the community's admins manage its webhooks"),
    )
    .await
}

fn check_types(types: &[EventType]) -> AppResult<Vec<Value>> {
    if types.is_empty() {
        return Err(AppError::bad_input(
            "input.eventTypes",
            msg!("choose at least one event type"),
        ));
    }
    if types.contains(&EventType::WebhookTest) {
        return Err(AppError::bad_input(
            "input.eventTypes",
            msg!("test deliveries are sent with sendTestWebhook, not subscribed to"),
        ));
    }
    let mut names: Vec<&str> = types.iter().map(|t| t.name()).collect();
    names.sort_unstable();
    names.dedup();
    Ok(names.into_iter().map(|n| Value::String(n.into())).collect())
}

/// The compound or grid filter must lie in the subscription's community.
async fn check_filters(
    conn: &impl ConnectionTrait,
    community: Uuid,
    compound_id: Option<Uuid>,
    grid_id: Option<Uuid>,
) -> AppResult<()> {
    if let Some(id) = compound_id {
        compound::Entity::find_by_id(id)
            .filter(compound::Column::CommunityId.eq(community))
            .one(conn)
            .await?
            .ok_or_else(|| {
                AppError::bad_input(
                    "input.compoundId",
                    msg!("no such compound in this community"),
                )
            })?;
    }
    if let Some(id) = grid_id {
        grid::Entity::find_by_id(id)
            .filter(grid::Column::CommunityId.eq(community))
            .one(conn)
            .await?
            .ok_or_else(|| {
                AppError::bad_input("input.gridId", msg!("no such grid in this community"))
            })?;
    }
    Ok(())
}

fn checked_url(text: &str, config: &WebhookConfig) -> AppResult<reqwest::Url> {
    address::check_url(text, config).map_err(|m| AppError::bad_input("input.url", m))
}

/// A subscription row as checked by the caller.
pub struct NewRow<'a> {
    pub community: Uuid,
    pub url: &'a reqwest::Url,
    pub description: String,
    pub format: Format,
    pub event_types: Vec<Value>,
    pub compound_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    pub created_by: Uuid,
    pub secret: &'a str,
}

/// A new, enabled subscription with its URL and secret encrypted.
pub fn new_row(keys: &DataKeys, new: NewRow<'_>) -> AppResult<webhook_subscription::ActiveModel> {
    let id = Uuid::now_v7();
    let now = Utc::now();
    Ok(webhook_subscription::ActiveModel {
        id: Set(id),
        community_id: Set(new.community),
        compound_id: Set(new.compound_id),
        grid_id: Set(new.grid_id),
        url: Set(keys
            .encrypt(&url_context(id), new.url.as_str())
            .map_err(AppError::internal)?),
        url_label: Set(address::label(new.url)),
        description: Set(new.description),
        format: Set(new.format.stored().to_owned()),
        event_types: Set(Value::Array(new.event_types)),
        enabled: Set(true),
        secret: Set(keys
            .encrypt(&secret_context(id), new.secret)
            .map_err(AppError::internal)?),
        previous_secret: Set(None),
        previous_secret_until: Set(None),
        failing_since: Set(None),
        disabled_at: Set(None),
        disabled_reason: Set(None),
        created_by: Set(new.created_by),
        created_at: Set(now),
        updated_at: Set(now),
    })
}

/// Creates a subscription; returns it with its signing secret (shown this once).
pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    config: &WebhookConfig,
    community: Uuid,
    format: Format,
    target: Target,
) -> AppResult<Audited<(webhook_subscription::Model, String)>> {
    let place = managed_place(conn, viewer, community).await?;
    let url = checked_url(&target.url, config)?;
    let types = check_types(&target.event_types)?;
    let description = clean_name("input.description", &target.description, 100)?;
    check_filters(conn, community, target.compound_id, target.grid_id).await?;
    let existing = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::CommunityId.eq(community))
        .count(conn)
        .await?;
    if existing >= MAX_PER_COMMUNITY {
        return Err(AppError::Conflict(msg!(
            "a community has at most {max} webhook subscriptions",
            max = MAX_PER_COMMUNITY
        )));
    }
    let secret = formats::new_secret();
    let model = new_row(
        keys,
        NewRow {
            community,
            url: &url,
            description,
            format,
            event_types: types,
            compound_id: target.compound_id,
            grid_id: target.grid_id,
            created_by: viewer.user_id,
            secret: &secret,
        },
    )?
    .insert(conn)
    .await?;
    let id = model.id;
    Ok(Audited::new((model, secret), place, id))
}

pub async fn update(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    config: &WebhookConfig,
    id: Uuid,
    change: Change,
) -> AppResult<Audited<webhook_subscription::Model>> {
    let (s, place) = managed(conn, viewer, id).await?;
    let mut row = s.clone().into_active_model();
    let now = Utc::now();
    if let Some(text) = &change.url {
        let url = checked_url(text, config)?;
        row.url = Set(keys
            .encrypt(&url_context(id), url.as_str())
            .map_err(AppError::internal)?);
        row.url_label = Set(address::label(&url));
    }
    if let Some(text) = &change.description {
        row.description = Set(clean_name("input.description", text, 100)?);
    }
    if let Some(types) = &change.event_types {
        row.event_types = Set(Value::Array(check_types(types)?));
    }
    let compound_id = change.compound_id.unwrap_or(s.compound_id);
    let grid_id = change.grid_id.unwrap_or(s.grid_id);
    check_filters(conn, s.community_id, compound_id, grid_id).await?;
    row.compound_id = Set(compound_id);
    row.grid_id = Set(grid_id);
    match change.enabled {
        Some(true) if !s.enabled => {
            row.enabled = Set(true);
            row.disabled_at = Set(None);
            row.disabled_reason = Set(None);
            // A fresh start: a day of failures from now before it is turned off again.
            row.failing_since = Set(None);
        }
        Some(false) if s.enabled => {
            row.enabled = Set(false);
            row.disabled_at = Set(Some(now));
            row.disabled_reason = Set(Some("staff".into()));
        }
        _ => {}
    }
    row.updated_at = Set(now);
    let model = row.update(conn).await?;
    Ok(Audited::new(model, place, id))
}

/// A new signing secret; the old one keeps signing alongside for [`ROTATION_OVERLAP`].
pub async fn rotate_secret(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    id: Uuid,
) -> AppResult<Audited<(webhook_subscription::Model, String)>> {
    let (s, place) = managed(conn, viewer, id).await?;
    let secret = formats::new_secret();
    let now = Utc::now();
    let mut row = s.clone().into_active_model();
    row.previous_secret = Set(Some(s.secret.clone()));
    row.previous_secret_until = Set(Some(now + ROTATION_OVERLAP));
    row.secret = Set(keys
        .encrypt(&secret_context(id), &secret)
        .map_err(AppError::internal)?);
    row.updated_at = Set(now);
    let model = row.update(conn).await?;
    Ok(Audited::new((model, secret), place, id))
}

/// A delivery of a subscription the caller manages; NOT_FOUND otherwise.
pub async fn managed_delivery(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(webhook_delivery::Model, Place)> {
    let not_found = || AppError::NotFound(msg!("webhook delivery not found"));
    let d = webhook_delivery::Entity::find_in_reach(&viewer.reach(Capability::ManageWebhooks))
        .filter(webhook_delivery::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, d.community_id)
        .await
        .map_err(|_| not_found())?;
    Ok((d, place))
}

/// Sends a delivery again from now, with a fresh day of retries (its attempts so far stay
/// on record). A delivery being sent right now is left to finish.
pub async fn redeliver(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    config: &WebhookConfig,
    id: Uuid,
) -> AppResult<Audited<webhook_delivery::Model>> {
    let (d, place) = managed_delivery(conn, viewer, id).await?;
    let now = Utc::now();
    if d.status == "pending" && d.lease_until.is_some_and(|until| until > now) {
        return Err(AppError::Conflict(msg!(
            "this delivery is being sent right now"
        )));
    }
    let mut row = d.into_active_model();
    row.status = Set("pending".into());
    row.next_attempt_at = Set(now);
    row.give_up_at = Set(now + config.retry_for);
    row.lease_until = Set(None);
    row.delivered_at = Set(None);
    let model = row.update(conn).await?;
    Ok(Audited::new(model, place, id))
}

/// Writes a test event and its one delivery, already claimed by the caller (who sends it
/// at once) and not retried.
pub async fn test_delivery(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    config: &WebhookConfig,
    id: Uuid,
) -> AppResult<Audited<Due>> {
    let (s, place) = managed(conn, viewer, id).await?;
    let now = Utc::now();
    let event = notification_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(s.community_id),
        event_type: Set(EventType::WebhookTest.name().to_owned()),
        compound_id: Set(None),
        grid_id: Set(None),
        facts: Set(json!({"subscriptionId": s.id, "requestedBy": viewer.user_id})),
        dedupe_key: Set(None),
        occurred_at: Set(now),
        fanned_out_at: Set(Some(now)),
    }
    .insert(conn)
    .await?;
    let data = Labels::load(conn, std::iter::once(&event))
        .await?
        .data_of(&event);
    let mut row = fan_out::delivery_row(&event, &s, &data, now, config);
    row.attempt_count = Set(1);
    row.lease_until = Set(Some(now + config.timeout + config.timeout));
    // Failed after one try: a test is not retried.
    row.give_up_at = Set(now);
    let delivery = row.insert(conn).await?;
    Ok(Audited::new(
        Due {
            delivery,
            subscription: s,
        },
        place,
        id,
    ))
}

/// Whether a secret overlap is still running (for `previousSecretValidUntil`).
pub fn overlap_until(s: &webhook_subscription::Model, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    s.previous_secret_until.filter(|until| *until > now)
}
