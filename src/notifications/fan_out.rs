//! From the outbox to deliveries: each new event is matched with its community's enabled
//! subscriptions, given the labels a reader needs (community, compound, building, grid,
//! people's names: loaded once per batch, one statement per kind), rendered in each
//! subscription's format, and stored as a pending delivery. On PostgreSQL the events are
//! claimed `FOR UPDATE SKIP LOCKED`, so several processes fan out different events, and
//! the unique (subscription, event) key makes a second fan-out of one event a no-op.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    building, community, compound, fund, grid, notification_event, webhook_delivery,
    webhook_subscription,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{LockBehavior, LockType, OnConflict},
};
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{formats, wecom_text};
use crate::{config::WebhookConfig, db::Db, error::AppResult, outbox::EventType};

/// Events fanned out per transaction.
const BATCH: u64 = 200;

/// Fans out one batch of new events; returns how many events it took.
pub async fn fan_out_batch(db: &Db, config: &WebhookConfig) -> AppResult<usize> {
    let txn = db.begin_write().await?;
    let mut find = notification_event::Entity::find()
        .filter(notification_event::Column::FannedOutAt.is_null())
        .order_by_asc(notification_event::Column::Id)
        .limit(BATCH);
    if db.backend() == DbBackend::Postgres {
        find = find.lock_with_behavior(LockType::Update, LockBehavior::SkipLocked);
    }
    let events = find.all(&txn).await?;
    if events.is_empty() {
        txn.commit().await?;
        return Ok(0);
    }
    let communities: HashSet<Uuid> = events.iter().map(|e| e.community_id).collect();
    let subscriptions = webhook_subscription::Entity::find()
        .filter(webhook_subscription::Column::CommunityId.is_in(communities))
        .filter(webhook_subscription::Column::Enabled.eq(true))
        .all(&txn)
        .await?;
    let wanted: Vec<(
        &notification_event::Model,
        Vec<&webhook_subscription::Model>,
    )> = events
        .iter()
        .map(|e| {
            let to: Vec<_> = subscriptions.iter().filter(|s| matches(s, e)).collect();
            (e, to)
        })
        .filter(|(_, to)| !to.is_empty())
        .collect();
    let now = Utc::now();
    if !wanted.is_empty() {
        let labels = Labels::load(&txn, wanted.iter().map(|(e, _)| *e)).await?;
        let mut rows = Vec::new();
        for (event, to) in &wanted {
            let data = labels.data_of(event);
            for subscription in to {
                rows.push(delivery_row(event, subscription, &data, now, config));
            }
        }
        webhook_delivery::Entity::insert_many(rows)
            .on_conflict(
                OnConflict::columns([
                    webhook_delivery::Column::SubscriptionId,
                    webhook_delivery::Column::EventId,
                    webhook_delivery::Column::CommunityId,
                ])
                .do_nothing()
                .to_owned(),
            )
            .exec_without_returning(&txn)
            .await
            .or_else(|e| match e {
                sea_orm::DbErr::RecordNotInserted => Ok(0),
                e => Err(e),
            })?;
    }
    notification_event::Entity::update_many()
        .col_expr(
            notification_event::Column::FannedOutAt,
            sea_orm::sea_query::Expr::value(now),
        )
        .filter(notification_event::Column::Id.is_in(events.iter().map(|e| e.id)))
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(events.len())
}

/// Whether a subscription takes an event: it happened since the subscription was made, its
/// type is chosen, and it is in the subscription's compound or grid when it names one.
/// Test events never fan out.
pub fn matches(s: &webhook_subscription::Model, e: &notification_event::Model) -> bool {
    e.event_type != EventType::WebhookTest.name()
        && s.community_id == e.community_id
        && e.occurred_at >= s.created_at
        && s.event_types
            .as_array()
            .is_some_and(|types| types.iter().any(|t| t.as_str() == Some(&e.event_type)))
        && s.compound_id.is_none_or(|c| e.compound_id == Some(c))
        && s.grid_id.is_none_or(|g| e.grid_id == Some(g))
}

/// A pending delivery of `event` to `subscription`, its body rendered now.
pub fn delivery_row(
    event: &notification_event::Model,
    subscription: &webhook_subscription::Model,
    data: &Value,
    now: DateTime<Utc>,
    config: &WebhookConfig,
) -> webhook_delivery::ActiveModel {
    let body = match formats::Format::parse(&subscription.format) {
        formats::Format::Standard => {
            formats::standard_body(&event.event_type, event.occurred_at, data)
        }
        formats::Format::WecomRobot => {
            formats::wecom_body(&wecom_text::markdown(&event.event_type, data))
        }
    };
    webhook_delivery::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(event.community_id),
        subscription_id: Set(subscription.id),
        event_id: Set(event.id),
        body: Set(body),
        status: Set("pending".into()),
        attempt_count: Set(0),
        next_attempt_at: Set(now),
        lease_until: Set(None),
        give_up_at: Set(now + config.retry_for),
        created_at: Set(now),
        delivered_at: Set(None),
    }
}

