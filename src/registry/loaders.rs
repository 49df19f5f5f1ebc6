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
    type Value = grid::Model;
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
        Ok(rows
            .into_iter()
            .filter_map(|(link, grid)| grid.map(|g| (GridOfBuilding(link.building_id), g)))
            .collect())
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
