//! A consultation (征集意见): questions put to the households or residents of a community,
//! a compound or some buildings, open between two times.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "consultation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// The compound it is put to (and organised by its committee); none: the community.
    pub compound_id: Option<Uuid>,
    /// Whether it is put only to the buildings listed in `consultation_building`.
    pub building_scoped: bool,
    pub title: String,
    pub body: String,
    pub opens_at: DateTimeUtc,
    pub closes_at: DateTimeUtc,
    /// Answers are anonymous to organisers.
    pub anonymous: bool,
    /// `household` or `resident`: who gives one answer.
    pub unit: String,
    pub hide_results_until_close: bool,
    /// `draft`, `published` or `cancelled` (open and closed follow from the times).
    pub status: String,
    /// Units that answered (questions are fixed once it is above zero).
    pub answer_count: i32,
    /// The result notice: what will be done.
    pub summary: Option<String>,
    pub results_published_at: Option<DateTimeUtc>,
    /// The announcement that carried the result notice, if staff published it.
    pub announcement_id: Option<Uuid>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
