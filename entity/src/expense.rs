//! An expense of a fund: draft → submitted → approved / rejected → paid, or cancelled.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "expense")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub fund_id: Uuid,
    pub author_id: Uuid,
    /// The payee (a counterparty of kind `payee`).
    pub payee_id: Uuid,
    pub amount_fen: i64,
    pub purpose: String,
    /// `[{ "description": ..., "amountFen": ... }]`
    pub items: Json,
    /// `draft`, `submitted`, `approved`, `rejected`, `paid`, `cancelled`.
    pub status: String,
    pub resolution_id: Option<Uuid>,
    /// Why it was rejected or cancelled.
    pub closing_reason: Option<String>,
    pub paid_entry_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
