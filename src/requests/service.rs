//! Requests: filed by a resident for their household, or recorded by staff from a WeChat
//! message, a 12345 ticket, a call or a visit; assigned to the grid worker of the
//! building's grid; moved through their statuses with replies to the resident and internal
//! notes kept apart; rated and, within 7 days of resolution, reopened by the reporter.

use chrono::{DateTime, Duration, Utc};
use entity::{
    building, dwelling, grid_building, household, request_event, role_grant, role_grant::Role,
    service_request,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{
    access::{RequestRole, visible_request},
    category::{self, due},
    photos::{PhotoStage, PhotoStore, attach_photos},
    status::{Action, Status, next},
};
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    error::{AppError, AppResult, Term, msg, on_unique_violation},
    files::{FileStore, service::Upload},
    graphql::{StoredEnum, clean_name},
    live::LiveEvent,
    outbox::{EventType, Notification},
    registry::micro_grid_access::check_leads,
    tenancy::{place_of, visible_building},
    wechat_groups::service::{GroupRef, pick},
};

/// How long after resolution the reporter may reopen a request.
pub const REOPEN_DAYS: i64 = 7;

/// Where a request is about.
pub enum Location {
    Household(Uuid),
    Building(Uuid),
}

pub struct NewRequest {
    pub location: Location,
    /// `app` when a resident files it; otherwise how it reached staff.
    pub source: &'static str,
    pub source_detail: Value,
    pub reporter_resident: Option<Uuid>,
    pub category: String,
    pub title: String,
    pub description: String,
    pub urgent: bool,
    pub photos: Vec<Upload>,
    /// For a WeChat message: the group it was posted in, and when.
    pub wechat_group: Option<(GroupRef, DateTime<Utc>)>,
}

pub(super) fn done(r: service_request::Model, place: Place) -> Audited<service_request::Model> {
    let id = r.id;
    Audited::new(r, place, id)
}

/// A result that tells the assignee, live, that the request is theirs now (and the
/// community's webhooks).
pub(super) fn assigned(r: service_request::Model, place: Place) -> Audited<service_request::Model> {
    let event = r.assignee_id.map(|assignee_id| LiveEvent::RequestAssigned {
        request_id: r.id,
        community_id: r.community_id,
        assignee_id,
    });
    let note = r.assignee_id.map(|_| {
        notification(
            EventType::RequestAssigned,
            &r,
            json!({"firstResponseDueAt": r.first_response_due_at}),
        )
    });
    done(r, place).with_events(event).with_notifications(note)
}

/// A webhook notification about a request: where it is, who has it, its title and
/// category (never who reported it).
pub(super) fn notification(
    kind: EventType,
    r: &service_request::Model,
    extra: Value,
) -> Notification {
    let mut facts = json!({
        "requestId": r.id,
        "title": r.title,
        "category": r.category,
        "urgency": r.urgency,
        "status": r.status,
        "buildingId": r.building_id,
        "gridId": r.grid_id,
        "assigneeId": r.assignee_id,
    });
    if let (Value::Object(facts), Value::Object(extra)) = (&mut facts, extra) {
        facts.extend(extra);
    }
    Notification::new(kind, r.community_id, facts).in_place(r.compound_id, r.grid_id)
}

/// The grid worker of a grid (the longest-serving one, when there are several).
async fn grid_worker(conn: &impl ConnectionTrait, grid: Uuid) -> AppResult<Option<Uuid>> {
    let now = Utc::now();
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::Role.eq(Role::GridWorker))
        .filter(role_grant::Column::ScopeId.eq(grid))
        .filter(role_grant::Column::RevokedAt.is_null())
        .order_by_asc(role_grant::Column::ValidFrom)
        .all(conn)
        .await?
        .into_iter()
        .find(|g| g.is_active_at(now))
        .map(|g| g.user_id))
}

