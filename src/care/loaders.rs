//! Batched lookups for care watch fields: a page of households with their watches and
//! devices, or of check-ins with who recorded them, costs a fixed number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{app_user, care_device, care_watch};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A household's watch in force (keys come from households the caller could read).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WatchOf(pub Uuid);

/// A household's devices, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DevicesOf(pub Uuid);

/// A staff member's or grid worker's work name (who recorded a check-in, set a watch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserName(pub Uuid);

/// A device's label (which device checked in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeviceLabel(pub Uuid);

impl Loader<WatchOf> for DbLoader {
    type Value = care_watch::Model;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[WatchOf]) -> Result<HashMap<WatchOf, Self::Value>, Self::Error> {
        let rows = care_watch::Entity::find()
            .filter(care_watch::Column::HouseholdId.is_in(keys.iter().map(|k| k.0)))
            .filter(care_watch::Column::EndedAt.is_null())
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|w| (WatchOf(w.household_id), w)).collect())
    }
}

impl Loader<DevicesOf> for DbLoader {
    type Value = Vec<care_device::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DevicesOf],
    ) -> Result<HashMap<DevicesOf, Self::Value>, Self::Error> {
        let rows = care_device::Entity::find()
            .filter(care_device::Column::HouseholdId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(care_device::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut by: HashMap<DevicesOf, Self::Value> = HashMap::new();
        for d in rows {
            by.entry(DevicesOf(d.household_id)).or_default().push(d);
        }
        Ok(by)
    }
}

impl Loader<UserName> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[UserName]) -> Result<HashMap<UserName, Self::Value>, Self::Error> {
        let rows: Vec<(Uuid, String)> = app_user::Entity::find()
            .select_only()
            .column(app_user::Column::Id)
            .column(app_user::Column::DisplayName)
            .filter(app_user::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|(id, n)| (UserName(id), n)).collect())
    }
}

impl Loader<DeviceLabel> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DeviceLabel],
    ) -> Result<HashMap<DeviceLabel, Self::Value>, Self::Error> {
        let rows: Vec<(Uuid, String)> = care_device::Entity::find()
            .select_only()
            .column(care_device::Column::Id)
            .column(care_device::Column::Label)
            .filter(care_device::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|(id, n)| (DeviceLabel(id), n)).collect())
    }
}
