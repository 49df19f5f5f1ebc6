//! Counterparties as the public sees them: a household by building and unit (3号楼2单元),
//! never the room; a person by surname (王**). Batched for ledgers and levies.

use std::collections::HashMap;

use async_graphql::{Result, dataloader::Loader};
use entity::{building, counterparty, dwelling, household};
use sea_orm::{
    ConnectionTrait, QueryResult,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{error::AppError, graphql::loader::DbLoader, registry::labels::mask_name};

/// A counterparty as the public sees it: a household by building and unit (3号楼2单元), a
/// person by surname (王**).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CounterpartyLabel(pub Uuid);

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

/// Counterparties by id, as the public sees them: one statement, joined down to the
/// household's building and unit.
pub async fn counterparty_labels(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = with_unit(
        Query::select()
            .column((counterparty::Entity, counterparty::Column::Id))
            .column((counterparty::Entity, counterparty::Column::Name))
            .from(counterparty::Entity)
            .left_join(
                household::Entity,
                Expr::col((household::Entity, household::Column::Id))
                    .equals((counterparty::Entity, counterparty::Column::HouseholdId)),
            ),
    )
    .and_where(
        Expr::col((counterparty::Entity, counterparty::Column::Id)).is_in(ids.iter().copied()),
    )
    .to_owned();
    let mut labels = HashMap::new();
    for row in db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?
    {
        let id: Uuid = row.try_get("", "id")?;
        let label = match unit_of(&row)? {
            Some(unit) => unit,
            None => row
                .try_get::<Option<String>>("", "name")?
                .as_deref()
                .map(mask_name)
                .unwrap_or_else(|| "(已删除)".into()),
        };
        labels.insert(id, label);
    }
    Ok(labels)
}

/// Households as public notices name them: building and unit (3号楼2单元), never the room.
pub async fn household_labels(
    db: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = with_unit(
        Query::select()
            .column((household::Entity, household::Column::Id))
            .from(household::Entity),
    )
    .and_where(Expr::col((household::Entity, household::Column::Id)).is_in(ids.iter().copied()))
    .to_owned();
    let mut labels = HashMap::new();
    for row in db
        .query_all_raw(db.get_database_backend().build(&query))
        .await?
    {
        if let Some(unit) = unit_of(&row)? {
            labels.insert(row.try_get("", "id")?, unit);
        }
    }
    Ok(labels)
}

/// Joins a query that has `household` to the household's dwelling and building, selecting
/// the building's number and the unit.
fn with_unit(query: &mut SelectStatement) -> &mut SelectStatement {
    query
        .column((building::Entity, building::Column::Number))
        .column((dwelling::Entity, dwelling::Column::Unit))
        .left_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .left_join(
            building::Entity,
            Expr::col((building::Entity, building::Column::Id))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
}

fn unit_of(row: &QueryResult) -> Result<Option<String>, AppError> {
    let number: Option<String> = row.try_get("", "number")?;
    let unit: Option<i32> = row.try_get("", "unit")?;
    Ok(number
        .zip(unit)
        .map(|(number, unit)| crate::registry::labels::unit(&number, unit)))
}
