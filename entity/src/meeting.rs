//! A meeting of a compound (or a whole community): a bench deliberation (板凳议事), a committee meeting or an
//! owners' assembly.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "meeting")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// Empty for a meeting of the whole community.
    pub compound_id: Option<Uuid>,
    /// `bench`, `committee` or `assembly`.
    pub kind: String,
    pub title: String,
    pub starts_at: DateTimeUtc,
    pub place: String,
    /// `scheduled`, `open`, `closed` or `cancelled`.
    pub status: String,
    pub cancel_reason: Option<String>,
    pub minutes_published_at: Option<DateTimeUtc>,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
