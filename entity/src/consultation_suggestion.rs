//! A resident's suggestion (建议) on an open consultation, with the organisers' public reply
//! and whether it was adopted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation_suggestion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub consultation_id: Uuid,
    pub author_user_id: Uuid,
    /// The author as neighbours see them (王**), fixed when written.
    pub author_label: String,
    pub text: String,
    pub created_at: DateTimeUtc,
    pub reply: Option<String>,
    pub replied_by: Option<Uuid>,
    pub replied_at: Option<DateTimeUtc>,
    pub adopted_by: Option<Uuid>,
    pub adopted_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
