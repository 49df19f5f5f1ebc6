//! A household a delivery activity visits (festival gifts to special-hardship households),
//! with what the volunteer found: delivered or not at home.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub activity_id: Uuid,
    pub household_id: Uuid,
    /// `pending`, `delivered` or `not_home`.
    pub outcome: String,
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
