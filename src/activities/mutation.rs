//! GraphQL writes of activities. Each runs through `audited_write`: one transaction for
//! the change and its audit row; a refused one changes nothing and is audited as failed.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    access::visible_activity,
    check_in, deliveries, hours,
    objects::{Activity, Delivery, SignUp},
    publish::{self, NewActivity, NewRole},
    sign_ups::{self, SignUpRequest},
    types::{ActivityKind, ActivityStatus, Audience, DeliveryOutcome},
};
use crate::{
    audit::{Audited, audited_write},
    auth::throttle,
    error::AppError,
    graphql::{ContextExt, StoredEnum, parse_id},
    registry::{care::CareLevel, roster_graphql::FileFormat},
};

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

#[derive(Default)]
pub struct ActivityMutation;

impl ActivityMutation {
    async fn move_to(
        &self,
        ctx: &Context<'_>,
        name: &'static str,
        id: ID,
        to: ActivityStatus,
    ) -> Result<ActivityPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let row = audited_write(ctx, name, audit, move |txn, viewer| {
            Box::pin(async move {
                let seen = visible_activity(txn, viewer, id?).await?;
                publish::transition(txn, seen, to).await
            })
        })
        .await?;
        Ok(ActivityPayload {
            activity: Activity::of(row, true)?,
        })
    }
}

