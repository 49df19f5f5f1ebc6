//! The device intake (`POST /care/intake`): a gateway, door sensor or alarm button sends
//! `{"event": "heartbeat" | "door_opened" | "alarm", "at"?: RFC 3339}` with its token.
//! A heartbeat or door event is a DEVICE check-in of the household (when it is watched);
//! an alarm files an urgent safety request at once, assigned like any other to the
//! building's grid worker, and raises `care.alarm`. Alarms of one device within
//! [`ALARM_QUIET`] of the one that filed a request file nothing more (an elderly person
//! pressing again and again is one emergency, not ten). Other events are limited to one per
//! [`EVENT_EVERY`] per device. Every accepted event is audited like a mutation.

use chrono::{DateTime, Duration, Utc};
use entity::{care_device, household, role_grant};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{CheckInBy, places_of},
    devices::TOKEN_PREFIX,
    service::{NewCheckIn, active_watch, record_check_in},
    types::CheckInKind,
};
use crate::{
    audit::{Action, Audited},
    auth::{Viewer, token::opaque_token_hash},
    calendar,
    error::{AppError, AppResult, Msg, msg},
    graphql::RequestMeta,
    outbox::{EventType, Notification},
    requests::service::{self as requests, Location, NewRequest},
    state::Services,
    tenancy::place_of_unchecked,
};

/// Alarms within this of the one that filed a request file no other.
pub const ALARM_QUIET: Duration = Duration::minutes(30);
/// At most one heartbeat or door event per device this often.
pub const EVENT_EVERY: Duration = Duration::seconds(5);
/// The largest body the intake reads.
pub const MAX_BODY_BYTES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IntakeEvent {
    Heartbeat,
    DoorOpened,
    Alarm,
}

