//! Batched lookups for care watch fields: a page of check-ins with who recorded them costs
//! a fixed number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{app_user, care_device};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A staff member's or grid worker's work name (who recorded a check-in, set a watch).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UserName(pub Uuid);

/// A device's label (which device checked in).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DeviceLabel(pub Uuid);

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
        Ok(rows
            .into_iter()
            .map(|(id, n)| (DeviceLabel(id), n))
            .collect())
    }
}
