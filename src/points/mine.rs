//! The caller's own points: the account of the household they live in as a resident, or,
//! in a community counting residents, their own as the resident their login is linked to.

use entity::{resident, resident_account, role_grant::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use super::{
    accounts::{Owner, unit_of},
    types::PointsUnit,
};
use crate::{
    auth::Viewer,
    error::{AppError, AppResult, msg},
};

/// The caller's household as a resident: its id and community, from their grant.
pub struct Home {
    pub household: Uuid,
    pub community: Uuid,
}

/// The caller's account owner and home; FORBIDDEN for a caller who is no resident.
pub async fn my_owner(conn: &impl ConnectionTrait, viewer: &Viewer) -> AppResult<(Owner, Home)> {
    let refused = || AppError::Forbidden(msg!("my points are for residents with a login"));
    let grant = viewer
        .grants
        .iter()
        .filter(|g| g.role == Role::Resident)
        .min_by_key(|g| g.scope_id)
        .ok_or_else(refused)?;
    let home = Home {
        household: grant.scope_id.ok_or_else(refused)?,
        community: grant.community_id.ok_or_else(refused)?,
    };
    let owner = match unit_of(conn, home.community).await? {
        PointsUnit::Household => Owner::Household(home.household),
        PointsUnit::Resident => {
            let me: Uuid = resident_account::Entity::find()
                .select_only()
                .column(resident_account::Column::ResidentId)
                .filter(resident_account::Column::UserId.eq(viewer.user_id))
                .filter(
                    resident_account::Column::ResidentId.in_subquery(
                        sea_orm::sea_query::Query::select()
                            .column(resident::Column::Id)
                            .from(resident::Entity)
                            .and_where(resident::Column::HouseholdId.eq(home.household))
                            .to_owned(),
                    ),
                )
                .into_tuple()
                .one(conn)
                .await?
                .ok_or_else(refused)?;
            Owner::Resident(me)
        }
    };
    Ok((owner, home))
}
