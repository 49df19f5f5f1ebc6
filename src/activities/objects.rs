//! The GraphQL objects of activities, built from rows a `visible_` lookup or a
//! reach-filtered list returned (so their child fields trust the parent's check): the
//! activity with its roles, counts, permissions, sign-ups and deliveries; a sign-up; a
//! delivery; a year of volunteer service.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{activity, activity_delivery, activity_sign_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    hours::{YearOfService, proposed_minutes},
    loaders::{ActivityById, FirstSignUps, OwnResidents, ResidentName, RolesOf, SignUpCounts},
    types::{ActivityKind, ActivityStatus, Audience, DeliveryOutcome, SignUpStatus},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page, prefetched_page},
    },
    registry::{labels::mask_name, micro_grid_households::addresses},
};

/// An activity (活动).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Activity {
    pub id: ID,
    pub community_id: ID,
    pub kind: ActivityKind,
    pub title: String,
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub sign_up_deadline: DateTime<Utc>,
    /// Participants' places (0: volunteers only).
    pub capacity: i32,
    pub audience: Audience,
    pub audience_compound_id: Option<ID>,
    pub status: ActivityStatus,
    pub published_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub row: activity::Model,
    /// Whether the caller organises it (decided by the lookup that found it).
    #[graphql(skip)]
    pub organiser: bool,
}

impl Activity {
    pub fn of(row: activity::Model, organiser: bool) -> AppResult<Self> {
        Ok(Self {
            id: row.id.into(),
            community_id: row.community_id.into(),
            kind: ActivityKind::from_stored(&row.kind)?,
            title: row.title.clone(),
            description: row.description.clone(),
            place: row.place.clone(),
            starts_at: row.starts_at,
            ends_at: row.ends_at,
            sign_up_deadline: row.sign_up_deadline,
            capacity: row.capacity,
            audience: Audience::from_stored(&row.audience)?,
            audience_compound_id: row.audience_compound_id.map(Into::into),
            status: ActivityStatus::from_stored(&row.status)?,
            published_at: row.published_at,
            row,
            organiser,
        })
    }
}

/// A volunteer role with its places taken.
#[derive(SimpleObject)]
pub struct VolunteerRole {
    pub id: ID,
    pub name: String,
    pub places: i32,
    pub confirmed: i64,
    pub waiting: i64,
}

/// What the caller may do with an activity.
#[derive(SimpleObject)]
pub struct ActivityPermissions {
    /// Publish, cancel, finish, check in, confirm attendance and hours, see the code.
    pub can_manage: bool,
    /// Sign up (themself, their household, or for staff anyone) now.
    pub can_sign_up: bool,
}

#[ComplexObject]
impl Activity {
    /// The code shown on site for residents to check in; organisers only (null otherwise).
    async fn check_in_code(&self) -> Option<&str> {
        self.organiser.then_some(self.row.check_in_code.as_str())
    }

