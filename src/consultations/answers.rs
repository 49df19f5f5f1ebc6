//! Answering: a resident (or a family contact allowed to) answers for their unit, and
//! changes the answer while the consultation is open; an organiser records an answer
//! collected on paper or at the door, for a named unit, under the same one-per-unit rule.
//!
//! What is written for an anonymous consultation: the answer row's random id, its
//! consultation, and the keyed hash of (consultation, unit); the responses (question,
//! option, scale or text) under the answer's id; one more on the building's turnout
//! counter and on the consultation's answer count when a unit answers first. Nothing
//! names the household, resident, user, paper reference or time. The audit row says who
//! answered (or recorded) which consultation, never the answers.

use std::collections::BTreeMap;

use chrono::Utc;
use entity::{
    consultation, consultation_answer, consultation_question, consultation_response,
    consultation_turnout, resident,
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, OnConflict},
};
use uuid::Uuid;

use super::{
    access::{Seen, check_organise, covers_home, homes_of, scope_buildings, visible_consultation},
    responses::{Part, check_answers},
    types::{ConsultationStatus, ConsultationUnit, unit_of},
    units::{Unit, own_units, pick_unit},
};

pub use super::responses::Given;
use crate::{
    audit::Audited,
    auth::Viewer,
    crypto::DataKeys,
    error::{AppError, AppResult, msg, on_unique_violation},
    graphql::clean_name,
};

fn check_open(row: &consultation::Model) -> AppResult<()> {
    if ConsultationStatus::of(row, Utc::now()) == ConsultationStatus::Open {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "input.consultationId",
            msg!("this consultation is not open"),
        ))
    }
}

async fn questions_of(
    conn: &impl ConnectionTrait,
    consultation: Uuid,
) -> AppResult<Vec<consultation_question::Model>> {
    Ok(consultation_question::Entity::find()
        .filter(consultation_question::Column::ConsultationId.eq(consultation))
        .order_by_asc(consultation_question::Column::Position)
        .all(conn)
        .await?)
}

/// Who recorded an answer, for consultations that keep it.
struct Recorded {
    by: Uuid,
    paper_reference: Option<String>,
}

/// Writes a unit's answer, replacing its earlier one.
async fn put_answer(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    row: &consultation::Model,
    unit: Unit,
    recorded: Recorded,
    parts: Vec<Part>,
) -> AppResult<()> {
    let key = unit.key(keys, row.id);
    let existing = consultation_answer::Entity::find()
        .filter(consultation_answer::Column::ConsultationId.eq(row.id))
        .filter(consultation_answer::Column::UnitKey.eq(key.clone()))
        .one(conn)
        .await?;
    // An anonymous answer keeps nothing of who gave it or when.
    let named = !row.anonymous;
    let answer_id = match existing {
        Some(answer) => {
            consultation_response::Entity::delete_many()
                .filter(consultation_response::Column::AnswerId.eq(answer.id))
                .exec(conn)
                .await?;
            if named {
                let mut update: consultation_answer::ActiveModel = answer.clone().into();
                update.answered_by = Set(Some(recorded.by));
                update.paper_reference = Set(recorded.paper_reference);
                update.answered_at = Set(Some(Utc::now()));
                update.update(conn).await?;
            }
            answer.id
        }
        None => {
            let answer = consultation_answer::ActiveModel {
                // Random, not v7: a time-ordered id would date the answer.
                id: Set(Uuid::new_v4()),
                community_id: Set(row.community_id),
                consultation_id: Set(row.id),
                unit_key: Set(key),
                household_id: Set(unit.household_id().filter(|_| named)),
                resident_id: Set(unit.resident_id().filter(|_| named)),
                answered_by: Set(Some(recorded.by).filter(|_| named)),
                paper_reference: Set(recorded.paper_reference.filter(|_| named)),
                answered_at: Set(Some(Utc::now()).filter(|_| named)),
            };
            let id = consultation_answer::Entity::insert(answer)
                .exec(conn)
                .await
                .map_err(|e| {
                    on_unique_violation(e, msg!("this unit's answer was just recorded; try again"))
                })?
                .last_insert_id;
            consultation::Entity::update_many()
                .col_expr(
                    consultation::Column::AnswerCount,
                    Expr::col(consultation::Column::AnswerCount).add(1),
                )
                .filter(consultation::Column::Id.eq(row.id))
                .exec(conn)
                .await?;
            let turnout = consultation_turnout::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(row.community_id),
                consultation_id: Set(row.id),
                building_id: Set(unit.building),
                answers: Set(1),
            };
            consultation_turnout::Entity::insert(turnout)
                .on_conflict(
                    OnConflict::columns([
                        consultation_turnout::Column::ConsultationId,
                        consultation_turnout::Column::BuildingId,
                        consultation_turnout::Column::CommunityId,
                    ])
                    .value(
                        consultation_turnout::Column::Answers,
                        Expr::col((
                            consultation_turnout::Entity,
                            consultation_turnout::Column::Answers,
                        ))
                        .add(1),
                    )
                    .to_owned(),
                )
                .exec_without_returning(conn)
                .await?;
            id
        }
    };
    let responses = parts.into_iter().map(|(question, option, scale, text)| {
        consultation_response::ActiveModel {
            id: Set(Uuid::new_v4()),
            community_id: Set(row.community_id),
            consultation_id: Set(row.id),
            answer_id: Set(answer_id),
            question_id: Set(question),
            option_index: Set(option),
            scale: Set(scale),
            text: Set(text),
        }
    });
    consultation_response::Entity::insert_many(responses)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The consultation after an answer, re-read (its answer count may have moved).
