//! An item of a meeting's agenda, in order.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "agenda_item")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub meeting_id: Uuid,
    pub position: i32,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    /// What raised the topic: `[{"kind": ..., "id": ...}]`.
    pub refs: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
