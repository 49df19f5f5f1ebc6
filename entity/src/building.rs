//! 楼栋: a building of a compound. `(community_id, compound_id)` references the compound's
//! `(community_id, id)`, so a building can only belong to a compound of its own community.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "building")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Uuid,
    /// The building's number as residents say it: "23", "3号楼", "A座".
    pub number: String,
    pub units: i32,
    pub floors: i32,
    pub created_at: DateTimeUtc,
    pub archived_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
