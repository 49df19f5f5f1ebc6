//! Signing up and cancelling. A sign-up takes a place of its pool (the activity's
//! participants, or one volunteer role) while places remain, else joins the pool's waiting
//! list; a cancellation of a confirmed place promotes the first person waiting in the same
//! pool, in the same transaction. Both lock the activity row before counting, so
//! concurrent sign-ups never over-fill it.

use chrono::{DateTime, Months, Utc};
use entity::{activity, activity_role, activity_sign_up, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::{
    access::{
        SeenActivity, lock_activity, own_residents_in, resident_of, same_household,
        visible_activity,
    },
    types::{ActivityStatus, Audience, SignUpStatus},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    tenancy::{lives_in, visible},
};

/// Who signs up for what.
pub struct SignUpRequest {
    pub activity_id: Uuid,
    /// Someone else than the caller: a member of their household, or anyone for staff.
    pub resident_id: Option<Uuid>,
    /// A volunteer role; none to take part.
    pub role_id: Option<Uuid>,
}

/// The sign-ups sharing places with `role`: one role's volunteers, or the participants.
pub fn pool(role: Option<Uuid>) -> Condition {
    match role {
        Some(role) => Condition::all().add(activity_sign_up::Column::RoleId.eq(role)),
        None => Condition::all().add(activity_sign_up::Column::RoleId.is_null()),
    }
}

/// The resident the caller signs up, and whether it is on someone else's behalf.
async fn signer(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    seen: &SeenActivity,
    resident: Option<Uuid>,
) -> AppResult<(resident::Model, bool)> {
    let community = seen.activity.community_id;
    let own = own_residents_in(conn, viewer, community).await?;
    match resident {
        None => {
            let Some(id) = own.first() else {
                return Err(AppError::Forbidden(msg!(
                    "signing up needs your resident record in this community; ask the community office to link your login"
                )));
            };
            Ok((resident_of(conn, community, *id).await?, false))
        }
        Some(id) => {
            let resident = resident_of(conn, community, id).await?;
            if own.contains(&id) {
                Ok((resident, false))
            } else if seen.organiser || same_household(viewer, &resident) {
                Ok((resident, true))
            } else {
                Err(AppError::Forbidden(msg!(
                    "you may sign up yourself and the members of your household"
                )))
            }
        }
    }
}

/// FORBIDDEN unless the resident belongs to the activity's audience.
async fn check_audience(
    conn: &impl ConnectionTrait,
    activity: &activity::Model,
    resident: &resident::Model,
) -> AppResult<()> {
    let fits = match Audience::from_stored(&activity.audience)? {
        Audience::AllResidents => true,
        Audience::Compound => match activity.audience_compound_id {
            Some(compound) => lives_in(conn, &[resident.household_id], compound).await?,
            None => false,
        },
        Audience::Elderly => {
            let day = calendar::day_of(activity.starts_at);
            resident
                .birth_date
                .and_then(|born| born.checked_add_months(Months::new(60 * 12)))
                .is_some_and(|sixty| sixty <= day)
        }
        Audience::Households => false,
    };
    if fits {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "this activity is for another audience"
        )))
    }
}

/// Places of a pool: the role's, or the activity's capacity.
async fn places_of(
    conn: &impl ConnectionTrait,
    activity: &activity::Model,
    role: Option<Uuid>,
) -> AppResult<i32> {
    match role {
        Some(role) => Ok(activity_role::Entity::find_by_id(role)
            .filter(activity_role::Column::ActivityId.eq(activity.id))
            .one(conn)
            .await?
            .ok_or_else(|| {
                AppError::bad_input(
                    "input.roleId",
                    msg!("no such volunteer role in this activity"),
                )
            })?
            .places),
        None if activity.capacity == 0 => Err(AppError::bad_input(
            "input.roleId",
            msg!("this activity takes volunteers only; choose a role"),
        )),
        None => Ok(activity.capacity),
    }
}

fn check_open(activity: &activity::Model, now: DateTime<Utc>) -> AppResult<()> {
    if activity.status != ActivityStatus::Published.stored() || now > activity.sign_up_deadline {
        return Err(AppError::Conflict(msg!(
            "this activity does not take sign-ups now"
        )));
    }
    Ok(())
}

