//! GraphQL for requests: filing and recording them, moving them on, replies and notes,
//! ratings, reassignment, the lists handlers work from, and community categories.

use std::collections::HashMap;

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload,
    dataloader::Loader,
};
use chrono::{DateTime, Utc};
use entity::{request_category, request_event, request_photo, service_request, stored_file};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{Standing, listable, standing},
    category,
    follow_up_graphql::{FollowUpsOf, RequestFollowUp, follow_ups_of},
    service::{self, Location, Move, NewRequest},
    status::{Action, Status, stored_where},
};
use crate::{
    audit::Audited,
    audit::audited_write,
    auth::{Capability, viewer::Place},
    error::AppError,
    graphql::upload::{read_uploads, store_and_limit},
    graphql::{
        ContextExt,
        loader::{DbLoader, loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
    },
    tenancy::place_of,
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestStatus {
    New,
    Acknowledged,
    InProgress,
    Resolved,
    Closed,
    Referred,
    Rejected,
    Duplicate,
    Reopened,
}

impl From<Status> for RequestStatus {
    fn from(s: Status) -> Self {
        match s {
            Status::New => Self::New,
            Status::Acknowledged => Self::Acknowledged,
            Status::InProgress => Self::InProgress,
            Status::Resolved => Self::Resolved,
            Status::Closed => Self::Closed,
            Status::Referred => Self::Referred,
            Status::Rejected => Self::Rejected,
            Status::Duplicate => Self::Duplicate,
            Status::Reopened => Self::Reopened,
        }
    }
}

impl From<RequestStatus> for Status {
    fn from(s: RequestStatus) -> Self {
        match s {
            RequestStatus::New => Self::New,
            RequestStatus::Acknowledged => Self::Acknowledged,
            RequestStatus::InProgress => Self::InProgress,
            RequestStatus::Resolved => Self::Resolved,
            RequestStatus::Closed => Self::Closed,
            RequestStatus::Referred => Self::Referred,
            RequestStatus::Rejected => Self::Rejected,
            RequestStatus::Duplicate => Self::Duplicate,
            RequestStatus::Reopened => Self::Reopened,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestAction {
    Acknowledge,
    Start,
    /// With `message`: what was done, for the resident.
    Resolve,
    Close,
    /// With `department`: 转办 to an outside department.
    Refer,
    /// With `message`: why.
    Reject,
    /// With `duplicateOfId`.
    MarkDuplicate,
    /// The reporter, within 7 days of resolution.
    Reopen,
}

impl From<RequestAction> for Action {
    fn from(a: RequestAction) -> Self {
        match a {
            RequestAction::Acknowledge => Self::Acknowledge,
            RequestAction::Start => Self::Start,
            RequestAction::Resolve => Self::Resolve,
            RequestAction::Close => Self::Close,
            RequestAction::Refer => Self::Refer,
            RequestAction::Reject => Self::Reject,
            RequestAction::MarkDuplicate => Self::MarkDuplicate,
            RequestAction::Reopen => Self::Reopen,
        }
    }
}

/// How a request reached staff.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestSource {
    /// Filed by the resident in an app.
    App,
    /// A message in a WeChat group.
    Wechat,
    /// The 12345 citizen hotline.
    Hotline,
    Phone,
    Visit,
}

impl RequestSource {
    fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Wechat => "wechat",
            Self::Hotline => "hotline",
            Self::Phone => "phone",
            Self::Visit => "visit",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "wechat" => Self::Wechat,
            "hotline" => Self::Hotline,
            "phone" => Self::Phone,
            "visit" => Self::Visit,
            _ => Self::App,
        }
    }
}

/// The WeChat message a request came from, as posted.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "WechatMessageInput")]
pub struct WechatMessage {
    pub group_name: String,
    pub sender_nickname: String,
    pub original_text: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct RequestEvent {
    /// `status`, `reply`, `note` (handlers only) or `assign` (handlers only).
    pub kind: String,
    pub status_from: Option<RequestStatus>,
    pub status_to: Option<RequestStatus>,
    pub body: String,
    pub actor_id: ID,
    pub at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct RequestPhoto {
    pub id: ID,
    pub file_name: String,
    pub content_type: String,
    /// `/files/{id}`, downloaded with the same bearer token.
    pub url: String,
}

#[derive(SimpleObject)]
pub struct RequestPermissions {
    pub can_handle: bool,
    pub can_reassign: bool,
    pub can_rate: bool,
    pub can_reopen: bool,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct ServiceRequest {
    pub id: ID,
    pub community_id: ID,
    pub compound_id: Option<ID>,
    pub building_id: Option<ID>,
    pub household_id: Option<ID>,
    pub grid_id: Option<ID>,
    /// The grid worker handling it.
    pub assignee_id: Option<ID>,
    pub source: RequestSource,
    pub wechat_message: Option<WechatMessage>,
    pub hotline_ticket: Option<String>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub urgent: bool,
    pub status: RequestStatus,
    pub duplicate_of_id: Option<ID>,
    pub referred_to: Option<String>,
    pub referral_reply: Option<String>,
    pub rejection_reason: Option<String>,
    pub first_response_due_at: DateTime<Utc>,
    pub resolve_due_at: DateTime<Utc>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    #[graphql(skip)]
    pub model: service_request::Model,
}

impl From<service_request::Model> for ServiceRequest {
    fn from(m: service_request::Model) -> Self {
        let detail = &m.source_detail;
        Self {
            id: m.id.into(),
            community_id: m.community_id.into(),
            compound_id: m.compound_id.map(ID::from),
            building_id: m.building_id.map(ID::from),
            household_id: m.household_id.map(ID::from),
            grid_id: m.grid_id.map(ID::from),
            assignee_id: m.assignee_id.map(ID::from),
            source: RequestSource::parse(&m.source),
            wechat_message: serde_json::from_value::<WechatDetail>(detail["wechat"].clone())
                .ok()
                .map(WechatMessage::from),
            hotline_ticket: detail["hotlineTicket"].as_str().map(str::to_owned),
            category: m.category.clone(),
            title: m.title.clone(),
            description: m.description.clone(),
            urgent: m.urgency == "urgent",
            status: Status::parse(&m.status).into(),
            duplicate_of_id: m.duplicate_of.map(ID::from),
            referred_to: m.referred_to.clone(),
            referral_reply: m.referral_reply.clone(),
            rejection_reason: m.rejection_reason.clone(),
            first_response_due_at: m.first_response_due_at,
            resolve_due_at: m.resolve_due_at,
            acknowledged_at: m.acknowledged_at,
            resolved_at: m.resolved_at,
            closed_at: m.closed_at,
            rating: m.rating,
            rating_comment: m.rating_comment.clone(),
            created_at: m.created_at,
            model: m,
        }
    }
}

/// The stored form of a WeChat message.
#[derive(serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct WechatDetail {
    group_name: String,
    sender_nickname: String,
    original_text: String,
    sent_at: DateTime<Utc>,
}

impl From<WechatDetail> for WechatMessage {
    fn from(d: WechatDetail) -> Self {
        Self {
            group_name: d.group_name,
            sender_nickname: d.sender_nickname,
            original_text: d.original_text,
            sent_at: d.sent_at,
        }
    }
}

impl ServiceRequest {
    fn standing(&self, ctx: &Context<'_>) -> Result<Option<Standing>> {
        let viewer = ctx.viewer()?;
        let place = Place {
            street_office: None,
            community: Some(self.model.community_id),
        };
        Ok(standing(viewer, &self.model, place))
    }
}

#[ComplexObject]
impl ServiceRequest {
    /// Not acknowledged by its deadline for a first response.
    async fn first_response_overdue(&self) -> bool {
        service::overdue(&self.model, Utc::now()).0
    }

    /// Not resolved by its deadline.
    async fn resolution_overdue(&self) -> bool {
        service::overdue(&self.model, Utc::now()).1
    }

    /// Its history; internal notes and reassignments only for handlers.
    async fn events(&self, ctx: &Context<'_>) -> Result<Vec<RequestEvent>> {
        let handles = self.standing(ctx)?.is_some_and(Standing::handles);
        let events = loader(ctx).load_one(EventsOf(self.model.id)).await?;
        Ok(events
            .unwrap_or_default()
            .into_iter()
            .filter(|e| handles || e.public)
            .map(|e| RequestEvent {
                kind: e.kind,
                status_from: e.status_from.as_deref().map(|s| Status::parse(s).into()),
                status_to: e.status_to.as_deref().map(|s| Status::parse(s).into()),
                body: e.body,
                actor_id: e.actor_id.into(),
                at: e.created_at,
            })
            .collect())
    }

    /// Its follow-ups (回访), for handlers; empty for anyone else.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<RequestFollowUp>> {
        if !self.standing(ctx)?.is_some_and(Standing::handles) {
            return Ok(Vec::new());
        }
        follow_ups_of(ctx, self.model.id).await
    }

    async fn photos(&self, ctx: &Context<'_>) -> Result<Vec<RequestPhoto>> {
        ctx.viewer()?;
        let photos = loader(ctx).load_one(PhotosOf(self.model.id)).await?;
        Ok(photos
            .unwrap_or_default()
            .into_iter()
            .map(|f| RequestPhoto {
                url: format!("/files/{}", f.id),
                id: f.id.into(),
                file_name: f.file_name,
                content_type: f.content_type,
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RequestPermissions> {
        let standing = self.standing(ctx)?;
        let status = Status::parse(&self.model.status);
        let reporter = standing == Some(Standing::Reporter);
        Ok(RequestPermissions {
            can_handle: standing.is_some_and(Standing::handles),
            can_reassign: standing == Some(Standing::Staff),
            can_rate: reporter
                && matches!(status, Status::Resolved | Status::Closed)
                && self.model.rating.is_none(),
            can_reopen: reporter
                && crate::requests::status::next(status, Action::Reopen).is_some()
                && self.model.resolved_at.is_some_and(|at| {
                    Utc::now() - at <= chrono::Duration::days(service::REOPEN_DAYS)
                }),
        })
    }
}

/// Batched per-request lookups for lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EventsOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PhotosOf(pub Uuid);

impl Loader<EventsOf> for DbLoader {
    type Value = Vec<request_event::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[EventsOf]) -> Result<HashMap<EventsOf, Self::Value>> {
        let mut out: HashMap<EventsOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for e in request_event::Entity::find()
            .filter(request_event::Column::RequestId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(request_event::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
        {
            out.entry(EventsOf(e.request_id)).or_default().push(e);
        }
        Ok(out)
    }
}

impl Loader<PhotosOf> for DbLoader {
    type Value = Vec<stored_file::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PhotosOf]) -> Result<HashMap<PhotosOf, Self::Value>> {
        let db = self.db.reader();
        let links = request_photo::Entity::find()
            .filter(request_photo::Column::RequestId.is_in(keys.iter().map(|k| k.0)))
            .all(db)
            .await
            .map_err(AppError::from)?;
        let files: HashMap<Uuid, stored_file::Model> = stored_file::Entity::find()
            .filter(stored_file::Column::Id.is_in(links.iter().map(|l| l.file_id)))
            .all(db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|f| (f.id, f))
            .collect();
        let mut out: HashMap<PhotosOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for link in links {
            if let Some(file) = files.get(&link.file_id) {
                out.entry(PhotosOf(link.request_id))
                    .or_default()
                    .push(file.clone());
            }
        }
        Ok(out)
    }
}

#[derive(SimpleObject)]
pub struct RequestCategory {
    pub code: String,
    pub name: String,
    pub first_response_hours: i32,
    pub resolve_hours: i32,
}

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
    async fn request(&self, ctx: &Context<'_>, id: ID) -> Result<ServiceRequest> {
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
        let mut select = service_request::Entity::find().filter(listable(viewer));
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
            select = select.filter(super::follow_up::awaiting());
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

    /// The community's request categories with their deadlines.
    async fn request_categories(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
    ) -> Result<Vec<RequestCategory>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let place = place_of(db, viewer, parse_id("communityId", &community_id)?).await?;
        let community = place.community.ok_or(AppError::NotFound("community"))?;
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

#[derive(InputObject)]
pub struct SubmitRequestInput {
    /// The resident's own household.
    pub household_id: ID,
    pub category: String,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    #[graphql(default)]
    pub urgent: bool,
    /// JPEG, PNG, WebP or PDF, uploaded in the multipart request.
    #[graphql(default)]
    pub photos: Vec<Upload>,
}

#[derive(InputObject)]
pub struct RecordRequestInput {
    /// A household, or give `buildingId` for something about a building (a lamp, a door).
    pub household_id: Option<ID>,
    pub building_id: Option<ID>,
    /// Who raised it, when known.
    pub reporter_resident_id: Option<ID>,
    pub source: RequestSource,
    /// For `WECHAT`: the message as posted.
    pub wechat_message: Option<WechatMessage>,
    /// For `HOTLINE`: the 12345 ticket number.
    pub hotline_ticket: Option<String>,
    pub category: String,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    #[graphql(default)]
    pub urgent: bool,
    #[graphql(default)]
    pub photos: Vec<Upload>,
}

#[derive(InputObject)]
pub struct MoveRequestInput {
    pub request_id: ID,
    pub action: RequestAction,
    /// To the resident: required to resolve (what was done) and to reject (why).
    #[graphql(default)]
    pub message: String,
    pub department: Option<String>,
    pub duplicate_of_id: Option<ID>,
}

#[derive(InputObject)]
pub struct ReplyToRequestInput {
    pub request_id: ID,
    pub body: String,
    /// An internal note, never shown to the resident.
    #[graphql(default)]
    pub internal: bool,
}

#[derive(InputObject)]
pub struct RateRequestInput {
    pub request_id: ID,
    /// 1 to 5.
    pub rating: i32,
    #[graphql(default)]
    pub comment: String,
}

#[derive(InputObject)]
pub struct ReassignRequestInput {
    pub request_id: ID,
    /// A grid worker (user) of the community.
    pub assignee_id: ID,
}

#[derive(InputObject)]
pub struct RecordReferralReplyInput {
    pub request_id: ID,
    pub reply: String,
}

#[derive(InputObject)]
pub struct AddRequestCategoryInput {
    pub community_id: ID,
    /// A short code, e.g. `elevator`.
    pub code: String,
    pub name: String,
    pub first_response_hours: i32,
    pub resolve_hours: i32,
}

#[derive(SimpleObject)]
pub struct RequestPayload {
    pub request: ServiceRequest,
}

fn payload(m: service_request::Model) -> RequestPayload {
    RequestPayload { request: m.into() }
}

#[derive(Default)]
pub struct RequestMutation;

#[Object]
impl RequestMutation {
    /// A resident files a request for their own household.
    async fn submit_request(
        &self,
        ctx: &Context<'_>,
        input: SubmitRequestInput,
    ) -> Result<RequestPayload> {
        let photos = read_uploads(ctx, input.photos)?;
        let audit = json!({ "householdId": input.household_id.as_str(), "category": input.category, "title": input.title, "photos": photos.len() });
        let household = parse_id("input.householdId", &input.household_id);
        let (files, max) = store_and_limit(ctx);
        let (category, title, description, urgent) =
            (input.category, input.title, input.description, input.urgent);
        let request = audited_write(ctx, "submitRequest", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewRequest {
                    location: Location::Household(household?),
                    source: "app",
                    source_detail: json!({}),
                    reporter_resident: None,
                    category,
                    title,
                    description,
                    urgent,
                    photos,
                };
                service::create(txn, &files, max, viewer, new).await
            })
        })
        .await?;
        Ok(payload(request))
    }

    /// Staff record a request from a WeChat message, a 12345 ticket, a call or a visit.
    async fn record_request(
        &self,
        ctx: &Context<'_>,
        input: RecordRequestInput,
    ) -> Result<RequestPayload> {
        let photos = read_uploads(ctx, input.photos)?;
        let audit = json!({ "householdId": input.household_id.as_ref().map(|i| i.as_str()), "buildingId": input.building_id.as_ref().map(|i| i.as_str()), "source": input.source.as_str(), "category": input.category, "title": input.title, "photos": photos.len() });
        let location = match (&input.household_id, &input.building_id) {
            (Some(h), None) => parse_id("input.householdId", h).map(Location::Household),
            (None, Some(b)) => parse_id("input.buildingId", b).map(Location::Building),
            _ => Err(AppError::bad_input(
                "input.householdId",
                "give a household or a building",
            )),
        };
        let reporter = input
            .reporter_resident_id
            .as_ref()
            .map(|r| parse_id("input.reporterResidentId", r))
            .transpose();
        let source = input.source;
        let detail = match (source, input.wechat_message, input.hotline_ticket) {
            (RequestSource::App, _, _) => Err(AppError::bad_input(
                "input.source",
                "residents file APP requests themselves with submitRequest",
            )),
            (RequestSource::Wechat, Some(m), _) => crate::calendar::check_happened(
                "input.wechatMessage.sentAt",
                "the message",
                m.sent_at,
                crate::calendar::RECORDED_LATE_AT_MOST,
            )
            .map(|()| {
                json!({ "wechat": WechatDetail {
                    group_name: m.group_name.chars().take(100).collect(),
                    sender_nickname: m.sender_nickname.chars().take(100).collect(),
                    original_text: m.original_text.chars().take(5_000).collect(),
                    sent_at: m.sent_at,
                } })
            }),
            (RequestSource::Wechat, None, _) => Err(AppError::bad_input(
                "input.wechatMessage",
                "give the WeChat message as posted",
            )),
            (RequestSource::Hotline, _, Some(ticket)) if !ticket.trim().is_empty() => {
                Ok(json!({ "hotlineTicket": ticket.trim().chars().take(50).collect::<String>() }))
            }
            (RequestSource::Hotline, _, _) => Err(AppError::bad_input(
                "input.hotlineTicket",
                "give the 12345 ticket number",
            )),
            _ => Ok(json!({})),
        };
        let (files, max) = store_and_limit(ctx);
        let (category, title, description, urgent) =
            (input.category, input.title, input.description, input.urgent);
        let request = audited_write(ctx, "recordRequest", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewRequest {
                    location: location?,
                    source: source.as_str(),
                    source_detail: detail?,
                    reporter_resident: reporter?,
                    category,
                    title,
                    description,
                    urgent,
                    photos,
                };
                service::create(txn, &files, max, viewer, new).await
            })
        })
        .await?;
        Ok(payload(request))
    }

    /// Moves a request on: acknowledge, start, resolve, close, refer, reject, mark as a
    /// duplicate, reopen.
    async fn move_request(
        &self,
        ctx: &Context<'_>,
        input: MoveRequestInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "action": format!("{:?}", input.action), "department": input.department });
        let id = parse_id("input.requestId", &input.request_id);
        let duplicate = input
            .duplicate_of_id
            .as_ref()
            .map(|d| parse_id("input.duplicateOfId", d))
            .transpose();
        let action = input.action.into();
        let (message, department) = (input.message, input.department);
        let request = audited_write(ctx, "moveRequest", audit, move |txn, viewer| {
            Box::pin(async move {
                let with = Move {
                    message,
                    department,
                    duplicate_of: duplicate?,
                };
                service::move_request(txn, viewer, id?, action, with).await
            })
        })
        .await?;
        Ok(payload(request))
    }

    /// A reply to the resident, or an internal note.
    async fn reply_to_request(
        &self,
        ctx: &Context<'_>,
        input: ReplyToRequestInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "internal": input.internal });
        let id = parse_id("input.requestId", &input.request_id);
        let (body, internal) = (input.body, input.internal);
        let request = audited_write(ctx, "replyToRequest", audit, move |txn, viewer| {
            Box::pin(async move { service::reply(txn, viewer, id?, &body, internal).await })
        })
        .await?;
        Ok(payload(request))
    }

    /// The reporter rates a resolved request.
    async fn rate_request(
        &self,
        ctx: &Context<'_>,
        input: RateRequestInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "rating": input.rating });
        let id = parse_id("input.requestId", &input.request_id);
        let (rating, comment) = (input.rating, input.comment);
        let request = audited_write(ctx, "rateRequest", audit, move |txn, viewer| {
            Box::pin(async move { service::rate(txn, viewer, id?, rating, &comment).await })
        })
        .await?;
        Ok(payload(request))
    }

    /// Staff hand a request to another grid worker.
    async fn reassign_request(
        &self,
        ctx: &Context<'_>,
        input: ReassignRequestInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "assigneeId": input.assignee_id.as_str() });
        let id = parse_id("input.requestId", &input.request_id);
        let assignee = parse_id("input.assigneeId", &input.assignee_id);
        let request = audited_write(ctx, "reassignRequest", audit, move |txn, viewer| {
            Box::pin(async move { service::reassign(txn, viewer, id?, assignee?).await })
        })
        .await?;
        Ok(payload(request))
    }

    /// The outside department's reply to a referred request.
    async fn record_referral_reply(
        &self,
        ctx: &Context<'_>,
        input: RecordReferralReplyInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str() });
        let id = parse_id("input.requestId", &input.request_id);
        let reply = input.reply;
        let request = audited_write(ctx, "recordReferralReply", audit, move |txn, viewer| {
            Box::pin(async move { service::record_referral_reply(txn, viewer, id?, &reply).await })
        })
        .await?;
        Ok(payload(request))
    }

    /// Community staff add a request category with its deadlines.
    async fn add_request_category(
        &self,
        ctx: &Context<'_>,
        input: AddRequestCategoryInput,
    ) -> Result<Vec<RequestCategory>> {
        let audit = json!({ "communityId": input.community_id.as_str(), "code": input.code, "name": input.name });
        let community = parse_id("input.communityId", &input.community_id);
        let categories = audited_write(ctx, "addRequestCategory", audit, move |txn, viewer| {
            Box::pin(async move {
                let community = community?;
                let place = place_of(txn, viewer, community).await?;
                if !viewer
                    .reach(Capability::ManageResidents)
                    .covers(place.street_office, place.community)
                {
                    return Err(AppError::Forbidden("only community staff add categories"));
                }
                let code = input.code.trim().to_ascii_lowercase();
                let valid = (2..=30).contains(&code.len())
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if !valid {
                    return Err(AppError::bad_input(
                        "input.code",
                        "2 to 30 letters a-z or _",
                    ));
                }
                for (field, hours) in [
                    ("input.firstResponseHours", input.first_response_hours),
                    ("input.resolveHours", input.resolve_hours),
                ] {
                    if !(1..=24 * 90).contains(&hours) {
                        return Err(AppError::bad_input(field, "1 hour to 90 days"));
                    }
                }
                if input.resolve_hours < input.first_response_hours {
                    return Err(AppError::bad_input(
                        "input.resolveHours",
                        "a request is resolved no sooner than it is first answered: give at least the first-response hours",
                    ));
                }
                if category::categories(txn, community)
                    .await?
                    .iter()
                    .any(|c| c.code == code)
                {
                    return Err(AppError::Conflict("the community has this category".into()));
                }
                request_category::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    community_id: Set(community),
                    code: Set(code),
                    name: Set(crate::org::service::clean_name(
                        "input.name",
                        &input.name,
                        50,
                    )?),
                    first_response_hours: Set(input.first_response_hours),
                    resolve_hours: Set(input.resolve_hours),
                    created_at: Set(Utc::now()),
                }
                .insert(txn)
                .await?;
                let all = category::categories(txn, community).await?;
                Ok(Audited::new(all, place, community))
            })
        })
        .await?;
        Ok(categories
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
