//! A voting unit of a motion's electorate, fixed when voting opens: a household, or the
//! dwellings of one owner (art. 278: one head, their area).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "motion_voter")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub motion_id: Uuid,
    pub label: String,
    pub heads: i32,
    pub area_hundredths: i64,
    pub household_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
