//! Who sees and who runs a compound's meetings. Readers are the compound's readers (its
//! residents, committee and the community's staff); anyone else gets NOT_FOUND, as for
//! anything outside their reach. Organisers are the compound's committee members and the
//! community's staff; minutes are kept by the committee's secretary or staff.

use chrono::Utc;
use entity::{
    committee,
    committee_position::{self, Position},
    compound, meeting, resident_account,
    role_grant::Role,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    committees::{
        access::{check_read, compound_place},
        positions::in_force_at,
    },
    error::{AppError, AppResult},
};

/// A compound whose meetings the caller reads; NOT_FOUND otherwise.
pub async fn readable_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    what: &'static str,
) -> AppResult<(compound::Model, Place)> {
    let (compound, place) = compound_place(conn, viewer, id)
        .await
        .map_err(|_| AppError::NotFound(what))?;
    match check_read(conn, viewer, &compound, place).await {
        Ok(()) => Ok((compound, place)),
        Err(AppError::Forbidden(_)) => Err(AppError::NotFound(what)),
        Err(other) => Err(other),
    }
}

/// A meeting the caller reads, with its place; NOT_FOUND otherwise.
pub async fn visible_meeting(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(meeting::Model, Place)> {
    let meeting = meeting::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(meeting::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("meeting"))?;
    let (_, place) = readable_compound(conn, viewer, meeting.compound_id, "meeting").await?;
    Ok((meeting, place))
}

pub fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageCommittees)
        .covers(place.street_office, place.community)
}

pub fn is_organiser(viewer: &Viewer, compound: Uuid, place: Place) -> bool {
    is_staff(viewer, place)
        || [Role::CommitteeMember, Role::Treasurer]
            .into_iter()
            .any(|role| viewer.scope_ids(role).contains(&compound))
}

pub fn check_organise(viewer: &Viewer, compound: Uuid, place: Place) -> AppResult<()> {
    if is_organiser(viewer, compound, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the compound's committee and the community's staff run its meetings",
        ))
    }
}

pub fn check_staff(viewer: &Viewer, place: Place) -> AppResult<()> {
    if is_staff(viewer, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden("only the community's staff do this"))
    }
}

/// The registry residents the caller's account speaks for.
pub async fn own_residents(conn: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<Vec<Uuid>> {
    Ok(resident_account::Entity::find()
        .filter(resident_account::Column::UserId.eq(viewer.user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.resident_id)
        .collect())
}

/// Staff, or the compound committee's secretary in office now.
pub async fn check_minutes_keeper(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: Uuid,
    place: Place,
) -> AppResult<()> {
    if is_staff(viewer, place) {
        return Ok(());
    }
    let residents = own_residents(conn, viewer).await?;
    let committee = committee::Entity::find()
        .filter(committee::Column::CompoundId.eq(compound))
        .one(conn)
        .await?;
    if let Some(committee) = committee
        && !residents.is_empty()
        && committee_position::Entity::find()
            .filter(committee_position::Column::CommitteeId.eq(committee.id))
            .filter(committee_position::Column::Position.eq(Position::Secretary))
            .filter(committee_position::Column::ResidentId.is_in(residents))
            .filter(in_force_at(Utc::now()))
            .one(conn)
            .await?
            .is_some()
    {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "the minutes are kept by the committee's secretary or the community's staff",
    ))
}
