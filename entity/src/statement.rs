//! A published statement (公示) of a range of a fund's ledger.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "statement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub fund_id: Uuid,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance_fen: i64,
    pub closing_balance_fen: i64,
    /// The hash of entry `to_seq`.
    pub head_hash: String,
    pub first_occurred_at: DateTimeUtc,
    pub last_occurred_at: DateTimeUtc,
    pub share_token_hash: String,
    pub published_by: Uuid,
    pub published_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
