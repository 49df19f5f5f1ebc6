//! What a community's points are made of, set by its staff: the scheme's unit and the
//! rules that earn points (the rewards they buy are in `rewards`). Rules and rewards are archived, never
//! deleted: entries keep pointing at them.

use chrono::Utc;
use entity::{points_account, points_entry, points_rule, points_scheme, reach::TenantEntity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    access::staff_place,
    types::{PointsTrigger, PointsUnit},
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
    graphql::{StoredEnum, clean_name},
    tenancy::Place,
};

/// The most points one unit of a rule earns, and a reward's highest price.
pub const MAX_POINTS: i64 = 1_000_000;

pub(super) fn refusal() -> Msg {
    msg!("only community staff manage points rules and rewards")
}

/// Sets the unit a community counts (`setPointsUnit`). Once an entry exists the unit
/// stays: moving balances between households and residents has no right answer. Accounts
/// opened without entries (by a ranking opt-in) are dropped with the old unit.
pub async fn set_unit(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    unit: PointsUnit,
) -> AppResult<Audited<points_scheme::Model>> {
    let place = staff_place(conn, viewer, community, refusal()).await?;
    let existing = points_scheme::Entity::find()
        .filter(points_scheme::Column::CommunityId.eq(community))
        .one(conn)
        .await?;
    let current = existing.as_ref().map_or(Ok(PointsUnit::Household), |s| {
        PointsUnit::from_stored(&s.unit)
    })?;
    if current != unit {
        let entry = points_entry::Entity::find()
            .filter(points_entry::Column::CommunityId.eq(community))
            .one(conn)
            .await?;
        if entry.is_some() {
            return Err(AppError::Conflict(msg!(
                "points have been awarded in this community; the unit can no longer change"
            )));
        }
        points_account::Entity::delete_many()
            .filter(points_account::Column::CommunityId.eq(community))
            .exec(conn)
            .await?;
    }
    let now = Utc::now();
    let scheme = match existing {
        Some(s) => {
            let mut s: points_scheme::ActiveModel = s.into();
            s.unit = Set(unit.stored().to_owned());
            s.updated_by = Set(viewer.user_id);
            s.updated_at = Set(now);
            s.update(conn).await?
        }
        None => {
            points_scheme::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(community),
                unit: Set(unit.stored().to_owned()),
                updated_by: Set(viewer.user_id),
                updated_at: Set(now),
            }
            .insert(conn)
            .await?
        }
    };
    Ok(Audited::new(scheme.clone(), place, scheme.id))
}

/// A rule's points and caps as staff give them.
pub struct RuleTerms {
    pub name: String,
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub monthly_cap: Option<i64>,
}

fn check_terms(terms: &RuleTerms) -> AppResult<String> {
    let name = clean_name("input.name", &terms.name, 100)?;
    if !(1..=MAX_POINTS).contains(&terms.points) {
        return Err(AppError::bad_input(
            "input.points",
            msg!("points are 1 to {max}", max = MAX_POINTS),
        ));
    }
    for (field, cap) in [
        ("input.dailyCap", terms.daily_cap),
        ("input.monthlyCap", terms.monthly_cap),
    ] {
        if cap.is_some_and(|c| !(1..=MAX_POINTS * 100).contains(&c)) {
            return Err(AppError::bad_input(
                field,
                msg!("a cap is at least 1 point"),
            ));
        }
    }
    if let (Some(d), Some(m)) = (terms.daily_cap, terms.monthly_cap)
        && m < d
    {
        return Err(AppError::bad_input(
            "input.monthlyCap",
            msg!("a monthly cap is at least the daily cap"),
        ));
    }
    Ok(name)
}

fn one_active() -> Msg {
    msg!("the community already has an active rule for this trigger; archive it first")
}

pub async fn create_rule(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    trigger: PointsTrigger,
    terms: RuleTerms,
) -> AppResult<Audited<points_rule::Model>> {
    let place = staff_place(conn, viewer, community, refusal()).await?;
    let name = check_terms(&terms)?;
    let active = trigger.exclusive().then(|| trigger.stored().to_owned());
    if let Some(active) = &active {
        let existing = points_rule::Entity::find()
            .filter(points_rule::Column::CommunityId.eq(community))
            .filter(points_rule::Column::ActiveTrigger.eq(active.as_str()))
            .one(conn)
            .await?;
        if existing.is_some() {
            return Err(AppError::Conflict(one_active()));
        }
    }
    let rule = points_rule::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        name: Set(name),
        trigger: Set(trigger.stored().to_owned()),
        points: Set(terms.points),
        daily_cap: Set(terms.daily_cap),
        monthly_cap: Set(terms.monthly_cap),
        active_trigger: Set(active),
        created_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await
    .map_err(|e| crate::error::on_unique_violation(e, one_active()))?;
    Ok(Audited::new(rule.clone(), place, rule.id))
}

/// A rule or reward row of a community in the caller's reach, with where it sits, if the
/// caller runs its points.
pub(super) async fn staff_row<E: TenantEntity>(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    not_found: Msg,
    community_of: impl Fn(&E::Model) -> Uuid,
) -> AppResult<(E::Model, Place)> {
    let row = E::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(E::id_column().eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(not_found))?;
    let place = staff_place(conn, viewer, community_of(&row), refusal()).await?;
    Ok((row, place))
}

/// Changes a rule's name, points and caps, for awards from now on.
pub async fn update_rule(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    terms: RuleTerms,
) -> AppResult<Audited<points_rule::Model>> {
    let (rule, place) =
        staff_row::<points_rule::Entity>(conn, viewer, id, msg!("points rule not found"), |r| {
            r.community_id
        })
        .await?;
    if rule.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the points rule is archived")));
    }
    let name = check_terms(&terms)?;
    let mut row: points_rule::ActiveModel = rule.into();
    row.name = Set(name);
    row.points = Set(terms.points);
    row.daily_cap = Set(terms.daily_cap);
    row.monthly_cap = Set(terms.monthly_cap);
    let rule = row.update(conn).await?;
    Ok(Audited::new(rule.clone(), place, rule.id))
}

pub async fn archive_rule(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<points_rule::Model>> {
    let (rule, place) =
        staff_row::<points_rule::Entity>(conn, viewer, id, msg!("points rule not found"), |r| {
            r.community_id
        })
        .await?;
    if rule.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the points rule is archived")));
    }
    let mut row: points_rule::ActiveModel = rule.into();
    row.archived_at = Set(Some(Utc::now()));
    row.active_trigger = Set(None);
    let rule = row.update(conn).await?;
    Ok(Audited::new(rule.clone(), place, rule.id))
}
