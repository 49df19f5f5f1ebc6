//! The staff dashboard of grid work: open, overdue and resolved-today requests per grid
//! and per category; median times to first response and to resolution over a period;
//! visit coverage per grid; households under care watch whose check-in is overdue, per
//! grid.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use entity::{grid, service_request};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer},
    calendar,
    error::{AppError, AppResult, msg},
    requests::{
        service::overdue,
        status::{Status, stored_where},
    },
    tenancy::place_of,
    visits::{schedule::Standing, service::plan},
};

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub open: i64,
    pub overdue: i64,
    pub resolved_today: i64,
}

#[derive(Debug, Default)]
pub struct Dashboard {
    /// Keyed by grid name (`""` for requests outside any grid).
    pub by_grid: BTreeMap<String, Counts>,
    pub by_category: BTreeMap<String, Counts>,
    pub median_first_response_minutes: Option<i64>,
    pub median_resolution_minutes: Option<i64>,
    /// Per grid name: households visited this period, and all households.
    pub visit_coverage: BTreeMap<String, (i64, i64)>,
    /// Per grid name (`""` outside any grid): watched households with a missed check-in.
    pub care_alerts: BTreeMap<String, i64>,
}

/// The median of whole minutes, the lower middle for an even count.
pub fn median(mut minutes: Vec<i64>) -> Option<i64> {
    if minutes.is_empty() {
        return None;
    }
    minutes.sort_unstable();
    Some(minutes[(minutes.len() - 1) / 2])
}

pub async fn dashboard(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> AppResult<Dashboard> {
    let place = place_of(conn, viewer, community)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    if !viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
    {
        return Err(AppError::Forbidden(msg!(
            "the dashboard is for community staff"
        )));
    }
    let grids: BTreeMap<Uuid, String> = grid::Entity::find()
        .filter(grid::Column::CommunityId.eq(community))
        .filter(grid::Column::ArchivedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let now = Utc::now();
    let today = calendar::today();
    let mut d = Dashboard::default();
    let (mut first, mut resolution) = (Vec::new(), Vec::new());
    // Only the rows that count: open ones, those resolved today and those filed in the
    // period; years of closed requests stay in the database.
    let relevant = Condition::any()
        .add(service_request::Column::Status.is_in(stored_where(Status::open)))
        .add(service_request::Column::ResolvedAt.gte(calendar::start_of_day(today)))
        .add(
            Condition::all()
                .add(service_request::Column::CreatedAt.gte(from))
                .add(service_request::Column::CreatedAt.lt(to)),
        );
    for r in service_request::Entity::find()
        .filter(service_request::Column::CommunityId.eq(community))
        .filter(relevant)
        .all(conn)
        .await?
    {
        let status = Status::parse(&r.status);
        let (late_response, late_resolution) = overdue(&r, now);
        let grid = r
            .grid_id
            .and_then(|g| grids.get(&g).cloned())
            .unwrap_or_default();
        for counts in [
            d.by_grid.entry(grid).or_default(),
            d.by_category.entry(r.category.clone()).or_default(),
        ] {
            counts.open += i64::from(status.open());
            counts.overdue += i64::from(late_response || late_resolution);
            counts.resolved_today += i64::from(
                r.resolved_at
                    .is_some_and(|at| calendar::day_of(at) == today),
            );
        }
        if r.created_at >= from && r.created_at < to {
            if let Some(at) = r.acknowledged_at {
                first.push((at - r.created_at).num_minutes());
            }
            if let Some(at) = r.resolved_at {
                resolution.push((at - r.created_at).num_minutes());
            }
        }
    }
    // Two statements for the whole community, however many grids it has.
    for (grid, missed) in crate::care::alerts::missed_by_grid(conn, community, now).await? {
        let name = grid
            .and_then(|g| grids.get(&g).cloned())
            .unwrap_or_default();
        *d.care_alerts.entry(name).or_default() += missed;
    }
    d.median_first_response_minutes = median(first);
    d.median_resolution_minutes = median(resolution);
    for (id, name) in &grids {
        let planned = plan(conn, viewer, *id, today).await?;
        let done = planned
            .iter()
            .filter(|p| p.standing == Standing::Done)
            .count() as i64;
        d.visit_coverage
            .insert(name.clone(), (done, planned.len() as i64));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::median;

    #[test]
    fn the_median_is_the_middle_or_the_lower_middle() {
        assert_eq!(median(vec![]), None);
        assert_eq!(median(vec![30]), Some(30));
        assert_eq!(median(vec![90, 10, 30]), Some(30));
        assert_eq!(median(vec![40, 10, 30, 20]), Some(20));
    }
}
