//! A resident's request (诉求): a lamp out, a leak, a question.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "service_request")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub building_id: Option<Uuid>,
    pub household_id: Option<Uuid>,
    pub grid_id: Option<Uuid>,
    /// The grid worker (a user) handling it.
    pub assignee_id: Option<Uuid>,
    pub reporter_resident_id: Option<Uuid>,
    pub reporter_user_id: Option<Uuid>,
    pub recorded_by: Uuid,
    /// `app`, `wechat`, `hotline`, `phone` or `visit`.
    pub source: String,
    pub source_detail: Json,
    /// For `hotline`: the 12345 ticket number, once per community.
    pub hotline_ticket: Option<String>,
    /// For `wechat` from a registered group: the group, and who was on duty in it when the
    /// message was posted.
    pub wechat_group_id: Option<Uuid>,
    pub on_duty_user_id: Option<Uuid>,
    pub category: String,
    pub title: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub urgency: String,
    pub status: String,
    pub duplicate_of: Option<Uuid>,
    pub referred_to: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub referral_reply: Option<String>,
    pub rejection_reason: Option<String>,
    pub first_response_due_at: DateTimeUtc,
    pub resolve_due_at: DateTimeUtc,
    pub acknowledged_at: Option<DateTimeUtc>,
    pub resolved_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    pub rating: Option<i32>,
    pub rating_comment: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
