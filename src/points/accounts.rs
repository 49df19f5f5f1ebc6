//! Points accounts and their ledgers. Every append locks the account row first
//! (PostgreSQL `FOR UPDATE`; on SQLite the single writer already serialises), takes the
//! next `seq` from it and moves the head (seq, balance) in the same transaction: no gap, no
//! seq twice, never below zero, and the balance is always the account row's.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    building, dwelling, household, points_account, points_entry, points_rule, points_scheme,
    resident,
};
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TryIntoModel,
    sea_query::{Expr, ExprTrait, OnConflict, Query},
};
use uuid::Uuid;

use super::types::{PointsEntryKind, PointsUnit};
use crate::{
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
};

/// The unit a community counts: its scheme's, HOUSEHOLD until staff choose.
pub async fn unit_of(conn: &impl ConnectionTrait, community: Uuid) -> AppResult<PointsUnit> {
    let scheme = points_scheme::Entity::find()
        .filter(points_scheme::Column::CommunityId.eq(community))
        .one(conn)
        .await?;
    scheme.map_or(Ok(PointsUnit::Household), |s| {
        PointsUnit::from_stored(&s.unit)
    })
}

/// Whose account an entry goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    Household(Uuid),
    Resident(Uuid),
}

/// The account owner for an award to a household: the household itself, or, in a
/// community counting residents, its head (户主); `None` when it has no current head.
pub async fn owner_of_household(
    conn: &impl ConnectionTrait,
    unit: PointsUnit,
    household: Uuid,
) -> AppResult<Option<Owner>> {
    Ok(match unit {
        PointsUnit::Household => Some(Owner::Household(household)),
        PointsUnit::Resident => resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .filter(resident::Column::HouseholdId.eq(household))
            .filter(resident::Column::Relation.eq("head"))
            .filter(resident::Column::ArchivedAt.is_null())
            .order_by_asc(resident::Column::Id)
            .into_tuple::<Uuid>()
            .one(conn)
            .await?
            .map(Owner::Resident),
    })
}

/// The account owner for an award to a resident: the resident, or their household in a
/// community counting households.
pub fn owner_of_resident(unit: PointsUnit, resident: &resident::Model) -> Owner {
    match unit {
        PointsUnit::Household => Owner::Household(resident.household_id),
        PointsUnit::Resident => Owner::Resident(resident.id),
    }
}

fn owned_by(owner: Owner) -> sea_orm::Condition {
    sea_orm::Condition::all().add(match owner {
        Owner::Household(h) => points_account::Column::HouseholdId.eq(h),
        Owner::Resident(r) => points_account::Column::ResidentId.eq(r),
    })
}

/// The owner's account, if opened.
pub async fn find_account(
    conn: &impl ConnectionTrait,
    owner: Owner,
) -> AppResult<Option<points_account::Model>> {
    Ok(points_account::Entity::find()
        .filter(owned_by(owner))
        .one(conn)
        .await?)
}

/// The owner's account, locked for this transaction; `None` if never opened.
pub async fn lock_account(
    conn: &impl ConnectionTrait,
    owner: Owner,
) -> AppResult<Option<points_account::Model>> {
    Ok(points_account::Entity::find()
        .filter(owned_by(owner))
        .lock_exclusive()
        .one(conn)
        .await?)
}

