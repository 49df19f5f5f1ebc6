//! A mediation case (调解): a dispute between households or residents.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mediation_case")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// The request that raised it, if any.
    pub request_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    /// `[{"householdId", "residentId", "label"}]`
    pub parties: Json,
    /// `[{"userId", "name", "kind"}]`
    pub mediators: Json,
    /// `open` or `closed`.
    pub status: String,
    /// `agreement`, `no_agreement` or `referred`.
    pub outcome: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub agreement_text: Option<String>,
    pub referred_to: Option<String>,
    pub follow_up_on: Option<Date>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