/// What happened to a request.
#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestEventKind {
    /// Its status changed (`statusFrom`, `statusTo`).
    Status,
    /// A reply the reporter sees.
    Reply,
    /// An internal note (handlers only).
    Note,
    /// Handed to another worker (handlers only).
    Assign,
    /// A follow-up (回访) with the reporter was recorded.
    FollowUp,
}

impl StoredEnum for RequestEventKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Reply => "reply",
            Self::Note => "note",
            Self::Assign => "assign",
            Self::FollowUp => "follow_up",
        }
    }
}

/// Records an event in a request's history.
pub async fn event(
    conn: &impl ConnectionTrait,
    request: &service_request::Model,
    viewer: &Viewer,
    kind: RequestEventKind,
    statuses: Option<(Status, Status)>,
    body: &str,
    public: bool,
) -> AppResult<()> {
    request_event::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(request.community_id),
        request_id: Set(request.id),
        kind: Set(kind.stored().to_owned()),
        status_from: Set(statuses.map(|(from, _)| from.as_str().to_owned())),
        status_to: Set(statuses.map(|(_, to)| to.as_str().to_owned())),
        body: Set(body.to_owned()),
        public: Set(public),
        actor_id: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Files a request. A resident files for their own household; staff record one for anyone
/// in their community, from wherever it came.
/// Refuses a 12345 ticket the community has recorded already, naming that request.
async fn check_ticket_new(
    conn: &impl ConnectionTrait,
    community: Uuid,
    ticket: &str,
) -> AppResult<()> {
    let earlier = service_request::Entity::find()
        .filter(service_request::Column::CommunityId.eq(community))
        .filter(service_request::Column::HotlineTicket.eq(ticket))
        .one(conn)
        .await?;
    match earlier {
        Some(r) => Err(AppError::Conflict(msg!(
            "12345 ticket {ticket} is already recorded as request \"{title}\" ({id}); add to that request instead",
            ticket = ticket,
            title = &r.title,
            id = r.id
        ))),
        None => Ok(()),
    }
}

pub async fn create(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    max_file_bytes: usize,
    viewer: &Viewer,
    new: NewRequest,
) -> AppResult<Audited<service_request::Model>> {
    let (household, building_id) = match new.location {
        Location::Household(id) => {
            let household = household::Entity::find_by_id(id)
                .filter(household::Column::ArchivedAt.is_null())
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("household not found")))?;
            let dwelling = dwelling::Entity::find_by_id(household.dwelling_id)
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("household not found")))?;
            (Some(household), dwelling.building_id)
        }
        Location::Building(id) => (None, id),
    };
    let building = if new.source == "app" {
        // A resident (or a family contact): only for the household they act for.
        let own = household
            .as_ref()
            .is_some_and(|h| viewer.households_acted_for().contains(&h.id));
        if !own {
            return Err(AppError::NotFound(msg!("household not found")));
        }
        building::Entity::find_by_id(building_id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound(msg!("building not found")))?
    } else {
        visible_building(conn, viewer, building_id).await?
    };
    let place = place_of(conn, viewer, building.community_id).await?;
    let grid = grid_building::Entity::find_by_id(building.id)
        .one(conn)
        .await?
        .map(|g| g.grid_id);
    if new.source != "app" {
        let staff = viewer
            .reach(crate::auth::Capability::ManageResidents)
            .covers(place.street_office, place.community);
        // A grid worker files the needs found on a visit to a household of their grid.
        let visiting =
            new.source == "visit" && grid.is_some_and(|g| viewer.work_grids().contains(&g));
        // A micro-grid leader files for a household of their micro-grid only.
        let neighbour = new.source == "neighbour";
        if neighbour && !staff {
            check_leads(conn, viewer, household.as_ref().map(|h| h.id)).await?;
        }
        if !staff && !visiting && !neighbour {
            return Err(AppError::Forbidden(msg!(
                "only community staff record requests on a resident's behalf"
            )));
        }
    }
    let category = category::find(conn, building.community_id, &new.category).await?;
    let mut source_detail = new.source_detail;
    let wechat_group = match &new.wechat_group {
        Some((group, sent_at)) => pick(conn, building.community_id, group, *sent_at).await?,
        None => None,
    };
    if let Some((group, _)) = &wechat_group {
        // The registry's spelling, whatever the caller typed.
        source_detail["wechat"]["groupName"] = group.name.clone().into();
    }
    let assignee = match grid {
        Some(grid) => grid_worker(conn, grid).await?,
        None => None,
    };
    let description = new.description.trim();
    if description.chars().count() > 5_000 {
        return Err(AppError::bad_input(
            "input.description",
            msg!("at most 5000 characters"),
        ));
    }
    let hotline_ticket = source_detail["hotlineTicket"].as_str().map(str::to_owned);
    if let Some(ticket) = &hotline_ticket {
        check_ticket_new(conn, building.community_id, ticket).await?;
    }
    let now = Utc::now();
    let request = service_request::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(building.community_id),
        compound_id: Set(Some(building.compound_id)),
        building_id: Set(Some(building.id)),
        household_id: Set(household.as_ref().map(|h| h.id)),
        grid_id: Set(grid),
        assignee_id: Set(assignee),
        reporter_resident_id: Set(new.reporter_resident),
        // Who filed it follows it: a resident, or a micro-grid leader for a neighbour.
        reporter_user_id: Set(matches!(new.source, "app" | "neighbour").then_some(viewer.user_id)),
        recorded_by: Set(viewer.user_id),
        source: Set(new.source.into()),
        source_detail: Set(source_detail),
        hotline_ticket: Set(hotline_ticket),
        wechat_group_id: Set(wechat_group.as_ref().map(|(g, _)| g.id)),
        on_duty_user_id: Set(wechat_group.and_then(|(_, on_duty)| on_duty)),
        category: Set(category.code.clone()),
        title: Set(clean_name("input.title", &new.title, 200)?),
        description: Set(description.to_owned()),
        urgency: Set(if new.urgent { "urgent" } else { "normal" }.into()),
        status: Set(Status::New.as_str().into()),
        duplicate_of: Set(None),
        referred_to: Set(None),
        referral_reply: Set(None),
        rejection_reason: Set(None),
        first_response_due_at: Set(now + due(category.first_response_hours, new.urgent)),
        resolve_due_at: Set(now + due(category.resolve_hours, new.urgent)),
        acknowledged_at: Set(None),
        resolved_at: Set(None),
        closed_at: Set(None),
        rating: Set(None),
        rating_comment: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        on_unique_violation(e, msg!("this 12345 ticket was recorded at the same moment"))
    })?;
    attach_photos(
        conn,
        &PhotoStore {
            files,
            max_file_bytes,
        },
        viewer,
        &request,
        new.photos,
        PhotoStage::Report,
    )
    .await?;
    event(
        conn,
        &request,
        viewer,
        RequestEventKind::Status,
        None,
        "",
        true,
    )
    .await?;
    Ok(assigned(request, place))
}

