//! Who sees and who handles a request. Community staff see and handle their community's;
//! a grid worker those of their grid and those assigned to them; a resident those of their
//! household and those they filed, and so does a family contact of the household. Anyone
//! else gets NOT_FOUND.

use entity::service_request;
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg},
    tenancy::place_of,
};

/// How the caller stands to a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RequestRole {
    /// Community staff: handle, reassign, see internal notes.
    Staff,
    /// The grid worker of its grid, or its assignee: handle, see internal notes.
    Handler,
    /// Who filed it, or their household: follow replies, rate, reopen.
    Reporter,
}

impl RequestRole {
    pub fn handles(self) -> bool {
        matches!(self, Self::Staff | Self::Handler)
    }
}

pub fn request_role(
    viewer: &Viewer,
    request: &service_request::Model,
    place: Place,
) -> Option<RequestRole> {
    if viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
    {
        return Some(RequestRole::Staff);
    }
    let grids = viewer.work_grids();
    if request.assignee_id == Some(viewer.user_id)
        || request.grid_id.is_some_and(|g| grids.contains(&g))
    {
        return Some(RequestRole::Handler);
    }
    let households = viewer.households_acted_for();
    if request.reporter_user_id == Some(viewer.user_id)
        || request
            .household_id
            .is_some_and(|h| households.contains(&h))
    {
        return Some(RequestRole::Reporter);
    }
    None
}

/// A request the caller may see, with their standing; NOT_FOUND otherwise.
pub async fn visible_request(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(service_request::Model, Place, RequestRole)> {
    let not_found = || AppError::NotFound(msg!("request not found"));
    let request = service_request::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(service_request::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, request.community_id).await?;
    let standing = request_role(viewer, &request, place).ok_or_else(not_found)?;
    Ok((request, place, standing))
}

/// The requests the caller may list: staff their communities', grid workers their grids'
/// and their own, residents their households' and their own.
pub fn requests_in_reach(viewer: &Viewer) -> Condition {
    let staff = viewer
        .reach(Capability::ManageResidents)
        .community_condition(service_request::Column::CommunityId);
    Condition::any()
        .add(staff)
        .add(service_request::Column::GridId.is_in(viewer.work_grids()))
        .add(service_request::Column::AssigneeId.eq(viewer.user_id))
        .add(service_request::Column::HouseholdId.is_in(viewer.households_acted_for()))
        .add(service_request::Column::ReporterUserId.eq(viewer.user_id))
}
