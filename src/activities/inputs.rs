//! The inputs and payloads of the activity mutations.

use async_graphql::{ID, InputObject, SimpleObject};
use chrono::{DateTime, Utc};

use super::{
    objects::{Activity, SignUp},
    service_objects::Delivery,
    types::{ActivityKind, Audience, DeliveryOutcome},
};
use crate::registry::{care::CareLevel, roster_graphql::FileFormat};

#[derive(InputObject)]
pub struct VolunteerRoleInput {
    /// 测血压, 搬运, 引导.
    pub name: String,
    pub places: i32,
}

#[derive(InputObject)]
pub struct CreateActivityInput {
    pub community_id: ID,
    pub kind: ActivityKind,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Default: the start.
    pub sign_up_deadline: Option<DateTime<Utc>>,
    /// Participants' places; 0 for volunteers only (a delivery).
    pub capacity: i32,
    pub audience: Audience,
    /// For the COMPOUND audience.
    pub audience_compound_id: Option<ID>,
    #[graphql(default)]
    pub volunteer_roles: Vec<VolunteerRoleInput>,
}

#[derive(SimpleObject)]
pub struct ActivityPayload {
    pub activity: Activity,
}

#[derive(InputObject)]
pub struct SignUpForActivityInput {
    pub activity_id: ID,
    /// Someone else: a member of the caller's household, or anyone for staff (on their
    /// behalf, e.g. an elderly neighbour without a phone). Default: the caller.
    pub resident_id: Option<ID>,
    /// A volunteer role; none to take part.
    pub role_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct SignUpPayload {
    pub sign_up: SignUp,
}

#[derive(SimpleObject)]
pub struct CancelSignUpPayload {
    pub sign_up: SignUp,
    /// Whom the freed place went to, from the waiting list.
    pub promoted: Option<SignUp>,
}

#[derive(InputObject)]
pub struct CheckInWithCodeInput {
    pub activity_id: ID,
    /// The six digits shown on site.
    pub code: String,
}

#[derive(SimpleObject)]
pub struct CheckInWithCodePayload {
    pub sign_ups: Vec<SignUp>,
}

#[derive(InputObject)]
pub struct ConfirmVolunteerHoursInput {
    pub sign_up_id: ID,
    /// Default: the minutes the check-in proposes (the activity's length).
    pub minutes: Option<i64>,
}

#[derive(InputObject)]
pub struct AddDeliveryHouseholdsInput {
    pub activity_id: ID,
    /// Households at this care level (in force: a staff override wins).
    pub care_level: CareLevel,
    /// Only those of one compound.
    pub compound_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct AddDeliveryHouseholdsPayload {
    /// How many households the activity now goes to.
    pub households: u64,
}

#[derive(InputObject)]
pub struct RecordDeliveryInput {
    pub delivery_id: ID,
    pub outcome: DeliveryOutcome,
    #[graphql(default)]
    pub note: String,
}

#[derive(SimpleObject)]
pub struct RecordDeliveryPayload {
    pub delivery: Delivery,
}

#[derive(InputObject)]
pub struct ExportVolunteerCertificateInput {
    /// Default: the caller's own record.
    pub resident_id: Option<ID>,
    pub year: i32,
    pub format: FileFormat,
}

#[derive(SimpleObject)]
pub struct ExportVolunteerCertificatePayload {
    pub file_name: String,
    pub content_type: String,
    /// The file, base64-encoded.
    pub content_base64: String,
    pub total_minutes: i64,
}
