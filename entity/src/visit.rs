//! A home visit by a grid worker (入户走访).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visit")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub household_id: Uuid,
    pub visitor_id: Uuid,
    pub visited_at: DateTimeUtc,
    /// The day in China, for the visit plan.
    pub visited_on: Date,
    /// Whom the visitor met.
    pub met: String,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    /// `[{"title": ..., "requestId": ...}]`: needs found, each filed as a request.
    pub needs: Json,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
