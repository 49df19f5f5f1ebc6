//! A follow-up (回访) on a resolved request: how the resident was reached, and whether
//! they were satisfied.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "request_follow_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub request_id: Uuid,
    /// `visit`, `phone` or `wechat`.
    pub method: String,
    pub contacted_at: DateTimeUtc,
    /// Whom the handler spoke to.
    pub spoke_with: String,
    /// `None` when nobody could be reached.
    pub satisfied: Option<bool>,
    #[sea_orm(column_type = "Text")]
    pub notes: String,
    /// The home visit an in-person follow-up also counts as.
    pub visit_id: Option<Uuid>,
    pub recorded_by: Uuid,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