async fn reread(
    conn: &impl ConnectionTrait,
    seen: Seen,
) -> AppResult<Audited<consultation::Model>> {
    let row = consultation::Entity::find_by_id(seen.row.id)
        .one(conn)
        .await?
        .unwrap_or(seen.row);
    let id = row.id;
    Ok(Audited::new(row, seen.place, id))
}

/// The caller answers for their unit (`for_id` names it when they answer for several).
pub async fn answer(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    viewer: &Viewer,
    id: Uuid,
    for_id: Option<Uuid>,
    given: Vec<Given>,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_open(&seen.row)?;
    let unit = pick_unit(&own_units(conn, viewer, &seen).await?, for_id)?;
    let parts = check_answers(&questions_of(conn, id).await?, given)?;
    let recorded = Recorded {
        by: viewer.user_id,
        paper_reference: None,
    };
    put_answer(conn, keys, &seen.row, unit, recorded, parts).await?;
    reread(conn, seen).await
}

/// An organiser records an answer collected on paper or at the door for a household (or,
/// on a per-resident consultation, a resident) the consultation is put to.
pub async fn record_paper(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    viewer: &Viewer,
    id: Uuid,
    for_id: Uuid,
    reference: &str,
    given: Vec<Given>,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    check_open(&seen.row)?;
    let reference = clean_name("input.paperReference", reference, 100)?;
    let kind = unit_of(&seen.row)?;
    let household = match kind {
        ConsultationUnit::Household => for_id,
        ConsultationUnit::Resident => {
            resident::Entity::find_by_id(for_id)
                .filter(resident::Column::CommunityId.eq(seen.row.community_id))
                .filter(resident::Column::ArchivedAt.is_null())
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("resident not found")))?
                .household_id
        }
    };
    let buildings = scope_buildings(conn, &seen.row).await?;
    let home = homes_of(conn, &[household])
        .await?
        .into_iter()
        .find(|h| covers_home(&seen.row, &buildings, h))
        .ok_or_else(|| {
            AppError::bad_input(
                "input.forId",
                msg!("this consultation is not put to that household or resident"),
            )
        })?;
    let unit = Unit {
        kind,
        id: for_id,
        household,
        building: home.building,
    };
    let parts = check_answers(&questions_of(conn, id).await?, given)?;
    let recorded = Recorded {
        by: viewer.user_id,
        paper_reference: Some(reference),
    };
    put_answer(conn, keys, &seen.row, unit, recorded, parts).await?;
    reread(conn, seen).await
}

/// The caller's own answer: for which unit, and its responses by question.
pub struct OwnAnswer {
    pub for_id: Uuid,
    pub answered_at: Option<chrono::DateTime<Utc>>,
    pub responses: BTreeMap<Uuid, Vec<consultation_response::Model>>,
}

/// The answer the caller's unit gave, if any (`for_id` names the unit when several).
pub async fn own_answer(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    viewer: &Viewer,
    id: Uuid,
    for_id: Option<Uuid>,
) -> AppResult<Option<OwnAnswer>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    let units = own_units(conn, viewer, &seen).await?;
    if units.is_empty() {
        return Ok(None);
    }
    let unit = pick_unit(&units, for_id)?;
    let Some(answer) = consultation_answer::Entity::find()
        .filter(consultation_answer::Column::ConsultationId.eq(id))
        .filter(consultation_answer::Column::UnitKey.eq(unit.key(keys, id)))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let mut responses: BTreeMap<Uuid, Vec<consultation_response::Model>> = BTreeMap::new();
    for r in consultation_response::Entity::find()
        .filter(consultation_response::Column::AnswerId.eq(answer.id))
        .all(conn)
        .await?
    {
        responses.entry(r.question_id).or_default().push(r);
    }
    Ok(Some(OwnAnswer {
        for_id: unit.id,
        answered_at: answer.answered_at,
        responses,
    }))
}
