//! 户: a household living in a dwelling. Moving out archives it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Copy, Debug, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum Tenure {
    #[sea_orm(string_value = "owner_occupied")]
    OwnerOccupied,
    #[sea_orm(string_value = "renting")]
    Renting,
    #[sea_orm(string_value = "other")]
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "household")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub dwelling_id: Uuid,
    pub tenure: Tenure,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
    /// The care level the residents' tags call for: `special_hardship`, `key_group` or
    /// `ordinary`; kept up to date on every change to a member.
    pub care_level_derived: String,
    /// A level staff set instead, with their reason; it wins over the derived one.
    pub care_level_override: Option<String>,
    pub care_level_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
