//! The GraphQL records of volunteer service: a household a delivery goes to (its door,
//! nothing else of the registry) and a volunteer's confirmed year.

use std::collections::HashMap;

use async_graphql::{Context, ID, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{activity, activity_delivery, household};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::SeenActivity, deliveries::check_deliverer, hours::YearOfService, types::DeliveryOutcome,
};
use crate::{
    error::AppResult,
    graphql::{
        ContextExt, StoredEnum,
        loader::page_selects,
        pagination::{Order, Page, PageArgs, ordered_page},
    },
    registry::micro_grid_households::addresses,
    tenancy::place_of,
};

/// A household a delivery activity goes to.
#[derive(SimpleObject)]
pub struct Delivery {
    pub id: ID,
    /// 23号楼1单元101.
    pub address: String,
    pub outcome: DeliveryOutcome,
    pub note: String,
    pub recorded_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub household_id: Uuid,
}

impl Delivery {
    pub fn of(row: activity_delivery::Model) -> AppResult<Self> {
        Ok(Self {
            id: row.id.into(),
            address: String::new(),
            outcome: DeliveryOutcome::from_stored(&row.outcome)?,
            note: row.note,
            recorded_at: row.recorded_at,
            household_id: row.household_id,
        })
    }
}

/// One confirmed service in a volunteer's year.
#[derive(SimpleObject)]
pub struct VolunteerService {
    pub activity_id: ID,
    pub title: String,
    pub role: String,
    pub served_on: NaiveDate,
    pub minutes: i64,
}

/// A volunteer's confirmed service in a calendar year (China time).
#[derive(SimpleObject)]
pub struct VolunteerHours {
    pub resident_id: ID,
    pub name: String,
    pub year: i32,
    pub total_minutes: i64,
    pub services: Vec<VolunteerService>,
}

impl From<YearOfService> for VolunteerHours {
    fn from(y: YearOfService) -> Self {
        Self {
            resident_id: y.resident.id.into(),
            name: y.resident.name,
            year: y.year,
            total_minutes: y.total_minutes,
            services: y
                .services
                .into_iter()
                .map(|s| VolunteerService {
                    activity_id: s.activity_id.into(),
                    title: s.title,
                    role: s.role,
                    served_on: s.served_on,
                    minutes: s.minutes,
                })
                .collect(),
        }
    }
}
/// Writes each delivery's door (23号楼1单元101) into a page: two statements for the page.
pub async fn fill_addresses(
    conn: &impl ConnectionTrait,
    page: &mut Page<Delivery>,
) -> AppResult<()> {
    if page.edges.is_empty() {
        return Ok(());
    }
    let dwellings: HashMap<Uuid, Uuid> = household::Entity::find()
        .filter(household::Column::Id.is_in(page.edges.iter().map(|e| e.node.household_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.id, h.dwelling_id))
        .collect();
    let labels = addresses(conn, dwellings.values().copied()).await?;
    for edge in &mut page.edges {
        edge.node.address = dwellings
            .get(&edge.node.household_id)
            .and_then(|d| labels.get(d).cloned())
            .unwrap_or_default();
    }
    Ok(())
}

/// A page of a delivery activity's households, with their doors if selected: for its
/// organisers and confirmed volunteers.
pub async fn deliveries_of(
    ctx: &Context<'_>,
    row: &activity::Model,
    organiser: bool,
    first: Option<i32>,
    after: Option<String>,
) -> Result<Page<Delivery>> {
    let viewer = ctx.viewer()?;
    let db = ctx.services().db.reader();
    let seen = SeenActivity {
        activity: row.clone(),
        place: place_of(db, viewer, row.community_id).await?,
        organiser,
    };
    check_deliverer(db, viewer, &seen).await?;
    let args = PageArgs::new(first, after)?;
    let select =
        activity_delivery::Entity::find().filter(activity_delivery::Column::ActivityId.eq(row.id));
    let mut page = ordered_page(
        db,
        select,
        Order::OldestFirst(activity_delivery::Column::Id),
        None,
        args,
        Delivery::of,
    )
    .await?;
    if page_selects(ctx, &["address"]) {
        fill_addresses(db, &mut page).await?;
    }
    Ok(page)
}
