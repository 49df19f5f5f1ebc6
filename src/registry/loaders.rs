//! Batched lookups of compounds and buildings.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{building, compound};
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
