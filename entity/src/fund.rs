//! 维修基金: a fund of a compound (or of a community), earmarked for its purpose, with the
//! head of its ledger kept on the row so the balance is O(1) and writers serialise here.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "fund")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub name: String,
    pub purpose: String,
    /// `open` or `closed`.
    pub status: String,
    pub allow_negative: bool,
    pub approvals_required: i32,
    pub resolution_threshold_fen: Option<i64>,
    pub head_seq: i64,
    /// Hex SHA-256 of the last entry; 64 zeros before the first.
    pub head_hash: String,
    pub balance_fen: i64,
    pub created_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
