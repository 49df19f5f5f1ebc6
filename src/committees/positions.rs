//! Positions on a committee: who holds which for which days, one director, secretary and
//! treasurer at a time, building leaders per building. The powers a position carries are
//! grants (`identity::position_grants`), given and revoked in the same transaction.

use chrono::{NaiveDate, Utc};
use entity::{
    building, committee,
    committee_position::{self, Position},
    dwelling, household, resident, resident_account,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{access::check_manage, service::visible_committee};
pub use crate::identity::position_grants::in_force_at;
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    identity::position_grants::{end, grant_powers},
    live::LiveEvent,
    tenancy::visible_resident,
};

/// Positions only one member holds at a time.
fn single_holder(position: Position) -> bool {
    matches!(
        position,
        Position::Director | Position::Secretary | Position::Treasurer
    )
}

pub struct Appointment {
    pub committee_id: Uuid,
    pub resident_id: Uuid,
    pub position: Position,
    pub building_id: Option<Uuid>,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub publish_phone: bool,
    /// Required when the resident does not live in the compound.
    pub residency_override: Option<String>,
}

/// The compound a resident lives in now, if any.
async fn compound_of(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
) -> AppResult<Option<Uuid>> {
    let Some(household) = household::Entity::find_by_id(resident.household_id)
        .one(conn)
        .await?
        .filter(|h| h.archived_at.is_none())
    else {
        return Ok(None);
    };
    let Some(dwelling) = dwelling::Entity::find_by_id(household.dwelling_id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    Ok(building::Entity::find_by_id(dwelling.building_id)
        .one(conn)
        .await?
        .map(|b| b.compound_id))
}

pub async fn appoint(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    a: Appointment,
) -> AppResult<Audited<committee_position::Model>> {
    let (committee, place) = visible_committee(conn, viewer, a.committee_id).await?;
    check_manage(viewer, place)?;
    let resident = visible_resident(conn, viewer, a.resident_id).await?;
    crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    if resident.community_id != committee.community_id || resident.archived_at.is_some() {
        return Err(AppError::NotFound(msg!("resident not found")));
    }
    let residency_override = a
        .residency_override
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty());
    if compound_of(conn, &resident).await? != Some(committee.compound_id) {
        match &residency_override {
            Some(reason) if reason.chars().count() >= 4 => {}
            _ => {
                return Err(AppError::bad_input(
                    "input.residencyOverride",
                    msg!(
                        "the resident does not live in this compound; say why they may serve anyway"
                    ),
                ));
            }
        }
    }
    let building_id = check_building(conn, &committee, a.position, a.building_id).await?;
    let starts_on = a
        .starts_on
        .unwrap_or_else(|| calendar::today().max(committee.term_starts_on));
    let ends_on = a.ends_on.unwrap_or(committee.term_ends_on);
    if starts_on < committee.term_starts_on || ends_on > committee.term_ends_on {
        return Err(AppError::bad_input(
            "input.startsOn",
            msg!(
                "a position lies within the term, {from} to {to}",
                from = committee.term_starts_on,
                to = committee.term_ends_on
            ),
        ));
    }
    if ends_on < starts_on || ends_on < calendar::today() {
        return Err(AppError::bad_input(
            "input.endsOn",
            msg!("a position ends on or after it starts, and not in the past"),
        ));
    }
    check_free(
        conn,
        &committee,
        &a.position,
        building_id,
        resident.id,
        starts_on,
        ends_on,
    )
    .await?;
    let position = committee_position::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(committee.community_id),
        committee_id: Set(committee.id),
        resident_id: Set(resident.id),
        position: Set(a.position),
        building_id: Set(building_id),
        starts_on: Set(starts_on),
        ends_on: Set(ends_on),
        ended_at: Set(None),
        end_reason: Set(None),
        publish_phone: Set(a.publish_phone),
        residency_override: Set(residency_override),
        appointed_by: Set(Some(viewer.user_id)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let account = resident_account::Entity::find_by_id(resident.id)
        .one(conn)
        .await?;
    let mut events = Vec::new();
    if let Some(account) = account {
        grant_powers(conn, &committee, &position, account.user_id, place).await?;
        events.push(LiveEvent::AccessChanged {
            user_id: account.user_id,
        });
    }
    Ok(Audited::new(position.clone(), place, position.id).with_events(events))
}

/// A building leader names a building of the compound; other positions name none.
async fn check_building(
    conn: &impl ConnectionTrait,
    committee: &committee::Model,
    position: Position,
    building_id: Option<Uuid>,
) -> AppResult<Option<Uuid>> {
    match (position, building_id) {
        (Position::BuildingLeader, Some(id)) => {
            let building = building::Entity::find_by_id(id)
                .filter(building::Column::CompoundId.eq(committee.compound_id))
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("building not found")))?;
            Ok(Some(building.id))
        }
        (Position::BuildingLeader, None) => Err(AppError::bad_input(
            "input.buildingId",
            msg!("a building leader answers for a building"),
        )),
        (_, Some(_)) => Err(AppError::bad_input(
            "input.buildingId",
            msg!("only building leaders name a building"),
        )),
        (_, None) => Ok(None),
    }
}

/// Refuses a second holder of a single-holder position (or of one building's leadership),
/// and the same person holding the same position twice, on overlapping days.
async fn check_free(
    conn: &impl ConnectionTrait,
    committee: &committee::Model,
    position: &Position,
    building_id: Option<Uuid>,
    resident_id: Uuid,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> AppResult<()> {
    let mut query = committee_position::Entity::find()
        .filter(committee_position::Column::CommitteeId.eq(committee.id))
        .filter(committee_position::Column::Position.eq(*position))
        .filter(committee_position::Column::EndedAt.is_null())
        .filter(committee_position::Column::StartsOn.lte(ends_on))
        .filter(committee_position::Column::EndsOn.gte(starts_on));
    if let Some(building) = building_id {
        query = query.filter(committee_position::Column::BuildingId.eq(building));
    } else if !single_holder(*position) {
        query = query.filter(committee_position::Column::ResidentId.eq(resident_id));
    }
    if query.one(conn).await?.is_some() {
        return Err(AppError::Conflict(msg!(
            "someone holds this position for these days; end that position first"
        )));
    }
    Ok(())
}

/// Ends a position early: its grants are revoked and the holder's sessions end.
pub async fn end_position(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> AppResult<Audited<committee_position::Model>> {
    let position = committee_position::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(crate::auth::Capability::ReadOrg)
                .community_condition(committee_position::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("position not found")))?;
    let (_, place) = visible_committee(conn, viewer, position.committee_id).await?;
    check_manage(viewer, place)?;
    let reason = reason.trim();
    if reason.chars().count() < 2 {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("say why the position ends"),
        ));
    }
    let (position, users) = end(conn, position, reason, Some(viewer.user_id)).await?;
    let id = position.id;
    // Open live connections of the holder check their access again.
    let events = users
        .into_iter()
        .map(|user_id| LiveEvent::AccessChanged { user_id });
    Ok(Audited::new(position, place, id).with_events(events))
}
