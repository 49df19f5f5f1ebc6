//! GraphQL writes of activities. Each runs through `audited_write`: one transaction for
//! the change and its audit row; a refused one changes nothing and is audited as failed.
//! Organising (create, publish, cancel, finish) and signing up are here; checking in and
//! confirming in `attendance_mutation`, deliveries and certificates in `service_mutation`.

use async_graphql::{Context, ID, MergedObject, Object, Result};
use serde_json::json;

use super::{
    access::visible_activity,
    attendance_mutation::AttendanceMutation,
    inputs::{
        ActivityPayload, CancelSignUpPayload, CreateActivityInput, SignUpForActivityInput,
        SignUpPayload,
    },
    objects::{Activity, SignUp},
    publish::{self, NewActivity, NewRole},
    service_mutation::ServiceMutation,
    sign_ups::{self, SignUpRequest},
    types::ActivityStatus,
};
use crate::{
    audit::audited_write,
    graphql::{StoredEnum, parse_id},
};

/// Every activity mutation.
#[derive(MergedObject, Default)]
pub struct ActivityMutation(OrganiseMutation, AttendanceMutation, ServiceMutation);

#[derive(Default)]
pub struct OrganiseMutation;

impl OrganiseMutation {
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
impl OrganiseMutation {
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
}
