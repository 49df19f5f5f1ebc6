//! A person signed in at a meeting (one record each), with their household.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting_attendance")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub meeting_id: Uuid,
    pub resident_id: Uuid,
    pub household_id: Uuid,
    pub signed_in_by: Uuid,
    /// Staff signed in someone without a phone.
    pub on_behalf: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
