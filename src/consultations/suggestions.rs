//! Suggestions (建议): a resident in scope leaves one on an open consultation; organisers
//! reply publicly (residents in scope read the reply) or mark it adopted. Everyone who
//! sees the consultation sees its suggestions with the author masked (王**), as in other
//! public places; the label is fixed when written.

use chrono::Utc;
use entity::{consultation_suggestion, resident};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::{Seen, check_organise, visible_consultation},
    types::ConsultationStatus,
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    error::{AppError, AppResult, msg},
    graphql::clean_name,
    meetings::access::own_residents,
    registry::labels::mask_name,
};

const TEXT_MAX_CHARS: usize = 1_000;

/// A suggestion the caller may see, with its consultation; NOT_FOUND otherwise.
pub async fn visible_suggestion(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(consultation_suggestion::Model, Seen)> {
    let suggestion = consultation_suggestion::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(consultation_suggestion::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("suggestion not found")))?;
    let seen = visible_consultation(conn, viewer, suggestion.consultation_id)
        .await
        .map_err(|e| e.hidden_as(msg!("suggestion not found")))?;
    Ok((suggestion, seen))
}

/// A resident the consultation is put to leaves a suggestion while it is open.
pub async fn suggest(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    text: &str,
) -> AppResult<Audited<consultation_suggestion::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    if seen.homes.is_empty() {
        return Err(AppError::Forbidden(msg!(
            "only residents the consultation is put to leave suggestions"
        )));
    }
    if ConsultationStatus::of(&seen.row, Utc::now()) != ConsultationStatus::Open {
        return Err(AppError::bad_input(
            "input.consultationId",
            msg!("this consultation is not open"),
        ));
    }
    let text = clean_name("input.text", text, TEXT_MAX_CHARS)?;
    let own = own_residents(conn, viewer).await?;
    let name = match own.first() {
        Some(r) => resident::Entity::find_by_id(*r)
            .one(conn)
            .await?
            .map(|r| r.name),
        None => None,
    };
    let row = consultation_suggestion::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(seen.row.community_id),
        consultation_id: Set(seen.row.id),
        author_user_id: Set(viewer.user_id),
        author_label: Set(mask_name(name.as_deref().unwrap_or(&viewer.display_name))),
        text: Set(text),
        created_at: Set(Utc::now()),
        reply: Set(None),
        replied_by: Set(None),
        replied_at: Set(None),
        adopted_by: Set(None),
        adopted_at: Set(None),
    }
    .insert(conn)
    .await?;
    let target = row.id;
    Ok(Audited::new(row, seen.place, target))
}

/// An organiser replies publicly (a later reply replaces the earlier).
pub async fn reply(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    text: &str,
) -> AppResult<Audited<consultation_suggestion::Model>> {
    let (suggestion, seen) = visible_suggestion(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    let text = clean_name("input.reply", text, TEXT_MAX_CHARS)?;
    let mut update: consultation_suggestion::ActiveModel = suggestion.into();
    update.reply = Set(Some(text));
    update.replied_by = Set(Some(viewer.user_id));
    update.replied_at = Set(Some(Utc::now()));
    Ok(Audited::new(update.update(conn).await?, seen.place, id))
}

/// An organiser marks a suggestion adopted (once).
pub async fn adopt(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<consultation_suggestion::Model>> {
    let (suggestion, seen) = visible_suggestion(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    if suggestion.adopted_at.is_some() {
        return Err(AppError::Conflict(msg!(
            "this suggestion is already adopted"
        )));
    }
    let mut update: consultation_suggestion::ActiveModel = suggestion.into();
    update.adopted_by = Set(Some(viewer.user_id));
    update.adopted_at = Set(Some(Utc::now()));
    Ok(Audited::new(update.update(conn).await?, seen.place, id))
}