/// What comes with a move: the message to the resident, the department for a referral,
/// the original for a duplicate.
#[derive(Default)]
pub struct Move {
    pub message: String,
    pub department: Option<String>,
    pub duplicate_of: Option<Uuid>,
    /// Photos of the work done: only with a resolution.
    pub photos: Vec<Upload>,
}

/// Moves a request on. Handlers (staff, the grid's worker, the assignee) do everything but
/// reopening; the reporter closes a resolved request or reopens it within 7 days.
pub async fn move_request(
    conn: &impl ConnectionTrait,
    store: &PhotoStore<'_>,
    viewer: &Viewer,
    id: Uuid,
    action: Action,
    with: Move,
) -> AppResult<Audited<service_request::Model>> {
    let (request, place, standing) = visible_request(conn, viewer, id).await?;
    if !with.photos.is_empty() && action != Action::Resolve {
        return Err(AppError::bad_input(
            "input.photos",
            msg!("photos go with a resolution: of the work done"),
        ));
    }
    let may = match action {
        Action::Reopen => standing == RequestRole::Reporter,
        Action::Close => true,
        _ => standing.handles(),
    };
    if !may {
        return Err(AppError::Forbidden(match action {
            Action::Reopen => msg!("only who filed a request reopens it"),
            _ => msg!("only the grid worker and community staff handle requests"),
        }));
    }
    let from = Status::parse(&request.status);
    let to = next(from, action).ok_or_else(|| {
        AppError::bad_input(
            "input.action",
            msg!(
                "a request that is {status} cannot be moved so",
                status = Term(from.as_str())
            ),
        )
    })?;
    let now = Utc::now();
    let message = with.message.trim().to_owned();
    let mut update: service_request::ActiveModel = request.clone().into();
    match action {
        Action::Acknowledge => update.acknowledged_at = Set(Some(now)),
        Action::Resolve => {
            if message.chars().count() < 2 {
                return Err(AppError::bad_input(
                    "input.message",
                    msg!("tell the resident what was done"),
                ));
            }
            update.resolved_at = Set(Some(now));
            if request.acknowledged_at.is_none() {
                update.acknowledged_at = Set(Some(now));
            }
        }
        Action::Close => update.closed_at = Set(Some(now)),
        Action::Refer => {
            let department = with.department.unwrap_or_default();
            update.referred_to = Set(Some(clean_name("input.department", &department, 100)?));
            if request.acknowledged_at.is_none() {
                update.acknowledged_at = Set(Some(now));
            }
        }
        Action::Reject => {
            if message.chars().count() < 2 {
                return Err(AppError::bad_input(
                    "input.message",
                    msg!("say why it is rejected"),
                ));
            }
            update.rejection_reason = Set(Some(message.chars().take(500).collect()));
        }
        Action::MarkDuplicate => {
            let original = with.duplicate_of.ok_or_else(|| {
                AppError::bad_input("input.duplicateOfId", msg!("name the original request"))
            })?;
            let (original, _, _) =
                visible_request(conn, viewer, original)
                    .await
                    .map_err(|e| match e {
                        AppError::Internal(_) => e,
                        _ => AppError::bad_input("input.duplicateOfId", msg!("no such request")),
                    })?;
            if original.id == request.id || original.community_id != request.community_id {
                return Err(AppError::bad_input(
                    "input.duplicateOfId",
                    msg!("not another request of the community"),
                ));
            }
            update.duplicate_of = Set(Some(original.id));
        }
        Action::Reopen => {
            let resolved = request.resolved_at.unwrap_or(now);
            if now - resolved > Duration::days(REOPEN_DAYS) {
                return Err(AppError::bad_input(
                    "input.action",
                    msg!(
                        "a request is reopened within {days} days of its resolution",
                        days = REOPEN_DAYS
                    ),
                ));
            }
            update.resolved_at = Set(None);
            update.closed_at = Set(None);
            update.rating = Set(None);
            update.rating_comment = Set(None);
        }
        Action::Start => {}
    }
    update.status = Set(to.as_str().into());
    update.updated_at = Set(now);
    let request = update.update(conn).await?;
    event(
        conn,
        &request,
        viewer,
        RequestEventKind::Status,
        Some((from, to)),
        &message,
        true,
    )
    .await?;
    let photos = with.photos.len();
    attach_photos(
        conn,
        store,
        viewer,
        &request,
        with.photos,
        PhotoStage::Resolution,
    )
    .await?;
    let resolved = (to == Status::Resolved).then(|| {
        notification(
            EventType::RequestResolved,
            &request,
            json!({"resolvedAt": request.resolved_at, "photos": photos}),
        )
    });
    Ok(done(request, place).with_notifications(resolved))
}

/// Whether a request missed its deadlines at `now`: `(first response, resolution)`.
pub fn overdue(request: &service_request::Model, now: DateTime<Utc>) -> (bool, bool) {
    let status = Status::parse(&request.status);
    (
        status.awaits_response() && now > request.first_response_due_at,
        status.open() && now > request.resolve_due_at,
    )
}
