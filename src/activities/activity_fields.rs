//! The parts of an activity that need no other object: its volunteer roles with places
//! taken, and what the caller may do with it.

use async_graphql::{Context, ID, Result, SimpleObject};
use chrono::Utc;
use entity::activity;
use uuid::Uuid;

use super::{
    loaders::{OwnResidents, RolesOf, SignUpCounts},
    types::ActivityStatus,
};
use crate::graphql::{ContextExt, StoredEnum, loader::loader};

/// A volunteer role with its places taken.
#[derive(SimpleObject)]
pub struct VolunteerRole {
    pub id: ID,
    pub name: String,
    pub places: i32,
    pub confirmed: i64,
    pub waiting: i64,
}

/// What the caller may do with an activity.
#[derive(SimpleObject)]
pub struct ActivityPermissions {
    /// Publish, cancel, finish, check in, confirm attendance and hours, see the code.
    pub can_manage: bool,
    /// Sign up (themself, their household, or for staff anyone) now.
    pub can_sign_up: bool,
}

/// An activity's volunteer roles, with their places taken and waiting.
pub async fn volunteer_roles(ctx: &Context<'_>, activity: Uuid) -> Result<Vec<VolunteerRole>> {
    let l = loader(ctx);
    let (roles, counts) = futures::try_join!(
        l.load_one(RolesOf(activity)),
        l.load_one(SignUpCounts(activity))
    )?;
    let counts = counts.unwrap_or_default();
    Ok(roles
        .unwrap_or_default()
        .into_iter()
        .map(|r| {
            let (confirmed, waiting) = counts.get(&Some(r.id)).copied().unwrap_or_default();
            VolunteerRole {
                id: r.id.into(),
                name: r.name,
                places: r.places,
                confirmed,
                waiting,
            }
        })
        .collect())
}

/// What the caller may do with an activity (`organiser`: as its lookup decided).
pub async fn permissions(
    ctx: &Context<'_>,
    row: &activity::Model,
    organiser: bool,
) -> Result<ActivityPermissions> {
    let open =
        row.status == ActivityStatus::Published.stored() && Utc::now() <= row.sign_up_deadline;
    let can_sign_up = open
        && (organiser || {
            let viewer = ctx.viewer()?;
            let own = loader(ctx).load_one(OwnResidents(viewer.user_id)).await?;
            own.unwrap_or_default()
                .iter()
                .any(|(_, c)| *c == row.community_id)
        });
    Ok(ActivityPermissions {
        can_manage: organiser,
        can_sign_up,
    })
}
