//! The grid a building belongs to now: one row per building, so a building is in at most
//! one grid at a time. Moves are recorded in the audit log.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "grid_building")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub building_id: Uuid,
    pub community_id: Uuid,
    pub grid_id: Uuid,
    pub assigned_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::building::Entity",
        from = "Column::BuildingId",
        to = "super::building::Column::Id"
    )]
    Building,
    #[sea_orm(
        belongs_to = "super::grid::Entity",
        from = "Column::GridId",
        to = "super::grid::Column::Id"
    )]
    Grid,
}

impl Related<super::building::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Building.def()
    }
}

impl Related<super::grid::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Grid.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
