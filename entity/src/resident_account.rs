//! The login of a resident: links one user to one resident record.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "resident_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub resident_id: Uuid,
    pub community_id: Uuid,
    pub user_id: Uuid,
    pub linked_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
