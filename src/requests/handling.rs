//! Handling a request after it is filed: replies and internal notes, the answer of the
//! department it was referred to, the reporter's rating, and reassignment by staff and
//! grid leaders.

use chrono::Utc;
use entity::{role_grant, role_grant::Role, service_request};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{RequestRole, visible_request},
    service::{RequestEventKind, event},
    service::{assigned, done},
    status::Status,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    outbox::EventType,
};

/// A reply to the resident, or (internal) a note for handlers only.
pub async fn reply(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    body: &str,
    internal: bool,
) -> AppResult<Audited<service_request::Model>> {
    let (request, place, standing) = visible_request(conn, viewer, id).await?;
    if !standing.handles() {
        return Err(AppError::Forbidden(msg!(
            "only the grid worker and community staff reply to requests"
        )));
    }
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 2_000 {
        return Err(AppError::bad_input(
            "input.body",
            msg!("1 to 2000 characters"),
        ));
    }
    let kind = if internal {
        RequestEventKind::Note
    } else {
        RequestEventKind::Reply
    };
    event(conn, &request, viewer, kind, None, body, !internal).await?;
    Ok(done(request, place))
}

/// The department's reply to a referred request.
pub async fn record_referral_reply(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    reply: &str,
) -> AppResult<Audited<service_request::Model>> {
    let (request, place, standing) = visible_request(conn, viewer, id).await?;
    if !standing.handles() || request.referred_to.is_none() {
        return Err(AppError::bad_input(
            "input.requestId",
            msg!("the request was not referred"),
        ));
    }
    let reply = reply.trim();
    if reply.is_empty() {
        return Err(AppError::bad_input(
            "input.reply",
            msg!("write the department's reply"),
        ));
    }
    let mut update: service_request::ActiveModel = request.into();
    update.referral_reply = Set(Some(reply.chars().take(5_000).collect()));
    update.updated_at = Set(Utc::now());
    let request = update.update(conn).await?;
    event(
        conn,
        &request,
        viewer,
        RequestEventKind::Reply,
        None,
        reply,
        true,
    )
    .await?;
    Ok(done(request, place))
}

/// The reporter rates a resolved request, once.
pub async fn rate(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    rating: i32,
    comment: &str,
) -> AppResult<Audited<service_request::Model>> {
    let (request, place, standing) = visible_request(conn, viewer, id).await?;
    if standing != RequestRole::Reporter {
        return Err(AppError::Forbidden(msg!(
            "only who filed a request rates it"
        )));
    }
    let status = Status::parse(&request.status);
    if !matches!(status, Status::Resolved | Status::Closed) || request.rating.is_some() {
        return Err(AppError::bad_input(
            "input.requestId",
            msg!("a request is rated once, after it is resolved"),
        ));
    }
    if !(1..=5).contains(&rating) {
        return Err(AppError::bad_input("input.rating", msg!("1 to 5 stars")));
    }
    let mut update: service_request::ActiveModel = request.into();
    update.rating = Set(Some(rating));
    update.rating_comment = Set(Some(comment.trim().chars().take(500).collect()));
    update.updated_at = Set(Utc::now());
    let request = update.update(conn).await?;
    // The comment is the resident's own words: it stays out of the notification.
    let low = (rating <= 2).then(|| {
        super::service::notification(
            EventType::RequestRatedLow,
            &request,
            json!({"rating": rating}),
        )
    });
    Ok(done(request, place).with_notifications(low))
}

/// Staff hand a request to another grid worker of the community; a grid leader (网格长)
/// moves a request of a grid they lead to a worker of a grid they lead. The request follows
/// its handler: when the new assignee does not work its grid, it moves to theirs, so the
/// grid's worker and the assignee stay the same people.
pub async fn reassign(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    assignee: Uuid,
) -> AppResult<Audited<service_request::Model>> {
    let (request, place, standing) = visible_request(conn, viewer, id).await?;
    let led = viewer.scope_ids(Role::GridLeader);
    let staff = standing == RequestRole::Staff;
    if !staff && !request.grid_id.is_some_and(|g| led.contains(&g)) {
        return Err(AppError::Forbidden(msg!(
            "only community staff and the grid's leader reassign requests"
        )));
    }
    let now = Utc::now();
    let worked: Vec<Uuid> = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(assignee))
        .filter(role_grant::Column::Role.eq(Role::GridWorker))
        .filter(role_grant::Column::CommunityId.eq(request.community_id))
        .order_by_asc(role_grant::Column::ValidFrom)
        .all(conn)
        .await?
        .into_iter()
        .filter(|g| g.is_active_at(now))
        .filter_map(|g| g.scope_id)
        .filter(|g| staff || led.contains(g))
        .collect();
    if worked.is_empty() {
        let refusal = if staff {
            msg!("not a grid worker of the community")
        } else {
            msg!("not a grid worker of a grid you lead")
        };
        return Err(AppError::bad_input("input.assigneeId", refusal));
    }
    let grid = match request.grid_id {
        Some(g) if worked.contains(&g) => g,
        _ => worked[0],
    };
    let mut update: service_request::ActiveModel = request.into();
    update.assignee_id = Set(Some(assignee));
    update.grid_id = Set(Some(grid));
    update.updated_at = Set(now);
    let request = update.update(conn).await?;
    event(
        conn,
        &request,
        viewer,
        RequestEventKind::Assign,
        None,
        &assignee.to_string(),
        false,
    )
    .await?;
    Ok(assigned(request, place))
}
