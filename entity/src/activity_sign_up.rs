//! A resident signed up for an activity, as a participant or as a volunteer in a role:
//! confirmed or waiting (in `queued_at` order), checked in, attendance and volunteer
//! minutes confirmed by the organiser.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "activity_sign_up")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub activity_id: Uuid,
    pub resident_id: Uuid,
    /// The volunteer role; none for a participant.
    pub role_id: Option<Uuid>,
    /// `confirmed`, `waiting` or `cancelled`.
    pub status: String,
    pub queued_at: DateTimeUtc,
    pub signed_up_by: Uuid,
    pub on_behalf: bool,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_in_by: Option<Uuid>,
    pub attendance_confirmed_at: Option<DateTimeUtc>,
    pub attendance_confirmed_by: Option<Uuid>,
    pub volunteer_minutes: Option<i64>,
    pub served_on: Option<Date>,
    pub hours_confirmed_at: Option<DateTimeUtc>,
    pub hours_confirmed_by: Option<Uuid>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