impl IntakeEvent {
    fn name(self) -> &'static str {
        match self {
            Self::Heartbeat => "heartbeat",
            Self::DoorOpened => "door_opened",
            Self::Alarm => "alarm",
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Body {
    event: String,
    at: Option<String>,
}

/// Reads a body; the message says what is wrong with it.
pub fn parse(bytes: &[u8]) -> Result<(IntakeEvent, DateTime<Utc>), Msg> {
    let body: Body = serde_json::from_slice(bytes).map_err(|_| {
        msg!("the body must be JSON with \"event\" (heartbeat, door_opened or alarm) and optionally \"at\" (an RFC 3339 time)")
    })?;
    let event = match body.event.as_str() {
        "heartbeat" => IntakeEvent::Heartbeat,
        "door_opened" => IntakeEvent::DoorOpened,
        "alarm" => IntakeEvent::Alarm,
        _ => return Err(msg!("event must be heartbeat, door_opened or alarm")),
    };
    let at = match body.at {
        None => Utc::now(),
        Some(at) => DateTime::parse_from_rfc3339(&at)
            .map_err(|_| msg!("at must be an RFC 3339 time such as 2026-11-29T08:30:00+08:00"))?
            .with_timezone(&Utc),
    };
    calendar::check_happened("at", "the event", at, Duration::days(7)).map_err(|e| e.msg())?;
    Ok((event, at))
}

/// The device a bearer token belongs to, if it is one and not revoked.
pub async fn authenticate(
    conn: &impl ConnectionTrait,
    authorization: Option<&str>,
) -> AppResult<care_device::Model> {
    let refused = || AppError::Unauthenticated(msg!("unknown or revoked device token"));
    let token = authorization
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|t| t.starts_with(TOKEN_PREFIX))
        .ok_or_else(refused)?;
    care_device::Entity::find()
        .filter(care_device::Column::TokenHash.eq(opaque_token_hash(token)))
        .filter(care_device::Column::RevokedAt.is_null())
        .one(conn)
        .await?
        .ok_or_else(refused)
}

/// What an event did.
#[derive(Debug, Default)]
pub struct Outcome {
    pub check_in: Option<Uuid>,
    pub request: Option<Uuid>,
    /// An alarm inside the quiet period of one that filed `request`.
    pub repeated_alarm: bool,
}

/// Takes one event of an authenticated device, in one audited transaction.
pub async fn receive(
    services: &Services,
    meta: &RequestMeta,
    device: care_device::Model,
    event: IntakeEvent,
    at: DateTime<Utc>,
) -> AppResult<Outcome> {
    let action = Action {
        name: "careDeviceEvent",
        actor: None,
        meta,
        input: json!({ "deviceId": device.id, "event": event.name(), "at": at }),
    };
    let txn = services.db.begin_write().await?;
    let result = handle(&txn, services, device, event, at).await;
    action.finish(services, txn, result).await
}

async fn handle(
    conn: &impl ConnectionTrait,
    services: &Services,
    device: care_device::Model,
    event: IntakeEvent,
    at: DateTime<Utc>,
) -> AppResult<Audited<Outcome>> {
    let now = Utc::now();
    let mut seen = care_device::Entity::update_many()
        .col_expr(care_device::Column::LastSeenAt, Expr::value(Some(now)))
        .filter(care_device::Column::Id.eq(device.id));
    if event != IntakeEvent::Alarm {
        seen = seen.filter(
            Condition::any()
                .add(care_device::Column::LastSeenAt.is_null())
                .add(care_device::Column::LastSeenAt.lt(now - EVENT_EVERY)),
        );
    }
    if seen.exec(conn).await?.rows_affected == 0 {
        return Err(AppError::RateLimited {
            retry_after_secs: EVENT_EVERY.num_seconds(),
        });
    }
    let household = household::Entity::find_by_id(device.household_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("household not found")))?;
    let place = place_of_unchecked(conn, household.community_id).await?;
    let mut outcome = Outcome::default();
    if event != IntakeEvent::Alarm {
        // An unwatched household's device is still seen (`lastSeenAt`); nothing is due.
        if active_watch(conn, household.id).await?.is_some() {
            let check_in = record_check_in(
                conn,
                CheckInBy::Device(device.id),
                &household,
                NewCheckIn {
                    kind: CheckInKind::Device,
                    at,
                    note: event.name().to_owned(),
                },
            )
            .await?;
            outcome.check_in = Some(check_in.id);
        }
        return Ok(Audited::new(outcome, place, device.id));
    }
    // The first alarm of a quiet period claims it in one UPDATE, so two presses arriving
    // together file one request.
    let claimed = care_device::Entity::update_many()
        .col_expr(care_device::Column::LastAlarmAt, Expr::value(Some(now)))
        .filter(care_device::Column::Id.eq(device.id))
        .filter(
            Condition::any()
                .add(care_device::Column::LastAlarmAt.is_null())
                .add(care_device::Column::LastAlarmAt.lt(now - ALARM_QUIET)),
        )
        .exec(conn)
        .await?
        .rows_affected
        > 0;
    if !claimed {
        outcome.repeated_alarm = true;
        outcome.request = device.last_alarm_request_id;
        return Ok(Audited::new(outcome, place, device.id));
    }
    let filed = requests::create(
        conn,
        &services.files,
        services.config.max_file_bytes,
        &device_viewer(&device, place),
        NewRequest {
            location: Location::Household(household.id),
            source: "device",
            source_detail: json!({ "deviceId": device.id, "deviceLabel": device.label }),
            reporter_resident: None,
            category: "safety".to_owned(),
            title: format!("一键呼叫：{}", device.label),
            description: String::new(),
            urgent: true,
            photos: Vec::new(),
            wechat_group: None,
        },
    )
    .await?;
    let request = &filed.value;
    care_device::Entity::update_many()
        .col_expr(
            care_device::Column::LastAlarmRequestId,
            Expr::value(Some(request.id)),
        )
        .filter(care_device::Column::Id.eq(device.id))
        .exec(conn)
        .await?;
    let (building, grid) = places_of(conn, [household.id])
        .await?
        .get(&household.id)
        .copied()
        .unzip();
    let alarm = Notification::new(
        EventType::CareAlarm,
        household.community_id,
        json!({
            "householdId": household.id,
            "deviceId": device.id,
            "requestId": request.id,
            "buildingId": building,
            "gridId": grid.flatten(),
            "assigneeId": request.assignee_id,
            "at": at,
        }),
    )
    .in_place(request.compound_id, grid.flatten());
    outcome.request = Some(request.id);
    Ok(Audited::new(outcome, place, device.id)
        .with_events(filed.events)
        .with_notifications(filed.notifications)
        .with_notifications([alarm]))
}

/// Who files an alarm's request: the device, acting in its own community only, in the
/// name of the staff member who registered it (a request records a user). The grant is
/// made here for this one call and never stored.
fn device_viewer(device: &care_device::Model, place: crate::tenancy::Place) -> Viewer {
    let now = Utc::now();
    Viewer {
        user_id: device.created_by,
        username: format!("device:{}", device.id),
        display_name: device.label.clone(),
        session_id: Uuid::nil(),
        must_change_password: false,
        grants: vec![role_grant::Model {
            id: Uuid::nil(),
            user_id: device.created_by,
            role: role_grant::Role::CommunityStaff,
            scope_kind: role_grant::ScopeKind::Community,
            scope_id: Some(device.community_id),
            street_office_id: place.street_office,
            community_id: Some(device.community_id),
            valid_from: now,
            valid_until: Some(now + Duration::minutes(1)),
            source_kind: role_grant::GrantSource::Manual,
            source_id: Some(device.id),
            granted_by: None,
            created_at: now,
            revoked_at: None,
            revoked_by: None,
        }],
    }
}
