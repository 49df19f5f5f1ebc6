//! Follow-ups (回访): once a request is resolved, its handler asks the resident whether the
//! problem is really gone. One per resolution. An in-person follow-up is also a home visit
//! (the visit plan counts it); an unsatisfied resident reopens a resolved request.

use chrono::{DateTime, Utc};
use entity::{request_follow_up, service_request};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    files::FileStore,
    graphql::clean_name,
    requests::{
        access::visible_request,
        follow_ups::Method,
        service::{RequestEventKind, event},
        status::{self, Status, next},
    },
    visits::service::{self as visits, NewVisit},
};

pub struct NewFollowUp {
    pub request_id: Uuid,
    pub method: Method,
    pub contacted_at: DateTime<Utc>,
    pub spoke_with: String,
    /// `None` when nobody could be reached.
    pub satisfied: Option<bool>,
    pub notes: String,
}

/// What a follow-up left behind: the record, and the request as it now stands.
pub struct FollowedUp {
    pub follow_up: request_follow_up::Model,
    pub request: service_request::Model,
}

pub async fn record(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    viewer: &Viewer,
    new: NewFollowUp,
) -> AppResult<Audited<FollowedUp>> {
    let (request, place, standing) = visible_request(conn, viewer, new.request_id).await?;
    if !standing.handles() {
        return Err(AppError::Forbidden(msg!(
            "only the grid worker and community staff follow up on requests"
        )));
    }
    let status = Status::parse(&request.status);
    let resolved_at = match (status, request.resolved_at) {
        (Status::Resolved | Status::Closed, Some(at)) => at,
        _ => {
            return Err(AppError::Conflict(msg!(
                "follow up once the request is resolved"
            )));
        }
    };
    if new.contacted_at < resolved_at {
        return Err(AppError::bad_input(
            "input.contactedAt",
            msg!("before the request was resolved"),
        ));
    }
    crate::calendar::check_happened(
        "input.contactedAt",
        "a follow-up",
        new.contacted_at,
        Utc::now() - resolved_at,
    )?;
    let earlier = request_follow_up::Entity::find()
        .filter(request_follow_up::Column::RequestId.eq(request.id))
        .filter(request_follow_up::Column::ContactedAt.gte(resolved_at))
        .count(conn)
        .await?;
    if earlier > 0 {
        return Err(AppError::Conflict(msg!(
            "the request was already followed up since it was resolved"
        )));
    }
    let spoke_with = clean_name("input.spokeWith", &new.spoke_with, 100)?;
    let notes: String = new.notes.trim().chars().take(2_000).collect();
    let visit = match (new.method, request.household_id) {
        (Method::Visit, Some(household_id)) => {
            let visit = NewVisit {
                household_id,
                visited_at: new.contacted_at,
                met: spoke_with.clone(),
                notes: format!("回访：{}\n{notes}", request.title),
                needs: Vec::new(),
            };
            Some(visits::record(conn, files, viewer, visit).await?.value.id)
        }
        (Method::Visit, None) => {
            return Err(AppError::bad_input(
                "input.method",
                msg!(
                    "the request is about a building, not a household: follow up by phone or WeChat"
                ),
            ));
        }
        _ => None,
    };
    let follow_up = request_follow_up::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(request.community_id),
        request_id: Set(request.id),
        method: Set(new.method.as_str().into()),
        contacted_at: Set(new.contacted_at),
        spoke_with: Set(spoke_with),
        satisfied: Set(new.satisfied),
        notes: Set(notes.clone()),
        visit_id: Set(visit),
        recorded_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    event(
        conn,
        &request,
        viewer,
        RequestEventKind::FollowUp,
        None,
        "",
        true,
    )
    .await?;
    let request = match (new.satisfied, next(status, status::Action::Reopen)) {
        // The resident says the problem is still there: work on it again.
        (Some(false), Some(reopened)) if status == Status::Resolved => {
            let mut update: service_request::ActiveModel = request.into();
            update.status = Set(reopened.as_str().into());
            update.resolved_at = Set(None);
            update.rating = Set(None);
            update.rating_comment = Set(None);
            update.updated_at = Set(Utc::now());
            let request = update.update(conn).await?;
            let why = format!("回访未解决：{notes}");
            event(
                conn,
                &request,
                viewer,
                RequestEventKind::Status,
                Some((status, reopened)),
                why.trim(),
                true,
            )
            .await?;
            request
        }
        _ => request,
    };
    let id = follow_up.id;
    Ok(Audited::new(FollowedUp { follow_up, request }, place, id))
}
