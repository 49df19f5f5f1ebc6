//! Who may read and who may change a compound's committee. Staff of the community manage it;
//! the community's staff and grid workers, the compound's committee members and its
//! residents read it; nobody outside the community learns it exists.

use entity::{building, compound, dwelling, household, role_grant::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Query};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult},
    org::service::visible_community,
    registry::places::visible_compound,
};

/// A compound the caller can see, with its place; NOT_FOUND outside the caller's reach.
pub async fn compound_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound_id: Uuid,
) -> AppResult<(compound::Model, Place)> {
    let compound = visible_compound(conn, viewer, compound_id).await?;
    let community = visible_community(conn, viewer, compound.community_id).await?;
    let place = Place {
        street_office: Some(community.street_office_id),
        community: Some(community.id),
    };
    Ok((compound, place))
}

/// FORBIDDEN unless the caller manages committees where `place` is.
pub fn check_manage(viewer: &Viewer, place: Place) -> AppResult<()> {
    if viewer
        .reach(Capability::ManageCommittees)
        .covers(place.street_office, place.community)
    {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "only the community's admins and staff set up committees and appoint members",
        ))
    }
}

/// FORBIDDEN unless the caller may read the committee of `compound`.
pub async fn check_read(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: &compound::Model,
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
        .any(|role| viewer.scope_ids(role).contains(&compound.id));
    if on_committee {
        return Ok(());
    }
    let households = viewer.scope_ids(Role::Resident);
    if !households.is_empty() && lives_in(conn, &households, compound.id).await? {
        return Ok(());
    }
    Err(AppError::Forbidden(
        "only the compound's residents and committee, and the community's staff, see its committee",
    ))
}

/// Whether any of these households lives in the compound now.
pub async fn lives_in(
    conn: &impl ConnectionTrait,
    households: &[Uuid],
    compound: Uuid,
) -> AppResult<bool> {
    let buildings = Query::select()
        .column(building::Column::Id)
        .from(building::Entity)
        .and_where(building::Column::CompoundId.eq(compound))
        .to_owned();
    let dwellings = Query::select()
        .column(dwelling::Column::Id)
        .from(dwelling::Entity)
        .and_where(dwelling::Column::BuildingId.in_subquery(buildings))
        .to_owned();
    Ok(household::Entity::find()
        .filter(household::Column::Id.is_in(households.iter().copied()))
        .filter(household::Column::DwellingId.in_subquery(dwellings))
        .filter(household::Column::ArchivedAt.is_null())
        .one(conn)
        .await?
        .is_some())
}
