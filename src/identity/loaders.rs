//! Batched lookups for users' grants and the names of grant scopes.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{app_user, community, compound, grid, role_grant, street_office};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// The unrevoked grants of a user, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GrantsOf(pub Uuid);

/// The display name of a scope: a street office, community or grid (`None` for scopes
/// the registry does not hold yet; cached like a name).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ScopeName(pub Uuid);

impl Loader<GrantsOf> for DbLoader {
    type Value = Vec<role_grant::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[GrantsOf]) -> Result<HashMap<GrantsOf, Self::Value>, Self::Error> {
        let rows = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.is_in(keys.iter().map(|k| k.0)))
            .filter(role_grant::Column::RevokedAt.is_null())
            .order_by_asc(role_grant::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<GrantsOf, Vec<role_grant::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped.entry(GrantsOf(row.user_id)).or_default().push(row);
        }
        Ok(grouped)
    }
}

impl Loader<ScopeName> for DbLoader {
    type Value = Option<String>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ScopeName],
    ) -> Result<HashMap<ScopeName, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let offices: Vec<(Uuid, String)> = street_office::Entity::find()
            .select_only()
            .columns([street_office::Column::Id, street_office::Column::Name])
            .filter(street_office::Column::Id.is_in(ids.clone()))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let communities: Vec<(Uuid, String)> = community::Entity::find()
            .select_only()
            .columns([community::Column::Id, community::Column::Name])
            .filter(community::Column::Id.is_in(ids.clone()))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let grids: Vec<(Uuid, String)> = grid::Entity::find()
            .select_only()
            .columns([grid::Column::Id, grid::Column::Name])
            .filter(grid::Column::Id.is_in(ids.clone()))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let compounds: Vec<(Uuid, String)> = compound::Entity::find()
            .select_only()
            .columns([compound::Column::Id, compound::Column::Name])
            .filter(compound::Column::Id.is_in(ids))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut names: HashMap<ScopeName, Option<String>> =
            keys.iter().map(|k| (*k, None)).collect();
        for (id, name) in offices
            .into_iter()
            .chain(communities)
            .chain(grids)
            .chain(compounds)
        {
            names.insert(ScopeName(id), Some(name));
        }
        Ok(names)
    }
}

/// A staff member's display name and published work phone, for rosters that name the
/// people who work in a community (WeChat groups' staff and rotas).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct StaffName(pub Uuid);

impl Loader<StaffName> for DbLoader {
    type Value = (String, Option<String>);
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[StaffName],
    ) -> Result<HashMap<StaffName, Self::Value>, Self::Error> {
        let rows: Vec<(Uuid, String, Option<String>)> = app_user::Entity::find()
            .select_only()
            .columns([
                app_user::Column::Id,
                app_user::Column::DisplayName,
                app_user::Column::WorkPhone,
            ])
            .filter(app_user::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, phone)| (StaffName(id), (name, phone)))
            .collect())
    }
}
