//! Who may touch an activity. Everyone whose grants reach the community reads its
//! published activities (residents, grid workers, committee members); the community's
//! admins and staff organise them: create, publish, see drafts and the check-in code,
//! sign people up on their behalf, check them in, confirm attendance and hours. A resident
//! signs up themself or a member of their own household. Outside the caller's reach an
//! activity is NOT_FOUND; inside it, a draft or an organiser's action is FORBIDDEN.

use entity::{activity, resident, resident_account, role_grant::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::types::ActivityStatus;
use crate::{
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
    graphql::StoredEnum,
    tenancy::{Place, covers, place_of, visible},
};

pub const ORGANISES: Msg = msg!("only the community's admins and staff organise activities");

/// An activity the caller can see, where it sits and whether they organise it.
pub struct SeenActivity {
    pub activity: activity::Model,
    pub place: Place,
    pub organiser: bool,
}

impl SeenActivity {
    /// FORBIDDEN unless the caller organises the activity.
    pub fn check_organiser(&self) -> AppResult<()> {
        if self.organiser {
            Ok(())
        } else {
            Err(AppError::Forbidden(ORGANISES))
        }
    }

    pub fn status(&self) -> AppResult<ActivityStatus> {
        ActivityStatus::from_stored(&self.activity.status)
    }
}

/// Whether the caller organises activities where `place` is.
pub fn is_organiser(viewer: &Viewer, place: Place) -> bool {
    covers(&viewer.reach(Capability::ManageResidents), place)
}

/// An activity the caller may read: NOT_FOUND outside their communities; a draft is
/// FORBIDDEN to anyone but its organisers.
pub async fn visible_activity(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<SeenActivity> {
    let activity =
        visible::<activity::Entity>(conn, viewer, id, msg!("activity not found")).await?;
    let place = place_of(conn, viewer, activity.community_id).await?;
    let organiser = is_organiser(viewer, place);
    if !organiser && activity.status == ActivityStatus::Draft.stored() {
        return Err(AppError::Forbidden(msg!(
            "this activity is a draft; only its organisers see it"
        )));
    }
    Ok(SeenActivity {
        activity,
        place,
        organiser,
    })
}

/// The activity, locked for this transaction: sign-ups and cancellations of one activity
/// queue here, so counting its places and taking one cannot interleave.
pub async fn lock_activity(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<activity::Model> {
    activity::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("activity not found")))
}

/// The registry residents the caller's login speaks for in a community.
pub async fn own_residents_in(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Vec<Uuid>> {
    Ok(resident_account::Entity::find()
        .select_only()
        .column(resident_account::Column::ResidentId)
        .filter(resident_account::Column::UserId.eq(viewer.user_id))
        .filter(resident_account::Column::CommunityId.eq(community))
        .into_tuple()
        .all(conn)
        .await?)
}

/// A current resident of the activity's community (NOT_FOUND otherwise: an id from
/// elsewhere looks absent).
pub async fn resident_of(
    conn: &impl ConnectionTrait,
    community: Uuid,
    id: Uuid,
) -> AppResult<resident::Model> {
    resident::Entity::find_by_id(id)
        .filter(resident::Column::CommunityId.eq(community))
        .filter(resident::Column::ArchivedAt.is_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))
}

/// Whether the caller acts for this resident as a member of their household.
pub fn same_household(viewer: &Viewer, resident: &resident::Model) -> bool {
    viewer
        .scope_ids(Role::Resident)
        .contains(&resident.household_id)
}
