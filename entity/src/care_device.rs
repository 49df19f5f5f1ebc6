//! An alarm button, door sensor or gateway in a watched home, known by the SHA-256 of its
//! token (`jdev_...`, shown once at registration).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "care_device")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub household_id: Uuid,
    /// `alarm`, `door_sensor` or `gateway`.
    pub kind: String,
    pub label: String,
    pub token_hash: String,
    pub created_by: Uuid,
    pub created_at: DateTimeUtc,
    pub revoked_at: Option<DateTimeUtc>,
    pub last_seen_at: Option<DateTimeUtc>,
    /// The last alarm that filed a request, and that request.
    pub last_alarm_at: Option<DateTimeUtc>,
    pub last_alarm_request_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
