//! Changing requests: filing and recording them, moving them on, replies and notes,
//! ratings, reassignment, referral replies, and community categories.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use entity::{request_category, service_request};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait, QuerySelect};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    category, handling,
    photos::PhotoStore,
    service::{self, Location, Move, NewRequest},
    types::*,
};
use crate::{
    audit::{Audited, audited_write},
    auth::Capability,
    error::{AppError, AppResult, msg},
    graphql::{
        parse_id,
        upload::{read_uploads, store_and_limit},
    },
    tenancy::place_of,
    wechat_groups::service::GroupRef,
};

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
    pub wechat_message: Option<WechatMessageInput>,
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
    /// Photos of the work done (photo proof), only with `RESOLVE`; the reporter sees them
    /// with the resolution. The same rules as every upload.
    #[graphql(default)]
    pub photos: Vec<Upload>,
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
                    wechat_group: None,
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
                msg!("give a household or a building"),
            )),
        };
        let reporter = input
            .reporter_resident_id
            .as_ref()
            .map(|r| parse_id("input.reporterResidentId", r))
            .transpose();
        let source = input.source;
        let mut wechat_group = None;
        let detail = match (source, input.wechat_message, input.hotline_ticket) {
            (RequestSource::App, _, _) => Err(AppError::bad_input(
                "input.source",
                msg!("residents file APP requests themselves with submitRequest"),
            )),
            (RequestSource::Wechat, Some(m), _) => wechat_detail(m).map(|(detail, group)| {
                wechat_group = Some(group);
                detail
            }),
            (RequestSource::Wechat, None, _) => Err(AppError::bad_input(
                "input.wechatMessage",
                msg!("give the WeChat message as posted"),
            )),
            (RequestSource::Hotline, _, Some(ticket)) if !ticket.trim().is_empty() => {
                Ok(json!({ "hotlineTicket": ticket.trim().chars().take(50).collect::<String>() }))
            }
            (RequestSource::Hotline, _, _) => Err(AppError::bad_input(
                "input.hotlineTicket",
                msg!("give the 12345 ticket number"),
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
                    wechat_group,
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
        let photos = read_uploads(ctx, input.photos)?;
        let audit = json!({ "requestId": input.request_id.as_str(), "action": format!("{:?}", input.action), "department": input.department, "photos": photos.len() });
        let id = parse_id("input.requestId", &input.request_id);
        let (files, max_file_bytes) = store_and_limit(ctx);
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
                    photos,
                };
                let store = PhotoStore {
                    files: &files,
                    max_file_bytes,
                };
                service::move_request(txn, &store, viewer, id?, action, with).await
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
            Box::pin(async move { handling::reply(txn, viewer, id?, &body, internal).await })
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
            Box::pin(async move { handling::rate(txn, viewer, id?, rating, &comment).await })
        })
        .await?;
        Ok(payload(request))
    }

    /// Staff, or the leader of its grid, hand a request to another grid worker; the
    /// request moves to the grid the new assignee works.
    async fn reassign_request(
        &self,
        ctx: &Context<'_>,
        input: ReassignRequestInput,
    ) -> Result<RequestPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "assigneeId": input.assignee_id.as_str() });
        let id = parse_id("input.requestId", &input.request_id);
        let assignee = parse_id("input.assigneeId", &input.assignee_id);
        let request = audited_write(ctx, "reassignRequest", audit, move |txn, viewer| {
            Box::pin(async move { handling::reassign(txn, viewer, id?, assignee?).await })
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
            Box::pin(async move { handling::record_referral_reply(txn, viewer, id?, &reply).await })
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
                    return Err(AppError::Forbidden(msg!("only community staff add categories")));
                }
                let code = input.code.trim().to_ascii_lowercase();
                let valid = (2..=30).contains(&code.len())
                    && code.chars().all(|c| c.is_ascii_lowercase() || c == '_');
                if !valid {
                    return Err(AppError::bad_input("input.code", msg!("2 to 30 letters a-z or _")));
                }
                for (field, hours) in [
                    ("input.firstResponseHours", input.first_response_hours),
                    ("input.resolveHours", input.resolve_hours),
                ] {
                    if !(1..=24 * 90).contains(&hours) {
                        return Err(AppError::bad_input(field, msg!("1 hour to 90 days")));
                    }
                }
                if input.resolve_hours < input.first_response_hours {
                    return Err(AppError::bad_input("input.resolveHours", msg!("a request is resolved no sooner than it is first answered: give at least the first-response hours")));
                }
                // Adds to one community take turns (PostgreSQL row lock; SQLite's one
                // writer already does), so two at 59 cannot make 61.
                entity::community::Entity::find_by_id(community)
                    .lock_exclusive()
                    .one(txn)
                    .await?;
                let existing = category::categories(txn, community).await?;
                if existing.iter().any(|c| c.code == code) {
                    return Err(AppError::Conflict(msg!("the community has this category")));
                }
                if existing.len() >= category::MAX_CATEGORIES {
                    return Err(AppError::Conflict(msg!(
                        "a community has at most {max} request categories",
                        max = category::MAX_CATEGORIES
                    )));
                }
                request_category::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    community_id: Set(community),
                    code: Set(code),
                    name: Set(crate::graphql::clean_name(
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

/// A recorded WeChat message's stored detail and the group it names (by registry ID, or
/// by name: a registered name links the group, another is kept as typed).
fn wechat_detail(m: WechatMessageInput) -> AppResult<(Value, (GroupRef, DateTime<Utc>))> {
    crate::calendar::check_happened(
        "input.wechatMessage.sentAt",
        "the message",
        m.sent_at,
        crate::calendar::RECORDED_LATE_AT_MOST,
    )?;
    let (group, name) = match (&m.group_id, m.group_name.as_deref().map(str::trim)) {
        (Some(id), _) => (
            GroupRef::Id(parse_id("input.wechatMessage.groupId", id)?),
            String::new(),
        ),
        (None, Some(name)) if !name.is_empty() => {
            let name: String = name.chars().take(100).collect();
            (GroupRef::Name(name.clone()), name)
        }
        _ => {
            return Err(AppError::bad_input(
                "input.wechatMessage.groupId",
                msg!("give the group: its registry ID or its name"),
            ));
        }
    };
    let detail = json!({ "wechat": WechatDetail {
        group_name: name,
        sender_nickname: m.sender_nickname.chars().take(100).collect(),
        original_text: m.original_text.chars().take(5_000).collect(),
        sent_at: m.sent_at,
    } });
    Ok((detail, (group, m.sent_at)))
}
