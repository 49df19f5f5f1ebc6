//! Who may touch points. Staff (community admins and staff) run the scheme: rules,
//! rewards, redemptions, reversals, and award any household of the community. Grid workers
//! and grid leaders award the households of their grids, micro-grid leaders (volunteers)
//! those of their micro-grids. A household's residents and family contacts read its
//! account; staff and its grid workers too. Outside the caller's reach a household (or
//! rule, reward, entry) is NOT_FOUND; inside it, a smaller role is FORBIDDEN.

use std::collections::HashSet;

use entity::{household, micro_grid, role_grant::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer},
    care::access::{CareRole, places_of},
    error::{AppError, AppResult, Msg, msg},
    registry::micro_grid_access::households_in,
    tenancy::{Place, covers, place_for},
};

/// Whether the caller runs points in the community at `place`.
pub fn is_staff(viewer: &Viewer, place: Place) -> bool {
    covers(&viewer.reach(Capability::ManageResidents), place)
}

/// Where a community the caller can see sits, if they run its points: NOT_FOUND outside
/// their reach, FORBIDDEN inside it.
pub async fn staff_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    refusal: Msg,
) -> AppResult<Place> {
    place_for(
        conn,
        viewer,
        community,
        Capability::ManageResidents,
        refusal,
    )
    .await
}

/// Reading a household's account: staff, its grid workers, its residents and family
/// contacts (as `care::access` finds how the caller stands toward it).
pub fn check_read(role: CareRole) -> AppResult<()> {
    match role {
        CareRole::Staff | CareRole::GridWorker | CareRole::Member | CareRole::Family => Ok(()),
        CareRole::Volunteer | CareRole::Outsider => Err(AppError::Forbidden(msg!(
            "a household's points are for community staff, its grid worker and the household"
        ))),
    }
}

fn not_awarder() -> AppError {
    AppError::Forbidden(msg!(
        "points are awarded by community staff, the household's grid worker or its micro-grid leader"
    ))
}

/// `Ok` if the caller may award points to every one of `households` (all of the community
/// at `place`, already found in the caller's reach): staff any; grid workers and leaders
/// those of their grids; micro-grid leaders those of their micro-grids. Three statements
/// at most, however many households.
pub async fn check_award(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    place: Place,
    households: &[Uuid],
) -> AppResult<()> {
    if is_staff(viewer, place) {
        return Ok(());
    }
    let grids = viewer.work_grids();
    let mut left: Vec<Uuid> = households.to_vec();
    if !grids.is_empty() {
        let places = places_of(conn, left.iter().copied()).await?;
        left.retain(|h| {
            !places
                .get(h)
                .and_then(|(_, grid)| *grid)
                .is_some_and(|g| grids.contains(&g))
        });
    }
    if left.is_empty() {
        return Ok(());
    }
    let led = viewer.scope_ids(Role::MicroGridLeader);
    if led.is_empty() {
        return Err(not_awarder());
    }
    let led: Vec<Uuid> = micro_grid::Entity::find()
        .select_only()
        .column(micro_grid::Column::Id)
        .filter(micro_grid::Column::Id.is_in(led))
        .filter(micro_grid::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    if led.is_empty() {
        return Err(not_awarder());
    }
    let covered: HashSet<Uuid> = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .filter(household::Column::Id.is_in(left.iter().copied()))
        .filter(households_in(&led))
        .into_tuple::<Uuid>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    if left.iter().all(|h| covered.contains(h)) {
        Ok(())
    } else {
        Err(not_awarder())
    }
}

/// How the caller stands toward a household they can see, for reading its points:
/// statement-free for staff and the household itself, one statement for a grid worker.
pub async fn reader_role(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    place: Place,
    household: Uuid,
) -> AppResult<CareRole> {
    if is_staff(viewer, place) {
        return Ok(CareRole::Staff);
    }
    if viewer.scope_ids(Role::Resident).contains(&household) {
        return Ok(CareRole::Member);
    }
    if viewer.scope_ids(Role::FamilyContact).contains(&household) {
        return Ok(CareRole::Family);
    }
    let grids = viewer.work_grids();
    if !grids.is_empty() {
        let places = places_of(conn, [household]).await?;
        if places
            .get(&household)
            .and_then(|(_, grid)| *grid)
            .is_some_and(|g| grids.contains(&g))
        {
            return Ok(CareRole::GridWorker);
        }
    }
    Ok(CareRole::Outsider)
}