/// The owner's account, opened if it was not (a concurrent opening of the same account
/// leaves one row), and locked for this transaction. `household` is where the owner
/// lives: its compound is where the account ranks.
pub async fn open_account(
    conn: &impl ConnectionTrait,
    community: Uuid,
    owner: Owner,
    household: Uuid,
) -> AppResult<points_account::Model> {
    if let Some(account) = lock_account(conn, owner).await? {
        return Ok(account);
    }
    let query = Query::select()
        .expr_as(
            Expr::col((building::Entity, building::Column::CompoundId)),
            "compound_id",
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
        .and_where(Expr::col((household::Entity, household::Column::Id)).eq(household))
        .to_owned();
    let compound: Uuid = conn
        .query_one(&query)
        .await?
        .ok_or(AppError::NotFound(msg!("household not found")))?
        .try_get("", "compound_id")?;
    let (household_id, resident_id, conflict) = match owner {
        Owner::Household(h) => (Some(h), None, points_account::Column::HouseholdId),
        Owner::Resident(r) => (None, Some(r), points_account::Column::ResidentId),
    };
    points_account::Entity::insert(points_account::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        household_id: Set(household_id),
        resident_id: Set(resident_id),
        compound_id: Set(compound),
        head_seq: Set(0),
        balance: Set(0),
        ranking_opt_in: Set(false),
        created_at: Set(Utc::now()),
    })
    .on_conflict(
        OnConflict::columns([conflict, points_account::Column::CommunityId])
            .do_nothing()
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    lock_account(conn, owner)
        .await?
        .ok_or(AppError::NotFound(msg!("points account not found")))
}

/// An entry to append; `seq` and the balance come from the account's head.
pub struct NewEntry {
    /// Chosen by the caller, so that an idempotent answer naming it can be kept first.
    pub id: Uuid,
    pub kind: PointsEntryKind,
    pub points: i64,
    pub rule_id: Option<Uuid>,
    pub quantity: Option<i64>,
    pub reward_id: Option<Uuid>,
    pub reward_quantity: Option<i64>,
    pub reverses_entry_id: Option<Uuid>,
    pub source_key: Option<String>,
    pub batch_id: Option<Uuid>,
    pub memo: String,
    pub day: NaiveDate,
    pub occurred_at: DateTime<Utc>,
    pub recorded_by: Option<Uuid>,
}

impl NewEntry {
    /// An award of `points` under `rule`, on the day `occurred_at` falls on.
    pub fn award(rule: &points_rule::Model, points: i64, quantity: i64) -> Self {
        let now = Utc::now();
        Self {
            id: Uuid::now_v7(),
            kind: PointsEntryKind::Award,
            points,
            rule_id: Some(rule.id),
            quantity: Some(quantity),
            reward_id: None,
            reward_quantity: None,
            reverses_entry_id: None,
            source_key: None,
            batch_id: None,
            memo: String::new(),
            day: crate::calendar::day_of(now),
            occurred_at: now,
            recorded_by: None,
        }
    }
}

/// Appends to an account locked in this transaction, in two statements (the entry, the
/// head). A balance that would go below zero is CONFLICT.
pub async fn append(
    conn: &impl ConnectionTrait,
    account: &points_account::Model,
    new: NewEntry,
) -> AppResult<points_entry::Model> {
    let balance = account
        .balance
        .checked_add(new.points)
        .ok_or_else(|| AppError::bad_input("input.quantity", msg!("too many points")))?;
    if balance < 0 {
        return Err(AppError::Conflict(msg!(
            "the account holds {balance} points; this would take it below zero",
            balance = account.balance
        )));
    }
    let seq = account.head_seq + 1;
    let entry = points_entry::ActiveModel {
        id: Set(new.id),
        community_id: Set(account.community_id),
        account_id: Set(account.id),
        seq: Set(seq),
        kind: Set(new.kind.stored().to_owned()),
        points: Set(new.points),
        balance_after: Set(balance),
        rule_id: Set(new.rule_id),
        quantity: Set(new.quantity),
        reward_id: Set(new.reward_id),
        reward_quantity: Set(new.reward_quantity),
        reverses_entry_id: Set(new.reverses_entry_id),
        source_key: Set(new.source_key),
        batch_id: Set(new.batch_id),
        memo: Set(new.memo),
        day: Set(new.day),
        occurred_at: Set(new.occurred_at),
        recorded_at: Set(Utc::now()),
        recorded_by: Set(new.recorded_by),
    };
    let model = entry.clone().try_into_model()?;
    points_entry::Entity::insert(entry)
        .exec_without_returning(conn)
        .await
        .map_err(|e| {
            crate::error::on_unique_violation(e, msg!("that entry has already been reversed"))
        })?;
    points_account::Entity::update_many()
        .col_expr(points_account::Column::HeadSeq, Expr::value(seq))
        .col_expr(points_account::Column::Balance, Expr::value(balance))
        .filter(points_account::Column::Id.eq(account.id))
        .exec(conn)
        .await?;
    Ok(model)
}

/// What a rule's caps still allow the account on `day` (its daily cap that day, its
/// monthly cap that calendar month, net of reversals); `None` when the rule has no cap.
/// One statement.
pub async fn cap_left(
    conn: &impl ConnectionTrait,
    account: Uuid,
    rule: &points_rule::Model,
    day: NaiveDate,
) -> AppResult<Option<i64>> {
    if rule.daily_cap.is_none() && rule.monthly_cap.is_none() {
        return Ok(None);
    }
    use chrono::Datelike;
    let first = day.with_day(1).unwrap_or(day);
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(day);
    // The month's entries of the rule for the account: a few dozen at most, summed here
    // (SUM of a BIGINT is NUMERIC on PostgreSQL).
    let rows: Vec<(NaiveDate, i64)> = points_entry::Entity::find()
        .select_only()
        .column(points_entry::Column::Day)
        .column(points_entry::Column::Points)
        .filter(points_entry::Column::AccountId.eq(account))
        .filter(points_entry::Column::RuleId.eq(rule.id))
        .filter(points_entry::Column::Day.gte(first))
        .filter(points_entry::Column::Day.lte(last))
        .into_tuple()
        .all(conn)
        .await?;
    let month: i64 = rows.iter().map(|(_, p)| p).sum();
    let today: i64 = rows.iter().filter(|(d, _)| *d == day).map(|(_, p)| p).sum();
    let daily = rule.daily_cap.map(|cap| cap - today);
    let monthly = rule.monthly_cap.map(|cap| cap - month);
    Ok([daily, monthly]
        .into_iter()
        .flatten()
        .min()
        .map(|l| Ord::max(l, 0)))
}
