//! How an account is shown: its building and dwelling with the holder's masked name (3号楼
//! 王**), never a full name or phone. Labels of a whole page cost one statement.

use std::collections::HashMap;

use entity::{building, dwelling, household, points_account, resident};
use sea_orm::{
    ColumnTrait, ConnectionTrait,
    sea_query::{Expr, ExprTrait, Order, Query},
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
    // Each home with its building and dwelling, and the people to name: the residents
    // named by accounts and the heads of the households named by accounts.
    let named_homes = Query::select()
        .column(resident::Column::HouseholdId)
        .from(resident::Entity)
        .and_where(resident::Column::Id.is_in(residents.iter().copied()))
        .to_owned();
    let person = Expr::col((resident::Entity, resident::Column::Id))
        .is_in(residents.iter().copied())
        .or(Expr::col((resident::Entity, resident::Column::Relation))
            .eq("head")
            .and(Expr::col((resident::Entity, resident::Column::ArchivedAt)).is_null())
            .and(
                Expr::col((resident::Entity, resident::Column::HouseholdId))
                    .is_in(households.iter().copied()),
            ));
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
        .expr_as(
            Expr::col((resident::Entity, resident::Column::Id)),
            "resident_id",
        )
        .expr_as(
            Expr::col((resident::Entity, resident::Column::Name)),
            "name",
        )
        .expr_as(
            Expr::col((resident::Entity, resident::Column::Relation)),
            "relation",
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
        .left_join(
            resident::Entity,
            Expr::col((resident::Entity, resident::Column::HouseholdId))
                .equals((household::Entity, household::Column::Id))
                .and(person),
        )
        .and_where(
            Expr::col((household::Entity, household::Column::Id))
                .is_in(households.iter().copied())
                .or(Expr::col((household::Entity, household::Column::Id)).in_subquery(named_homes)),
        )
        .order_by((resident::Entity, resident::Column::Id), Order::Asc)
        .to_owned();
    let mut places: HashMap<Uuid, (String, String)> = HashMap::new();
    let mut by_id: HashMap<Uuid, (Uuid, String)> = HashMap::new();
    let mut heads: HashMap<Uuid, String> = HashMap::new();
    for row in conn.query_all(&query).await? {
        let household: Uuid = row.try_get("", "household_id")?;
        let number: String = row.try_get("", "number")?;
        let unit: i32 = row.try_get("", "unit")?;
        let room: String = row.try_get("", "room")?;
        places.entry(household).or_insert_with(|| {
            (
                building_label(&number).into_owned(),
                dwelling_label(&number, unit, &room),
            )
        });
        let resident: Option<Uuid> = row.try_get("", "resident_id")?;
        let name: Option<String> = row.try_get("", "name")?;
        let relation: Option<String> = row.try_get("", "relation")?;
        if let (Some(resident), Some(name)) = (resident, name) {
            if relation.as_deref() == Some("head") {
                heads.entry(household).or_insert_with(|| name.clone());
            }
            by_id.insert(resident, (household, name));
        }
    }
    let mut labels = HashMap::new();
    for account in accounts {
        let (home, name) = match (account.resident_id, account.household_id) {
            (Some(r), _) => match by_id.get(&r) {
                Some((h, name)) => (Some(*h), Some(name)),
                None => (None, None),
            },
            (None, Some(h)) => (Some(h), heads.get(&h)),
            (None, None) => (None, None),
        };
        let home = home.and_then(|h| places.get(&h));
        labels.insert(
            account.id,
            Label {
                building: home.map(|h| h.0.clone()).unwrap_or_default(),
                dwelling: home.map(|h| h.1.clone()).unwrap_or_default(),
                masked_name: name.map(|n| mask_name(n)).unwrap_or_default(),
            },
        );
    }
    Ok(labels)
}
