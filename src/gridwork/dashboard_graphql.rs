//! GraphQL for grid work at a glance: the staff dashboard.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

use super::dashboard::median;
use crate::graphql::{ContextExt, parse_id};

#[derive(SimpleObject)]
pub struct RequestCounts {
    /// A grid's name (empty: outside any grid), or a category's code.
    pub key: String,
    pub open: i64,
    pub overdue: i64,
    pub resolved_today: i64,
}

#[derive(SimpleObject)]
pub struct VisitCoverage {
    pub grid: String,
    /// Households visited in their current period.
    pub visited: i64,
    pub households: i64,
}

#[derive(SimpleObject)]
pub struct CareAlertCount {
    /// A grid's name (empty: outside any grid).
    pub grid: String,
    /// Households under care watch whose check-in is overdue.
    pub missed: i64,
}

#[derive(SimpleObject)]
pub struct RequestDashboard {
    pub by_grid: Vec<RequestCounts>,
    pub by_category: Vec<RequestCounts>,
    /// Over requests filed in the period.
    pub median_first_response_minutes: Option<i64>,
    pub median_resolution_minutes: Option<i64>,
    pub visit_coverage: Vec<VisitCoverage>,
    /// Requests recorded from registered WeChat groups in the period, per group: how many,
    /// how many are still unanswered, and the median minutes from the message to the first
    /// response.
    pub first_response_by_wechat_group: Vec<GroupResponseTimes>,
    /// The same per person on duty in the group when the message was posted (no user:
    /// nobody was on duty).
    pub first_response_by_person_on_duty: Vec<DutyResponseTimes>,
    /// Urgent announcements in force (停水停电, fraud warnings) and how many of the
    /// households they reach have read them.
    pub urgent_notices: Vec<UrgentNotice>,
    /// Per grid with any: households under care watch whose check-in is overdue.
    pub care_alerts: Vec<CareAlertCount>,
}

#[derive(SimpleObject)]
pub struct GroupResponseTimes {
    pub group_id: ID,
    pub group_name: String,
    pub requests: i64,
    pub unanswered: i64,
    pub median_first_response_minutes: Option<i64>,
}

#[derive(SimpleObject)]
pub struct DutyResponseTimes {
    /// Empty when nobody was on duty.
    pub user_id: Option<ID>,
    pub name: Option<String>,
    pub requests: i64,
    pub unanswered: i64,
    pub median_first_response_minutes: Option<i64>,
}

#[derive(SimpleObject)]
pub struct UrgentNotice {
    pub announcement_id: ID,
    pub title: String,
    pub valid_until: DateTime<Utc>,
    pub households: i64,
    pub households_read: i64,
}

fn counts(map: std::collections::BTreeMap<String, super::dashboard::Counts>) -> Vec<RequestCounts> {
    map.into_iter()
        .map(|(key, c)| RequestCounts {
            key,
            open: c.open,
            overdue: c.overdue,
            resolved_today: c.resolved_today,
        })
        .collect()
}

#[derive(Default)]
pub struct GridworkQuery;

#[Object]
impl GridworkQuery {
    /// Grid work at a glance for a community's staff, and for a grid leader over the grids
    /// they lead; medians over requests filed in `[from, to)`.
    async fn request_dashboard(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<RequestDashboard> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let d = super::dashboard::dashboard(db, viewer, community, from, to).await?;
        let urgent = crate::announcements::service::urgent_in_force(db, community).await?;
        let (group_names, people) = super::dashboard::response_labels(db, &d).await?;
        let by_group = d
            .by_wechat_group
            .into_iter()
            .map(|(group, r)| GroupResponseTimes {
                group_id: group.into(),
                group_name: group_names.get(&group).cloned().unwrap_or_default(),
                requests: r.requests,
                unanswered: r.requests - r.minutes.len() as i64,
                median_first_response_minutes: median(r.minutes),
            })
            .collect();
        let by_person = d
            .by_on_duty
            .into_iter()
            .map(|(user, r)| DutyResponseTimes {
                user_id: user.map(ID::from),
                name: user.and_then(|u| people.get(&u).cloned()),
                requests: r.requests,
                unanswered: r.requests - r.minutes.len() as i64,
                median_first_response_minutes: median(r.minutes),
            })
            .collect();
        Ok(RequestDashboard {
            by_grid: counts(d.by_grid),
            by_category: counts(d.by_category),
            median_first_response_minutes: d.median_first_response_minutes,
            median_resolution_minutes: d.median_resolution_minutes,
            visit_coverage: d
                .visit_coverage
                .into_iter()
                .map(|(grid, (visited, households))| VisitCoverage {
                    grid,
                    visited,
                    households,
                })
                .collect(),
            first_response_by_wechat_group: by_group,
            first_response_by_person_on_duty: by_person,
            care_alerts: d
                .care_alerts
                .into_iter()
                .map(|(grid, missed)| CareAlertCount { grid, missed })
                .collect(),
            urgent_notices: urgent
                .into_iter()
                .map(|u| UrgentNotice {
                    announcement_id: u.announcement.id.into(),
                    title: u.announcement.title,
                    valid_until: u.announcement.valid_until,
                    households: u.households as i64,
                    households_read: u.read as i64,
                })
                .collect(),
        })
    }
}
