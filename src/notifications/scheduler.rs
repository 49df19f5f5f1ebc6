//! Time-based events: a request past its first-response or resolution time, an urgent
//! announcement still unread hours after publication, a vote closing within a day, a
//! mediation follow-up date reached, weekly per grid the households whose home visit is
//! overdue, and each missed occasion of a household under care watch. Every occasion has a
//! dedupe key (the subject and its deadline), unique in the outbox, so it is raised once
//! however many processes look and however often; on PostgreSQL a transaction-scoped
//! advisory lock also lets only one process look per tick.
//! Only occasions of the last day are raised: a server started after a long stop does not
//! flood the chats with stale alarms.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use entity::{announcement, grid, mediation_case, motion, service_request};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, QueryFilter,
    Statement,
};
use serde_json::json;

use crate::{
    announcements::service as announcements,
    calendar, care,
    error::AppResult,
    outbox::{self, EventType, Notification},
    requests::status::{self, Status},
    state::Services,
    visits::{schedule::Standing, service as visits},
};

/// How far back an occasion may lie and still be raised.
const LOOKBACK: Duration = Duration::hours(24);
/// How long an event that went to no subscription is kept.
const KEEP_UNDELIVERED: Duration = Duration::days(7);
/// Votes closing within this are announced as closing soon.
const CLOSING_SOON: Duration = Duration::hours(24);

pub async fn run(services: Services) {
    let mut ticks = tokio::time::interval(services.config.webhooks.schedule_every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut scheduler = Scheduler::default();
    loop {
        ticks.tick().await;
        if services.db.is_closed() {
            return;
        }
        if let Err(err) = scheduler.tick(&services, Utc::now()).await {
            tracing::warn!(error = %err.describe(), "the notification scheduler failed; it tries again next tick");
        }
    }
}

/// One look at the clock as of `now` by a fresh scheduler (tests, and each start).
pub async fn run_once(services: &Services, now: DateTime<Utc>) -> AppResult<u64> {
    Scheduler::default().tick(services, now).await
}

/// What a running scheduler remembers between ticks.
#[derive(Default)]
pub struct Scheduler {
    /// The ISO week whose visit plans were last looked at: they are read once a week, not
    /// every tick.
    visits_week: Option<String>,
}

impl Scheduler {
    /// Raises every due occasion not raised yet; returns how many it raised.
    pub async fn tick(&mut self, services: &Services, now: DateTime<Utc>) -> AppResult<u64> {
        let txn = services.db.begin_write().await?;
        if !take_turn(&txn, services).await? {
            txn.commit().await?;
            return Ok(0);
        }
        let mut events = overdue_requests(&txn, now).await?;
        events.extend(votes_closing_soon(&txn, now).await?);
        events.extend(follow_ups_due(&txn, now).await?);
        events.extend(unread_urgent_announcements(&txn, services, now).await?);
        events.extend(care::alerts::missed_occasions(&txn, now, LOOKBACK).await?);
        let week = iso_week(now);
        let visits_looked = self.visits_week.as_deref() != Some(week.as_str());
        if visits_looked {
            events.extend(overdue_visits(&txn, now, &week).await?);
        }
        let raised = outbox::stage(&txn, events).await?;
        forget_undelivered(&txn, now).await?;
        txn.commit().await?;
        if visits_looked {
            self.visits_week = Some(week);
        }
        if raised > 0 {
            services.outbox.wake();
        }
        Ok(raised)
    }
}

/// Events nobody subscribed to are kept a week (so a dedupe key outlives its occasion's
/// look-back), then deleted: the outbox does not grow with every change ever made. Events
/// with deliveries stay, as the deliveries' and attempts' record.
async fn forget_undelivered(conn: &impl ConnectionTrait, now: DateTime<Utc>) -> AppResult<()> {
    use entity::{notification_event as event, webhook_delivery as delivery};
    use sea_orm::sea_query::Query;
    event::Entity::delete_many()
        .filter(event::Column::FannedOutAt.lt(now - KEEP_UNDELIVERED))
        .filter(
            event::Column::Id.not_in_subquery(
                Query::select()
                    .column(delivery::Column::EventId)
                    .from(delivery::Entity)
                    .to_owned(),
            ),
        )
        .exec(conn)
        .await?;
    Ok(())
}

/// `2026-W48`, in China time.
fn iso_week(now: DateTime<Utc>) -> String {
    let week = calendar::day_of(now).iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

/// On PostgreSQL, whether this process holds the scheduler's lock for this transaction
/// (one key per deployment schema); elsewhere always.
async fn take_turn(txn: &DatabaseTransaction, services: &Services) -> AppResult<bool> {
    if services.db.backend() != DbBackend::Postgres {
        return Ok(true);
    }
    let scope = services
        .config
        .database_schema
        .as_deref()
        .unwrap_or("public");
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext($1)) AS turn",
            [format!("jiedao.scheduler.{scope}").into()],
        ))
        .await?;
    Ok(row.is_some_and(|r| r.try_get::<bool>("", "turn").unwrap_or(false)))
}

fn request_facts(r: &service_request::Model, due: DateTime<Utc>) -> serde_json::Value {
    json!({
        "requestId": r.id,
        "title": r.title,
        "category": r.category,
        "urgency": r.urgency,
        "buildingId": r.building_id,
        "gridId": r.grid_id,
        "assigneeId": r.assignee_id,
        "dueAt": due,
    })
}

