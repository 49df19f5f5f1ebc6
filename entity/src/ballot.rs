//! A voting unit's ballot; changing it updates the row until voting closes.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ballot")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub motion_id: Uuid,
    pub voter_id: Uuid,
    /// `yes`, `no` or `abstain`.
    pub choice: String,
    pub cast_by: Uuid,
    pub resident_id: Option<Uuid>,
    /// Set when staff recorded a paper ballot.
    pub paper_reference: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
