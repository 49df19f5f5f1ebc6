//! Batched lookups for households and residents: a page of residents with their households,
//! dwellings and buildings costs a fixed number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{dwelling, household, resident};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::loaders::{BuildingById, prime_buildings};
use crate::{
    error::AppError,
    graphql::loader::{DbLoader, loader, selects},
};

/// A household by id (callers reach it through a resident they could already read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct HouseholdById(pub Uuid);

/// The current members of a household, oldest record first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MembersOf(pub Uuid);

/// A dwelling by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DwellingById(pub Uuid);

impl Loader<HouseholdById> for DbLoader {
    type Value = household::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[HouseholdById],
    ) -> Result<HashMap<HouseholdById, Self::Value>, Self::Error> {
        let rows = household::Entity::find()
            .filter(household::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|r| (HouseholdById(r.id), r)).collect())
    }
}

impl Loader<MembersOf> for DbLoader {
    type Value = Vec<resident::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MembersOf],
    ) -> Result<HashMap<MembersOf, Self::Value>, Self::Error> {
        let rows = resident::Entity::find()
            .filter(resident::Column::HouseholdId.is_in(keys.iter().map(|k| k.0)))
            .filter(resident::Column::ArchivedAt.is_null())
            .order_by_asc(resident::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<MembersOf, Vec<resident::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(MembersOf(row.household_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

impl Loader<DwellingById> for DbLoader {
    type Value = dwelling::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DwellingById],
    ) -> Result<HashMap<DwellingById, Self::Value>, Self::Error> {
        let rows = dwelling::Entity::find()
            .filter(dwelling::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|r| (DwellingById(r.id), r)).collect())
    }
}

fn path_with<'a>(path: &[&'a str], field: &'a str) -> Vec<&'a str> {
    let mut full = path.to_vec();
    full.push(field);
    full
}

/// Loads, one batch per level, what the query asks of a set of households at `path`: their
/// members, dwellings, and the dwellings' buildings (with compound and grid).
pub async fn prime_households(
    ctx: &async_graphql::Context<'_>,
    path: &[&str],
    households: impl Iterator<Item = &household::Model>,
) -> async_graphql::Result<()> {
    let households: Vec<&household::Model> = households.collect();
    if selects(ctx, &path_with(path, "members")) || selects(ctx, &path_with(path, "head")) {
        let mut keys: Vec<MembersOf> = households.iter().map(|h| MembersOf(h.id)).collect();
        keys.sort_by_key(|k| k.0);
        keys.dedup();
        loader(ctx).load_many(keys).await?;
    }
    let dwelling_path = path_with(path, "dwelling");
    if !selects(ctx, &dwelling_path) {
        return Ok(());
    }
    let mut keys: Vec<DwellingById> = households
        .iter()
        .map(|h| DwellingById(h.dwelling_id))
        .collect();
    keys.sort_by_key(|k| k.0);
    keys.dedup();
    let dwellings = loader(ctx).load_many(keys).await?;
    let building_path = path_with(&dwelling_path, "building");
    if !selects(ctx, &building_path) {
        return Ok(());
    }
    let mut keys: Vec<BuildingById> = dwellings
        .values()
        .map(|d| BuildingById(d.building_id))
        .collect();
    keys.sort_by_key(|k| k.0);
    keys.dedup();
    let buildings = loader(ctx).load_many(keys).await?;
    prime_buildings(ctx, &building_path, buildings.values()).await
}

/// The same for a set of residents at `path`: their households and below.
pub async fn prime_residents(
    ctx: &async_graphql::Context<'_>,
    path: &[&str],
    residents: impl Iterator<Item = &resident::Model>,
) -> async_graphql::Result<()> {
    let household_path = path_with(path, "household");
    if !selects(ctx, &household_path) {
        return Ok(());
    }
    let mut keys: Vec<HouseholdById> = residents.map(|r| HouseholdById(r.household_id)).collect();
    keys.sort_by_key(|k| k.0);
    keys.dedup();
    let households = loader(ctx).load_many(keys).await?;
    prime_households(ctx, &household_path, households.values()).await
}
