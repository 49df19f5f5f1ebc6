//! One try at delivering: when, how long, and what came back.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook_attempt")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub delivery_id: Uuid,
    pub attempted_at: DateTimeUtc,
    pub latency_ms: i32,
    /// `ok`, `http_error`, `rejected`, `timeout`, `refused` or `network`.
    pub outcome: String,
    pub response_status: Option<i32>,
    /// The first bytes of the answer, or why there was none.
    pub detail: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
