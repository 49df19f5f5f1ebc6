//! Who sees and who runs meetings. A compound's meetings are read by the compound's readers
//! (its residents, committee and the community's staff), a community's by its staff and
//! those living or serving in it; anyone else gets NOT_FOUND, as for anything outside their
//! reach. Organisers are the community's staff and, for a compound, its committee; minutes
//! are kept by the committee's secretary or staff.

use chrono::Utc;
use entity::{
    committee,
    committee_position::{self, Position},
    compound, household, meeting, resident_account,
    role_grant::Role,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    committees::{access::check_read, positions::in_force_at},
    error::{AppError, AppResult, Msg, msg},
    tenancy::{lives_in, visible_community, visible_compound_at},
};

/// A compound whose meetings the caller reads; NOT_FOUND otherwise.
pub async fn readable_compound(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    not_found: Msg,
) -> AppResult<(compound::Model, Place)> {
    let (compound, place) = visible_compound_at(conn, viewer, id)
        .await
        .map_err(|e| e.hidden_as(not_found.clone()))?;
    match check_read(conn, viewer, compound.id, place).await {
        Ok(()) => Ok((compound, place)),
        Err(AppError::Forbidden(_)) => Err(AppError::NotFound(not_found)),
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
        .ok_or(AppError::NotFound(msg!("meeting not found")))?;
    let place = meeting_place(
        conn,
        viewer,
        meeting.community_id,
        meeting.compound_id,
        msg!("meeting not found"),
    )
    .await?;
    Ok((meeting, place))
}

/// The place of a compound's or a community's meetings, if the caller reads them; NOT_FOUND
/// otherwise. A community's meetings are read by its staff and by anyone living or serving
/// on a committee in the community.
pub async fn meeting_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    compound: Option<Uuid>,
    not_found: Msg,
) -> AppResult<Place> {
    if let Some(compound) = compound {
        return Ok(readable_compound(conn, viewer, compound, not_found)
            .await?
            .1);
    }
    let community = visible_community(conn, viewer, community)
        .await
        .map_err(|e| e.hidden_as(not_found.clone()))?;
    let place = Place::of_community(&community);
    let staff = viewer
        .reach(Capability::ReadCommittees)
        .covers(place.street_office, place.community);
    let lives_or_serves = viewer.grants.iter().any(|g| {
        matches!(
            g.role,
            Role::Resident | Role::FamilyContact | Role::CommitteeMember | Role::Treasurer
        ) && g.community_id == Some(community.id)
    });
    if staff || lives_or_serves {
        Ok(place)
    } else {
        Err(AppError::NotFound(not_found))
    }
}

/// Whether any of these households lives where the meeting is: the compound, or anywhere
/// in the community.
pub async fn lives_there(
    conn: &impl ConnectionTrait,
    households: &[Uuid],
    community: Uuid,
    compound: Option<Uuid>,
) -> AppResult<bool> {
    match compound {
        Some(compound) => lives_in(conn, households, compound).await,
        None => Ok(household::Entity::find()
            .filter(household::Column::Id.is_in(households.iter().copied()))
            .filter(household::Column::CommunityId.eq(community))
            .filter(household::Column::ArchivedAt.is_null())
            .one(conn)
            .await?
            .is_some()),
    }
}

pub fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageCommittees)
        .covers(place.street_office, place.community)
}

/// Staff; for a compound's meetings also its committee.
pub fn is_organiser(viewer: &Viewer, compound: Option<Uuid>, place: Place) -> bool {
    is_staff(viewer, place)
        || compound.is_some_and(|compound| {
            [Role::CommitteeMember, Role::Treasurer]
                .into_iter()
                .any(|role| viewer.scope_ids(role).contains(&compound))
        })
}

pub fn check_organise(viewer: &Viewer, compound: Option<Uuid>, place: Place) -> AppResult<()> {
    if is_organiser(viewer, compound, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the compound's committee and the community's staff run its meetings"
        )))
    }
}

pub fn check_staff(viewer: &Viewer, place: Place) -> AppResult<()> {
    if is_staff(viewer, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the community's staff do this"
        )))
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
    compound: Option<Uuid>,
    place: Place,
) -> AppResult<()> {
    if is_staff(viewer, place) {
        return Ok(());
    }
    let Some(compound) = compound else {
        return Err(AppError::Forbidden(msg!(
            "the minutes of a community's meeting are kept by its staff"
        )));
    };
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
    Err(AppError::Forbidden(msg!(
        "the minutes are kept by the committee's secretary or the community's staff"
    )))
}
