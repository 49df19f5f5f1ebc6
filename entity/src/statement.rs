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
    /// The statement of the same fund published just before this one; `None` for the
    /// first. Its head and signature are part of what this one signs.
    pub prev_statement_id: Option<Uuid>,
    /// The signing key's id (16 hex digits) and the Ed25519 signature (128 hex digits)
    /// over the statement (docs/ledger-hash.md); `None` only until the server signs
    /// statements published before signing existed, at its start.
    pub key_id: Option<String>,
    pub signature: Option<String>,
    pub signed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
