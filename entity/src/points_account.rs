//! A points account: a household's or a resident's, with the head of its ledger (`head_seq`,
//! balance) updated in the transaction of every entry, so the balance is O(1).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "points_account")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// Exactly one of the two.
    pub household_id: Option<Uuid>,
    pub resident_id: Option<Uuid>,
    /// The compound it ranks in.
    pub compound_id: Uuid,
    pub head_seq: i64,
    /// Never below zero.
    pub balance: i64,
    pub ranking_opt_in: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
