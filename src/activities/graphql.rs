//! GraphQL reads of activities: a community's activities, one activity, the caller's own
//! sign-ups, and volunteer hours (a resident's for staff, the caller's own).

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use entity::{activity, activity_sign_up};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    access::{is_organiser, visible_activity},
    hours::{own_volunteers, readable_volunteer, year_of_service},
    loaders::{RolesOf, SignUpCounts},
    objects::{Activity, SignUp, prime},
    service_objects::VolunteerHours,
    types::{ActivityKind, ActivityStatus},
};
use crate::{
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
    tenancy::place_of,
};

#[derive(Default)]
pub struct ActivityQuery;

#[Object]
impl ActivityQuery {
    /// A community's activities: published, finished and cancelled ones for everyone in
    /// it, drafts too for its staff. `upcoming: true` lists those not yet over, soonest
    /// first; otherwise latest start first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn activities(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        kind: Option<ActivityKind>,
        #[graphql(default)] upcoming: bool,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Activity>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let place = place_of(db, viewer, community).await?;
        let organiser = is_organiser(viewer, place);
        let mut select =
            activity::Entity::find().filter(activity::Column::CommunityId.eq(community));
        if !organiser {
            select = select.filter(activity::Column::Status.ne(ActivityStatus::Draft.stored()));
        }
        if let Some(kind) = kind {
            select = select.filter(activity::Column::Kind.eq(kind.stored()));
        }
        let order = if upcoming {
            select = select.filter(activity::Column::EndsAt.gt(Utc::now()));
            Order::EarliestBy {
                at: activity::Column::StartsAt,
                id: activity::Column::Id,
            }
        } else {
            Order::LatestBy {
                at: activity::Column::StartsAt,
                id: activity::Column::Id,
            }
        };
        let page = ordered_page(db, select, order, None, args, |row| {
            Activity::of(row, organiser)
        })
        .await?;
        let ids = || page.edges.iter().map(|e| e.node.row.id);
        let l = loader(ctx);
        if ["confirmedCount", "waitingCount", "volunteerRoles"]
            .iter()
            .any(|f| page_selects(ctx, &[f]))
        {
            l.load_many(ids().map(SignUpCounts)).await?;
        }
        if page_selects(ctx, &["volunteerRoles"]) {
            l.load_many(ids().map(RolesOf)).await?;
        }
        Ok(page)
    }

    /// One activity: anyone in its community once published; drafts for its staff.
    async fn activity(&self, ctx: &Context<'_>, id: ID) -> Result<Activity> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let seen = visible_activity(ctx.services().db.reader(), viewer, id).await?;
        Ok(Activity::of(seen.activity, seen.organiser)?)
    }

    /// The caller's own sign-ups (as the resident their login is linked to), latest
    /// queued first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn my_sign_ups(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<SignUp>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        // The caller's residents inside the page's own statement: no lookup first.
        let own = sea_orm::sea_query::Query::select()
            .column(entity::resident_account::Column::ResidentId)
            .from(entity::resident_account::Entity)
            .and_where(entity::resident_account::Column::UserId.eq(viewer.user_id))
            .to_owned();
        let select = activity_sign_up::Entity::find()
            .filter(activity_sign_up::Column::ResidentId.in_subquery(own));
        let page = ordered_page(
            db,
            select,
            Order::LatestBy {
                at: activity_sign_up::Column::QueuedAt,
                id: activity_sign_up::Column::Id,
            },
            None,
            args,
            |row| SignUp::of(row, true),
        )
        .await?;
        prime(ctx, &page).await?;
        Ok(page)
    }

    /// A resident's confirmed volunteer service in a calendar year: for the community's
    /// staff, the resident and their household.
    async fn volunteer_hours(
        &self,
        ctx: &Context<'_>,
        resident_id: ID,
        year: i32,
    ) -> Result<VolunteerHours> {
        let viewer = ctx.viewer()?;
        let id = parse_id("residentId", &resident_id)?;
        let db = ctx.services().db.reader();
        let (resident, _) = readable_volunteer(db, viewer, id).await?;
        Ok(year_of_service(db, resident, year).await?.into())
    }

    /// The caller's own confirmed volunteer service in a calendar year, one entry per
    /// resident record their login is linked to.
    async fn my_volunteer_hours(
        &self,
        ctx: &Context<'_>,
        year: i32,
    ) -> Result<Vec<VolunteerHours>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let mut out = Vec::new();
        for resident in own_volunteers(db, viewer).await? {
            out.push(year_of_service(db, resident, year).await?.into());
        }
        Ok(out)
    }
}
