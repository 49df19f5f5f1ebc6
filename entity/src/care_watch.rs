//! A household under care watch (关爱巡查): someone must see them every `interval`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_watch")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// One watch per household (ended and restarted in place).
    pub household_id: Uuid,
    /// `daily`, `every_3_days` or `weekly`.
    pub interval: String,
    /// Who last set it.
    pub set_by: Uuid,
    /// When the watch (re)started.
    pub since: DateTimeUtc,
    pub last_check_in_at: Option<DateTimeUtc>,
    /// The later of the last check-in and `since`, plus the interval.
    pub due_at: DateTimeUtc,
    pub ended_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
