//! The outbox: an event written in the transaction of the change that caused it (or by the
//! scheduler, once per occasion), fanned out to the community's subscriptions.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "notification_event")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    /// `request.assigned`, `statement.published`, ...
    pub event_type: String,
    pub compound_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// IDs and facts the writer knew; labels are added on fan-out.
    pub facts: Json,
    /// One event per subject and occasion (time-based events).
    pub dedupe_key: Option<String>,
    pub occurred_at: DateTimeUtc,
    pub fanned_out_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
