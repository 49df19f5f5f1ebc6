//! One entry of a points account's ledger. Never updated or deleted (the database refuses
//! it); mistakes are corrected with a reversal entry referencing it, at most once.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "points_entry")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub account_id: Uuid,
    /// 1, 2, 3 ... per account, no gaps.
    pub seq: i64,
    /// `award`, `redemption` or `reversal`.
    pub kind: String,
    /// Signed: awards add, redemptions take.
    pub points: i64,
    pub balance_after: i64,
    pub rule_id: Option<Uuid>,
    pub quantity: Option<i64>,
    pub reward_id: Option<Uuid>,
    pub reward_quantity: Option<i64>,
    pub reverses_entry_id: Option<Uuid>,
    pub source_key: Option<String>,
    pub batch_id: Option<Uuid>,
    pub memo: String,
    /// The day (China time) caps count it on.
    pub day: Date,
    pub occurred_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    /// Empty for automatic awards made without a person.
    pub recorded_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
