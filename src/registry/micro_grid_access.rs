//! Who reads a micro-grid's households and which households a micro-grid leader may act
//! for (who defines micro-grids is `tenancy::manages_micro_grids`, which grants use too).

use entity::{dwelling, household, micro_grid, micro_grid_building, role_grant::Role};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg},
    tenancy::{place_of, visible},
};

fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
}

/// Whether the caller reads the households of a micro-grid: its leader, the workers and
/// leaders of its grid, the community's staff.
pub fn reads_households(viewer: &Viewer, micro: &micro_grid::Model, place: Place) -> bool {
    // An archived micro-grid has no leader any more; the grid's people still read it.
    (micro.archived_at.is_none() && viewer.scope_ids(Role::MicroGridLeader).contains(&micro.id))
        || viewer.work_grids().contains(&micro.grid_id)
        || is_staff(viewer, place)
}

/// A micro-grid the caller can see (its community is in their reach), with where it sits.
pub async fn visible_micro_grid(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(micro_grid::Model, Place)> {
    let micro =
        visible::<micro_grid::Entity>(conn, viewer, id, msg!("micro-grid not found")).await?;
    let place = place_of(conn, viewer, micro.community_id).await?;
    Ok((micro, place))
}

/// The dwellings of the given micro-grids' buildings and units, as a subquery: a whole
/// building when the member has no unit, one unit of it otherwise.
pub fn dwellings_in(micro_grids: &[Uuid]) -> SelectStatement {
    let member = micro_grid_building::Entity;
    Query::select()
        .column((dwelling::Entity, dwelling::Column::Id))
        .from(dwelling::Entity)
        .inner_join(
            member,
            Expr::col((member, micro_grid_building::Column::BuildingId))
                .equals((dwelling::Entity, dwelling::Column::BuildingId))
                .and(
                    Expr::col((member, micro_grid_building::Column::Unit))
                        .is_null()
                        .or(Expr::col((member, micro_grid_building::Column::Unit))
                            .equals((dwelling::Entity, dwelling::Column::Unit))),
                ),
        )
        .and_where(
            Expr::col((member, micro_grid_building::Column::MicroGridId))
                .is_in(micro_grids.iter().copied()),
        )
        .to_owned()
}

/// The current households of the given micro-grids, as a condition on `household`.
pub fn households_in(micro_grids: &[Uuid]) -> Condition {
    Condition::all()
        .add(household::Column::DwellingId.in_subquery(dwellings_in(micro_grids)))
        .add(household::Column::ArchivedAt.is_null())
}

/// `Ok` if the household lies in a micro-grid the caller leads; NOT_FOUND otherwise (any
/// other household, or none, is out of a micro-grid leader's reach).
pub async fn check_leads(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household: Option<Uuid>,
) -> AppResult<()> {
    match household {
        Some(h) if leads_household(conn, viewer, h).await? => Ok(()),
        _ => Err(AppError::NotFound(msg!("household not found"))),
    }
}

/// Whether a household lies in one of the (unarchived) micro-grids the caller leads.
pub async fn leads_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household: Uuid,
) -> AppResult<bool> {
    let led: Vec<Uuid> = micro_grid::Entity::find()
        .select_only()
        .column(micro_grid::Column::Id)
        .filter(micro_grid::Column::Id.is_in(viewer.scope_ids(Role::MicroGridLeader)))
        .filter(micro_grid::Column::ArchivedAt.is_null())
        .into_tuple()
        .all(conn)
        .await?;
    if led.is_empty() {
        return Ok(false);
    }
    let found = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .filter(household::Column::Id.eq(household))
        .filter(households_in(&led))
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(found.is_some())
}
