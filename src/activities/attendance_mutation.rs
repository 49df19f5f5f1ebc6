//! GraphQL writes of a running activity: checking people in (by the organiser, or with the
//! code on site, throttled like failed logins) and confirming attendance and volunteer
//! minutes (once each: they award points). Audited like every activity write.

use async_graphql::{Context, ID, Object, Result};
use chrono::Utc;
use serde_json::json;

use super::{
    check_in, hours,
    inputs::{
        CheckInWithCodeInput, CheckInWithCodePayload, ConfirmVolunteerHoursInput, SignUpPayload,
    },
    objects::SignUp,
};
use crate::{
    audit::audited_write,
    auth::throttle,
    error::AppError,
    graphql::{ContextExt, parse_id},
};

#[derive(Default)]
pub struct AttendanceMutation;

#[Object]
impl AttendanceMutation {
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
}
