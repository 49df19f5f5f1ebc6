//! Awarding points by hand: to one household or resident under one of the community's
//! rules, by staff, the household's grid worker or its micro-grid leader. Caps cut an
//! award to what they leave; an award they leave nothing of is refused (CONFLICT), so
//! that nobody believes points were given that were not.

use chrono::{DateTime, Utc};
use entity::{household, points_account, points_entry, points_rule, resident};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::check_award,
    accounts::{
        NewEntry, Owner, append, cap_left, open_account, owner_of_household, owner_of_resident,
        unit_of,
    },
    types::{AwardOutcome, PointsTrigger},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    idempotency::Key,
    tenancy::{Place, place_of, visible_household, visible_resident},
};

/// The most of a trigger's unit one award carries (minutes of volunteering, a count).
pub const MAX_QUANTITY: i64 = 100_000;

/// Whom a manual award, a redemption or a read names.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Household(Uuid),
    Resident(Uuid),
}

/// A target the caller can see: its current household, the resident if one was named, and
/// where they live.
pub struct Found {
    pub household: household::Model,
    pub resident: Option<resident::Model>,
    pub place: Place,
}

impl Found {
    /// Whose account the target's points go to under `unit`; `None` for a household
    /// without a head in a community counting residents.
    pub async fn owner(&self, conn: &impl ConnectionTrait) -> AppResult<Option<Owner>> {
        let unit = unit_of(conn, self.household.community_id).await?;
        match &self.resident {
            Some(r) => Ok(Some(owner_of_resident(unit, r))),
            None => owner_of_household(conn, unit, self.household.id).await,
        }
    }
}

/// The target, if in the caller's reach and current (NOT_FOUND otherwise).
pub async fn find_target(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    target: Target,
) -> AppResult<Found> {
    let (household, resident) = match target {
        Target::Household(id) => (visible_household(conn, viewer, id).await?, None),
        Target::Resident(id) => {
            let resident = visible_resident(conn, viewer, id).await?;
            if resident.archived_at.is_some() {
                return Err(AppError::NotFound(msg!("resident not found")));
            }
            let household = household::Entity::find_by_id(resident.household_id)
                .filter(household::Column::CommunityId.eq(resident.community_id))
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("household not found")))?;
            (household, Some(resident))
        }
    };
    if household.archived_at.is_some() {
        return Err(AppError::NotFound(msg!("household not found")));
    }
    let place = place_of(conn, viewer, household.community_id).await?;
    Ok(Found {
        household,
        resident,
        place,
    })
}

/// A rule of `community` that is in force (NOT_FOUND in another community, CONFLICT when
/// archived).
pub async fn active_rule(
    conn: &impl ConnectionTrait,
    community: Uuid,
    id: Uuid,
) -> AppResult<points_rule::Model> {
    let rule = points_rule::Entity::find_by_id(id)
        .filter(points_rule::Column::CommunityId.eq(community))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("points rule not found")))?;
    if rule.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the points rule is archived")));
    }
    Ok(rule)
}

/// The points `quantity` earns under `rule`: BAD_USER_INPUT when it is out of range or
/// earns nothing (ten minutes of an hourly rule).
pub fn points_of(rule: &points_rule::Model, quantity: i64) -> AppResult<i64> {
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(AppError::bad_input(
            "input.quantity",
            msg!("a quantity is 1 to {max}", max = MAX_QUANTITY),
        ));
    }
    let trigger = PointsTrigger::from_stored(&rule.trigger)?;
    match trigger.points_for(rule.points, quantity) {
        Some(p) if p > 0 => Ok(p),
        Some(_) => Err(AppError::bad_input(
            "input.quantity",
            msg!("this quantity earns no points under the rule"),
        )),
        None => Err(AppError::bad_input(
            "input.quantity",
            msg!("too many points"),
        )),
    }
}

/// What one award came to.
pub struct Granted {
    pub entry: Option<points_entry::Model>,
    pub outcome: AwardOutcome,
}

/// Appends `new` (an award of its full points under `rule`) to a locked account, cut to
/// what the rule's caps leave; nothing when they leave nothing.
pub async fn grant(
    conn: &impl ConnectionTrait,
    account: &points_account::Model,
    rule: &points_rule::Model,
    mut new: NewEntry,
) -> AppResult<Granted> {
    let outcome = match cap_left(conn, account.id, rule, new.day).await? {
        Some(0) => {
            return Ok(Granted {
                entry: None,
                outcome: AwardOutcome::CapReached,
            });
        }
        Some(left) if left < new.points => {
            new.points = left;
            AwardOutcome::Capped
        }
        _ => AwardOutcome::Awarded,
    };
    let entry = append(conn, account, new).await?;
    Ok(Granted {
        entry: Some(entry),
        outcome,
    })
}

/// A memo on an entry: trimmed, at most 200 characters.
pub fn clean_memo(memo: &str) -> AppResult<String> {
    let memo = memo.trim();
    if memo.chars().count() > 200 {
        return Err(AppError::bad_input(
            "input.memo",
            msg!("a memo is at most {max} characters", max = 200),
        ));
    }
    Ok(memo.to_owned())
}

/// When an award's deed happened: default now, not in the future, not over a year ago.
pub fn check_when(at: Option<DateTime<Utc>>) -> AppResult<DateTime<Utc>> {
    let at = at.unwrap_or_else(Utc::now);
    calendar::check_happened(
        "input.occurredAt",
        "an award",
        at,
        calendar::RECORDED_LATE_AT_MOST,
    )?;
    Ok(at)
}

/// The entry a replayed idempotency record names.
pub async fn replayed_entry(
    conn: &impl ConnectionTrait,
    response: &serde_json::Value,
) -> AppResult<points_entry::Model> {
    let id = response["entryId"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| AppError::internal(std::io::Error::other("bad idempotency record")))?;
    points_entry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("points entry not found")))
}

pub struct Award {
    pub target: Target,
    pub rule_id: Uuid,
    pub quantity: i64,
    pub memo: String,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// Awards points to one household or resident (the `awardPoints` mutation). Idempotent
/// by `key`.
pub async fn award(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    award: Award,
    key: Key,
) -> AppResult<Audited<points_entry::Model>> {
    let found = find_target(conn, viewer, award.target).await?;
    check_award(conn, viewer, found.place, &[found.household.id]).await?;
    let rule = active_rule(conn, found.household.community_id, award.rule_id).await?;
    let points = points_of(&rule, award.quantity)?;
    let memo = clean_memo(&award.memo)?;
    let at = check_when(award.occurred_at)?;
    let id = Uuid::now_v7();
    if let Some(response) = key.claim(conn, json!({ "entryId": id })).await? {
        let entry = replayed_entry(conn, &response).await?;
        return Ok(Audited::new(entry.clone(), found.place, entry.id));
    }
    let owner = found.owner(conn).await?.ok_or_else(|| {
        AppError::bad_input(
            "input.householdId",
            msg!("the household has no head registered; award one of its residents"),
        )
    })?;
    let account = open_account(
        conn,
        found.household.community_id,
        owner,
        found.household.id,
    )
    .await?;
    let new = NewEntry {
        id,
        memo,
        day: calendar::day_of(at),
        occurred_at: at,
        recorded_by: Some(viewer.user_id),
        ..NewEntry::award(&rule, points, award.quantity)
    };
    let granted = grant(conn, &account, &rule, new).await?;
    let entry = granted.entry.ok_or_else(|| {
        AppError::Conflict(msg!(
            "the rule's cap is reached for this account; nothing was awarded"
        ))
    })?;
    Ok(Audited::new(entry.clone(), found.place, entry.id))
}
