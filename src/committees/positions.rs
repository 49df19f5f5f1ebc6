//! Positions on a committee and the powers they carry: every position gives
//! `committee_member` on the compound, the treasurer's also `treasurer`, each grant with the
//! position as its source and the position's days as its validity. Ending a position ends
//! only its own grants, in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use entity::{
    building, committee,
    committee_position::{self, Position},
    dwelling, household, resident, resident_account,
    role_grant::{self, GrantSource, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::{access::check_manage, service::visible_committee};
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    calendar,
    error::{AppError, AppResult},
    identity::{
        grants::{GrantRow, insert_grant},
        sessions::end_sessions_of,
    },
    live::LiveEvent,
    registry::residents::kept_resident,
};

/// Positions only one member holds at a time.
fn single_holder(position: Position) -> bool {
    matches!(
        position,
        Position::Director | Position::Secretary | Position::Treasurer
    )
}

/// The roles a position gives on its compound.
fn roles_of(position: Position) -> &'static [Role] {
    match position {
        Position::Treasurer => &[Role::CommitteeMember, Role::Treasurer],
        _ => &[Role::CommitteeMember],
    }
}

/// Positions of a committee in force at an instant: begun, not past their last day, not
/// ended early.
pub fn in_force_at(at: DateTime<Utc>) -> Condition {
    let day = calendar::day_of(at);
    Condition::all()
        .add(committee_position::Column::StartsOn.lte(day))
        .add(committee_position::Column::EndsOn.gte(day))
        .add(
            Condition::any()
                .add(committee_position::Column::EndedAt.is_null())
                .add(committee_position::Column::EndedAt.gt(at)),
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
    let (resident, _) = kept_resident(conn, viewer, a.resident_id).await?;
    if resident.community_id != committee.community_id || resident.archived_at.is_some() {
        return Err(AppError::NotFound("resident"));
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
                    "the resident does not live in this compound; say why they may serve anyway",
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
            format!(
                "a position lies within the term, {} to {}",
                committee.term_starts_on, committee.term_ends_on
            ),
        ));
    }
    if ends_on < starts_on || ends_on < calendar::today() {
        return Err(AppError::bad_input(
            "input.endsOn",
            "a position ends on or after it starts, and not in the past",
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
    if let Some(account) = account {
        grant_powers(conn, &committee, &position, account.user_id, place).await?;
    }
    Ok(Audited::new(position.clone(), place, position.id))
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
                .ok_or(AppError::NotFound("building"))?;
            Ok(Some(building.id))
        }
        (Position::BuildingLeader, None) => Err(AppError::bad_input(
            "input.buildingId",
            "a building leader answers for a building",
        )),
        (_, Some(_)) => Err(AppError::bad_input(
            "input.buildingId",
            "only building leaders name a building",
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
        return Err(AppError::Conflict(
            "someone holds this position for these days; end that position first".into(),
        ));
    }
    Ok(())
}

/// The grants a position carries, valid for its days.
async fn grant_powers(
    conn: &impl ConnectionTrait,
    committee: &committee::Model,
    position: &committee_position::Model,
    user_id: Uuid,
    place: Place,
) -> AppResult<()> {
    for role in roles_of(position.position) {
        insert_grant(
            conn,
            GrantRow {
                user_id,
                role: *role,
                scope_id: Some(committee.compound_id),
                place,
                valid_from: calendar::start_of_day(position.starts_on),
                valid_until: Some(calendar::end_of_day(position.ends_on)),
                source: (GrantSource::CommitteePosition, Some(position.id)),
                granted_by: position.appointed_by,
            },
        )
        .await?;
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
        .ok_or(AppError::NotFound("position"))?;
    let (_, place) = visible_committee(conn, viewer, position.committee_id).await?;
    check_manage(viewer, place)?;
    let reason = reason.trim();
    if reason.chars().count() < 2 {
        return Err(AppError::bad_input(
            "input.reason",
            "say why the position ends",
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

async fn end(
    conn: &impl ConnectionTrait,
    position: committee_position::Model,
    reason: &str,
    by: Option<Uuid>,
) -> AppResult<(committee_position::Model, Vec<Uuid>)> {
    let now = Utc::now();
    if position.ended_at.is_some() || position.ends_on < calendar::day_of(now) {
        return Err(AppError::Conflict("the position has already ended".into()));
    }
    let mut update: committee_position::ActiveModel = position.into();
    update.ended_at = Set(Some(now));
    update.end_reason = Set(Some(reason.chars().take(500).collect()));
    let position = update.update(conn).await?;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::SourceKind.eq(GrantSource::CommitteePosition))
        .filter(role_grant::Column::SourceId.eq(position.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?;
    let mut users = Vec::new();
    for grant in grants {
        let user = grant.user_id;
        let mut revoke: role_grant::ActiveModel = grant.into();
        revoke.revoked_at = Set(Some(now));
        revoke.revoked_by = Set(by);
        revoke.update(conn).await?;
        end_sessions_of(conn, user, None, "committee position ended", now).await?;
        users.push(user);
    }
    Ok((position, users))
}

/// When a resident moves out, their positions end with it.
pub async fn end_positions_of_resident(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    by: Option<Uuid>,
) -> AppResult<()> {
    let today = calendar::today();
    let positions = committee_position::Entity::find()
        .filter(committee_position::Column::ResidentId.eq(resident_id))
        .filter(committee_position::Column::EndedAt.is_null())
        .filter(committee_position::Column::EndsOn.gte(today))
        .all(conn)
        .await?;
    for position in positions {
        end(conn, position, "moved out", by).await?;
    }
    Ok(())
}

/// When a resident gets a login, the positions they hold (now or later) start giving it
/// their powers.
pub async fn grant_positions_to_account(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    user_id: Uuid,
    place: Place,
) -> AppResult<()> {
    let today = calendar::today();
    let positions = committee_position::Entity::find()
        .filter(committee_position::Column::ResidentId.eq(resident_id))
        .filter(committee_position::Column::EndedAt.is_null())
        .filter(committee_position::Column::EndsOn.gte(today))
        .all(conn)
        .await?;
    for position in positions {
        if let Some(committee) = committee::Entity::find_by_id(position.committee_id)
            .one(conn)
            .await?
        {
            grant_powers(conn, &committee, &position, user_id, place).await?;
        }
    }
    Ok(())
}
