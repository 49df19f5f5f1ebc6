//! One shift of a WeChat group's duty rota (值班表): who answers the group on a weekday
//! between two local times.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "duty_shift")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub group_id: Uuid,
    pub user_id: Uuid,
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: i32,
    /// Minutes since local midnight (`JIEDAO_TIMEZONE`); the shift is `[starts, ends)`.
    pub starts_minute: i32,
    pub ends_minute: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
