//! Opening, holding and closing mediation cases.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use entity::{household, mediation_case, mediation_session, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg},
    graphql::{clean_name, pagination::Keep},
    tenancy::place_of,
};

pub struct Party {
    pub household_id: Option<Uuid>,
    pub resident_id: Option<Uuid>,
    pub label: String,
}

pub struct Mediator {
    /// A user of jiedao (staff), or someone from outside known by name.
    pub user_id: Option<Uuid>,
    pub name: String,
    /// `staff`, `lawyer`, `counsellor` or `other`.
    pub kind: &'static str,
}

pub struct NewCase {
    pub community_id: Uuid,
    pub request_id: Option<Uuid>,
    pub title: String,
    pub description: String,
    pub parties: Vec<Party>,
    pub mediators: Vec<Mediator>,
}

fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
}

pub fn mediator_ids(case: &mediation_case::Model) -> Vec<Uuid> {
    case.mediators
        .as_array()
        .map(|ms| {
            ms.iter()
                .filter_map(|m| m["userId"].as_str().and_then(|s| s.parse().ok()))
                .collect()
        })
        .unwrap_or_default()
}

/// A case the caller sees (staff, or one of its mediators); NOT_FOUND otherwise.
pub async fn visible_case(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(mediation_case::Model, Place)> {
    let not_found = || AppError::NotFound(msg!("mediation case not found"));
    let case = mediation_case::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(mediation_case::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, case.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("mediation case not found")))?;
    if is_staff(viewer, place) || mediator_ids(&case).contains(&viewer.user_id) {
        Ok((case, place))
    } else {
        Err(not_found())
    }
}

pub async fn open(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewCase,
) -> AppResult<Audited<mediation_case::Model>> {
    let place = place_of(conn, viewer, new.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    if !is_staff(viewer, place) {
        return Err(AppError::Forbidden(msg!(
            "only community staff open mediation cases"
        )));
    }
    if new.parties.len() < 2 {
        return Err(AppError::bad_input(
            "input.parties",
            msg!("a dispute has at least two parties"),
        ));
    }
    let mut parties = Vec::new();
    for (i, party) in new.parties.iter().enumerate() {
        let field = format!("input.parties.{i}");
        if let Some(h) = party.household_id {
            household::Entity::find_by_id(h)
                .filter(household::Column::CommunityId.eq(new.community_id))
                .one(conn)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(&field, msg!("no such household in the community"))
                })?;
        }
        if let Some(r) = party.resident_id {
            resident::Entity::find_by_id(r)
                .filter(resident::Column::CommunityId.eq(new.community_id))
                .one(conn)
                .await?
                .ok_or_else(|| {
                    AppError::bad_input(&field, msg!("no such resident in the community"))
                })?;
        }
        parties.push(json!({ "householdId": party.household_id, "residentId": party.resident_id, "label": clean_name(&field, &party.label, 100)? }));
    }
    if new.mediators.is_empty() {
        return Err(AppError::bad_input(
            "input.mediators",
            msg!("name at least one mediator"),
        ));
    }
    let mut mediators = Vec::new();
    for (i, m) in new.mediators.iter().enumerate() {
        let field = format!("input.mediators.{i}");
        mediators.push(json!({ "userId": m.user_id, "name": clean_name(&field, &m.name, 50)?, "kind": m.kind }));
    }
    let now = Utc::now();
    let case = mediation_case::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(new.community_id),
        request_id: Set(new.request_id),
        title: Set(clean_name("input.title", &new.title, 200)?),
        description: Set(new.description.trim().chars().take(5_000).collect()),
        parties: Set(json!(parties)),
        mediators: Set(json!(mediators)),
        status: Set("open".into()),
        outcome: Set(None),
        agreement_text: Set(None),
        referred_to: Set(None),
        follow_up_on: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    let id = case.id;
    Ok(Audited::new(case, place, id))
}

/// A mediator or staff record a session of an open case.
pub async fn record_session(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    held_at: DateTime<Utc>,
    place_name: &str,
    notes: &str,
) -> AppResult<Audited<mediation_case::Model>> {
    let (case, place) = visible_case(conn, viewer, id).await?;
    if case.status != "open" {
        return Err(AppError::bad_input(
            "input.caseId",
            msg!("the case is closed"),
        ));
    }
    mediation_session::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(case.community_id),
        case_id: Set(case.id),
        held_at: Set(held_at),
        place: Set(clean_name("input.place", place_name, 100)?),
        notes: Set(notes.trim().chars().take(10_000).collect()),
        recorded_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let id = case.id;
    Ok(Audited::new(case, place, id))
}

pub enum Outcome {
    Agreement(String),
    NoAgreement,
    Referred(String),
}

/// Closes a case with its outcome and, optionally, a day to follow up.
pub async fn close(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    outcome: Outcome,
    follow_up_on: Option<NaiveDate>,
) -> AppResult<Audited<mediation_case::Model>> {
    let (case, place) = visible_case(conn, viewer, id).await?;
    if case.status != "open" {
        return Err(AppError::bad_input(
            "input.caseId",
            msg!("the case is already closed"),
        ));
    }
    let mut update: mediation_case::ActiveModel = case.into();
    match outcome {
        Outcome::Agreement(text) => {
            let text = text.trim();
            if text.chars().count() < 2 {
                return Err(AppError::bad_input(
                    "input.agreementText",
                    msg!("write down what was agreed"),
                ));
            }
            update.outcome = Set(Some("agreement".into()));
            update.agreement_text = Set(Some(text.chars().take(10_000).collect()));
        }
        Outcome::NoAgreement => update.outcome = Set(Some("no_agreement".into())),
        Outcome::Referred(to) => {
            update.outcome = Set(Some("referred".into()));
            update.referred_to = Set(Some(clean_name("input.referredTo", &to, 100)?));
        }
    }
    update.status = Set("closed".into());
    update.follow_up_on = Set(follow_up_on);
    update.updated_at = Set(Utc::now());
    let case = update.update(conn).await?;
    let id = case.id;
    Ok(Audited::new(case, place, id))
}

/// The cases of a community the caller sees: all for staff, their own for mediators.
/// A community's mediation cases the caller may list: all for staff, their own for
/// mediators (named in the case's JSON list, so checked per row).
pub async fn listing(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<(
    Select<mediation_case::Entity>,
    Option<Keep<mediation_case::Model>>,
)> {
    let place = place_of(conn, viewer, community)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    let select =
        mediation_case::Entity::find().filter(mediation_case::Column::CommunityId.eq(community));
    if is_staff(viewer, place) {
        return Ok((select, None));
    }
    let user = viewer.user_id;
    let keep: Keep<mediation_case::Model> = Arc::new(move |c| mediator_ids(c).contains(&user));
    Ok((select, Some(keep)))
}

pub async fn sessions_of(
    conn: &impl ConnectionTrait,
    case: Uuid,
) -> AppResult<Vec<mediation_session::Model>> {
    Ok(mediation_session::Entity::find()
        .filter(mediation_session::Column::CaseId.eq(case))
        .order_by_asc(mediation_session::Column::HeldAt)
        .all(conn)
        .await?)
}
