//! Micro-grids (微网格): a few buildings, or units of them, inside one grid, each led by a
//! micro-grid leader (微网格长, usually a resident volunteer). The community's admins and
//! staff and the grid's leader define them; every member building is one the grid covers
//! now, and a unit one the building has. A micro-grid leader reads only the masked names
//! and addresses of their micro-grid's households and files requests for them.

use std::collections::HashMap;

use chrono::Utc;
use entity::{building, grid, grid_building, micro_grid, micro_grid_building};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::micro_grid_access::visible_micro_grid;
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    error::{AppError, AppResult, msg},
    graphql::clean_name,
    tenancy::{manages_micro_grids, place_of, visible_grid},
};

/// A member of a micro-grid: a building, or one unit of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Member {
    pub building_id: Uuid,
    pub unit: Option<i32>,
}

/// What `updateMicroGrid` changes; `None` leaves a field as it is.
pub struct Change {
    pub name: Option<String>,
    pub members: Option<Vec<Member>>,
}

fn check_manage(viewer: &Viewer, grid: Uuid, place: Place) -> AppResult<()> {
    if manages_micro_grids(viewer, grid, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the community's admins and staff and the grid's leader define micro-grids"
        )))
    }
}

/// A grid the caller may define micro-grids in: visible, theirs to manage, not archived.
async fn managed_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(grid::Model, Place)> {
    let grid = visible_grid(conn, viewer, id).await?;
    let place = place_of(conn, viewer, grid.community_id).await?;
    check_manage(viewer, grid.id, place)?;
    if grid.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the grid is archived")));
    }
    Ok((grid, place))
}

pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    grid_id: Uuid,
    name: &str,
    members: Vec<Member>,
) -> AppResult<Audited<micro_grid::Model>> {
    let (grid, place) = managed_grid(conn, viewer, grid_id).await?;
    let row = micro_grid::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(grid.community_id),
        grid_id: Set(grid.id),
        name: Set(clean_name("input.name", name, 50)?),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await?;
    set_members(conn, &row, members).await?;
    Ok(Audited::new(row.clone(), place, row.id))
}

/// A micro-grid the caller may change: visible, theirs to manage, not archived.
async fn changeable(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(micro_grid::Model, Place)> {
    let (micro, place) = visible_micro_grid(conn, viewer, id).await?;
    check_manage(viewer, micro.grid_id, place)?;
    if micro.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the micro-grid is archived")));
    }
    Ok((micro, place))
}

pub async fn update(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    change: Change,
) -> AppResult<Audited<micro_grid::Model>> {
    let (micro, place) = changeable(conn, viewer, id).await?;
    let micro = match change.name {
        Some(name) => {
            let mut update: micro_grid::ActiveModel = micro.into();
            update.name = Set(clean_name("input.name", &name, 50)?);
            update.update(conn).await?
        }
        None => micro,
    };
    if let Some(members) = change.members {
        set_members(conn, &micro, members).await?;
    }
    Ok(Audited::new(micro.clone(), place, micro.id))
}

/// Archives a micro-grid; its leaders' grants give no more households (they read the
/// households of unarchived micro-grids only).
pub async fn archive(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<micro_grid::Model>> {
    let (micro, place) = changeable(conn, viewer, id).await?;
    let mut update: micro_grid::ActiveModel = micro.into();
    update.archived_at = Set(Some(Utc::now()));
    let micro = update.update(conn).await?;
    Ok(Audited::new(micro.clone(), place, micro.id))
}

/// Replaces a micro-grid's members, after checking each against its grid.
async fn set_members(
    conn: &impl ConnectionTrait,
    micro: &micro_grid::Model,
    mut members: Vec<Member>,
) -> AppResult<()> {
    members.sort_by_key(|m| (m.building_id, m.unit));
    members.dedup();
    if members.is_empty() {
        return Err(AppError::bad_input(
            "input.members",
            msg!("name at least one building"),
        ));
    }
    let covered: Vec<Uuid> = grid_building::Entity::find()
        .filter(grid_building::Column::CommunityId.eq(micro.community_id))
        .filter(grid_building::Column::GridId.eq(micro.grid_id))
        .filter(grid_building::Column::BuildingId.is_in(members.iter().map(|m| m.building_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.building_id)
        .collect();
    let units: HashMap<Uuid, i32> = building::Entity::find()
        .filter(building::Column::CommunityId.eq(micro.community_id))
        .filter(building::Column::Id.is_in(covered.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.units))
        .collect();
    for m in &members {
        let Some(units) = units.get(&m.building_id) else {
            return Err(AppError::bad_input(
                "input.members",
                msg!("the grid does not cover this building"),
            ));
        };
        if m.unit.is_some_and(|u| u < 1 || u > *units) {
            return Err(AppError::bad_input(
                "input.members",
                msg!("the building has no such unit"),
            ));
        }
    }
    micro_grid_building::Entity::delete_many()
        .filter(micro_grid_building::Column::CommunityId.eq(micro.community_id))
        .filter(micro_grid_building::Column::MicroGridId.eq(micro.id))
        .exec(conn)
        .await?;
    micro_grid_building::Entity::insert_many(members.into_iter().map(|m| {
        micro_grid_building::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(micro.community_id),
            micro_grid_id: Set(micro.id),
            building_id: Set(m.building_id),
            unit: Set(m.unit),
        }
    }))
    .exec(conn)
    .await?;
    Ok(())
}
