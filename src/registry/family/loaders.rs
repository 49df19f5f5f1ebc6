//! Batched lookups of family contacts: a page of residents with their contacts costs one
//! statement more, whatever the page size.

use std::collections::HashMap;

use async_graphql::{Context, Result, dataloader::Loader};
use entity::family_contact;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    access::reads_all,
    types::{FamilyContact, contact_view},
};
use crate::{
    error::{AppError, AppResult},
    graphql::{
        ContextExt,
        loader::{DbLoader, loader},
    },
    registry::access::ResidentAccess,
};

/// The current family contacts of a resident, oldest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ContactsOf(pub Uuid);

impl Loader<ContactsOf> for DbLoader {
    type Value = Vec<family_contact::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ContactsOf],
    ) -> Result<HashMap<ContactsOf, Self::Value>, Self::Error> {
        let rows = family_contact::Entity::find()
            .filter(family_contact::Column::ResidentId.is_in(keys.iter().map(|k| k.0)))
            .filter(family_contact::Column::EndedAt.is_null())
            .order_by_asc(family_contact::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<ContactsOf, Vec<family_contact::Model>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(ContactsOf(row.resident_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

/// `resident.familyContacts`: the resident was read through a reach check (the parent's
/// check covers this child). Staff, the grid's worker and the household see every
/// contact; a family contact sees only their own row.
pub async fn contacts_of_resident(
    ctx: &Context<'_>,
    resident: Uuid,
    household: Uuid,
) -> Result<Vec<FamilyContact>> {
    let viewer = ctx.viewer()?;
    let all = reads_all(&ResidentAccess::of(viewer), household);
    let rows = loader(ctx)
        .load_one(ContactsOf(resident))
        .await?
        .unwrap_or_default();
    Ok(rows
        .into_iter()
        .filter(|c| all || c.user_id == Some(viewer.user_id))
        .map(|c| contact_view(ctx, c))
        .collect::<AppResult<_>>()?)
}
