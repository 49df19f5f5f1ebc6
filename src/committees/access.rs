//! Who may read and who may change a compound's committee. Staff of the community manage it;
//! the community's staff and grid workers, the compound's committee members and its
//! residents read it; nobody outside the community learns it exists.

use entity::role_grant::Role;
use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg},
    tenancy::lives_in,
};

/// FORBIDDEN unless the caller manages committees where `place` is.
pub fn check_manage(viewer: &Viewer, place: Place) -> AppResult<()> {
    if viewer
        .reach(Capability::ManageCommittees)
        .covers(place.street_office, place.community)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the community's admins and staff set up committees and appoint members"
        )))
    }
}

/// FORBIDDEN unless the caller may read the committee of `compound`.
pub async fn check_read(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: Uuid,
    place: Place,
) -> AppResult<()> {
    if viewer
        .reach(Capability::ReadCommittees)
        .covers(place.street_office, place.community)
    {
        return Ok(());
    }
    let on_committee = [Role::CommitteeMember, Role::Treasurer]
        .into_iter()
        .any(|role| viewer.scope_ids(role).contains(&compound));
    if on_committee {
        return Ok(());
    }
    // A family contact reads it too: they answer its consultations for the household.
    let households = viewer.households_acted_for();
    if !households.is_empty() && lives_in(conn, &households, compound).await? {
        return Ok(());
    }
    Err(AppError::Forbidden(msg!(
        "only the compound's residents and committee, and the community's staff, see its committee"
    )))
}
