//! 活动: an activity staff publish for residents (a free clinic for the elderly, a festival
//! delivery to special-hardship households, a clean-up day).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// `free_clinic`, `festival`, `delivery`, `clean_up`, `culture`, `sports` or `other`.
    pub kind: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub place: String,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub sign_up_deadline: DateTimeUtc,
    /// Participants' places; 0 when residents do not sign up as participants.
    pub capacity: i32,
    /// `all`, `compound`, `elderly` or `households`.
    pub audience: String,
    pub audience_compound_id: Option<Uuid>,
    /// `draft`, `published`, `finished` or `cancelled`.
    pub status: String,
    /// Shown on site by the organiser; residents check in with it.
    pub check_in_code: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub published_at: Option<DateTimeUtc>,
    /// When it was finished or cancelled.
    pub closed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
