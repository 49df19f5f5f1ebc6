//! Awards other domains make without anyone pressing a button: an activity's confirmed
//! attendance and volunteer hours, a meeting's sign-in. They run inside the caller's
//! transaction, under the community's one active rule for the trigger, and a source key
//! makes each idempotent.

use chrono::Utc;
use entity::{points_entry, points_rule, resident};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    accounts::{NewEntry, open_account, owner_of_resident, unit_of},
    awards::{MAX_QUANTITY, grant},
    types::PointsTrigger,
};
use crate::{
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
};

/// The community's active rule for an automatic trigger, if it has one.
pub async fn rule_for(
    conn: &impl ConnectionTrait,
    community_id: Uuid,
    trigger: PointsTrigger,
) -> AppResult<Option<points_rule::Model>> {
    Ok(points_rule::Entity::find()
        .filter(points_rule::Column::CommunityId.eq(community_id))
        .filter(points_rule::Column::ActiveTrigger.eq(trigger.stored()))
        .one(conn)
        .await?)
}

/// Awards the community's active rule for `trigger` to the resident (or their household,
/// when the community counts households), inside the caller's transaction. Returns None when
/// the community has no active rule for the trigger or the cap leaves nothing.
/// `quantity` is in the trigger's unit: minutes for VolunteerHour (points = rule points ×
/// minutes / 60, rounded down), 1 per attendance otherwise. `source_key` makes it
/// idempotent (e.g. "activity:<id>:resident:<id>"): the same key never awards twice; a
/// repeated call answers the entry the key awarded the first time.
///
/// The caller has already decided the resident earned it (attendance confirmed by staff):
/// nothing here checks a viewer. A quantity that earns no whole point awards nothing.
pub async fn award_automatic(
    conn: &impl ConnectionTrait,
    community_id: Uuid,
    resident_id: Uuid,
    trigger: PointsTrigger,
    quantity: i64,
    source_key: &str,
    recorded_by: Option<Uuid>,
) -> AppResult<Option<points_entry::Model>> {
    let source_key = source_key.trim();
    if source_key.is_empty() || source_key.len() > 200 {
        return Err(AppError::bad_input(
            "sourceKey",
            msg!("a source key is 1 to 200 characters"),
        ));
    }
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        return Err(AppError::bad_input(
            "input.quantity",
            msg!("a quantity is 1 to {max}", max = MAX_QUANTITY),
        ));
    }
    let Some(rule) = rule_for(conn, community_id, trigger).await? else {
        return Ok(None);
    };
    let resident = resident::Entity::find_by_id(resident_id)
        .filter(resident::Column::CommunityId.eq(community_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))?;
    let unit = unit_of(conn, community_id).await?;
    let owner = owner_of_resident(unit, &resident);
    // Under the account's lock, so that two awards with one key cannot both pass.
    let account = open_account(conn, community_id, owner, resident.household_id).await?;
    let earlier = points_entry::Entity::find()
        .filter(points_entry::Column::CommunityId.eq(community_id))
        .filter(points_entry::Column::SourceKey.eq(source_key))
        .one(conn)
        .await?;
    if earlier.is_some() {
        return Ok(earlier);
    }
    let points = match trigger.points_for(rule.points, quantity) {
        Some(p) if p > 0 => p,
        Some(_) => return Ok(None),
        None => {
            return Err(AppError::bad_input(
                "input.quantity",
                msg!("too many points"),
            ));
        }
    };
    let now = Utc::now();
    let new = NewEntry {
        source_key: Some(source_key.to_owned()),
        recorded_by,
        day: calendar::day_of(now),
        occurred_at: now,
        ..NewEntry::award(&rule, points, quantity)
    };
    Ok(grant(conn, &account, &rule, new).await?.entry)
}
