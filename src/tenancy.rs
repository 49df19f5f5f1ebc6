//! Who may touch which row: the one home of tenancy (ARCHITECTURE.md §2).
//!
//! The tenant is the community. A caller's grants give, per capability, a [`Reach`] (the
//! communities and street offices they reach); every tenant row carries its `community_id`,
//! so every lookup is a filter on the row's own tenant column (`TenantEntity`), never a
//! walk through its parents. The vocabulary, used the same way in every domain:
//!
//! - `visible_<row>(conn, viewer, id)`: the row if the caller may see it, NOT_FOUND
//!   otherwise (so IDs cannot be probed across communities);
//! - [`place_of`]: where a community sits (its street office), for audit rows and checks;
//! - `check_<action>(...)` and [`check`]: `Ok` if the caller may do this where the row
//!   sits, FORBIDDEN otherwise (only ever after a `visible_` lookup succeeded);
//! - `Entity::find_in_reach(&reach)` and `<rows>_in_reach(...)` conditions, for lists.
//!
//! A domain's own rows (funds, requests, meetings) get their `visible_` lookups in the
//! domain's `access.rs`, built from these. GraphQL child fields trust their parent: an
//! object is only ever built from a row a `visible_` lookup (or a list filtered by reach)
//! returned, so a field of it reads its children without checking the tenant again.

mod places;
mod residence;

pub use residence::{households_in_grids, lives_in};

use entity::{
    building, community, compound, dwelling, grid, household,
    reach::{Reach, TenantEntity},
    resident, street_office,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use crate::auth::viewer::Place;
use crate::{
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
};

/// A tenant row by id, if it lies in the caller's reach (of the org structure); NOT_FOUND
/// (naming `what`) otherwise.
pub async fn visible<E: TenantEntity>(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    not_found: Msg,
) -> AppResult<E::Model> {
    E::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(E::id_column().eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(not_found))
}

/// A street office the caller can see (their own, or the one above a community they see).
pub async fn visible_street_office(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<street_office::Model> {
    street_office::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(street_office::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("street office not found")))
}

/// A community the caller can see.
pub async fn visible_community(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<community::Model> {
    community::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(community::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("community not found")))
}

pub async fn visible_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<compound::Model> {
    visible::<compound::Entity>(conn, viewer, id, msg!("compound not found")).await
}

pub async fn visible_building(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<building::Model> {
    visible::<building::Entity>(conn, viewer, id, msg!("building not found")).await
}

pub async fn visible_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<grid::Model> {
    visible::<grid::Entity>(conn, viewer, id, msg!("grid not found")).await
}

pub async fn visible_dwelling(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<dwelling::Model> {
    visible::<dwelling::Entity>(conn, viewer, id, msg!("dwelling not found")).await
}

pub async fn visible_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<household::Model> {
    visible::<household::Entity>(conn, viewer, id, msg!("household not found")).await
}

pub async fn visible_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<resident::Model> {
    visible::<resident::Entity>(conn, viewer, id, msg!("resident not found")).await
}

/// A compound the caller can see, with where it sits.
pub async fn visible_compound_at(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(compound::Model, Place)> {
    let compound = visible_compound(conn, viewer, id).await?;
    let place = place_of(conn, viewer, compound.community_id).await?;
    Ok((compound, place))
}

/// Where a community the caller can see sits: the community with its street office.
pub async fn place_of(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Place> {
    let street_office = match places::street_office_of(community) {
        Some(street_office) => street_office,
        None => {
            let row = community::Entity::find_by_id(community)
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("community not found")))?;
            places::remember(row.id, row.street_office_id);
            row.street_office_id
        }
    };
    let place = Place {
        street_office: Some(street_office),
        community: Some(community),
    };
    // The same test `visible_community` makes in SQL (`Reach::condition`).
    if viewer
        .reach(Capability::ReadOrg)
        .covers(place.street_office, place.community)
    {
        Ok(place)
    } else {
        Err(AppError::NotFound(msg!("community not found")))
    }
}

/// Where a community sits, for writes made without a staff caller (a resident claiming
/// their own record with a binding code): no reach applies, the caller proved the right.
pub async fn place_of_unchecked(conn: &impl ConnectionTrait, community: Uuid) -> AppResult<Place> {
    let community = community::Entity::find_by_id(community)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("community not found")))?;
    Ok(Place::of_community(&community))
}

/// FORBIDDEN (with `refusal`) unless the caller has `capability` where `place` is.
pub fn check(viewer: &Viewer, capability: Capability, place: Place, refusal: Msg) -> AppResult<()> {
    if covers(&viewer.reach(capability), place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(refusal))
    }
}

/// Where a community the caller can see sits, if they have `capability` there: NOT_FOUND
/// outside their reach, FORBIDDEN (with `refusal`) inside it without the capability.
pub async fn place_for(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    capability: Capability,
    refusal: Msg,
) -> AppResult<Place> {
    let place = place_of(conn, viewer, community).await?;
    check(viewer, capability, place, refusal)?;
    Ok(place)
}

/// Whether the caller defines the micro-grids (微网格) of `grid` and appoints their
/// leaders: the community's admins and staff, and the grid's leader.
pub fn manages_micro_grids(viewer: &Viewer, grid: Uuid, place: Place) -> bool {
    covers(&viewer.reach(Capability::ManageResidents), place)
        || viewer
            .scope_ids(entity::role_grant::Role::GridLeader)
            .contains(&grid)
}

/// Whether a reach covers a place.
pub fn covers(reach: &Reach, place: Place) -> bool {
    reach.covers(place.street_office, place.community)
}
