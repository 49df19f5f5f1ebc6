//! One entry of a fund's ledger. Never updated or deleted (the database refuses it);
//! corrections are reversal entries. `hash` chains each entry to the one before.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ledger_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub fund_id: Uuid,
    pub seq: i64,
    /// `contribution`, `expense` or `reversal`.
    pub kind: String,
    /// Signed by direction: money in is positive.
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    pub counterparty_id: Option<Uuid>,
    /// `cash_box`, `wechat`, `bank`.
    pub channel: Option<String>,
    pub memo: String,
    pub occurred_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub recorded_by: Uuid,
    pub expense_id: Option<Uuid>,
    pub levy_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    pub reverses_entry_id: Option<Uuid>,
    pub prev_hash: String,
    pub hash: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
