//! A motion put to a vote; passed, it is a resolution.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "motion")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub meeting_id: Uuid,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `households` or `owners`.
    pub electorate: String,
    /// `simple`, `ordinary` or `special`.
    pub majority: String,
    pub hide_results: bool,
    /// What the motion approves spending, in fen: the expenses citing the resolution may
    /// not add up to more. `None` for motions that spend nothing.
    pub amount_fen: Option<i64>,
    /// `draft`, `voting`, `closed` or `withdrawn`.
    pub status: String,
    pub voting_opens_at: Option<DateTimeUtc>,
    pub voting_closes_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub passed: Option<bool>,
    /// The numbers behind the result and the conditions that failed.
    pub tally: Option<Json>,
    pub notice_from: Option<DateTimeUtc>,
    pub notice_until: Option<DateTimeUtc>,
    /// SHA-256 (hex) of the share token of the resolution's public notice page.
    pub notice_token_hash: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
