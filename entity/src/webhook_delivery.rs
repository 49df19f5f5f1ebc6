//! One event on its way to one subscription: pending until an attempt succeeds, failed
//! when retries run out.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub subscription_id: Uuid,
    pub event_id: Uuid,
    /// The body as sent, the same on every retry.
    #[sea_orm(column_type = "Text")]
    pub body: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempt_count: i32,
    pub next_attempt_at: DateTimeUtc,
    /// A process delivering it holds it until then.
    pub lease_until: Option<DateTimeUtc>,
    pub give_up_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub delivered_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
