//! The GraphQL types of requests: a request with its events, photos, follow-ups and the
//! caller's permissions, loaded in batches for lists; statuses, actions and sources.

use std::collections::HashMap;

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Result, SimpleObject, dataloader::Loader,
};
use chrono::{DateTime, Utc};
use entity::{request_event, request_photo, service_request, stored_file};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    access::{RequestRole, request_role},
    follow_ups::{RequestFollowUp, follow_ups_of},
    photos::PhotoStage,
    service::{self, RequestEventKind},
    status::{Action, Status},
};
use crate::{
    auth::viewer::Place,
    error::{AppError, AppResult},
    graphql::{
        ContextExt, StoredEnum,
        loader::{DbLoader, loader},
    },
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
    /// Raised by a micro-grid leader (微网格长) for a household of their micro-grid.
    Neighbour,
    /// A care alarm button (`POST /care/intake`).
    Device,
}

impl RequestSource {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::App => "app",
            Self::Wechat => "wechat",
            Self::Hotline => "hotline",
            Self::Phone => "phone",
            Self::Visit => "visit",
            Self::Neighbour => "neighbour",
            Self::Device => "device",
        }
    }

    fn parse(s: &str) -> Self {
        match s {
            "wechat" => Self::Wechat,
            "hotline" => Self::Hotline,
            "phone" => Self::Phone,
            "visit" => Self::Visit,
            "neighbour" => Self::Neighbour,
            "device" => Self::Device,
            _ => Self::App,
        }
    }
}

/// The WeChat message a request came from, as posted.
#[derive(SimpleObject, Clone)]
pub struct WechatMessage {
    pub group_name: String,
    /// The registered group (`wechatGroups`), when the message came from one.
    pub group_id: Option<ID>,
    pub sender_nickname: String,
    pub original_text: String,
    pub sent_at: DateTime<Utc>,
}

/// A WeChat message as staff record it: from a registered group (`groupId`, or a
/// `groupName` that matches one), or from a group the registry does not hold (`groupName`).
#[derive(InputObject, Clone)]
pub struct WechatMessageInput {
    pub group_id: Option<ID>,
    pub group_name: Option<String>,
    pub sender_nickname: String,
    pub original_text: String,
    pub sent_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct RequestEvent {
    pub kind: RequestEventKind,
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
    /// The reporter's (on filing) or the handler's proof of the fix (with the resolution).
    pub stage: PhotoStage,
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
                .map(|d| WechatMessage::of(d, m.wechat_group_id)),
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
pub struct WechatDetail {
    pub group_name: String,
    pub sender_nickname: String,
    pub original_text: String,
    pub sent_at: DateTime<Utc>,
}

impl WechatMessage {
    fn of(d: WechatDetail, group: Option<Uuid>) -> Self {
        Self {
            group_name: d.group_name,
            group_id: group.map(ID::from),
            sender_nickname: d.sender_nickname,
            original_text: d.original_text,
            sent_at: d.sent_at,
        }
    }
}

impl ServiceRequest {
    fn request_role(&self, ctx: &Context<'_>) -> Result<Option<RequestRole>> {
        let viewer = ctx.viewer()?;
        let place = Place {
            street_office: None,
            community: Some(self.model.community_id),
        };
        Ok(request_role(viewer, &self.model, place))
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
        let handles = self.request_role(ctx)?.is_some_and(RequestRole::handles);
        let events = loader(ctx).load_one(EventsOf(self.model.id)).await?;
        Ok(events
            .unwrap_or_default()
            .into_iter()
            .filter(|e| handles || e.public)
            .map(|e| {
                Ok(RequestEvent {
                    kind: RequestEventKind::from_stored(&e.kind)?,
                    status_from: e.status_from.as_deref().map(|s| Status::parse(s).into()),
                    status_to: e.status_to.as_deref().map(|s| Status::parse(s).into()),
                    body: e.body,
                    actor_id: e.actor_id.into(),
                    at: e.created_at,
                })
            })
            .collect::<AppResult<_>>()?)
    }

    /// Its follow-ups (回访), for handlers; empty for anyone else.
    async fn follow_ups(&self, ctx: &Context<'_>) -> Result<Vec<RequestFollowUp>> {
        if !self.request_role(ctx)?.is_some_and(RequestRole::handles) {
            return Ok(Vec::new());
        }
        follow_ups_of(ctx, self.model.id).await
    }

    /// Its photos, oldest first: the reporter's, then the handler's proof of the fix.
    async fn photos(
        &self,
        ctx: &Context<'_>,
        stage: Option<PhotoStage>,
    ) -> Result<Vec<RequestPhoto>> {
        ctx.viewer()?;
        let photos = loader(ctx).load_one(PhotosOf(self.model.id)).await?;
        Ok(photos
            .unwrap_or_default()
            .into_iter()
            .filter(|(taken, _)| stage.is_none_or(|s| s == *taken))
            .map(|(stage, f)| RequestPhoto {
                url: format!("/files/{}", f.id),
                id: f.id.into(),
                file_name: f.file_name,
                content_type: f.content_type,
                stage,
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RequestPermissions> {
        let standing = self.request_role(ctx)?;
        let status = Status::parse(&self.model.status);
        let reporter = standing == Some(RequestRole::Reporter);
        Ok(RequestPermissions {
            can_handle: standing.is_some_and(RequestRole::handles),
            can_reassign: standing == Some(RequestRole::Staff),
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
    type Value = Vec<(PhotoStage, stored_file::Model)>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PhotosOf]) -> Result<HashMap<PhotosOf, Self::Value>> {
        let db = self.db.reader();
        let links = request_photo::Entity::find()
            .filter(request_photo::Column::RequestId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(request_photo::Column::Id)
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
                let stage = if link.stage == PhotoStage::Resolution.stored() {
                    PhotoStage::Resolution
                } else {
                    PhotoStage::Report
                };
                out.entry(PhotosOf(link.request_id))
                    .or_default()
                    .push((stage, file.clone()));
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
