//! Grids (网格): community admins define them as sets of buildings; a building is in at
//! most one grid at a time. Grid workers are grants with scope kind `grid` (granted through
//! `grantRole`, which checks the grid exists here).

use chrono::Utc;
use entity::{building, grid, grid_building, reach::TenantEntity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, Msg, msg, on_unique_violation},
    graphql::clean_name,
    tenancy::{place_for, visible_building, visible_grid},
};

const GRID_NAME_TAKEN: Msg = msg!("this community has a grid with this name");

async fn grid_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community_id: Uuid,
) -> AppResult<Place> {
    let refusal = msg!("only the community's admins define its grids");
    place_for(conn, viewer, community_id, Capability::ManageGrids, refusal).await
}

/// A grid the caller may change: visible, managed by the caller, not archived.
async fn changeable_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(grid::Model, Place)> {
    let grid = visible_grid(conn, viewer, id).await?;
    let place = grid_place(conn, viewer, grid.community_id).await?;
    if grid.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the grid is archived")));
    }
    Ok((grid, place))
}

pub async fn create_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community_id: Uuid,
    name: &str,
) -> AppResult<Audited<grid::Model>> {
    let place = grid_place(conn, viewer, community_id).await?;
    let grid = grid::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        name: Set(clean_name("input.name", name, 50)?),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, GRID_NAME_TAKEN))?;
    Ok(Audited::new(grid.clone(), place, grid.id))
}

pub async fn rename_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    name: &str,
) -> AppResult<Audited<grid::Model>> {
    let (grid, place) = changeable_grid(conn, viewer, id).await?;
    let mut update: grid::ActiveModel = grid.into();
    update.name = Set(clean_name("input.name", name, 50)?);
    let grid = update
        .update(conn)
        .await
        .map_err(|e| on_unique_violation(e, GRID_NAME_TAKEN))?;
    Ok(Audited::new(grid.clone(), place, grid.id))
}

/// Archives a grid and frees its buildings for other grids.
pub async fn archive_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<grid::Model>> {
    let (grid, place) = changeable_grid(conn, viewer, id).await?;
    grid_building::Entity::delete_many()
        .filter(grid_building::Column::CommunityId.eq(grid.community_id))
        .filter(grid_building::Column::GridId.eq(grid.id))
        .exec(conn)
        .await?;
    let mut update: grid::ActiveModel = grid.into();
    update.archived_at = Set(Some(Utc::now()));
    let grid = update.update(conn).await?;
    Ok(Audited::new(grid.clone(), place, grid.id))
}

/// Puts buildings into a grid, moving them out of the grid they were in.
pub async fn assign_buildings(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    grid_id: Uuid,
    building_ids: Vec<Uuid>,
) -> AppResult<Audited<grid::Model>> {
    let (grid, place) = changeable_grid(conn, viewer, grid_id).await?;
    if building_ids.is_empty() || building_ids.len() > 500 {
        return Err(AppError::bad_input(
            "input.buildingIds",
            msg!("give 1 to 500 buildings"),
        ));
    }
    let buildings = building::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(building::Column::Id.is_in(building_ids.iter().copied()))
        .all(conn)
        .await?;
    let mut unique = building_ids.clone();
    unique.sort();
    unique.dedup();
    if buildings.len() != unique.len() {
        return Err(AppError::NotFound(msg!("building not found")));
    }
    if let Some(other) = buildings
        .iter()
        .find(|b| b.community_id != grid.community_id)
    {
        // Visible (a street admin sees several communities) but not this grid's.
        return Err(AppError::bad_input(
            "input.buildingIds",
            msg!(
                "building {number} is in another community",
                number = &other.number
            ),
        ));
    }
    if buildings.iter().any(|b| b.archived_at.is_some()) {
        return Err(AppError::bad_input(
            "input.buildingIds",
            msg!("archived buildings join no grid"),
        ));
    }
    grid_building::Entity::delete_many()
        .filter(grid_building::Column::BuildingId.is_in(unique.iter().copied()))
        .exec(conn)
        .await?;
    let now = Utc::now();
    grid_building::Entity::insert_many(buildings.iter().map(|b| grid_building::ActiveModel {
        building_id: Set(b.id),
        community_id: Set(grid.community_id),
        grid_id: Set(grid.id),
        assigned_at: Set(now),
    }))
    .exec(conn)
    .await?;
    Ok(Audited::new(grid.clone(), place, grid.id))
}

/// Takes a building out of its grid.
pub async fn release_building(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    building_id: Uuid,
) -> AppResult<Audited<building::Model>> {
    let building = visible_building(conn, viewer, building_id).await?;
    let place = grid_place(conn, viewer, building.community_id).await?;
    let deleted = grid_building::Entity::delete_by_id(building.id)
        .exec(conn)
        .await?;
    if deleted.rows_affected == 0 {
        return Err(AppError::Conflict(msg!("the building is in no grid")));
    }
    Ok(Audited::new(building.clone(), place, building.id))
}
