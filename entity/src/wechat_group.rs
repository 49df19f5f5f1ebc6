//! A WeChat group (微信群) of the community: residents of some buildings, shops, a grid,
//! with the staff members in it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "wechat_group")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    /// `building`, `residents`, `shops` or `grid`.
    pub kind: String,
    /// For a grid's group: the grid.
    pub grid_id: Option<Uuid>,
    /// How many people are in the group, as staff last counted.
    pub member_count: Option<i32>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
