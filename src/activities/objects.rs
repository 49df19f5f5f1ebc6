//! The GraphQL activity and sign-up, built from rows a `visible_` lookup or a
//! reach-filtered list returned (so their child fields trust the parent's check), in one
//! file because each links to the other: the activity with its counts, sign-ups and
//! deliveries (roles and permissions in `activity_fields`, deliveries in
//! `service_objects`); a sign-up with its check-in, attendance and minutes, the name
//! masked (王**) for readers who do not organise it.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::{activity, activity_sign_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    activity_fields::{ActivityPermissions, VolunteerRole, permissions, volunteer_roles},
    hours::proposed_minutes,
    loaders::{ActivityById, FirstSignUps, ResidentName, RolesOf, SignUpCounts},
    service_objects::{Delivery, deliveries_of},
    types::{ActivityKind, ActivityStatus, Audience, SignUpStatus},
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page, prefetched_page},
    },
    registry::labels::mask_name,
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
        volunteer_roles(ctx, self.row.id).await
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<ActivityPermissions> {
        permissions(ctx, &self.row, self.organiser).await
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
        deliveries_of(ctx, &self.row, self.organiser, first, after).await
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
