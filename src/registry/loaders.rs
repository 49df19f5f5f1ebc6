//! Batched lookups of compounds and buildings.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{app_user, building, compound, grid, grid_building, role_grant};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A compound by id (callers reach it through an object they could already see).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CompoundById(pub Uuid);

/// The buildings of a compound, archived ones included, by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildingsOf(pub Uuid);

impl Loader<CompoundById> for DbLoader {
    type Value = compound::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CompoundById],
    ) -> Result<HashMap<CompoundById, Self::Value>, Self::Error> {
        let rows = compound::Entity::find()
            .filter(compound::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|r| (CompoundById(r.id), r)).collect())
    }
}

impl Loader<BuildingsOf> for DbLoader {
    type Value = Vec<building::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BuildingsOf],
    ) -> Result<HashMap<BuildingsOf, Self::Value>, Self::Error> {
        let rows = building::Entity::find()
            .filter(building::Column::CompoundId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(building::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<BuildingsOf, Vec<building::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(BuildingsOf(row.compound_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

/// The buildings a grid covers now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildingsInGrid(pub Uuid);

/// The grid a building belongs to now, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GridOfBuilding(pub Uuid);

/// The people holding a grid_worker grant on a grid now: (user id, display name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WorkersOfGrid(pub Uuid);

impl Loader<BuildingsInGrid> for DbLoader {
    type Value = Vec<building::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BuildingsInGrid],
    ) -> Result<HashMap<BuildingsInGrid, Self::Value>, Self::Error> {
        let rows = grid_building::Entity::find()
            .filter(grid_building::Column::GridId.is_in(keys.iter().map(|k| k.0)))
            .find_also_related(building::Entity)
            .order_by_asc(grid_building::Column::BuildingId)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<BuildingsInGrid, Vec<building::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (link, building) in rows {
            if let Some(building) = building {
                grouped
                    .entry(BuildingsInGrid(link.grid_id))
                    .or_default()
                    .push(building);
            }
        }
        Ok(grouped)
    }
}

impl Loader<GridOfBuilding> for DbLoader {
    /// `None` is a real answer (no grid) and is cached like any other, so asking again
    /// for a building without a grid costs no statement.
    type Value = Option<grid::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[GridOfBuilding],
    ) -> Result<HashMap<GridOfBuilding, Self::Value>, Self::Error> {
        let rows = grid_building::Entity::find()
            .filter(grid_building::Column::BuildingId.is_in(keys.iter().map(|k| k.0)))
            .find_also_related(grid::Entity)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut found: HashMap<GridOfBuilding, Self::Value> =
            keys.iter().map(|k| (*k, None)).collect();
        for (link, grid) in rows {
            found.insert(GridOfBuilding(link.building_id), grid);
        }
        Ok(found)
    }
}

impl Loader<WorkersOfGrid> for DbLoader {
    type Value = Vec<(Uuid, String)>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[WorkersOfGrid],
    ) -> Result<HashMap<WorkersOfGrid, Self::Value>, Self::Error> {
        let now = chrono::Utc::now();
        let rows = role_grant::Entity::find()
            .filter(role_grant::Column::Role.eq(role_grant::Role::GridWorker))
            .filter(role_grant::Column::ScopeId.is_in(keys.iter().map(|k| k.0)))
            .filter(role_grant::Column::RevokedAt.is_null())
            .find_also_related(app_user::Entity)
            .order_by_asc(role_grant::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<WorkersOfGrid, Vec<(Uuid, String)>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (grant, user) in rows {
            let Some(user) = user.filter(|u| u.disabled_at.is_none()) else {
                continue;
            };
            if let (Some(grid), true) = (grant.scope_id, grant.is_active_at(now)) {
                grouped
                    .entry(WorkersOfGrid(grid))
                    .or_default()
                    .push((user.id, user.display_name));
            }
        }
        Ok(grouped)
    }
}

/// A building by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BuildingById(pub Uuid);

impl Loader<BuildingById> for DbLoader {
    type Value = building::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BuildingById],
    ) -> Result<HashMap<BuildingById, Self::Value>, Self::Error> {
        let rows = building::Entity::find()
            .filter(building::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|r| (BuildingById(r.id), r)).collect())
    }
}

/// Loads, in one batch per field, what the query asks of a set of buildings at `path`
/// (their compound and grid), so a page of N rows costs the same as a page of one.
pub async fn prime_buildings(
    ctx: &async_graphql::Context<'_>,
    path: &[&str],
    buildings: impl Iterator<Item = &building::Model>,
) -> async_graphql::Result<()> {
    use crate::graphql::loader::{loader, selects};
    let with = |field: &'static str| {
        let mut full = path.to_vec();
        full.push(field);
        selects(ctx, &full)
    };
    let (want_compound, want_grid) = (with("compound"), with("grid"));
    if !want_compound && !want_grid {
        return Ok(());
    }
    let mut compounds = Vec::new();
    let mut ids = Vec::new();
    for building in buildings {
        compounds.push(CompoundById(building.compound_id));
        ids.push(GridOfBuilding(building.id));
    }
    compounds.sort_by_key(|k| k.0);
    compounds.dedup();
    if want_compound {
        loader(ctx).load_many(compounds).await?;
    }
    if want_grid {
        loader(ctx).load_many(ids).await?;
    }
    Ok(())
}
