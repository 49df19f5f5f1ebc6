//! Where households live, as conditions the tenancy rules of several domains share: the
//! households of some grids (grid workers' reach), and whether a household lives in a
//! compound (residents' reach over their compound's committee, funds and meetings).

use entity::{building, dwelling, grid_building, household};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query, SelectStatement},
};
use uuid::Uuid;

use crate::error::AppResult;

/// Ids of the households living in the buildings some grids cover now.
pub fn households_in_grids(grids: &[Uuid]) -> SelectStatement {
    Query::select()
        .column((household::Entity, household::Column::Id))
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .inner_join(
            grid_building::Entity,
            Expr::col((grid_building::Entity, grid_building::Column::BuildingId))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
        .and_where(
            Expr::col((grid_building::Entity, grid_building::Column::GridId))
                .is_in(grids.iter().copied()),
        )
        .to_owned()
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
