//! How an account is shown: its building and dwelling with the holder's masked name (3号楼
//! 王**), never a full name or phone. Labels of a whole page cost two statements.

use std::collections::HashMap;

use entity::{building, dwelling, household, points_account, resident};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    error::AppResult,
    registry::labels::{building as building_label, dwelling as dwelling_label, mask_name},
};

#[derive(Clone, Debug, Default)]
pub struct Label {
    /// 3号楼
    pub building: String,
    /// 3号楼1单元101
    pub dwelling: String,
    /// The holder (a resident, or a household's head), masked: 王**.
    pub masked_name: String,
}

/// Labels of accounts, by account id.
pub async fn labels_of(
    conn: &impl ConnectionTrait,
    accounts: &[&points_account::Model],
) -> AppResult<HashMap<Uuid, Label>> {
    if accounts.is_empty() {
        return Ok(HashMap::new());
    }
    let residents: Vec<Uuid> = accounts.iter().filter_map(|a| a.resident_id).collect();
    let households: Vec<Uuid> = accounts.iter().filter_map(|a| a.household_id).collect();
    // The named residents, and the heads of the named households.
    let people = resident::Entity::find()
        .filter(
            Condition::any()
                .add(resident::Column::Id.is_in(residents))
                .add(
                    Condition::all()
                        .add(resident::Column::HouseholdId.is_in(households.iter().copied()))
                        .add(resident::Column::Relation.eq("head"))
                        .add(resident::Column::ArchivedAt.is_null()),
                ),
        )
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?;
    let by_id: HashMap<Uuid, &resident::Model> = people.iter().map(|r| (r.id, r)).collect();
    let mut heads: HashMap<Uuid, &resident::Model> = HashMap::new();
    for r in &people {
        heads.entry(r.household_id).or_insert(r);
    }
    let mut homes: Vec<Uuid> = households;
    homes.extend(people.iter().map(|r| r.household_id));
    homes.sort();
    homes.dedup();
    let query = Query::select()
        .expr_as(
            Expr::col((household::Entity, household::Column::Id)),
            "household_id",
        )
        .expr_as(
            Expr::col((building::Entity, building::Column::Number)),
            "number",
        )
        .expr_as(
            Expr::col((dwelling::Entity, dwelling::Column::Unit)),
            "unit",
        )
        .expr_as(
            Expr::col((dwelling::Entity, dwelling::Column::Room)),
            "room",
        )
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .inner_join(
            building::Entity,
            Expr::col((building::Entity, building::Column::Id))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
        .and_where(Expr::col((household::Entity, household::Column::Id)).is_in(homes))
        .to_owned();
    let mut places: HashMap<Uuid, (String, String)> = HashMap::new();
    for row in conn.query_all(&query).await? {
        let household: Uuid = row.try_get("", "household_id")?;
        let number: String = row.try_get("", "number")?;
        let unit: i32 = row.try_get("", "unit")?;
        let room: String = row.try_get("", "room")?;
        places.insert(
            household,
            (
                building_label(&number).into_owned(),
                dwelling_label(&number, unit, &room),
            ),
        );
    }
    let mut labels = HashMap::new();
    for account in accounts {
        let person = match (account.resident_id, account.household_id) {
            (Some(r), _) => by_id.get(&r).copied(),
            (None, Some(h)) => heads.get(&h).copied(),
            (None, None) => None,
        };
        let home = account
            .household_id
            .or(person.map(|p| p.household_id))
            .and_then(|h| places.get(&h));
        labels.insert(
            account.id,
            Label {
                building: home.map(|h| h.0.clone()).unwrap_or_default(),
                dwelling: home.map(|h| h.1.clone()).unwrap_or_default(),
                masked_name: person.map(|p| mask_name(&p.name)).unwrap_or_default(),
            },
        );
    }
    Ok(labels)
}
