//! Checking in and confirming attendance. The organiser checks a person in; a resident
//! enters the code shown on site, valid from half an hour before the start to the end.
//! Wrong codes count against the caller in the login throttle (`auth::throttle`), so the
//! million six-digit codes cannot be walked. Confirming attendance is the organiser's and
//! final: it awards points.

use chrono::{DateTime, Duration, Utc};
use entity::activity_sign_up;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    access::{own_residents_in, visible_activity},
    sign_ups::visible_sign_up,
    types::{ActivityStatus, SignUpStatus},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    points::{automatic::award_automatic, types::PointsTrigger},
};

/// How early before the start people may check in.
pub const CHECK_IN_OPENS: Duration = Duration::minutes(30);

/// Whether check-in is open at `now`: the activity is on, from a little before its start
/// to its end.
fn check_in_open(activity: &entity::activity::Model, now: DateTime<Utc>) -> bool {
    activity.status == ActivityStatus::Published.stored()
        && now >= activity.starts_at - CHECK_IN_OPENS
        && now <= activity.ends_at
}

fn mark_checked_in(
    row: activity_sign_up::Model,
    by: Option<Uuid>,
    now: DateTime<Utc>,
) -> activity_sign_up::ActiveModel {
    let mut row: activity_sign_up::ActiveModel = row.into();
    row.checked_in_at = Set(Some(now));
    row.checked_in_by = Set(by);
    row
}

/// The organiser checks a confirmed person in (again is a no-op).
pub async fn check_in(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    sign_up: Uuid,
) -> AppResult<Audited<activity_sign_up::Model>> {
    let (row, seen) = visible_sign_up(conn, viewer, sign_up).await?;
    seen.check_organiser()?;
    let now = Utc::now();
    if !check_in_open(&seen.activity, now) {
        return Err(AppError::Conflict(msg!(
            "check-in opens half an hour before the activity and closes at its end"
        )));
    }
    if row.status != SignUpStatus::Confirmed.stored() {
        return Err(AppError::Conflict(msg!("only confirmed sign-ups check in")));
    }
    let row = if row.checked_in_at.is_some() {
        row
    } else {
        mark_checked_in(row, Some(viewer.user_id), now)
            .update(conn)
            .await?
    };
    Ok(Audited::new(row, seen.place, sign_up))
}

/// A resident checks themself in with the code shown on site. A wrong code is a
/// BAD_USER_INPUT on `input.code` (the caller counts it against the throttle).
pub async fn check_in_with_code(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    activity: Uuid,
    code: &str,
) -> AppResult<Audited<Vec<activity_sign_up::Model>>> {
    let seen = visible_activity(conn, viewer, activity).await?;
    let now = Utc::now();
    if !check_in_open(&seen.activity, now) {
        return Err(AppError::Conflict(msg!(
            "check-in opens half an hour before the activity and closes at its end"
        )));
    }
    if code.trim() != seen.activity.check_in_code {
        return Err(AppError::bad_input(
            "input.code",
            msg!("that is not this activity's check-in code"),
        ));
    }
    let own = own_residents_in(conn, viewer, seen.activity.community_id).await?;
    let rows = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ActivityId.eq(activity))
        .filter(activity_sign_up::Column::ResidentId.is_in(own))
        .filter(activity_sign_up::Column::Status.eq(SignUpStatus::Confirmed.stored()))
        .all(conn)
        .await?;
    if rows.is_empty() {
        return Err(AppError::Forbidden(msg!(
            "you have no confirmed place at this activity"
        )));
    }
    let mut checked = Vec::with_capacity(rows.len());
    for row in rows {
        checked.push(if row.checked_in_at.is_some() {
            row
        } else {
            mark_checked_in(row, None, now).update(conn).await?
        });
    }
    Ok(Audited::new(checked, seen.place, activity))
}

/// The organiser confirms that a person attended: once, after the activity began.
pub async fn confirm_attendance(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    sign_up: Uuid,
) -> AppResult<Audited<activity_sign_up::Model>> {
    let (row, seen) = visible_sign_up(conn, viewer, sign_up).await?;
    seen.check_organiser()?;
    let status = seen.status()?;
    let now = Utc::now();
    if !matches!(status, ActivityStatus::Published | ActivityStatus::Finished)
        || now < seen.activity.starts_at
    {
        return Err(AppError::Conflict(msg!(
            "attendance is confirmed once the activity has begun"
        )));
    }
    if row.status != SignUpStatus::Confirmed.stored() {
        return Err(AppError::Conflict(msg!("only confirmed sign-ups attend")));
    }
    if row.attendance_confirmed_at.is_some() {
        return Err(AppError::Conflict(msg!("attendance is already confirmed")));
    }
    let mut confirmed: activity_sign_up::ActiveModel = row.into();
    confirmed.attendance_confirmed_at = Set(Some(now));
    confirmed.attendance_confirmed_by = Set(Some(viewer.user_id));
    let confirmed = confirmed.update(conn).await?;
    // Under the community's attendance rule, if it has one; in this transaction, so a
    // confirmation that fails awards nothing.
    award_automatic(
        conn,
        confirmed.community_id,
        confirmed.resident_id,
        PointsTrigger::ActivityAttendance,
        1,
        &format!("activity-attendance:{sign_up}"),
        Some(viewer.user_id),
    )
    .await?;
    Ok(Audited::new(confirmed, seen.place, sign_up))
}
