//! Someone (or a device) saw a watched household: a visit, a call, a meal delivered, the
//! resident themselves, family, a volunteer, a device's heartbeat.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_check_in")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub household_id: Uuid,
    pub at: DateTimeUtc,
    /// `visit`, `call`, `meal_delivered`, `self`, `family`, `volunteer` or `device`.
    pub kind: String,
    /// The person who recorded it (none for a device).
    pub recorded_by: Option<Uuid>,
    pub device_id: Option<Uuid>,
    /// Personal data (how the resident was): read audited.
    #[sea_orm(column_type = "Text")]
    pub note: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