    /// Participants with a place.
    async fn confirmed_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let counts = loader(ctx).load_one(SignUpCounts(self.row.id)).await?;
        Ok(counts
            .and_then(|c| c.get(&None).copied())
            .unwrap_or_default()
            .0)
    }

    /// Participants on the waiting list.
    async fn waiting_count(&self, ctx: &Context<'_>) -> Result<i64> {
        let counts = loader(ctx).load_one(SignUpCounts(self.row.id)).await?;
        Ok(counts
            .and_then(|c| c.get(&None).copied())
            .unwrap_or_default()
            .1)
    }

    /// Volunteer roles, with their places taken and waiting.
    async fn volunteer_roles(&self, ctx: &Context<'_>) -> Result<Vec<VolunteerRole>> {
        let l = loader(ctx);
        let (roles, counts) = futures::try_join!(
            l.load_one(RolesOf(self.row.id)),
            l.load_one(SignUpCounts(self.row.id))
        )?;
        let counts = counts.unwrap_or_default();
        Ok(roles
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let (confirmed, waiting) = counts.get(&Some(r.id)).copied().unwrap_or_default();
                VolunteerRole {
                    id: r.id.into(),
                    name: r.name,
                    places: r.places,
                    confirmed,
                    waiting,
                }
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<ActivityPermissions> {
        let open = self.row.status == ActivityStatus::Published.stored()
            && Utc::now() <= self.row.sign_up_deadline;
        let can_sign_up = open
            && (self.organiser || {
                let viewer = ctx.viewer()?;
                let own = loader(ctx).load_one(OwnResidents(viewer.user_id)).await?;
                own.unwrap_or_default()
                    .iter()
                    .any(|(_, c)| *c == self.row.community_id)
            });
        Ok(ActivityPermissions {
            can_manage: self.organiser,
            can_sign_up,
        })
    }

    /// Sign-ups, waiting list in its order: everyone who reads the activity sees who
    /// comes, by surname (王**); organisers see names in full.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn sign_ups(
        &self,
        ctx: &Context<'_>,
        status: Option<SignUpStatus>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<SignUp>> {
        let args = PageArgs::new(first, after)?;
        let status = status.map(StoredEnum::stored);
        let mut select = activity_sign_up::Entity::find()
            .filter(activity_sign_up::Column::ActivityId.eq(self.row.id));
        if let Some(status) = status {
            select = select.filter(activity_sign_up::Column::Status.eq(status));
        }
        let full = self.organiser;
        let order = Order::EarliestBy {
            at: activity_sign_up::Column::QueuedAt,
            id: activity_sign_up::Column::Id,
        };
        // A first page through the loader: a list of activities reads every one's first
        // sign-ups in one statement; later pages (one activity at a time) read their own.
        let page = if args.is_first_page() {
            let key = FirstSignUps {
                activity: self.row.id,
                status,
                take: args.first + 1,
            };
            let rows = loader(ctx).load_one(key).await?.unwrap_or_default();
            prefetched_page(select, rows, order, args, |row| SignUp::of(row, full))?
        } else {
            ordered_page(
                ctx.services().db.reader(),
                select,
                order,
                None,
                args,
                |row| SignUp::of(row, full),
            )
            .await?
        };
        prime(ctx, &page).await?;
        Ok(page)
    }

    /// The households a delivery activity goes to, with their addresses: for its
    /// organisers and confirmed volunteers.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn deliveries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Delivery>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let seen = super::access::SeenActivity {
            activity: self.row.clone(),
            place: crate::tenancy::place_of(db, viewer, self.row.community_id).await?,
            organiser: self.organiser,
        };
        super::deliveries::check_deliverer(db, viewer, &seen).await?;
        let args = PageArgs::new(first, after)?;
        let select = activity_delivery::Entity::find()
            .filter(activity_delivery::Column::ActivityId.eq(self.row.id));
        let mut page = ordered_page(
            db,
            select,
            Order::OldestFirst(activity_delivery::Column::Id),
            None,
            args,
            Delivery::of,
        )
        .await?;
        if page_selects(ctx, &["address"]) && !page.edges.is_empty() {
            let households = entity::household::Entity::find()
                .filter(
                    entity::household::Column::Id
                        .is_in(page.edges.iter().map(|e| e.node.household_id)),
                )
                .all(db)
                .await?;
            let dwellings: std::collections::HashMap<Uuid, Uuid> =
                households.iter().map(|h| (h.id, h.dwelling_id)).collect();
            let labels = addresses(db, dwellings.values().copied()).await?;
            for edge in &mut page.edges {
                edge.node.address = dwellings
                    .get(&edge.node.household_id)
                    .and_then(|d| labels.get(d).cloned())
                    .unwrap_or_default();
            }
        }
        Ok(page)
    }
}

