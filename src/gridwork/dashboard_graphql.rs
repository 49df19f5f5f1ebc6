//! GraphQL for grid work at a glance: the staff dashboard.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

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
    /// Urgent announcements in force (停水停电, fraud warnings) and how many of the
    /// households they reach have read them.
    pub urgent_notices: Vec<UrgentNotice>,
    /// Per grid with any: households under care watch whose check-in is overdue.
    pub care_alerts: Vec<CareAlertCount>,
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
    /// Grid work at a glance for a community's staff; medians over requests filed in
    /// `[from, to)`.
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
