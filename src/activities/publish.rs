//! Creating an activity (a draft with its volunteer roles), publishing, cancelling and
//! finishing it.

use chrono::{DateTime, Duration, Utc};
use entity::{activity, activity_role};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::{
    access::{ORGANISES, SeenActivity},
    types::{ActivityKind, ActivityStatus, Audience},
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name},
    tenancy::{place_for, visible_compound},
};

/// An activity runs at most a week (a festival's deliveries).
const LONGEST: Duration = Duration::days(7);
const MAX_CAPACITY: i32 = 10_000;
const MAX_ROLES: usize = 20;
const DESCRIPTION_MAX_CHARS: usize = 5_000;

/// A volunteer role as given: its name and the places it needs.
pub struct NewRole {
    pub name: String,
    pub places: i32,
}

/// An activity as staff describe it.
pub struct NewActivity {
    pub community_id: Uuid,
    pub kind: ActivityKind,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sign_up_deadline: Option<DateTime<Utc>>,
    pub capacity: i32,
    pub audience: Audience,
    pub audience_compound_id: Option<Uuid>,
    pub roles: Vec<NewRole>,
}

/// Six digits, shown on site by the organiser. Guessing is throttled per caller
/// (`check_in::check_in_with_code`), so a million codes cannot be tried.
fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

fn check_times(new: &NewActivity, now: DateTime<Utc>) -> AppResult<DateTime<Utc>> {
    if new.starts_at <= now {
        return Err(AppError::bad_input(
            "input.startsAt",
            msg!("an activity must start in the future"),
        ));
    }
    if new.ends_at <= new.starts_at || new.ends_at - new.starts_at > LONGEST {
        return Err(AppError::bad_input(
            "input.endsAt",
            msg!("an activity ends after it starts, within seven days"),
        ));
    }
    let deadline = new.sign_up_deadline.unwrap_or(new.starts_at);
    if deadline > new.starts_at || deadline <= now {
        return Err(AppError::bad_input(
            "input.signUpDeadline",
            msg!("the sign-up deadline is in the future and not after the start"),
        ));
    }
    Ok(deadline)
}

/// Creates a draft activity with its volunteer roles. Community admins and staff.
pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewActivity,
) -> AppResult<Audited<(activity::Model, Vec<activity_role::Model>)>> {
    let place = place_for(
        conn,
        viewer,
        new.community_id,
        Capability::ManageResidents,
        ORGANISES,
    )
    .await?;
    let now = Utc::now();
    let deadline = check_times(&new, now)?;
    let title = clean_name("input.title", &new.title, 100)?;
    let venue = clean_name("input.place", &new.place, 200)?;
    let description = new.description.trim().to_owned();
    if description.chars().count() > DESCRIPTION_MAX_CHARS {
        return Err(AppError::bad_input(
            "input.description",
            msg!(
                "a description is at most {max} characters",
                max = DESCRIPTION_MAX_CHARS
            ),
        ));
    }
    // Households are visited, not signed up for: such an activity has no participants.
    let no_participants = new.audience == Audience::Households;
    if !(0..=MAX_CAPACITY).contains(&new.capacity) || (no_participants && new.capacity != 0) {
        return Err(AppError::bad_input(
            "input.capacity",
            msg!(
                "capacity is 0 to {max} places, and 0 for an activity that goes to households",
                max = MAX_CAPACITY
            ),
        ));
    }
    let compound = match (new.audience, new.audience_compound_id) {
        (Audience::Compound, Some(id)) => {
            let compound = visible_compound(conn, viewer, id).await?;
            if compound.community_id != new.community_id {
                return Err(AppError::NotFound(msg!("compound not found")));
            }
            Some(id)
        }
        (Audience::Compound, None) => {
            return Err(AppError::bad_input(
                "input.audienceCompoundId",
                msg!("name the compound whose residents may sign up"),
            ));
        }
        _ => None,
    };
    if new.roles.len() > MAX_ROLES {
        return Err(AppError::bad_input(
            "input.volunteerRoles",
            msg!("at most {max} volunteer roles", max = MAX_ROLES),
        ));
    }
    let id = Uuid::now_v7();
    let row = activity::ActiveModel {
        id: Set(id),
        community_id: Set(new.community_id),
        kind: Set(new.kind.stored().to_owned()),
        title: Set(title),
        description: Set(description),
        place: Set(venue),
        starts_at: Set(new.starts_at),
        ends_at: Set(new.ends_at),
        sign_up_deadline: Set(deadline),
        capacity: Set(new.capacity),
        audience: Set(new.audience.stored().to_owned()),
        audience_compound_id: Set(compound),
        status: Set(ActivityStatus::Draft.stored().to_owned()),
        check_in_code: Set(new_code()),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        published_at: Set(None),
        closed_at: Set(None),
    }
    .insert(conn)
    .await?;
    let mut roles = Vec::with_capacity(new.roles.len());
    for (i, role) in new.roles.into_iter().enumerate() {
        let field = format!("input.volunteerRoles.{i}");
        let name = clean_name(&format!("{field}.name"), &role.name, 50)?;
        if !(1..=1_000).contains(&role.places) {
            return Err(AppError::bad_input(
                format!("{field}.places"),
                msg!("a volunteer role needs 1 to 1000 places"),
            ));
        }
        roles.push(
            activity_role::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(new.community_id),
                activity_id: Set(id),
                name: Set(name),
                places: Set(role.places),
            }
            .insert(conn)
            .await?,
        );
    }
    Ok(Audited::new((row, roles), place, id))
}

/// Moves an activity from one status to another; the organiser only.
pub async fn transition(
    conn: &impl ConnectionTrait,
    seen: SeenActivity,
    to: ActivityStatus,
) -> AppResult<Audited<activity::Model>> {
    seen.check_organiser()?;
    let from = seen.status()?;
    let now = Utc::now();
    let allowed = match (from, to) {
        (ActivityStatus::Draft, ActivityStatus::Published) => {
            if seen.activity.sign_up_deadline <= now {
                return Err(AppError::bad_input(
                    "id",
                    msg!("the sign-up deadline has passed; create the activity again"),
                ));
            }
            true
        }
        (ActivityStatus::Draft | ActivityStatus::Published, ActivityStatus::Cancelled) => true,
        // Finished once it has begun: attendance and hours are confirmed after.
        (ActivityStatus::Published, ActivityStatus::Finished) => seen.activity.starts_at <= now,
        _ => false,
    };
    if !allowed {
        return Err(AppError::Conflict(msg!(
            "the activity's status does not allow this now"
        )));
    }
    let id = seen.activity.id;
    let mut row: activity::ActiveModel = seen.activity.into();
    row.status = Set(to.stored().to_owned());
    if to == ActivityStatus::Published {
        row.published_at = Set(Some(now));
    } else {
        row.closed_at = Set(Some(now));
    }
    Ok(Audited::new(row.update(conn).await?, seen.place, id))
}
