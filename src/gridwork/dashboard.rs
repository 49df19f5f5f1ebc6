//! The dashboard of grid work, for community staff (a grid leader sees the grids they
//! lead): open, overdue and resolved-today requests per grid and per category; median
//! times to first response and to resolution over a period; visit coverage per grid;
//! households under care watch whose check-in is overdue, per grid; first-response times
//! per WeChat group and per person on duty.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use entity::{app_user, grid, role_grant::Role, service_request, wechat_group};
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
    /// Requests from registered WeChat groups filed in the period, per group.
    pub by_wechat_group: BTreeMap<Uuid, Responses>,
    /// The same requests per person on duty when the message was posted (`None`: nobody).
    pub by_on_duty: BTreeMap<Option<Uuid>, Responses>,
}

/// How quickly messages were answered: minutes from the message to the first response.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Responses {
    pub requests: i64,
    /// Minutes to the first response of those answered.
    pub minutes: Vec<i64>,
}

impl Responses {
    fn add(&mut self, minutes: Option<i64>) {
        self.requests += 1;
        self.minutes.extend(minutes);
    }
}

/// Minutes from a WeChat message being posted (or, failing that, recorded) to the
/// request's first response; `None` while unanswered.
fn wechat_response_minutes(r: &service_request::Model) -> Option<i64> {
    let posted = r.source_detail["wechat"]["sentAt"]
        .as_str()
        .and_then(|at| DateTime::parse_from_rfc3339(at).ok())
        .map_or(r.created_at, |at| at.with_timezone(&Utc));
    r.acknowledged_at
        .map(|at| (at - posted).num_minutes().max(0))
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
    let staff = viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community);
    // A grid leader sees the dashboard of the grids they lead, and nothing of the others.
    let led = viewer.scope_ids(Role::GridLeader);
    if !staff && led.is_empty() {
        return Err(AppError::Forbidden(msg!(
            "the dashboard is for community staff and grid leaders"
        )));
    }
    let mut in_grids = grid::Entity::find()
        .filter(grid::Column::CommunityId.eq(community))
        .filter(grid::Column::ArchivedAt.is_null());
    let mut requests =
        service_request::Entity::find().filter(service_request::Column::CommunityId.eq(community));
    if !staff {
        in_grids = in_grids.filter(grid::Column::Id.is_in(led.iter().copied()));
        requests = requests.filter(service_request::Column::GridId.is_in(led));
    }
    let grids: BTreeMap<Uuid, String> = in_grids
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
    for r in requests.filter(relevant).all(conn).await? {
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
            if let Some(group) = r.wechat_group_id {
                let minutes = wechat_response_minutes(&r);
                d.by_wechat_group.entry(group).or_default().add(minutes);
                d.by_on_duty
                    .entry(r.on_duty_user_id)
                    .or_default()
                    .add(minutes);
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

/// The names of the groups and people the response times are about: two statements, none
/// when no request came from a registered group.
pub async fn response_labels(
    conn: &impl ConnectionTrait,
    d: &Dashboard,
) -> AppResult<(HashMap<Uuid, String>, HashMap<Uuid, String>)> {
    if d.by_wechat_group.is_empty() {
        return Ok(Default::default());
    }
    let groups = wechat_group::Entity::find()
        .filter(wechat_group::Column::Id.is_in(d.by_wechat_group.keys().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    let people: Vec<Uuid> = d.by_on_duty.keys().flatten().copied().collect();
    let people = if people.is_empty() {
        HashMap::new()
    } else {
        app_user::Entity::find()
            .filter(app_user::Column::Id.is_in(people))
            .all(conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u.display_name))
            .collect()
    };
    Ok((groups, people))
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