#[Object]
impl ActivityMutation {
    /// Staff create an activity as a draft, with its volunteer roles.
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> Result<ActivityPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "kind": input.kind.stored(), "title": input.title, "startsAt": input.starts_at, "capacity": input.capacity, "audience": input.audience.stored() });
        let community = parse_id("input.communityId", &input.community_id);
        let compound = input
            .audience_compound_id
            .as_ref()
            .map(|c| parse_id("input.audienceCompoundId", c))
            .transpose();
        let roles = input
            .volunteer_roles
            .into_iter()
            .map(|r| NewRole {
                name: r.name,
                places: r.places,
            })
            .collect();
        let (kind, title, description, place, starts_at, ends_at, deadline, capacity, audience) = (
            input.kind,
            input.title,
            input.description,
            input.place,
            input.starts_at,
            input.ends_at,
            input.sign_up_deadline,
            input.capacity,
            input.audience,
        );
        let (row, _) = audited_write(ctx, "createActivity", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewActivity {
                    community_id: community?,
                    kind,
                    title,
                    description,
                    place,
                    starts_at,
                    ends_at,
                    sign_up_deadline: deadline,
                    capacity,
                    audience,
                    audience_compound_id: compound?,
                    roles,
                };
                publish::create(txn, viewer, new).await
            })
        })
        .await?;
        Ok(ActivityPayload {
            activity: Activity::of(row, true)?,
        })
    }

    /// Publishes a draft: residents see it and sign up until the deadline.
    async fn publish_activity(&self, ctx: &Context<'_>, id: ID) -> Result<ActivityPayload> {
        self.move_to(ctx, "publishActivity", id, ActivityStatus::Published)
            .await
    }

    /// Cancels a draft or published activity.
    async fn cancel_activity(&self, ctx: &Context<'_>, id: ID) -> Result<ActivityPayload> {
        self.move_to(ctx, "cancelActivity", id, ActivityStatus::Cancelled)
            .await
    }

    /// Marks a published activity that has begun as finished (attendance and hours are
    /// still confirmed after).
    async fn finish_activity(&self, ctx: &Context<'_>, id: ID) -> Result<ActivityPayload> {
        self.move_to(ctx, "finishActivity", id, ActivityStatus::Finished)
            .await
    }

    /// Signs up the caller (or a member of their household; for staff, anyone of the
    /// community): a place while any remain, else the waiting list.
    async fn sign_up_for_activity(
        &self,
        ctx: &Context<'_>,
        input: SignUpForActivityInput,
    ) -> Result<SignUpPayload> {
        let audit = json!({ "activityId": input.activity_id.as_str(), "residentId": input.resident_id.as_ref().map(|r| r.as_str().to_owned()), "roleId": input.role_id.as_ref().map(|r| r.as_str().to_owned()) });
        let activity = parse_id("input.activityId", &input.activity_id);
        let resident = input
            .resident_id
            .as_ref()
            .map(|r| parse_id("input.residentId", r))
            .transpose();
        let role = input
            .role_id
            .as_ref()
            .map(|r| parse_id("input.roleId", r))
            .transpose();
        let row = audited_write(ctx, "signUpForActivity", audit, move |txn, viewer| {
            Box::pin(async move {
                let request = SignUpRequest {
                    activity_id: activity?,
                    resident_id: resident?,
                    role_id: role?,
                };
                sign_ups::sign_up(txn, viewer, request).await
            })
        })
        .await?;
        Ok(SignUpPayload {
            sign_up: SignUp::of(row, true)?,
        })
    }

    /// Cancels a sign-up; a freed place goes to the first person waiting.
    async fn cancel_sign_up(&self, ctx: &Context<'_>, id: ID) -> Result<CancelSignUpPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let done = audited_write(ctx, "cancelSignUp", audit, move |txn, viewer| {
            Box::pin(async move { sign_ups::cancel(txn, viewer, id?).await })
        })
        .await?;
        Ok(CancelSignUpPayload {
            sign_up: SignUp::of(done.sign_up, true)?,
            promoted: done.promoted.map(|p| SignUp::of(p, false)).transpose()?,
        })
    }

    /// The organiser checks a confirmed person in.
    async fn check_in_participant(
        &self,
        ctx: &Context<'_>,
        sign_up_id: ID,
    ) -> Result<SignUpPayload> {
        let audit = json!({ "signUpId": sign_up_id.as_str() });
        let id = parse_id("signUpId", &sign_up_id);
        let row = audited_write(ctx, "checkInParticipant", audit, move |txn, viewer| {
            Box::pin(async move { check_in::check_in(txn, viewer, id?).await })
        })
        .await?;
        Ok(SignUpPayload {
            sign_up: SignUp::of(row, true)?,
        })
    }

    /// A resident checks in with the code shown on site. Wrong codes are throttled like
    /// failed logins (RATE_LIMITED after a few).
    async fn check_in_with_code(
        &self,
        ctx: &Context<'_>,
        input: CheckInWithCodeInput,
    ) -> Result<CheckInWithCodePayload> {
        let viewer = ctx.viewer()?;
        let services = ctx.services();
        let meta = ctx.meta();
        meta.claim_password_attempt()?;
        let limits = &services.config.login_throttle;
        let keys = throttle::keys(
            limits,
            &format!("#check-in|{}", viewer.user_id),
            &meta.client_addr,
        );
        throttle::check(services.db.reader(), &keys, Utc::now()).await?;
        let audit = json!({ "activityId": input.activity_id.as_str(), "code": "[redacted]" });
        let activity = parse_id("input.activityId", &input.activity_id);
        let code = input.code;
        let result = audited_write(ctx, "checkInWithCode", audit, move |txn, viewer| {
            Box::pin(
                async move { check_in::check_in_with_code(txn, viewer, activity?, &code).await },
            )
        })
        .await;
        if let Err(AppError::BadUserInput { field, .. }) = &result
            && field == "input.code"
        {
            let txn = services.db.begin_write().await?;
            throttle::record_failure(&txn, limits, &keys, Utc::now()).await?;
            txn.commit().await?;
        }
        Ok(CheckInWithCodePayload {
            sign_ups: result?
                .into_iter()
                .map(|r| SignUp::of(r, true))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The organiser confirms that a person attended (once; it awards points).
    async fn confirm_attendance(&self, ctx: &Context<'_>, sign_up_id: ID) -> Result<SignUpPayload> {
        let audit = json!({ "signUpId": sign_up_id.as_str() });
        let id = parse_id("signUpId", &sign_up_id);
        let row = audited_write(ctx, "confirmAttendance", audit, move |txn, viewer| {
            Box::pin(async move { check_in::confirm_attendance(txn, viewer, id?).await })
        })
        .await?;
        Ok(SignUpPayload {
            sign_up: SignUp::of(row, true)?,
        })
    }

    /// The organiser confirms a volunteer's minutes (once; they count toward the year's
    /// hours and award points).
    async fn confirm_volunteer_hours(
        &self,
        ctx: &Context<'_>,
        input: ConfirmVolunteerHoursInput,
    ) -> Result<SignUpPayload> {
        let audit = json!({ "signUpId": input.sign_up_id.as_str(), "minutes": input.minutes });
        let id = parse_id("input.signUpId", &input.sign_up_id);
        let minutes = input.minutes;
        let row = audited_write(ctx, "confirmVolunteerHours", audit, move |txn, viewer| {
            Box::pin(async move { hours::confirm_hours(txn, viewer, id?, minutes).await })
        })
        .await?;
        Ok(SignUpPayload {
            sign_up: SignUp::of(row, true)?,
        })
    }

    /// Staff add the households of a care level to a delivery activity.
    async fn add_delivery_households(
        &self,
        ctx: &Context<'_>,
        input: AddDeliveryHouseholdsInput,
    ) -> Result<AddDeliveryHouseholdsPayload> {
        let audit = json!({ "activityId": input.activity_id.as_str(), "careLevel": input.care_level.as_str(), "compoundId": input.compound_id.as_ref().map(|c| c.as_str().to_owned()) });
        let activity = parse_id("input.activityId", &input.activity_id);
        let compound = input
            .compound_id
            .as_ref()
            .map(|c| parse_id("input.compoundId", c))
            .transpose();
        let level = input.care_level;
        let households = audited_write(ctx, "addDeliveryHouseholds", audit, move |txn, viewer| {
            Box::pin(async move {
                deliveries::add_households(txn, viewer, activity?, level, compound?).await
            })
        })
        .await?;
        Ok(AddDeliveryHouseholdsPayload { households })
    }

    /// A confirmed volunteer (or the organiser) records a delivery: delivered, not home.
    async fn record_delivery(
        &self,
        ctx: &Context<'_>,
        input: RecordDeliveryInput,
    ) -> Result<RecordDeliveryPayload> {
        let audit = json!({ "deliveryId": input.delivery_id.as_str(), "outcome": input.outcome.stored(), "note": !input.note.trim().is_empty() });
        let id = parse_id("input.deliveryId", &input.delivery_id);
        let (outcome, note) = (input.outcome, input.note);
        let row = audited_write(ctx, "recordDelivery", audit, move |txn, viewer| {
            Box::pin(async move { deliveries::record(txn, viewer, id?, outcome, &note).await })
        })
        .await?;
        Ok(RecordDeliveryPayload {
            delivery: Delivery::of(row)?,
        })
    }

    /// A volunteer's certificate of hours for a year (志愿服务时长证明) as a file: the
    /// resident their own, staff anyone's of their community.
    async fn export_volunteer_certificate(
        &self,
        ctx: &Context<'_>,
        input: ExportVolunteerCertificateInput,
    ) -> Result<ExportVolunteerCertificatePayload> {
        let audit = json!({ "residentId": input.resident_id.as_ref().map(|r| r.as_str().to_owned()), "year": input.year, "format": format!("{:?}", input.format) });
        let resident = input
            .resident_id
            .as_ref()
            .map(|r| parse_id("input.residentId", r))
            .transpose();
        let (year, format) = (input.year, input.format.into());
        let file = audited_write(
            ctx,
            "exportVolunteerCertificate",
            audit,
            move |txn, viewer| {
                Box::pin(async move {
                    let (resident, place) = match resident? {
                        Some(id) => hours::readable_volunteer(txn, viewer, id).await?,
                        None => {
                            let own = hours::own_volunteers(txn, viewer).await?;
                            let first = own.into_iter().next().ok_or_else(|| {
                                AppError::Forbidden(crate::error::msg!(
                                    "your login is not linked to a resident record"
                                ))
                            })?;
                            hours::readable_volunteer(txn, viewer, first.id).await?
                        }
                    };
                    let id = resident.id;
                    let issuer = format!("{} ({})", viewer.display_name, viewer.username);
                    let service = hours::year_of_service(txn, resident, year).await?;
                    let file =
                        hours::certificate(txn, service, format, &issuer, Utc::now()).await?;
                    Ok(Audited::new(file, place, id))
                })
            },
        )
        .await?;
        Ok(ExportVolunteerCertificatePayload {
            file_name: file.file_name,
            content_type: file.content_type.to_owned(),
            content_base64: STANDARD.encode(&file.bytes),
            total_minutes: file.total_minutes,
        })
    }
}
