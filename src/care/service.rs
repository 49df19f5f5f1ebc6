//! Setting and ending care watches, and recording check-ins: by people through the API,
//! by devices through the intake. Each moves the watch's due time on.

use chrono::{DateTime, Utc};
use entity::{care_check_in, care_watch, household};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::{
    access::{CheckInBy, care_household, may_record},
    types::{CareInterval, CheckInKind},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
};

/// A check-in note: how the resident was. Short, like a line in a paper log.
const NOTE_MAX_CHARS: usize = 1_000;

/// The household's watch in force, if any.
pub async fn active_watch(
    conn: &impl ConnectionTrait,
    household: Uuid,
) -> AppResult<Option<care_watch::Model>> {
    Ok(care_watch::Entity::find()
        .filter(care_watch::Column::HouseholdId.eq(household))
        .filter(care_watch::Column::EndedAt.is_null())
        .one(conn)
        .await?)
}

/// The interval of a stored watch.
pub fn interval_of(watch: &care_watch::Model) -> AppResult<CareInterval> {
    CareInterval::from_stored(&watch.interval)
}

/// Sets a household's watch (starting it, or changing its interval from now on), or with
/// `None` ends it. Staff and the household's grid worker.
pub async fn set_watch(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household_id: Uuid,
    interval: Option<CareInterval>,
) -> AppResult<Audited<Option<care_watch::Model>>> {
    let target = care_household(conn, viewer, household_id).await?;
    target.check_watch()?;
    let now = Utc::now();
    let existing = care_watch::Entity::find()
        .filter(care_watch::Column::HouseholdId.eq(household_id))
        .one(conn)
        .await?;
    let place = target.place;
    let watch = match (existing, interval) {
        (None, None) => None,
        (Some(w), None) => {
            let mut ended: care_watch::ActiveModel = w.into();
            ended.ended_at = Set(Some(now));
            ended.set_by = Set(viewer.user_id);
            Some(ended.update(conn).await?)
        }
        (Some(w), Some(interval)) => {
            let running = w.ended_at.is_none();
            // A restarted watch counts from now; a running one keeps its history.
            let since = if running { w.since } else { now };
            let last = if running { w.last_check_in_at } else { None };
            let mut set: care_watch::ActiveModel = w.into();
            set.interval = Set(interval.stored().to_owned());
            set.set_by = Set(viewer.user_id);
            set.since = Set(since);
            set.last_check_in_at = Set(last);
            set.due_at = Set(last.map_or(since, |l| l.max(since)) + interval.duration());
            set.ended_at = Set(None);
            Some(set.update(conn).await?)
        }
        (None, Some(interval)) => Some(
            care_watch::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(target.household.community_id),
                household_id: Set(household_id),
                interval: Set(interval.stored().to_owned()),
                set_by: Set(viewer.user_id),
                since: Set(now),
                last_check_in_at: Set(None),
                due_at: Set(now + interval.duration()),
                ended_at: Set(None),
            }
            .insert(conn)
            .await?,
        ),
    };
    // An ended watch is no watch: the answer is null, the audit names the household.
    let shown = watch.filter(|w| w.ended_at.is_none());
    Ok(Audited::new(shown, place, household_id))
}

/// A check-in to record.
pub struct NewCheckIn {
    pub kind: CheckInKind,
    pub at: DateTime<Utc>,
    pub note: String,
}

/// Records a check-in of a watched household by `by` (whose right to the household the
/// caller established: [`super::access::CareHousehold::recorder`], or a device's token)
/// and moves the watch's due time on when it is the latest.
pub async fn record_check_in(
    conn: &impl ConnectionTrait,
    by: CheckInBy,
    household: &household::Model,
    new: NewCheckIn,
) -> AppResult<care_check_in::Model> {
    if !may_record(by, new.kind) {
        return Err(AppError::Forbidden(msg!(
            "you may not record this kind of check-in for this household"
        )));
    }
    calendar::check_happened(
        "input.at",
        "a check-in",
        new.at,
        calendar::RECORDED_LATE_AT_MOST,
    )?;
    let note = new.note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::bad_input(
            "input.note",
            msg!("a note is at most {max} characters", max = NOTE_MAX_CHARS),
        ));
    }
    let watch = active_watch(conn, household.id).await?.ok_or_else(|| {
        AppError::bad_input(
            "input.householdId",
            msg!("this household is not under care watch"),
        )
    })?;
    let row = care_check_in::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(household.community_id),
        household_id: Set(household.id),
        at: Set(new.at),
        kind: Set(new.kind.stored().to_owned()),
        recorded_by: Set(by.user()),
        device_id: Set(by.device()),
        note: Set(note.to_owned()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    // Only a check-in later than the last (and than the watch's start) moves the due
    // time; the condition is in the UPDATE, so concurrent check-ins keep the latest.
    let interval = interval_of(&watch)?;
    care_watch::Entity::update_many()
        .col_expr(
            care_watch::Column::LastCheckInAt,
            sea_orm::sea_query::Expr::value(Some(new.at)),
        )
        .col_expr(
            care_watch::Column::DueAt,
            sea_orm::sea_query::Expr::value(new.at + interval.duration()),
        )
        .filter(care_watch::Column::Id.eq(watch.id))
        .filter(care_watch::Column::Since.lt(new.at))
        .filter(
            Condition::any()
                .add(care_watch::Column::LastCheckInAt.is_null())
                .add(care_watch::Column::LastCheckInAt.lt(new.at)),
        )
        .exec(conn)
        .await?;
    Ok(row)
}

/// The logged-in caller records a check-in (the `recordCareCheckIn` mutation).
pub async fn check_in(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household_id: Uuid,
    new: NewCheckIn,
) -> AppResult<Audited<care_check_in::Model>> {
    let target = care_household(conn, viewer, household_id).await?;
    let by = target.recorder(viewer).ok_or_else(|| {
        AppError::Forbidden(msg!(
            "only community staff, the grid worker and the household record check-ins"
        ))
    })?;
    let row = record_check_in(conn, by, &target.household, new).await?;
    let id = row.id;
    Ok(Audited::new(row, target.place, id))
}
