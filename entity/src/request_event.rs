//! A step in a request's life: a status change, a reply to the resident, an internal
//! note or a reassignment.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub request_id: Uuid,
    /// `status`, `reply`, `note` or `assign`.
    pub kind: String,
    pub status_from: Option<String>,
    pub status_to: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    pub public: bool,
    pub actor_id: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
