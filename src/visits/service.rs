//! Recording visits and working out a grid's visit plan.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{building, dwelling, grid_building, household, visit};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use serde_json::json;
use uuid::Uuid;

use super::schedule::{Cadence, Standing, standing};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    calendar,
    error::{AppError, AppResult, msg},
    files::FileStore,
    registry::care::{self, CareLevel},
    requests::service::{self as requests, Location, NewRequest},
    tenancy::{households_in_grids, place_of, visible_grid},
};

/// A need found on a visit, filed as a request.
pub struct Need {
    pub category: String,
    pub title: String,
    pub description: String,
    pub urgent: bool,
}

pub struct NewVisit {
    pub household_id: Uuid,
    pub visited_at: DateTime<Utc>,
    pub met: String,
    pub notes: String,
    pub needs: Vec<Need>,
}

fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
}

/// The grid a household's building belongs to.
async fn grid_of(
    conn: &impl ConnectionTrait,
    household: &household::Model,
) -> AppResult<Option<Uuid>> {
    let Some(dwelling) = dwelling::Entity::find_by_id(household.dwelling_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(grid_building::Entity::find_by_id(dwelling.building_id)
        .one(conn)
        .await?
        .map(|g| g.grid_id))
}

/// A grid worker records a visit to a household of their grid (staff to any household of
/// their community); each need becomes a request assigned like any other.
pub async fn record(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    viewer: &Viewer,
    new: NewVisit,
) -> AppResult<Audited<visit::Model>> {
    let not_found = || AppError::NotFound(msg!("household not found"));
    let household = household::Entity::find_by_id(new.household_id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(household::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, household.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("household not found")))?;
    let grid = grid_of(conn, &household).await?;
    let in_grid = grid.is_some_and(|g| viewer.work_grids().contains(&g));
    if !in_grid && !is_staff(viewer, place) {
        return Err(not_found());
    }
    calendar::check_happened(
        "input.visitedAt",
        "a visit",
        new.visited_at,
        calendar::RECORDED_LATE_AT_MOST,
    )?;
    let met = crate::graphql::clean_name("input.met", &new.met, 100)?;
    let notes: String = new.notes.trim().chars().take(5_000).collect();
    let mut needs = Vec::new();
    // Each need's request tells its grid worker (live) and the webhooks, as any filed one.
    let (mut events, mut notifications) = (Vec::new(), Vec::new());
    for need in new.needs {
        let filed = requests::create(
            conn,
            files,
            0,
            viewer,
            NewRequest {
                location: Location::Household(household.id),
                source: "visit",
                source_detail: json!({}),
                reporter_resident: None,
                category: need.category,
                title: need.title,
                description: need.description,
                urgent: need.urgent,
                photos: Vec::new(),
                wechat_group: None,
            },
        )
        .await?;
        events.extend(filed.events);
        notifications.extend(filed.notifications);
        let request = filed.value;
        needs.push(json!({ "title": request.title, "requestId": request.id }));
    }
    let row = visit::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(household.community_id),
        household_id: Set(household.id),
        visitor_id: Set(viewer.user_id),
        visited_at: Set(new.visited_at),
        visited_on: Set(calendar::day_of(new.visited_at)),
        met: Set(met),
        notes: Set(notes),
        needs: Set(json!(needs)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let id = row.id;
    Ok(Audited::new(row, place, id)
        .with_events(events)
        .with_notifications(notifications))
}

/// One household of a visit plan.
pub struct Planned {
    pub household: household::Model,
    pub label: String,
    pub care_level: CareLevel,
    pub last_visited_on: Option<NaiveDate>,
    pub standing: Standing,
}

/// The visit plan of a grid on `today`: its grid workers and the community's staff see it.
pub async fn plan(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    grid_id: Uuid,
    today: NaiveDate,
) -> AppResult<Vec<Planned>> {
    let grid = visible_grid(conn, viewer, grid_id).await?;
    let place = place_of(conn, viewer, grid.community_id).await?;
    if !viewer.work_grids().contains(&grid.id) && !is_staff(viewer, place) {
        return Err(AppError::NotFound(msg!("grid not found")));
    }
    grid_plan(conn, grid.id, today).await
}

/// The visit plan of a grid on `today`, for callers that checked access (or the
/// scheduler, which acts for no one).
pub async fn grid_plan(
    conn: &impl ConnectionTrait,
    grid_id: Uuid,
    today: NaiveDate,
) -> AppResult<Vec<Planned>> {
    let households = household::Entity::find()
        .filter(household::Column::Id.in_subquery(households_in_grids(&[grid_id])))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?;
    // Only each household's last visit matters: the database keeps the years of history.
    let last: HashMap<Uuid, NaiveDate> = visit::Entity::find()
        .select_only()
        .column(visit::Column::HouseholdId)
        .column_as(visit::Column::VisitedOn.max(), "last_visited_on")
        .filter(visit::Column::HouseholdId.is_in(households.iter().map(|h| h.id)))
        .group_by(visit::Column::HouseholdId)
        .into_tuple::<(Uuid, NaiveDate)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let dwellings: HashMap<Uuid, dwelling::Model> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(households.iter().map(|h| h.dwelling_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let buildings: HashMap<Uuid, String> = building::Entity::find()
        .filter(building::Column::Id.is_in(dwellings.values().map(|d| d.building_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.number))
        .collect();
    let mut planned: Vec<Planned> = households
        .into_iter()
        .map(|h| {
            let label = dwellings
                .get(&h.dwelling_id)
                .map(|d| {
                    let number = buildings.get(&d.building_id).map_or("", String::as_str);
                    crate::registry::labels::dwelling(number, d.unit, &d.room)
                })
                .unwrap_or_default();
            let care_level = care::effective(&h);
            let last_visited_on = last.get(&h.id).copied();
            let standing = standing(
                Cadence::from(care_level),
                last_visited_on,
                calendar::day_of(h.created_at),
                today,
            );
            Planned {
                household: h,
                label,
                care_level,
                last_visited_on,
                standing,
            }
        })
        .collect();
    // Overdue first, then due, then done; within each, the most cared-for first.
    planned.sort_by_key(|p| {
        let rank = match p.standing {
            Standing::Overdue { .. } => 0,
            Standing::Due { .. } => 1,
            Standing::Done => 2,
        };
        (rank, std::cmp::Reverse(p.care_level), p.label.clone())
    });
    Ok(planned)
}
