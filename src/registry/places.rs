//! Compounds (小区) and buildings (楼栋): who may create, edit and archive them, and the
//! scoped lookups every resolver uses.

use chrono::Utc;
use entity::{building, compound, dwelling};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, Query},
};
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, Msg, msg, on_unique_violation},
    graphql::clean_name,
    tenancy::{place_for, visible_building, visible_compound},
};

pub(super) async fn registry_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community_id: Uuid,
) -> AppResult<Place> {
    let refusal = msg!("only the community's admins and staff keep its registry");
    place_for(
        conn,
        viewer,
        community_id,
        Capability::ManageRegistry,
        refusal,
    )
    .await
}

pub struct CompoundFields {
    pub name: Option<String>,
    pub address: Option<String>,
    pub has_property_company: Option<bool>,
}

const COMPOUND_NAME_TAKEN: Msg = msg!("this community has a compound with this name");
const BUILDING_NUMBER_TAKEN: Msg = msg!("this compound has a building with this number");

pub async fn create_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community_id: Uuid,
    fields: CompoundFields,
) -> AppResult<Audited<compound::Model>> {
    let place = registry_place(conn, viewer, community_id).await?;
    let name = fields.name.unwrap_or_default();
    let compound = compound::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community_id),
        name: Set(clean_name("input.name", &name, 100)?),
        address: Set(fields
            .address
            .map(|a| a.trim().to_owned())
            .unwrap_or_default()),
        has_property_company: Set(fields.has_property_company.unwrap_or(false)),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, COMPOUND_NAME_TAKEN))?;
    Ok(Audited::new(compound.clone(), place, compound.id))
}

/// Edits a compound's fields; archived compounds are read-only.
pub async fn update_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    fields: CompoundFields,
) -> AppResult<Audited<compound::Model>> {
    let compound = visible_compound(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, compound.community_id).await?;
    if compound.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the compound is archived")));
    }
    let mut update: compound::ActiveModel = compound.into();
    if let Some(name) = fields.name {
        update.name = Set(clean_name("input.name", &name, 100)?);
    }
    if let Some(address) = fields.address {
        update.address = Set(address.trim().to_owned());
    }
    if let Some(has) = fields.has_property_company {
        update.has_property_company = Set(has);
    }
    let compound = update
        .update(conn)
        .await
        .map_err(|e| on_unique_violation(e, COMPOUND_NAME_TAKEN))?;
    Ok(Audited::new(compound.clone(), place, compound.id))
}

/// Archives a compound with its buildings and dwellings (nothing in the registry is
/// deleted).
pub async fn archive_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<compound::Model>> {
    let compound = visible_compound(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, compound.community_id).await?;
    if compound.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the compound is already archived")));
    }
    let now = Utc::now();
    let buildings = Query::select()
        .column(building::Column::Id)
        .from(building::Entity)
        .and_where(building::Column::CompoundId.eq(compound.id))
        .to_owned();
    dwelling::Entity::update_many()
        .col_expr(dwelling::Column::ArchivedAt, Expr::value(now))
        .filter(dwelling::Column::CommunityId.eq(compound.community_id))
        .filter(dwelling::Column::BuildingId.in_subquery(buildings))
        .filter(dwelling::Column::ArchivedAt.is_null())
        .exec(conn)
        .await?;
    building::Entity::update_many()
        .col_expr(building::Column::ArchivedAt, Expr::value(now))
        .filter(building::Column::CommunityId.eq(compound.community_id))
        .filter(building::Column::CompoundId.eq(compound.id))
        .filter(building::Column::ArchivedAt.is_null())
        .exec(conn)
        .await?;
    let mut update: compound::ActiveModel = compound.into();
    update.archived_at = Set(Some(now));
    let compound = update.update(conn).await?;
    Ok(Audited::new(compound.clone(), place, compound.id))
}

pub struct BuildingFields {
    pub number: Option<String>,
    pub units: Option<i32>,
    pub floors: Option<i32>,
}

fn check_counts(units: i32, floors: i32) -> AppResult<()> {
    if !(1..=50).contains(&units) {
        return Err(AppError::bad_input(
            "input.units",
            msg!("a building has 1 to 50 units"),
        ));
    }
    if !(1..=200).contains(&floors) {
        return Err(AppError::bad_input(
            "input.floors",
            msg!("a building has 1 to 200 floors"),
        ));
    }
    Ok(())
}

pub async fn create_building(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound_id: Uuid,
    fields: BuildingFields,
) -> AppResult<Audited<building::Model>> {
    let compound = visible_compound(conn, viewer, compound_id).await?;
    let place = registry_place(conn, viewer, compound.community_id).await?;
    if compound.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the compound is archived")));
    }
    let (units, floors) = (fields.units.unwrap_or(1), fields.floors.unwrap_or(1));
    check_counts(units, floors)?;
    let building = building::ActiveModel {
        id: Set(Uuid::now_v7()),
        // The community comes from the compound, never from input.
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        number: Set(clean_name(
            "input.number",
            &fields.number.unwrap_or_default(),
            20,
        )?),
        units: Set(units),
        floors: Set(floors),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, BUILDING_NUMBER_TAKEN))?;
    Ok(Audited::new(building.clone(), place, building.id))
}

pub async fn update_building(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    fields: BuildingFields,
) -> AppResult<Audited<building::Model>> {
    let building = visible_building(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, building.community_id).await?;
    if building.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the building is archived")));
    }
    check_counts(
        fields.units.unwrap_or(building.units),
        fields.floors.unwrap_or(building.floors),
    )?;
    let mut update: building::ActiveModel = building.into();
    if let Some(number) = fields.number {
        update.number = Set(clean_name("input.number", &number, 20)?);
    }
    if let Some(units) = fields.units {
        update.units = Set(units);
    }
    if let Some(floors) = fields.floors {
        update.floors = Set(floors);
    }
    let building = update
        .update(conn)
        .await
        .map_err(|e| on_unique_violation(e, BUILDING_NUMBER_TAKEN))?;
    Ok(Audited::new(building.clone(), place, building.id))
}

pub async fn archive_building(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<building::Model>> {
    let building = visible_building(conn, viewer, id).await?;
    let place = registry_place(conn, viewer, building.community_id).await?;
    if building.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the building is already archived")));
    }
    let now = Utc::now();
    dwelling::Entity::update_many()
        .col_expr(dwelling::Column::ArchivedAt, Expr::value(now))
        .filter(dwelling::Column::CommunityId.eq(building.community_id))
        .filter(dwelling::Column::BuildingId.eq(building.id))
        .filter(dwelling::Column::ArchivedAt.is_null())
        .exec(conn)
        .await?;
    let mut update: building::ActiveModel = building.into();
    update.archived_at = Set(Some(now));
    let building = update.update(conn).await?;
    Ok(Audited::new(building.clone(), place, building.id))
}