/// Signs a resident up: a place while any remain, else the waiting list.
pub async fn sign_up(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    request: SignUpRequest,
) -> AppResult<Audited<activity_sign_up::Model>> {
    let seen = visible_activity(conn, viewer, request.activity_id).await?;
    let (resident, on_behalf) = signer(conn, viewer, &seen, request.resident_id).await?;
    let activity = lock_activity(conn, seen.activity.id).await?;
    let now = Utc::now();
    check_open(&activity, now)?;
    let places = places_of(conn, &activity, request.role_id).await?;
    if request.role_id.is_none() {
        check_audience(conn, &activity, &resident).await?;
    }
    let existing = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ActivityId.eq(activity.id))
        .filter(activity_sign_up::Column::ResidentId.eq(resident.id))
        .one(conn)
        .await?;
    if existing
        .as_ref()
        .is_some_and(|e| e.status != SignUpStatus::Cancelled.stored())
    {
        return Err(AppError::Conflict(msg!(
            "this resident is already signed up for this activity"
        )));
    }
    let confirmed = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ActivityId.eq(activity.id))
        .filter(pool(request.role_id))
        .filter(activity_sign_up::Column::Status.eq(SignUpStatus::Confirmed.stored()))
        .count(conn)
        .await?;
    let status = if confirmed < u64::try_from(places).unwrap_or(0) {
        SignUpStatus::Confirmed
    } else {
        SignUpStatus::Waiting
    };
    let renewed = existing.is_some();
    let mut row = match existing {
        // A cancelled sign-up is renewed, at the back of the queue.
        Some(old) => old.into(),
        None => activity_sign_up::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(activity.community_id),
            activity_id: Set(activity.id),
            resident_id: Set(resident.id),
            created_at: Set(now),
            ..Default::default()
        },
    };
    row.role_id = Set(request.role_id);
    row.status = Set(status.stored().to_owned());
    row.queued_at = Set(now);
    row.signed_up_by = Set(viewer.user_id);
    row.on_behalf = Set(on_behalf);
    row.checked_in_at = Set(None);
    row.checked_in_by = Set(None);
    row.attendance_confirmed_at = Set(None);
    row.attendance_confirmed_by = Set(None);
    row.volunteer_minutes = Set(None);
    row.served_on = Set(None);
    row.hours_confirmed_at = Set(None);
    row.hours_confirmed_by = Set(None);
    let saved = if renewed {
        row.update(conn).await?
    } else {
        row.insert(conn).await?
    };
    let id = saved.id;
    Ok(Audited::new(saved, seen.place, id))
}

/// What a cancellation did: the cancelled sign-up, and whom it promoted.
pub struct Cancelled {
    pub sign_up: activity_sign_up::Model,
    pub promoted: Option<activity_sign_up::Model>,
}

/// A sign-up the caller can see (through its activity), with the activity.
pub async fn visible_sign_up(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(activity_sign_up::Model, SeenActivity)> {
    let row =
        visible::<activity_sign_up::Entity>(conn, viewer, id, msg!("sign-up not found")).await?;
    let seen = visible_activity(conn, viewer, row.activity_id).await?;
    Ok((row, seen))
}

/// Cancels a sign-up: the resident (or their household) before the start, the organiser
/// any time before the activity closes. A confirmed place goes to the first waiting.
pub async fn cancel(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<Cancelled>> {
    let (row, seen) = visible_sign_up(conn, viewer, id).await?;
    if !seen.organiser {
        let own = own_residents_in(conn, viewer, row.community_id).await?;
        let resident = resident_of(conn, row.community_id, row.resident_id).await?;
        if !own.contains(&row.resident_id) && !same_household(viewer, &resident) {
            return Err(AppError::Forbidden(msg!(
                "you may cancel your own and your household's sign-ups"
            )));
        }
    }
    let activity = lock_activity(conn, row.activity_id).await?;
    let now = Utc::now();
    if activity.status != ActivityStatus::Published.stored()
        || (!seen.organiser && now >= activity.starts_at)
    {
        return Err(AppError::Conflict(msg!(
            "a sign-up is cancelled before the activity starts; ask the organiser"
        )));
    }
    // Read again under the lock: a concurrent cancellation may have come first.
    let row = activity_sign_up::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("sign-up not found")))?;
    let was = SignUpStatus::from_stored(&row.status)?;
    if was == SignUpStatus::Cancelled {
        return Err(AppError::Conflict(msg!(
            "this sign-up is already cancelled"
        )));
    }
    let role = row.role_id;
    let mut cancelled: activity_sign_up::ActiveModel = row.into();
    cancelled.status = Set(SignUpStatus::Cancelled.stored().to_owned());
    let cancelled = cancelled.update(conn).await?;
    let promoted = if was == SignUpStatus::Confirmed {
        promote_first(conn, &activity, role).await?
    } else {
        None
    };
    Ok(Audited::new(
        Cancelled {
            sign_up: cancelled,
            promoted,
        },
        seen.place,
        id,
    ))
}

/// Gives a freed place of a pool to the first person waiting in it.
async fn promote_first(
    conn: &impl ConnectionTrait,
    activity: &activity::Model,
    role: Option<Uuid>,
) -> AppResult<Option<activity_sign_up::Model>> {
    let first = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ActivityId.eq(activity.id))
        .filter(pool(role))
        .filter(activity_sign_up::Column::Status.eq(SignUpStatus::Waiting.stored()))
        .order_by_asc(activity_sign_up::Column::QueuedAt)
        .order_by_asc(activity_sign_up::Column::Id)
        .one(conn)
        .await?;
    let Some(first) = first else {
        return Ok(None);
    };
    let mut promoted: activity_sign_up::ActiveModel = first.into();
    promoted.status = Set(SignUpStatus::Confirmed.stored().to_owned());
    Ok(Some(promoted.update(conn).await?))
}
