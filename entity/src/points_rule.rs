//! A points rule: what earns points (waste sorting passed +2, an hour of volunteering +5),
//! with optional daily and monthly caps per account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "points_rule")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    /// `manual`, `waste_sorting`, `volunteer_hour`, `activity_attendance`,
    /// `meeting_attendance`.
    pub trigger: String,
    /// Points per unit of the trigger (per hour for volunteering).
    pub points: i64,
    pub daily_cap: Option<i64>,
    pub monthly_cap: Option<i64>,
    /// The trigger while active, for triggers that allow one active rule; else null.
    pub active_trigger: Option<String>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
