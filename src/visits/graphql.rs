//! GraphQL for home visits and the visit plan.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::visit;
use serde_json::json;

use super::{
    schedule::Standing,
    service::{self, Need, NewVisit},
};
use crate::{
    audit::audited_write,
    calendar,
    graphql::{ContextExt, parse_id},
    registry::care::CareLevel,
};

#[derive(SimpleObject)]
pub struct VisitNeed {
    pub title: String,
    /// The request it became.
    pub request_id: ID,
}

#[derive(SimpleObject)]
pub struct Visit {
    pub id: ID,
    pub household_id: ID,
    pub visitor_id: ID,
    pub visited_at: DateTime<Utc>,
    pub met: String,
    pub notes: String,
    pub needs: Vec<VisitNeed>,
}

impl From<visit::Model> for Visit {
    fn from(v: visit::Model) -> Self {
        let needs = v
            .needs
            .as_array()
            .map(|needs| {
                needs
                    .iter()
                    .map(|n| VisitNeed {
                        title: n["title"].as_str().unwrap_or_default().to_owned(),
                        request_id: ID(n["requestId"].as_str().unwrap_or_default().to_owned()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: v.id.into(),
            household_id: v.household_id.into(),
            visitor_id: v.visitor_id.into(),
            visited_at: v.visited_at,
            met: v.met,
            notes: v.notes,
            needs,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum VisitStatus {
    /// Visited in the current period.
    Done,
    /// To be visited by `dueBy`.
    Due,
    /// A whole period passed without a visit.
    Overdue,
}

#[derive(SimpleObject)]
pub struct PlannedVisit {
    pub household_id: ID,
    /// Building, unit and room.
    pub label: String,
    pub care_level: CareLevel,
    pub last_visited_on: Option<NaiveDate>,
    pub status: VisitStatus,
    pub due_by: Option<NaiveDate>,
    pub overdue_since: Option<NaiveDate>,
}

#[derive(SimpleObject)]
pub struct VisitPlan {
    pub done: i64,
    pub due: i64,
    pub overdue: i64,
    /// Overdue first, then due, then done.
    pub households: Vec<PlannedVisit>,
}

#[derive(Default)]
pub struct VisitQuery;

#[Object]
impl VisitQuery {
    /// A grid's visit plan today (China time): special-hardship households weekly, key
    /// groups monthly, others quarterly.
    async fn visit_plan(&self, ctx: &Context<'_>, grid_id: ID) -> Result<VisitPlan> {
        let viewer = ctx.viewer()?;
        let planned = service::plan(
            ctx.services().db.reader(),
            viewer,
            parse_id("gridId", &grid_id)?,
            calendar::today(),
        )
        .await?;
        let mut plan = VisitPlan {
            done: 0,
            due: 0,
            overdue: 0,
            households: Vec::new(),
        };
        for p in planned {
            let (status, due_by, overdue_since) = match p.standing {
                Standing::Done => {
                    plan.done += 1;
                    (VisitStatus::Done, None, None)
                }
                Standing::Due { by } => {
                    plan.due += 1;
                    (VisitStatus::Due, Some(by), None)
                }
                Standing::Overdue { since } => {
                    plan.overdue += 1;
                    (VisitStatus::Overdue, None, Some(since))
                }
            };
            plan.households.push(PlannedVisit {
                household_id: p.household.id.into(),
                label: p.label,
                care_level: p.care_level,
                last_visited_on: p.last_visited_on,
                status,
                due_by,
                overdue_since,
            });
        }
        Ok(plan)
    }
}

#[derive(InputObject)]
pub struct VisitNeedInput {
    pub category: String,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    #[graphql(default)]
    pub urgent: bool,
}

#[derive(InputObject)]
pub struct RecordVisitInput {
    pub household_id: ID,
    /// Default: now.
    pub visited_at: Option<DateTime<Utc>>,
    /// Whom the visitor met (本人, 老伴, 子女...).
    pub met: String,
    #[graphql(default)]
    pub notes: String,
    /// Needs found; each becomes a request of the household.
    #[graphql(default)]
    pub needs: Vec<VisitNeedInput>,
}

#[derive(SimpleObject)]
pub struct VisitPayload {
    pub visit: Visit,
}

#[derive(Default)]
pub struct VisitMutation;

#[Object]
impl VisitMutation {
    /// A grid worker records a home visit.
    async fn record_visit(
        &self,
        ctx: &Context<'_>,
        input: RecordVisitInput,
    ) -> Result<VisitPayload> {
        let audit = json!({ "householdId": input.household_id.as_str(), "visitedAt": input.visited_at, "needs": input.needs.len() });
        let household = parse_id("input.householdId", &input.household_id);
        let files = ctx.services().files.clone();
        let visited_at = input.visited_at.unwrap_or_else(Utc::now);
        let (met, notes) = (input.met, input.notes);
        let needs: Vec<Need> = input
            .needs
            .into_iter()
            .map(|n| Need {
                category: n.category,
                title: n.title,
                description: n.description,
                urgent: n.urgent,
            })
            .collect();
        let visit = audited_write(ctx, "recordVisit", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewVisit {
                    household_id: household?,
                    visited_at,
                    met,
                    notes,
                    needs,
                };
                service::record(txn, &files, viewer, new).await
            })
        })
        .await?;
        Ok(VisitPayload {
            visit: visit.into(),
        })
    }
}
