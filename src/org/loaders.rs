//! Batched lookups of street offices and communities.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{community, street_office};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A street office by id (callers check reach before following the link).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StreetOfficeById(pub Uuid);

/// The communities of a street office, by name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommunitiesOf(pub Uuid);

/// A community by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CommunityById(pub Uuid);

impl Loader<StreetOfficeById> for DbLoader {
    type Value = street_office::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[StreetOfficeById],
    ) -> Result<HashMap<StreetOfficeById, Self::Value>, Self::Error> {
        let rows = street_office::Entity::find()
            .filter(street_office::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows
            .into_iter()
            .map(|r| (StreetOfficeById(r.id), r))
            .collect())
    }
}

impl Loader<CommunityById> for DbLoader {
    type Value = community::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CommunityById],
    ) -> Result<HashMap<CommunityById, Self::Value>, Self::Error> {
        let rows = community::Entity::find()
            .filter(community::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|r| (CommunityById(r.id), r)).collect())
    }
}

impl Loader<CommunitiesOf> for DbLoader {
    type Value = Vec<community::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CommunitiesOf],
    ) -> Result<HashMap<CommunitiesOf, Self::Value>, Self::Error> {
        let rows = community::Entity::find()
            .filter(community::Column::StreetOfficeId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(community::Column::Name)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<CommunitiesOf, Vec<community::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(CommunitiesOf(row.street_office_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}
