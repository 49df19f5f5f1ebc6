//! Where watched households stand, and the alerts made of it: a household is MISSED once
//! its due time (last check-in or start, plus the interval) has passed; `missed` counts
//! the whole intervals gone by. Staff and grid workers list them (longest missed first),
//! the dashboard counts them per grid, and the scheduler raises each missed occasion once.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};
use entity::{care_watch, role_grant::Role};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{access::places_of, service::interval_of, types::CareStatus};
use crate::{
    auth::{Capability, Viewer},
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    outbox::{EventType, Notification},
    tenancy::{covers, households_in_grids, place_of, visible_grid},
};

/// Where one watch stands at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Standing {
    pub status: CareStatus,
    /// Whole intervals passed since the last check-in (or the start) without one.
    pub missed: i64,
}

/// Where a watch due at `due` with `interval` stands at `now`.
pub fn standing(due: DateTime<Utc>, interval: Duration, now: DateTime<Utc>) -> Standing {
    if due < now {
        let base = due - interval;
        let missed = (now - base).num_seconds() / std::cmp::max(interval.num_seconds(), 1);
        Standing {
            status: CareStatus::Missed,
            missed,
        }
    } else if calendar::day_of(due) <= calendar::day_of(now) {
        Standing {
            status: CareStatus::Due,
            missed: 0,
        }
    } else {
        Standing {
            status: CareStatus::Ok,
            missed: 0,
        }
    }
}

/// The latest missed occasion of a missed watch: the last due time that passed.
pub fn latest_occasion(
    due: DateTime<Utc>,
    interval: Duration,
    now: DateTime<Utc>,
) -> DateTime<Utc> {
    let missed = standing(due, interval, now).missed;
    due - interval + interval * i32::try_from(missed).unwrap_or(i32::MAX)
}

/// The missed watches (of the whole deployment when `community` is `None`), by index.
fn missed_watches(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(care_watch::Column::EndedAt.is_null())
        .add(care_watch::Column::DueAt.lt(now))
}

/// The watches the caller's alert list covers in a community (optionally one grid):
/// staff the whole community, a grid worker their grids. NOT_FOUND outside reach,
/// FORBIDDEN for anyone else.
pub async fn alerts_condition(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    grid: Option<Uuid>,
    now: DateTime<Utc>,
) -> AppResult<Condition> {
    let place = place_of(conn, viewer, community).await?;
    if let Some(g) = grid {
        let row = visible_grid(conn, viewer, g).await?;
        if row.community_id != community {
            return Err(AppError::NotFound(msg!("grid not found")));
        }
    }
    let staff = covers(&viewer.reach(Capability::ManageResidents), place);
    let mine: Vec<Uuid> = viewer
        .grants
        .iter()
        .filter(|g| g.role == Role::GridWorker && g.community_id == Some(community))
        .filter_map(|g| g.scope_id)
        .collect();
    let grids = match grid {
        Some(g) if staff || mine.contains(&g) => Some(vec![g]),
        None if staff => None,
        None if !mine.is_empty() => Some(mine),
        _ => {
            return Err(AppError::Forbidden(msg!(
                "care alerts are for community staff and the grid's workers"
            )));
        }
    };
    let mut condition = missed_watches(now).add(care_watch::Column::CommunityId.eq(community));
    if let Some(grids) = grids {
        condition =
            condition.add(care_watch::Column::HouseholdId.in_subquery(households_in_grids(&grids)));
    }
    Ok(condition)
}

/// Missed watches per grid of a community (`None`: outside any grid), for the dashboard:
/// two statements whatever the number of grids.
pub async fn missed_by_grid(
    conn: &impl ConnectionTrait,
    community: Uuid,
    now: DateTime<Utc>,
) -> AppResult<BTreeMap<Option<Uuid>, i64>> {
    let missed = care_watch::Entity::find()
        .filter(missed_watches(now))
        .filter(care_watch::Column::CommunityId.eq(community))
        .all(conn)
        .await?;
    let places = places_of(conn, missed.iter().map(|w| w.household_id)).await?;
    let mut counts = BTreeMap::new();
    for w in missed {
        let grid = places.get(&w.household_id).and_then(|(_, g)| *g);
        *counts.entry(grid).or_default() += 1;
    }
    Ok(counts)
}

/// `care.check_in_missed` for every watch whose latest missed occasion lies within
/// `lookback` (the scheduler's look-back), once per household and occasion; addressed to
/// the household's grid. Facts name the household by id and building, never a person.
pub async fn missed_occasions(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    lookback: Duration,
) -> AppResult<Vec<Notification>> {
    let missed = care_watch::Entity::find()
        .filter(missed_watches(now))
        .all(conn)
        .await?;
    let mut due = Vec::new();
    for w in missed {
        let interval = interval_of(&w)?;
        let occasion = latest_occasion(w.due_at, interval.duration(), now);
        if occasion > now - lookback {
            due.push((w, interval, occasion));
        }
    }
    let places = places_of(conn, due.iter().map(|(w, _, _)| w.household_id)).await?;
    Ok(due
        .into_iter()
        .map(|(w, interval, occasion)| {
            let (building, grid) = places.get(&w.household_id).copied().unzip();
            let grid = grid.flatten();
            Notification::new(
                EventType::CareCheckInMissed,
                w.community_id,
                json!({
                    "householdId": w.household_id,
                    "buildingId": building,
                    "gridId": grid,
                    "interval": interval.stored(),
                    "dueAt": occasion,
                    "lastCheckInAt": w.last_check_in_at,
                    "missedCheckIns": standing(w.due_at, interval.duration(), now).missed,
                }),
            )
            .in_place(None, grid)
            .once(format!(
                "care.check_in_missed:{}:{}",
                w.household_id,
                occasion.timestamp()
            ))
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_days_without_a_daily_check_in_are_two_missed() {
        let now = Utc::now();
        let day = Duration::days(1);
        let last = now - Duration::days(2) - Duration::hours(1);
        let s = standing(last + day, day, now);
        assert_eq!(s.status, CareStatus::Missed);
        assert_eq!(s.missed, 2);
        assert_eq!(latest_occasion(last + day, day, now), last + day * 2);
        let fresh = standing(now + Duration::days(3), Duration::days(3), now);
        assert_eq!(
            fresh,
            Standing {
                status: CareStatus::Ok,
                missed: 0
            }
        );
    }
}