/// Loads what a page of sign-ups shows, for the whole page at once.
pub async fn prime(ctx: &Context<'_>, page: &Page<SignUp>) -> Result<()> {
    let l = loader(ctx);
    if page_selects(ctx, &["name"]) {
        l.load_many(
            page.edges
                .iter()
                .map(|e| ResidentName(e.node.row.resident_id)),
        )
        .await?;
    }
    if page_selects(ctx, &["role"]) {
        l.load_many(page.edges.iter().map(|e| RolesOf(e.node.row.activity_id)))
            .await?;
    }
    if page_selects(ctx, &["activity"]) || page_selects(ctx, &["proposedMinutes"]) {
        l.load_many(
            page.edges
                .iter()
                .map(|e| ActivityById(e.node.row.activity_id)),
        )
        .await?;
    }
    Ok(())
}

/// A person signed up for an activity.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct SignUp {
    pub id: ID,
    pub activity_id: ID,
    pub status: SignUpStatus,
    /// When they joined the queue (the waiting list runs in this order).
    pub queued_at: DateTime<Utc>,
    /// Staff or a household member signed them up.
    pub on_behalf: bool,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Checked in with the code on site (not by staff).
    pub checked_in_with_code: bool,
    pub attendance_confirmed_at: Option<DateTime<Utc>>,
    /// Confirmed volunteer minutes.
    pub volunteer_minutes: Option<i64>,
    pub served_on: Option<NaiveDate>,
    #[graphql(skip)]
    pub row: activity_sign_up::Model,
    #[graphql(skip)]
    pub full_name: bool,
}

impl SignUp {
    pub fn of(row: activity_sign_up::Model, full_name: bool) -> AppResult<Self> {
        Ok(Self {
            id: row.id.into(),
            activity_id: row.activity_id.into(),
            status: SignUpStatus::from_stored(&row.status)?,
            queued_at: row.queued_at,
            on_behalf: row.on_behalf,
            checked_in_at: row.checked_in_at,
            checked_in_with_code: row.checked_in_at.is_some() && row.checked_in_by.is_none(),
            attendance_confirmed_at: row.attendance_confirmed_at,
            volunteer_minutes: row.volunteer_minutes,
            served_on: row.served_on,
            row,
            full_name,
        })
    }
}

#[ComplexObject]
impl SignUp {
    /// The resident's id: for organisers and the resident's own side only.
    async fn resident_id(&self) -> Option<ID> {
        self.full_name.then(|| self.row.resident_id.into())
    }

    /// The person: in full for organisers and their own sign-ups, else 王**.
    async fn name(&self, ctx: &Context<'_>) -> Result<String> {
        let name = loader(ctx)
            .load_one(ResidentName(self.row.resident_id))
            .await?
            .unwrap_or_default();
        Ok(if self.full_name {
            name
        } else {
            mask_name(&name)
        })
    }

    /// The volunteer role; null for a participant.
    async fn role(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(role) = self.row.role_id else {
            return Ok(None);
        };
        let roles = loader(ctx).load_one(RolesOf(self.row.activity_id)).await?;
        Ok(roles
            .unwrap_or_default()
            .into_iter()
            .find(|r| r.id == role)
            .map(|r| r.name))
    }

    /// The minutes a volunteer's check-in proposes (the activity's length), before the
    /// organiser confirms them.
    async fn proposed_minutes(&self, ctx: &Context<'_>) -> Result<Option<i64>> {
        let activity = loader(ctx)
            .load_one(ActivityById(self.row.activity_id))
            .await?;
        Ok(activity.and_then(|a| proposed_minutes(&a, &self.row)))
    }

    async fn activity(&self, ctx: &Context<'_>) -> Result<Activity> {
        let viewer: &Viewer = ctx.viewer()?;
        let row = loader(ctx)
            .load_one(ActivityById(self.row.activity_id))
            .await?
            .ok_or(AppError::NotFound(msg!("activity not found")))?;
        let place =
            crate::tenancy::place_of(ctx.services().db.reader(), viewer, row.community_id).await?;
        Ok(Activity::of(
            row,
            super::access::is_organiser(viewer, place),
        )?)
    }
}

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
