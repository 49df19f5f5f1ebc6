//! Counterparties as the public sees them: a household by building and unit (3号楼2单元),
//! never the room; a person by surname (王**). Batched for ledgers and levies.

use std::collections::HashMap;

use async_graphql::{Result, dataloader::Loader};
use entity::{building, counterparty, dwelling, household};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader};

/// A counterparty as the public sees it: a household by building and unit (3号楼2单元), a
/// person by surname (王**).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CounterpartyLabel(pub Uuid);

pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 3))),
        None => String::new(),
    }
}

impl Loader<CounterpartyLabel> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CounterpartyLabel],
    ) -> Result<HashMap<CounterpartyLabel, String>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(counterparty_labels(self.db.reader(), &ids)
            .await?
            .into_iter()
            .map(|(id, label)| (CounterpartyLabel(id), label))
            .collect())
    }
}

/// Counterparties by id, as the public sees them.
pub async fn counterparty_labels(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    let parties = counterparty::Entity::find()
        .filter(counterparty::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let household_ids: Vec<Uuid> = parties.iter().filter_map(|p| p.household_id).collect();
    let households = household_labels(db, &household_ids).await?;
    Ok(parties
        .into_iter()
        .map(|p| {
            let label = match p.household_id {
                Some(h) => households.get(&h).cloned().unwrap_or_default(),
                None => p
                    .name
                    .as_deref()
                    .map(mask_name)
                    .unwrap_or_else(|| "(已删除)".into()),
            };
            (p.id, label)
        })
        .collect())
}

/// Households as public notices name them: building and unit (3号楼2单元), never the room.
pub async fn household_labels(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    let households = household::Entity::find()
        .filter(household::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let dwellings: HashMap<Uuid, dwelling::Model> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(households.iter().map(|h| h.dwelling_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let buildings: HashMap<Uuid, String> = building::Entity::find()
        .filter(building::Column::Id.is_in(dwellings.values().map(|d| d.building_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.number))
        .collect();
    Ok(households
        .into_iter()
        .filter_map(|h| {
            let d = dwellings.get(&h.dwelling_id)?;
            let number = buildings.get(&d.building_id)?;
            Some((h.id, crate::registry::labels::unit(number, d.unit)))
        })
        .collect())
}
