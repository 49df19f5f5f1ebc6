//! 自管会: the self-management committee of a compound, its current term, and the settings
//! the compound's funds start from.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "committee")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    pub name: String,
    pub term_starts_on: Date,
    /// The last day of the term.
    pub term_ends_on: Date,
    /// Approvals an expense needs (by members other than its author).
    pub approvals_required: i32,
    /// Expenses above this many fen need a passed resolution; empty: none do.
    pub resolution_threshold_fen: Option<i64>,
    /// Default public-notice (公示) period in days.
    pub notice_days: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
