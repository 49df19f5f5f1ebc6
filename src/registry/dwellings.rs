//! Dwellings (房屋): unit and room of a building, with the registered floor area.

use chrono::Utc;
use entity::{building, dwelling};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use super::places::registry_place;
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, Msg, msg, on_unique_violation},
    graphql::clean_name,
    tenancy::{visible_building, visible_dwelling},
};

const DWELLING_TAKEN: Msg = msg!("this building has a dwelling with this unit and room");
/// 100,000 m²: far above any dwelling, low enough to catch a misplaced decimal point.
const MAX_AREA_HUNDREDTHS: i64 = 10_000_000;

pub struct DwellingFields {
    pub unit: Option<i32>,
    pub room: Option<String>,
    /// `Some(None)` clears the area.
    pub floor_area: Option<Option<i64>>,
}

fn check(building: &building::Model, unit: i32, area: Option<i64>) -> AppResult<()> {
    if !(1..=building.units).contains(&unit) {
        return Err(AppError::bad_input(
            "input.unit",
            msg!(
                "building {number} has units 1 to {units}",
                number = &building.number,
                units = building.units
            ),
        ));
    }
    if area.is_some_and(|a| a <= 0 || a > MAX_AREA_HUNDREDTHS) {
        return Err(AppError::bad_input(
            "input.floorArea",
            msg!("a floor area is above 0 and at most 100000.00 m²"),
        ));
    }
    Ok(())
}

pub async fn create_dwelling(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    building_id: Uuid,
    fields: DwellingFields,
) -> AppResult<Audited<dwelling::Model>> {
    let building = visible_building(conn, viewer, building_id).await?;
    let place = registry_place(conn, viewer, building.community_id).await?;
    if building.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the building is archived")));
    }
    let unit = fields.unit.unwrap_or(1);
    let area = fields.floor_area.flatten();
    check(&building, unit, area)?;
    let dwelling = dwelling::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(building.community_id),
        building_id: Set(building.id),
        unit: Set(unit),
        room: Set(clean_name(
            "input.room",
            &fields.room.unwrap_or_default(),
            10,
        )?),
        floor_area_hundredths: Set(area),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, DWELLING_TAKEN))?;
    Ok(Audited::new(dwelling.clone(), place, dwelling.id))
}

pub async fn update_dwelling(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    fields: DwellingFields,
) -> AppResult<Audited<dwelling::Model>> {
    let dwelling = visible_dwelling(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, dwelling.community_id).await?;
    if dwelling.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the dwelling is archived")));
    }
    let building = building::Entity::find_by_id(dwelling.building_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("building not found")))?;
    let area = fields.floor_area.unwrap_or(dwelling.floor_area_hundredths);
    check(&building, fields.unit.unwrap_or(dwelling.unit), area)?;
    let mut update: dwelling::ActiveModel = dwelling.into();
    if let Some(unit) = fields.unit {
        update.unit = Set(unit);
    }
    if let Some(room) = fields.room {
        update.room = Set(clean_name("input.room", &room, 10)?);
    }
    update.floor_area_hundredths = Set(area);
    let dwelling = update
        .update(conn)
        .await
        .map_err(|e| on_unique_violation(e, DWELLING_TAKEN))?;
    Ok(Audited::new(dwelling.clone(), place, dwelling.id))
}

pub async fn archive_dwelling(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<dwelling::Model>> {
    let dwelling = visible_dwelling(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, dwelling.community_id).await?;
    if dwelling.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the dwelling is already archived")));
    }
    let mut update: dwelling::ActiveModel = dwelling.into();
    update.archived_at = Set(Some(Utc::now()));
    let dwelling = update.update(conn).await?;
    Ok(Audited::new(dwelling.clone(), place, dwelling.id))
}
