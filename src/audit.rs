//! The audit log (ARCHITECTURE.md §7): one row per request that changed something or read
//! personal data. A successful change is recorded in its own transaction (both land or
//! neither does); a failed one is recorded after the rollback, in a transaction of its own.

pub mod graphql;
pub mod read_log;
pub mod write;

pub use write::{audited_write, audited_write_as_server};

use chrono::Utc;
use entity::audit_entry;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DatabaseTransaction};
use serde_json::Value;
use uuid::Uuid;

use self::graphql::AuditOutcome;
use crate::{
    auth::viewer::Place,
    db::Db,
    error::{AppError, AppResult},
    graphql::{RequestMeta, StoredEnum},
    live::LiveEvent,
    outbox::Notification,
    state::Services,
};

/// What one audited action touched: where in the tenancy tree, and which object.
#[derive(Clone, Copy, Debug, Default)]
pub struct AuditTarget {
    pub place: Place,
    pub target_id: Option<Uuid>,
}

/// A service result together with what it touched.
pub struct Audited<T> {
    pub value: T,
    pub target: AuditTarget,
    /// Live events to publish if, and only if, the change commits.
    pub events: Vec<LiveEvent>,
    /// Notifications for webhooks, written to the outbox in the change's transaction.
    pub notifications: Vec<Notification>,
}

impl<T> Audited<T> {
    pub fn new(value: T, place: Place, target_id: Uuid) -> Self {
        Self::at(
            value,
            AuditTarget {
                place,
                target_id: Some(target_id),
            },
        )
    }

    pub fn at(value: T, target: AuditTarget) -> Self {
        Self {
            value,
            target,
            events: Vec::new(),
            notifications: Vec::new(),
        }
    }

    #[must_use]
    pub fn with_event(mut self, event: LiveEvent) -> Self {
        self.events.push(event);
        self
    }

    /// Adds any number of events (an `Option` adds its one, if any).
    #[must_use]
    pub fn with_events(mut self, events: impl IntoIterator<Item = LiveEvent>) -> Self {
        self.events.extend(events);
        self
    }

    /// Adds any number of notifications (an `Option` adds its one, if any).
    #[must_use]
    pub fn with_notifications(mut self, notes: impl IntoIterator<Item = Notification>) -> Self {
        self.notifications.extend(notes);
        self
    }
}

/// One audited action: who did what, with the input already redacted.
pub struct Action<'a> {
    pub name: &'static str,
    pub actor: Option<Uuid>,
    pub meta: &'a RequestMeta,
    pub input: Value,
}

impl Action<'_> {
    /// Records the outcome and commits, or rolls back and records the failure.
    pub async fn finish<T>(
        self,
        services: &Services,
        txn: DatabaseTransaction,
        result: AppResult<Audited<T>>,
    ) -> AppResult<T> {
        let db = &services.db;
        match result {
            Ok(audited) => {
                self.record(&txn, None, audited.target, None).await?;
                services.live.stage(&txn, &audited.events).await?;
                let raised = crate::outbox::stage(&txn, audited.notifications).await?;
                txn.commit().await?;
                if raised > 0 {
                    services.outbox.wake();
                }
                // Before the response goes out: the caller's next request must not find
                // the access this write took away still cached.
                services.forget_viewers(&audited.events);
                services.live.deliver(audited.events);
                Ok(audited.value)
            }
            Err(err) => {
                txn.rollback().await?;
                let failure = db.begin_write().await?;
                self.record(&failure, Some(&err), AuditTarget::default(), None)
                    .await?;
                failure.commit().await?;
                Err(err)
            }
        }
    }

    /// Records the action inside `conn`; `actor` overrides the one known up front (a login
    /// learns who acted only once it succeeds).
    pub async fn record(
        &self,
        conn: &impl ConnectionTrait,
        error: Option<&AppError>,
        target: AuditTarget,
        actor: Option<Uuid>,
    ) -> AppResult<()> {
        audit_entry::ActiveModel {
            id: Set(Uuid::now_v7()),
            occurred_at: Set(Utc::now()),
            request_id: Set(self.meta.request_id.clone()),
            actor_user_id: Set(actor.or(self.actor)),
            action: Set(self.name.to_owned()),
            outcome: Set(if error.is_some() {
                AuditOutcome::Failed
            } else {
                AuditOutcome::Ok
            }
            .stored()
            .to_owned()),
            error_code: Set(error.map(|e| e.code().to_owned())),
            street_office_id: Set(target.place.street_office),
            community_id: Set(target.place.community),
            target_id: Set(target.target_id),
            input: Set(self.input.clone()),
            subject_ids: Set(Value::Array(Vec::new())),
            client_addr: Set(Some(self.meta.client_addr.clone())),
        }
        .insert(conn)
        .await?;
        Ok(())
    }

    /// Records a failure on its own (for actions that fail before any transaction).
    pub async fn record_failure(&self, db: &Db, err: &AppError) -> AppResult<()> {
        let txn = db.begin_write().await?;
        self.record(&txn, Some(err), AuditTarget::default(), None)
            .await?;
        txn.commit().await?;
        Ok(())
    }
}

/// Records, in one row, whose personal data a response carried (ARCHITECTURE.md §7), and
/// returns once the row is durable. The row names the community when all those people live
/// in one.
pub async fn record_personal_data_read(
    log: &read_log::ReadLog,
    meta: &RequestMeta,
    actor: Option<Uuid>,
) -> AppResult<()> {
    let seen = meta.personal_data_returned();
    if seen.is_empty() {
        return Ok(());
    }
    let community = seen[0].0;
    let single = seen.iter().all(|(c, _)| *c == community);
    let subjects: Vec<Value> = seen
        .iter()
        .map(|(_, p)| Value::String(p.to_string()))
        .collect();
    log.record(audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        occurred_at: Set(Utc::now()),
        request_id: Set(meta.request_id.clone()),
        actor_user_id: Set(actor),
        action: Set("readPersonalData".to_owned()),
        outcome: Set(AuditOutcome::Ok.stored().to_owned()),
        error_code: Set(None),
        street_office_id: Set(None),
        community_id: Set(single.then_some(community)),
        target_id: Set(None),
        input: Set(Value::Object(Default::default())),
        subject_ids: Set(Value::Array(subjects)),
        client_addr: Set(Some(meta.client_addr.clone())),
    })
    .await
}

/// Input with the named secret fields replaced, for the audit log.
pub fn redact(mut input: Value, secret_fields: &[&str]) -> Value {
    if let Value::Object(map) = &mut input {
        for field in secret_fields {
            if let Some(value) = map.get_mut(*field) {
                *value = Value::String("[redacted]".into());
            }
        }
    }
    input
}
