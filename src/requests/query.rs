//! Reading requests: one by id, the lists handlers work from, and the categories.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::Utc;
use entity::service_request;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};

use super::{
    access::requests_in_reach,
    category,
    follow_ups::FollowUpsOf,
    status::{Status, stored_where},
    types::*,
};
use crate::{
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
    },
    tenancy::place_of,
};

#[derive(InputObject, Default)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub category: Option<String>,
    pub grid_id: Option<ID>,
    /// Only those assigned to the caller.
    #[graphql(default)]
    pub assigned_to_me: bool,
    /// Only those past a deadline (first response or resolution).
    #[graphql(default)]
    pub overdue: bool,
    /// Only resolved or closed ones not yet followed up (回访) since their resolution.
    #[graphql(default)]
    pub awaiting_follow_up: bool,
}

#[derive(Default)]
pub struct RequestQuery;

#[Object]
impl RequestQuery {
    pub async fn request(&self, ctx: &Context<'_>, id: ID) -> Result<ServiceRequest> {
        let viewer = ctx.viewer()?;
        let (request, _, _) = super::access::visible_request(
            ctx.services().db.reader(),
            viewer,
            parse_id("id", &id)?,
        )
        .await?;
        Ok(request.into())
    }

    /// The requests the caller sees (staff: their communities'; grid workers: their grids'
    /// and their own; residents: their household's), oldest first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn requests(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<RequestFilter>,
    ) -> Result<Page<ServiceRequest>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut select = service_request::Entity::find().filter(requests_in_reach(viewer));
        if let Some(status) = filter.status {
            select =
                select.filter(service_request::Column::Status.eq(Status::from(status).as_str()));
        }
        if let Some(category) = filter.category {
            select = select.filter(service_request::Column::Category.eq(category));
        }
        if let Some(grid) = filter.grid_id {
            select = select
                .filter(service_request::Column::GridId.eq(parse_id("filter.gridId", &grid)?));
        }
        if filter.assigned_to_me {
            select = select.filter(service_request::Column::AssigneeId.eq(viewer.user_id));
        }
        if filter.overdue {
            let now = Utc::now();
            let awaiting = stored_where(Status::awaits_response);
            let open = stored_where(Status::open);
            select = select.filter(
                sea_orm::Condition::any()
                    .add(
                        sea_orm::Condition::all()
                            .add(service_request::Column::Status.is_in(awaiting))
                            .add(service_request::Column::FirstResponseDueAt.lt(now)),
                    )
                    .add(
                        sea_orm::Condition::all()
                            .add(service_request::Column::Status.is_in(open))
                            .add(service_request::Column::ResolveDueAt.lt(now)),
                    ),
            );
        }
        if filter.awaiting_follow_up {
            select = select.filter(super::follow_ups::awaiting());
        }
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            service_request::Column::Id,
            args,
            ServiceRequest::from,
        )
        .await?;
        let ids = || page.edges.iter().map(|e| e.node.model.id);
        if selects(ctx, &["edges", "node", "events"]) {
            loader(ctx).load_many(ids().map(EventsOf)).await?;
        }
        if selects(ctx, &["edges", "node", "photos"]) {
            loader(ctx).load_many(ids().map(PhotosOf)).await?;
        }
        if selects(ctx, &["edges", "node", "followUps"]) {
            loader(ctx).load_many(ids().map(FollowUpsOf)).await?;
        }
        Ok(page)
    }
}

/// Request categories: a query of its own so that the root fields keep their order
/// around grid work's dashboard (`gridwork`).
#[derive(Default)]
pub struct RequestCategoryQuery;

#[Object]
impl RequestCategoryQuery {
    /// The community's request categories with their deadlines.
    async fn request_categories(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
    ) -> Result<Vec<RequestCategory>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let place = place_of(db, viewer, parse_id("communityId", &community_id)?).await?;
        let community = place
            .community
            .ok_or(AppError::NotFound(msg!("community not found")))?;
        Ok(category::categories(db, community)
            .await?
            .into_iter()
            .map(|c| RequestCategory {
                code: c.code,
                name: c.name,
                first_response_hours: c.first_response_hours,
                resolve_hours: c.resolve_hours,
            })
            .collect())
    }
}