async fn overdue_requests(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<Notification>> {
    let mut events = Vec::new();
    let unanswered = service_request::Entity::find()
        .filter(
            service_request::Column::Status.is_in(status::stored_where(Status::awaits_response)),
        )
        .filter(service_request::Column::FirstResponseDueAt.lte(now))
        .filter(service_request::Column::FirstResponseDueAt.gt(now - LOOKBACK))
        .all(conn)
        .await?;
    for r in unanswered {
        let due = r.first_response_due_at;
        events.push(
            Notification::new(
                EventType::RequestFirstResponseOverdue,
                r.community_id,
                request_facts(&r, due),
            )
            .in_place(r.compound_id, r.grid_id)
            .once(format!(
                "request.first_response_overdue:{}:{}",
                r.id,
                due.timestamp()
            )),
        );
    }
    let unresolved = service_request::Entity::find()
        .filter(service_request::Column::Status.is_in(status::stored_where(Status::open)))
        .filter(service_request::Column::ResolveDueAt.lte(now))
        .filter(service_request::Column::ResolveDueAt.gt(now - LOOKBACK))
        .all(conn)
        .await?;
    for r in unresolved {
        let due = r.resolve_due_at;
        events.push(
            Notification::new(
                EventType::RequestResolutionOverdue,
                r.community_id,
                request_facts(&r, due),
            )
            .in_place(r.compound_id, r.grid_id)
            .once(format!(
                "request.resolution_overdue:{}:{}",
                r.id,
                due.timestamp()
            )),
        );
    }
    Ok(events)
}

async fn votes_closing_soon(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<Notification>> {
    Ok(motion::Entity::find()
        .filter(motion::Column::Status.eq("voting"))
        .filter(motion::Column::VotingClosesAt.gt(now))
        .filter(motion::Column::VotingClosesAt.lte(now + CLOSING_SOON))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|m| {
            let closes = m.voting_closes_at?;
            // A vote open for less than a day was announced as opened just now.
            if m.voting_opens_at.is_some_and(|opened| closes - opened <= CLOSING_SOON) {
                return None;
            }
            Some(
                Notification::new(
                    EventType::VotingClosingSoon,
                    m.community_id,
                    json!({"motionId": m.id, "meetingId": m.meeting_id, "title": m.title, "closesAt": closes}),
                )
                .in_place(m.compound_id, None)
                .once(format!("voting.closing_soon:{}:{}", m.id, closes.timestamp())),
            )
        })
        .collect())
}

async fn follow_ups_due(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> AppResult<Vec<Notification>> {
    let today = calendar::day_of(now);
    let since: NaiveDate = calendar::day_of(now - LOOKBACK);
    Ok(mediation_case::Entity::find()
        .filter(mediation_case::Column::FollowUpOn.lte(today))
        .filter(mediation_case::Column::FollowUpOn.gte(since))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|c| {
            let on = c.follow_up_on?;
            Some(
                Notification::new(
                    EventType::MediationFollowUpDue,
                    c.community_id,
                    json!({"caseId": c.id, "title": c.title, "followUpOn": on}),
                )
                .once(format!("mediation.follow_up_due:{}:{on}", c.id)),
            )
        })
        .collect())
}

async fn unread_urgent_announcements(
    conn: &impl ConnectionTrait,
    services: &Services,
    now: DateTime<Utc>,
) -> AppResult<Vec<Notification>> {
    let after = Duration::from_std(services.config.webhooks.unread_after).unwrap_or(LOOKBACK);
    let published_by = now - after;
    let urgent = announcement::Entity::find()
        .filter(announcement::Column::Kind.eq("urgent"))
        .filter(announcement::Column::CreatedAt.lte(published_by))
        .filter(announcement::Column::CreatedAt.gt(published_by - LOOKBACK))
        .filter(announcement::Column::ValidUntil.gt(now))
        .all(conn)
        .await?;
    let mut events = Vec::new();
    for a in urgent {
        let audience = announcements::audience(conn, &a).await?;
        let read = announcements::read_by(conn, a.id).await?;
        let unread = audience.keys().filter(|h| !read.contains(h)).count();
        if unread == 0 {
            continue;
        }
        events.push(
            Notification::new(
                EventType::AnnouncementUnread,
                a.community_id,
                json!({
                    "announcementId": a.id,
                    "title": a.title,
                    "publishedAt": a.created_at,
                    "hoursSincePublished": (now - a.created_at).num_hours(),
                    "audienceHouseholds": audience.len(),
                    "unreadHouseholds": unread,
                }),
            )
            .in_place(a.compound_id, None)
            .once(format!("announcement.unread:{}", a.id)),
        );
    }
    Ok(events)
}

/// Once per ISO week (China time), per grid with overdue households.
async fn overdue_visits(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    week: &str,
) -> AppResult<Vec<Notification>> {
    let today = calendar::day_of(now);
    let grids = grid::Entity::find()
        .filter(grid::Column::ArchivedAt.is_null())
        .all(conn)
        .await?;
    let keys: Vec<String> = grids
        .iter()
        .map(|g| format!("visits.overdue:{}:{week}", g.id))
        .collect();
    // This week's are raised already (or nothing was overdue when they were looked for).
    let raised: std::collections::HashSet<String> = entity::notification_event::Entity::find()
        .filter(entity::notification_event::Column::DedupeKey.is_in(keys))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|e| e.dedupe_key)
        .collect();
    let mut events = Vec::new();
    for g in grids {
        let key = format!("visits.overdue:{}:{week}", g.id);
        if raised.contains(&key) {
            continue;
        }
        let overdue = visits::grid_plan(conn, g.id, today)
            .await?
            .iter()
            .filter(|p| matches!(p.standing, Standing::Overdue { .. }))
            .count();
        if overdue == 0 {
            continue;
        }
        events.push(
            Notification::new(
                EventType::VisitsOverdue,
                g.community_id,
                json!({"gridId": g.id, "week": week, "overdueHouseholds": overdue}),
            )
            .in_place(None, Some(g.id))
            .once(key),
        );
    }
    Ok(events)
}
