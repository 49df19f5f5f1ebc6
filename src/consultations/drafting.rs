//! Writing, publishing and cancelling consultations. Scope, unit and anonymity are fixed
//! at creation (they decide who answers and what is kept); the text, times and questions
//! may change, the questions only until someone has answered.

use chrono::{DateTime, Utc};
use entity::{building, compound, consultation, consultation_attachment, consultation_building};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    access::{check_organise, is_organiser, visible_consultation},
    questions::{NewQuestion, put_questions},
    types::{ConsultationStatus, ConsultationUnit},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    files::{
        FileStore,
        service::{Upload, store_upload},
    },
    graphql::{StoredEnum, clean_name},
    tenancy::place_of,
};

const BODY_MAX_CHARS: usize = 10_000;
pub struct NewConsultation {
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub building_ids: Vec<Uuid>,
    pub title: String,
    pub body: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub anonymous: bool,
    pub unit: ConsultationUnit,
    pub hide_results_until_close: bool,
    pub questions: Vec<NewQuestion>,
    pub attachments: Vec<Upload>,
}

/// Changes to a consultation; `None` keeps what is there.
#[derive(Default)]
pub struct ConsultationChanges {
    pub title: Option<String>,
    pub body: Option<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub hide_results_until_close: Option<bool>,
    pub questions: Option<Vec<NewQuestion>>,
}

/// Where uploads go, and how big one may be.
pub struct Files<'a> {
    pub store: &'a FileStore,
    pub max_file_bytes: usize,
}

fn clean_body(raw: &str) -> AppResult<String> {
    let body = raw.trim();
    if body.chars().count() > BODY_MAX_CHARS {
        return Err(AppError::bad_input(
            "input.body",
            msg!("must have at most {max} characters", max = BODY_MAX_CHARS),
        ));
    }
    Ok(body.to_owned())
}

fn check_times(opens: DateTime<Utc>, closes: DateTime<Utc>) -> AppResult<()> {
    if closes <= opens {
        return Err(AppError::bad_input(
            "input.closesAt",
            msg!("a consultation closes after it opens"),
        ));
    }
    if closes <= Utc::now() {
        return Err(AppError::bad_input(
            "input.closesAt",
            msg!("a consultation closes in the future"),
        ));
    }
    Ok(())
}

/// An organiser writes a consultation (a draft until published).
pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    files: &Files<'_>,
    new: NewConsultation,
) -> AppResult<Audited<consultation::Model>> {
    let place = place_of(conn, viewer, new.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    if let Some(compound) = new.compound_id {
        compound::Entity::find_by_id(compound)
            .filter(compound::Column::CommunityId.eq(new.community_id))
            .one(conn)
            .await?
            .ok_or(AppError::NotFound(msg!("compound not found")))?;
    }
    if !is_organiser(viewer, new.compound_id, place) {
        return Err(AppError::Forbidden(msg!(
            "only the community's staff and the compound's committee run a consultation"
        )));
    }
    let mut buildings = building::Entity::find()
        .filter(building::Column::CommunityId.eq(new.community_id))
        .filter(building::Column::Id.is_in(new.building_ids.iter().copied()));
    if let Some(compound) = new.compound_id {
        buildings = buildings.filter(building::Column::CompoundId.eq(compound));
    }
    let mut building_ids = new.building_ids.clone();
    building_ids.sort();
    building_ids.dedup();
    let known = if building_ids.is_empty() {
        Vec::new()
    } else {
        buildings.all(conn).await?
    };
    if known.len() != building_ids.len() {
        return Err(AppError::bad_input(
            "input.buildingIds",
            msg!("a building named is not in the consultation's community or compound"),
        ));
    }
    check_times(new.opens_at, new.closes_at)?;
    let now = Utc::now();
    let row = consultation::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(new.community_id),
        compound_id: Set(new.compound_id),
        building_scoped: Set(!building_ids.is_empty()),
        title: Set(clean_name("input.title", &new.title, 200)?),
        body: Set(clean_body(&new.body)?),
        opens_at: Set(new.opens_at),
        closes_at: Set(new.closes_at),
        anonymous: Set(new.anonymous),
        unit: Set(new.unit.stored().to_owned()),
        hide_results_until_close: Set(new.hide_results_until_close),
        status: Set("draft".to_owned()),
        answer_count: Set(0),
        summary: Set(None),
        results_published_at: Set(None),
        announcement_id: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    for building in building_ids {
        consultation_building::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(row.community_id),
            consultation_id: Set(row.id),
            building_id: Set(building),
        }
        .insert(conn)
        .await?;
    }
    put_questions(conn, &row, new.questions).await?;
    for (index, upload) in new.attachments.into_iter().enumerate() {
        let file = store_upload(
            conn,
            files.store,
            viewer,
            row.community_id,
            upload,
            files.max_file_bytes,
            &format!("input.attachments.{index}"),
        )
        .await?;
        consultation_attachment::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(row.community_id),
            consultation_id: Set(row.id),
            file_id: Set(file.id),
            position: Set(i32::try_from(index + 1).map_err(AppError::internal)?),
        }
        .insert(conn)
        .await?;
    }
    let id = row.id;
    Ok(Audited::new(row, place, id))
}