/// Names of the places, people and funds a batch of events refers to.
#[derive(Default)]
pub struct Labels {
    names: HashMap<Uuid, String>,
}

/// Which fact names which kind of thing, and the label it gets in `data.labels`.
const PEOPLE: [(&str, &str); 3] = [
    ("assigneeId", "assignee"),
    ("previousAssigneeId", "previousAssignee"),
    ("ownerId", "owner"),
];

fn id_at(facts: &Value, key: &str) -> Option<Uuid> {
    facts.get(key)?.as_str()?.parse().ok()
}

impl Labels {
    pub async fn load<'e>(
        conn: &impl ConnectionTrait,
        events: impl Iterator<Item = &'e notification_event::Model> + Clone,
    ) -> AppResult<Self> {
        let ids = |key: &'static str| {
            events
                .clone()
                .filter_map(move |e| id_at(&e.facts, key))
                .collect::<HashSet<Uuid>>()
        };
        let mut names = HashMap::new();
        let communities: HashSet<Uuid> = events.clone().map(|e| e.community_id).collect();
        for c in community::Entity::find()
            .filter(community::Column::Id.is_in(communities))
            .all(conn)
            .await?
        {
            names.insert(c.id, c.name);
        }
        let compounds: HashSet<Uuid> = events
            .clone()
            .filter_map(|e| e.compound_id)
            .chain(ids("compoundId"))
            .collect();
        if !compounds.is_empty() {
            for c in compound::Entity::find()
                .filter(compound::Column::Id.is_in(compounds))
                .all(conn)
                .await?
            {
                names.insert(c.id, c.name);
            }
        }
        let buildings = ids("buildingId");
        if !buildings.is_empty() {
            for b in building::Entity::find()
                .filter(building::Column::Id.is_in(buildings))
                .all(conn)
                .await?
            {
                names.insert(
                    b.id,
                    crate::registry::labels::building(&b.number).into_owned(),
                );
            }
        }
        let grids: HashSet<Uuid> = events
            .clone()
            .filter_map(|e| e.grid_id)
            .chain(ids("gridId"))
            .collect();
        if !grids.is_empty() {
            for g in grid::Entity::find()
                .filter(grid::Column::Id.is_in(grids))
                .all(conn)
                .await?
            {
                names.insert(g.id, g.name);
            }
        }
        let funds = ids("fundId");
        if !funds.is_empty() {
            for f in fund::Entity::find()
                .filter(fund::Column::Id.is_in(funds))
                .all(conn)
                .await?
            {
                names.insert(f.id, f.name);
            }
        }
        let people: HashSet<Uuid> = PEOPLE.iter().flat_map(|(key, _)| ids(key)).collect();
        if !people.is_empty() {
            // Staff and grid workers are named by their work name; no resident is.
            for (id, name) in entity::app_user::Entity::find()
                .select_only()
                .column(entity::app_user::Column::Id)
                .column(entity::app_user::Column::DisplayName)
                .filter(entity::app_user::Column::Id.is_in(people))
                .into_tuple::<(Uuid, String)>()
                .all(conn)
                .await?
            {
                names.insert(id, name);
            }
        }
        Ok(Self { names })
    }

    /// The event's `data`: its facts, its community (and compound, grid) and `labels`.
    pub fn data_of(&self, event: &notification_event::Model) -> Value {
        let mut data = match &event.facts {
            Value::Object(map) => map.clone(),
            _ => Map::new(),
        };
        data.insert("eventId".into(), Value::String(event.id.to_string()));
        data.insert(
            "communityId".into(),
            Value::String(event.community_id.to_string()),
        );
        let mut labels = Map::new();
        let mut label = |name: &str, id: Option<Uuid>| {
            if let Some(text) = id.and_then(|id| self.names.get(&id)) {
                labels.insert(name.to_owned(), Value::String(text.clone()));
            }
        };
        label("community", Some(event.community_id));
        label(
            "compound",
            event.compound_id.or(id_at(&event.facts, "compoundId")),
        );
        label("building", id_at(&event.facts, "buildingId"));
        label("grid", event.grid_id.or(id_at(&event.facts, "gridId")));
        label("fund", id_at(&event.facts, "fundId"));
        for (key, name) in PEOPLE {
            label(name, id_at(&event.facts, key));
        }
        if let Some(compound) = event.compound_id {
            data.entry("compoundId")
                .or_insert(Value::String(compound.to_string()));
        }
        if let Some(grid) = event.grid_id {
            data.entry("gridId")
                .or_insert(Value::String(grid.to_string()));
        }
        data.insert("labels".into(), Value::Object(labels));
        Value::Object(data)
    }
}
