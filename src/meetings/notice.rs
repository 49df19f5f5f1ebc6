//! Public notice (公示) of a resolution and objections to it: the committee or staff put a
//! passed motion on notice for its days; residents object; organisers answer.

use chrono::{Duration, Utc};
use entity::{committee, motion, objection};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_staff, lives_there, own_residents},
    motions::organised,
    motions::visible_motion,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    auth::token::{new_opaque_token, opaque_token_hash},
    error::{AppError, AppResult, msg},
    outbox::{EventType, Notification},
};

/// Puts a resolution on public notice for `days` (default: the committee's notice days),
/// with a share token for its public page (shown once; published again, the notice gets a
/// new period and a new link, and the old link no longer opens).
pub async fn publish_notice(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    days: Option<i32>,
) -> AppResult<Audited<(motion::Model, String)>> {
    let (motion, place) = organised(conn, viewer, id, "closed").await?;
    if motion.passed != Some(true) {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!("only a passed motion (a resolution) is put on notice"),
        ));
    }
    let committee = match motion.compound_id {
        Some(compound) => {
            committee::Entity::find()
                .filter(committee::Column::CompoundId.eq(compound))
                .one(conn)
                .await?
        }
        None => None,
    };
    let default_days = committee.map_or(7, |c| c.notice_days);
    let days = days.unwrap_or(default_days);
    if !(1..=90).contains(&days) {
        return Err(AppError::bad_input(
            "input.days",
            msg!("a notice lasts 1 to 90 days"),
        ));
    }
    let now = Utc::now();
    let mut update: motion::ActiveModel = motion.into();
    update.notice_from = Set(Some(now));
    update.notice_until = Set(Some(now + Duration::days(i64::from(days))));
    let token = new_opaque_token();
    update.notice_token_hash = Set(Some(opaque_token_hash(&token)));
    update.updated_at = Set(now);
    let motion = update.update(conn).await?;
    let id = motion.id;
    Ok(Audited::new((motion, token), place, id))
}

/// Whether a notice from `from` until `until` is running at `now`.
pub fn on_notice(
    from: chrono::DateTime<Utc>,
    until: chrono::DateTime<Utc>,
    now: chrono::DateTime<Utc>,
) -> bool {
    from <= now && now < until
}

/// A resident of the compound objects during the notice.
pub async fn lodge_objection(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    body: &str,
) -> AppResult<Audited<objection::Model>> {
    let (motion, place) = visible_motion(conn, viewer, id).await?;
    let now = Utc::now();
    let on_notice = match (motion.notice_from, motion.notice_until) {
        (Some(from), Some(until)) => on_notice(from, until, now),
        _ => false,
    };
    if !on_notice {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!("objections are lodged while the resolution is on notice"),
        ));
    }
    let residents = own_residents(conn, viewer).await?;
    let lives_here = !residents.is_empty()
        && lives_there(
            conn,
            &households_of(conn, &residents).await?,
            motion.community_id,
            motion.compound_id,
        )
        .await?;
    if !lives_here {
        return Err(AppError::Forbidden(msg!(
            "only residents of the compound object"
        )));
    }
    let body = body.trim();
    if body.chars().count() < 2 || body.chars().count() > 2_000 {
        return Err(AppError::bad_input(
            "input.body",
            msg!("an objection has 2 to 2000 characters"),
        ));
    }
    let row = objection::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(motion.community_id),
        motion_id: Set(motion.id),
        author_id: Set(viewer.user_id),
        body: Set(body.to_owned()),
        answer: Set(None),
        answered_by: Set(None),
        answered_at: Set(None),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    let id = row.id;
    // The objection's words are the resident's: the organisers read them in jiedao.
    let lodged = Notification::new(
        EventType::ObjectionLodged,
        motion.community_id,
        json!({"objectionId": id, "motionId": motion.id, "title": motion.title}),
    )
    .in_place(motion.compound_id, None);
    Ok(Audited::new(row, place, id).with_notifications([lodged]))
}

async fn households_of(conn: &impl ConnectionTrait, residents: &[Uuid]) -> AppResult<Vec<Uuid>> {
    Ok(entity::resident::Entity::find()
        .filter(entity::resident::Column::Id.is_in(residents.iter().copied()))
        .filter(entity::resident::Column::MovedOutOn.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.household_id)
        .collect())
}

/// Community staff answer an objection.
pub async fn answer_objection(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    answer: &str,
) -> AppResult<Audited<objection::Model>> {
    let row = objection::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("objection not found")))?;
    let (_, place) = visible_motion(conn, viewer, row.motion_id)
        .await
        .map_err(|e| e.hidden_as(msg!("objection not found")))?;
    check_staff(viewer, place)?;
    let answer = answer.trim();
    if answer.chars().count() < 2 {
        return Err(AppError::bad_input("input.answer", msg!("write an answer")));
    }
    let mut update: objection::ActiveModel = row.into();
    update.answer = Set(Some(answer.chars().take(2_000).collect()));
    update.answered_by = Set(Some(viewer.user_id));
    update.answered_at = Set(Some(Utc::now()));
    let row = update.update(conn).await?;
    let id = row.id;
    Ok(Audited::new(row, place, id))
}
