//! The outbox (ARCHITECTURE.md §9): notifications a write raises are inserted in its own
//! transaction, so an event exists exactly when its change does; `notifications` fans
//! them out to webhook subscriptions and delivers them after the commit.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use entity::notification_event;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DbErr, EntityTrait, sea_query::OnConflict};
use serde_json::Value;
use tokio::sync::Notify;
use uuid::Uuid;

/// What happened, as subscribers choose it. The stored and sent name is [`Self::name`].
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[graphql(name = "NotificationEventType")]
pub enum EventType {
    /// A request was assigned to a grid worker (on filing, or by staff).
    RequestAssigned,
    /// Nobody answered a request within its first-response time.
    RequestFirstResponseOverdue,
    /// A request was not resolved within its resolution time.
    RequestResolutionOverdue,
    RequestResolved,
    /// A resident rated the handling of their request 1 or 2 (of 5).
    RequestRatedLow,
    /// An urgent announcement is still unread by households some hours after publication.
    AnnouncementUnread,
    /// An expense was submitted and waits for the committee's approval.
    ExpenseAwaitingApproval,
    /// A fund's statement was published (with its public link).
    StatementPublished,
    VotingOpened,
    /// A motion's voting closes within 24 hours.
    VotingClosingSoon,
    /// A motion's voting closed (with its result).
    VotingClosed,
    /// A resident objected to a resolution on notice.
    ObjectionLodged,
    /// A mediation case's follow-up date has come.
    MediationFollowUpDue,
    /// Weekly, per grid: households whose home visit is overdue.
    VisitsOverdue,
    /// A household under care watch went a whole interval without a check-in (once per
    /// missed occasion).
    CareCheckInMissed,
    /// A care alarm button was pressed (an urgent request was filed too).
    CareAlarm,
    /// A subscription failing for a day was turned off (told to the community's other
    /// subscriptions that take it).
    WebhookDisabled,
    /// Sent by `sendTestWebhook` to one subscription only.
    WebhookTest,
}

impl EventType {
    pub const ALL: [Self; 18] = [
        Self::RequestAssigned,
        Self::RequestFirstResponseOverdue,
        Self::RequestResolutionOverdue,
        Self::RequestResolved,
        Self::RequestRatedLow,
        Self::AnnouncementUnread,
        Self::ExpenseAwaitingApproval,
        Self::StatementPublished,
        Self::VotingOpened,
        Self::VotingClosingSoon,
        Self::VotingClosed,
        Self::ObjectionLodged,
        Self::MediationFollowUpDue,
        Self::VisitsOverdue,
        Self::CareCheckInMissed,
        Self::CareAlarm,
        Self::WebhookDisabled,
        Self::WebhookTest,
    ];

    /// The name stored and sent as the payload's `type` (Standard Webhooks' dotted style).
    pub fn name(self) -> &'static str {
        match self {
            Self::RequestAssigned => "request.assigned",
            Self::RequestFirstResponseOverdue => "request.first_response_overdue",
            Self::RequestResolutionOverdue => "request.resolution_overdue",
            Self::RequestResolved => "request.resolved",
            Self::RequestRatedLow => "request.rated_low",
            Self::AnnouncementUnread => "announcement.unread",
            Self::ExpenseAwaitingApproval => "expense.awaiting_approval",
            Self::StatementPublished => "statement.published",
            Self::VotingOpened => "voting.opened",
            Self::VotingClosingSoon => "voting.closing_soon",
            Self::VotingClosed => "voting.closed",
            Self::ObjectionLodged => "objection.lodged",
            Self::MediationFollowUpDue => "mediation.follow_up_due",
            Self::VisitsOverdue => "visits.overdue",
            Self::CareCheckInMissed => "care.check_in_missed",
            Self::CareAlarm => "care.alarm",
            Self::WebhookDisabled => "webhook.disabled",
            Self::WebhookTest => "webhook.test",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.name() == name)
    }
}

/// One event to raise: where it happened (for subscriptions' filters) and what the writer
/// knows about it.
#[derive(Clone, Debug)]
pub struct Notification {
    pub event_type: EventType,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// IDs (`requestId`, `assigneeId`, `buildingId`, ...) and facts; never personal data.
    pub facts: Value,
    /// Set for events that must be raised once per occasion however often it is looked for.
    pub dedupe_key: Option<String>,
}

impl Notification {
    pub fn new(event_type: EventType, community_id: Uuid, facts: Value) -> Self {
        Self {
            event_type,
            community_id,
            compound_id: None,
            grid_id: None,
            facts,
            dedupe_key: None,
        }
    }

    #[must_use]
    pub fn in_place(mut self, compound_id: Option<Uuid>, grid_id: Option<Uuid>) -> Self {
        self.compound_id = compound_id;
        self.grid_id = grid_id;
        self
    }

    #[must_use]
    pub fn once(mut self, key: String) -> Self {
        self.dedupe_key = Some(key);
        self
    }

    fn row(self, now: DateTime<Utc>) -> notification_event::ActiveModel {
        notification_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(self.community_id),
            event_type: Set(self.event_type.name().to_owned()),
            compound_id: Set(self.compound_id),
            grid_id: Set(self.grid_id),
            facts: Set(self.facts),
            dedupe_key: Set(self.dedupe_key),
            occurred_at: Set(now),
            fanned_out_at: Set(None),
        }
    }
}

/// Inserts the events in one statement inside the writer's transaction; an event whose
/// occasion was already raised is skipped. Returns how many were new.
pub async fn stage(conn: &impl ConnectionTrait, events: Vec<Notification>) -> Result<u64, DbErr> {
    if events.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let inserted = notification_event::Entity::insert_many(events.into_iter().map(|e| e.row(now)))
        .on_conflict(
            OnConflict::columns([
                notification_event::Column::DedupeKey,
                notification_event::Column::CommunityId,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await;
    match inserted {
        Ok(count) => Ok(count),
        Err(DbErr::RecordNotInserted) => Ok(0),
        Err(err) => Err(err),
    }
}

/// Wakes this process's dispatcher when a write has raised events (other processes find
/// them when they next look).
#[derive(Clone, Default)]
pub struct Outbox {
    wake: Arc<Notify>,
}

impl Outbox {
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub async fn woken(&self) {
        self.wake.notified().await;
    }
}