/// An organiser changes a consultation that is not over: the text and times, and the
/// questions until someone has answered.
pub async fn update(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    changes: ConsultationChanges,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    let status = ConsultationStatus::of(&seen.row, Utc::now());
    if !matches!(
        status,
        ConsultationStatus::Draft | ConsultationStatus::Scheduled | ConsultationStatus::Open
    ) {
        return Err(AppError::bad_input(
            "input.id",
            msg!("a closed or cancelled consultation no longer changes"),
        ));
    }
    let row = seen.row;
    if changes.questions.is_some() && row.answer_count > 0 {
        return Err(AppError::bad_input(
            "input.questions",
            msg!("the questions are fixed once someone has answered"),
        ));
    }
    let opens = changes.opens_at.unwrap_or(row.opens_at);
    let closes = changes.closes_at.unwrap_or(row.closes_at);
    if changes.opens_at.is_some() || changes.closes_at.is_some() {
        check_times(opens, closes)?;
    }
    let mut update: consultation::ActiveModel = row.clone().into();
    if let Some(title) = &changes.title {
        update.title = Set(clean_name("input.title", title, 200)?);
    }
    if let Some(body) = &changes.body {
        update.body = Set(clean_body(body)?);
    }
    if let Some(hide) = changes.hide_results_until_close {
        update.hide_results_until_close = Set(hide);
    }
    update.opens_at = Set(opens);
    update.closes_at = Set(closes);
    update.updated_at = Set(Utc::now());
    let updated = update.update(conn).await?;
    if let Some(questions) = changes.questions {
        put_questions(conn, &updated, questions).await?;
    }
    Ok(Audited::new(updated, seen.place, id))
}

/// An organiser publishes a draft: residents in scope see it, and answer once it opens.
pub async fn publish(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    if seen.row.status != "draft" {
        return Err(AppError::bad_input(
            "input.id",
            msg!("only a draft is published"),
        ));
    }
    check_times(seen.row.opens_at, seen.row.closes_at)?;
    let mut update: consultation::ActiveModel = seen.row.into();
    update.status = Set("published".to_owned());
    update.updated_at = Set(Utc::now());
    Ok(Audited::new(update.update(conn).await?, seen.place, id))
}

/// An organiser cancels a consultation that has not closed; its answers stay unread.
pub async fn cancel(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    let status = ConsultationStatus::of(&seen.row, Utc::now());
    if !matches!(
        status,
        ConsultationStatus::Draft | ConsultationStatus::Scheduled | ConsultationStatus::Open
    ) {
        return Err(AppError::bad_input(
            "input.id",
            msg!("a closed or cancelled consultation no longer changes"),
        ));
    }
    let mut update: consultation::ActiveModel = seen.row.into();
    update.status = Set("cancelled".to_owned());
    update.updated_at = Set(Utc::now());
    Ok(Audited::new(update.update(conn).await?, seen.place, id))
}
