//! GraphQL reads of care watch: a household's watch with its check-ins, its devices, and
//! `careAlerts`, the missed households of a community or grid. (Root fields rather than
//! fields of `Household`: the registry does not depend on care.)

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{care_check_in, care_watch};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::care_household,
    alerts::{alerts_condition, standing},
    devices::devices_of,
    loaders::{DeviceLabel, UserName},
    service::{active_watch, interval_of},
    types::{CareDevice, CareInterval, CareStatus, CheckInKind},
};
use crate::{
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
    registry::{household_loaders::HouseholdById, resident_types::Household},
};

/// A person or device, by the name staff know them by (never a resident's name).
#[derive(SimpleObject)]
pub struct CareRecorder {
    pub name: String,
    /// Whether a device (not a person) recorded it.
    pub device: bool,
}

/// A household's care watch.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CareWatch {
    pub interval: CareInterval,
    /// When the watch started.
    pub since: DateTime<Utc>,
    pub last_check_in_at: Option<DateTime<Utc>>,
    /// When the next check-in is (or was) due.
    pub next_due_at: DateTime<Utc>,
    /// Whole intervals passed without a check-in.
    pub missed_check_ins: i64,
    pub status: CareStatus,
    #[graphql(skip)]
    pub row: care_watch::Model,
}

impl CareWatch {
    pub fn of(row: care_watch::Model, now: DateTime<Utc>) -> AppResult<Self> {
        let interval = interval_of(&row)?;
        let s = standing(row.due_at, interval.duration(), now);
        Ok(Self {
            interval,
            since: row.since,
            last_check_in_at: row.last_check_in_at,
            next_due_at: row.due_at,
            missed_check_ins: s.missed,
            status: s.status,
            row,
        })
    }
}

#[ComplexObject]
impl CareWatch {
    /// Who set (or last changed) the watch.
    async fn set_by(&self, ctx: &Context<'_>) -> Result<CareRecorder> {
        let name = loader(ctx).load_one(UserName(self.row.set_by)).await?;
        Ok(CareRecorder {
            name: name.unwrap_or_default(),
            device: false,
        })
    }

    /// Check-ins, latest first. Their notes are personal data: a page carrying them is
    /// recorded in the audit log as a read of the household's.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn check_ins(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<CareCheckIn>> {
        let args = PageArgs::new(first, after)?;
        let select = care_check_in::Entity::find()
            .filter(care_check_in::Column::HouseholdId.eq(self.row.household_id));
        let page = ordered_page(
            ctx.services().db.reader(),
            select,
            Order::LatestBy {
                at: care_check_in::Column::At,
                id: care_check_in::Column::Id,
            },
            None,
            args,
            CareCheckIn::of,
        )
        .await?;
        if !page.edges.is_empty() && page_selects(ctx, &["note"]) {
            ctx.meta()
                .returned_personal_data(self.row.community_id, self.row.household_id);
        }
        Ok(page)
    }
}

/// Someone (or a device) saw the household.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CareCheckIn {
    pub id: ID,
    pub at: DateTime<Utc>,
    pub kind: CheckInKind,
    pub note: String,
    #[graphql(skip)]
    pub recorded_by: Option<Uuid>,
    #[graphql(skip)]
    pub device_id: Option<Uuid>,
}

impl CareCheckIn {
    pub fn of(m: care_check_in::Model) -> AppResult<Self> {
        Ok(Self {
            id: m.id.into(),
            at: m.at,
            kind: CheckInKind::from_stored(&m.kind)?,
            note: m.note,
            recorded_by: m.recorded_by,
            device_id: m.device_id,
        })
    }
}

#[ComplexObject]
impl CareCheckIn {
    /// Who recorded it: a staff member's or grid worker's work name, the resident's own
    /// check-in ("本人"), or the device's label.
    async fn by(&self, ctx: &Context<'_>) -> Result<CareRecorder> {
        if let Some(device) = self.device_id {
            let label = loader(ctx).load_one(DeviceLabel(device)).await?;
            return Ok(CareRecorder {
                name: label.unwrap_or_default(),
                device: true,
            });
        }
        let name = match (self.kind, self.recorded_by) {
            (CheckInKind::Myself, _) => Some("本人".to_owned()),
            (_, Some(user)) => loader(ctx).load_one(UserName(user)).await?,
            (_, None) => None,
        };
        Ok(CareRecorder {
            name: name.unwrap_or_default(),
            device: false,
        })
    }
}

/// A household whose check-in is overdue.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct CareAlert {
    pub household_id: ID,
    pub watch: CareWatch,
}

#[ComplexObject]
impl CareAlert {
    async fn household(&self, ctx: &Context<'_>) -> Result<Household> {
        loader(ctx)
            .load_one(HouseholdById(self.watch.row.household_id))
            .await?
            .map(Household::from)
            .ok_or_else(|| AppError::NotFound(msg!("household not found")).into())
    }
}

#[derive(Default)]
pub struct CareQuery;

#[Object]
impl CareQuery {
    /// A household's care watch (关爱巡查), null when it is not watched: for community
    /// staff, the household's grid worker and the household itself.
    async fn care_watch(&self, ctx: &Context<'_>, household_id: ID) -> Result<Option<CareWatch>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("householdId", &household_id)?;
        let db = ctx.services().db.reader();
        care_household(db, viewer, id).await?.check_read()?;
        let row = active_watch(db, id).await?;
        Ok(row.map(|w| CareWatch::of(w, Utc::now())).transpose()?)
    }

    /// The alarm buttons, door sensors and gateways of a home, revoked ones too: for
    /// community staff.
    async fn care_devices(&self, ctx: &Context<'_>, household_id: ID) -> Result<Vec<CareDevice>> {
        let viewer = ctx.viewer()?;
        let id = parse_id("householdId", &household_id)?;
        let db = ctx.services().db.reader();
        care_household(db, viewer, id).await?.check_devices()?;
        Ok(devices_of(db, id)
            .await?
            .into_iter()
            .map(CareDevice::of)
            .collect::<AppResult<_>>()?)
    }

    /// Households under care watch whose check-in is overdue, longest overdue first: the
    /// community's for staff, their grids' for a grid worker (`gridId` narrows to one).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn care_alerts(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        grid_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<CareAlert>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let grid = grid_id.map(|g| parse_id("gridId", &g)).transpose()?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let now = Utc::now();
        let condition = alerts_condition(db, viewer, community, grid, now).await?;
        let page = ordered_page(
            db,
            care_watch::Entity::find().filter(condition),
            Order::EarliestBy {
                at: care_watch::Column::DueAt,
                id: care_watch::Column::Id,
            },
            None,
            args,
            |w| {
                Ok(CareAlert {
                    household_id: w.household_id.into(),
                    watch: CareWatch::of(w, now)?,
                })
            },
        )
        .await?;
        if page_selects(ctx, &["household"]) {
            let ids = page
                .edges
                .iter()
                .map(|e| HouseholdById(e.node.watch.row.household_id));
            loader(ctx).load_many(ids).await?;
        }
        Ok(page)
    }
}
