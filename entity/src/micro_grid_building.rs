//! A member of a micro-grid: a whole building (`unit` empty) or one unit of it. The
//! building is one the micro-grid's grid covers (checked when the members are set).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "micro_grid_building")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub micro_grid_id: Uuid,
    pub building_id: Uuid,
    pub unit: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
