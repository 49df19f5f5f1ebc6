//! Who may open, read and move money in a fund. A compound's fund: its treasurer records
//! money; its residents, committee and the community's staff read it; staff or the
//! committee's director open one. A community-level fund: the community's staff do both.
//! Street admins read and never write.

use entity::{
    committee,
    committee_position::{self, Position},
    fund,
    reach::TenantEntity,
    resident_account,
    role_grant::Role,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    committees::{access::check_read, positions::in_force_at},
    error::{AppError, AppResult, msg},
    tenancy::place_of,
};

/// A fund the caller may read, with its place; NOT_FOUND otherwise, also for another
/// compound's fund in the same community (a treasurer of one compound learns nothing of
/// another's money).
pub async fn visible_fund(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(fund::Model, Place)> {
    let fund = fund::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(fund::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("fund not found")))?;
    let place = place_of(conn, viewer, fund.community_id).await?;
    match check_read_fund(conn, viewer, &fund, place).await {
        Ok(()) => Ok((fund, place)),
        Err(AppError::Forbidden(_)) => Err(AppError::NotFound(msg!("fund not found"))),
        Err(other) => Err(other),
    }
}

fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageCommittees)
        .covers(place.street_office, place.community)
}

/// FORBIDDEN unless the caller may read the fund and its ledger.
pub async fn check_read_fund(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    fund: &fund::Model,
    place: Place,
) -> AppResult<()> {
    match fund.compound_id {
        // The fund's compound is in the fund's community: visible with it.
        Some(compound) => check_read(conn, viewer, compound, place).await,
        None => {
            let reads = viewer
                .reach(Capability::ReadCommittees)
                .covers(place.street_office, place.community)
                || viewer
                    .grants
                    .iter()
                    .any(|g| g.role == Role::Resident && g.community_id == place.community);
            if reads {
                Ok(())
            } else {
                Err(AppError::Forbidden(msg!(
                    "only the community's residents and staff read its funds"
                )))
            }
        }
    }
}

/// FORBIDDEN unless the caller records money for the fund: the compound's treasurer, or
/// for a community-level fund the community's admins and staff.
pub fn check_record(viewer: &Viewer, fund: &fund::Model, place: Place) -> AppResult<()> {
    let allowed = match fund.compound_id {
        Some(compound) => viewer.scope_ids(Role::Treasurer).contains(&compound),
        None => is_staff(viewer, place),
    };
    if allowed {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the fund's treasurer records money"
        )))
    }
}

/// Whether the caller's login is the director of the compound's committee today.
async fn is_director(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: Uuid,
) -> AppResult<bool> {
    let Some(account) = resident_account::Entity::find()
        .filter(resident_account::Column::UserId.eq(viewer.user_id))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    let Some(committee) = committee::Entity::find()
        .filter(committee::Column::CompoundId.eq(compound))
        .one(conn)
        .await?
    else {
        return Ok(false);
    };
    Ok(committee_position::Entity::find()
        .filter(committee_position::Column::CommitteeId.eq(committee.id))
        .filter(committee_position::Column::ResidentId.eq(account.resident_id))
        .filter(committee_position::Column::Position.eq(Position::Director))
        .filter(in_force_at(chrono::Utc::now()))
        .one(conn)
        .await?
        .is_some())
}

/// FORBIDDEN unless the caller may open a fund there: the community's staff, or (for a
/// compound) its committee's director.
pub async fn check_open(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    compound: Option<Uuid>,
    place: Place,
) -> AppResult<()> {
    if is_staff(viewer, place) {
        return Ok(());
    }
    if let Some(compound) = compound
        && viewer.scope_ids(Role::CommitteeMember).contains(&compound)
        && is_director(conn, viewer, compound).await?
    {
        return Ok(());
    }
    Err(AppError::Forbidden(msg!(
        "only the community's staff or the committee's director open funds"
    )))
}
