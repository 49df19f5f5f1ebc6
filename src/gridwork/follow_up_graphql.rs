//! GraphQL for recording a follow-up (回访).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::follow_up::{self, NewFollowUp};
use crate::{
    audit::audited_write,
    graphql::{ContextExt, parse_id},
    requests::{
        follow_ups::{FollowUpMethod, RequestFollowUp},
        types::ServiceRequest,
    },
};

#[derive(InputObject)]
pub struct RecordFollowUpInput {
    pub request_id: ID,
    pub method: FollowUpMethod,
    pub contacted_at: DateTime<Utc>,
    /// Whom the handler spoke to.
    pub spoke_with: String,
    /// Whether the resident is satisfied; leave out when nobody was reached. `false` on a
    /// resolved request reopens it.
    pub satisfied: Option<bool>,
    #[graphql(default)]
    pub notes: String,
}

#[derive(SimpleObject)]
pub struct FollowUpPayload {
    pub follow_up: RequestFollowUp,
    /// The request as it now stands (reopened if the resident was not satisfied).
    pub request: ServiceRequest,
}

#[derive(Default)]
pub struct FollowUpMutation;

#[Object]
impl FollowUpMutation {
    /// The handler's follow-up (回访) on a resolved request: one per resolution.
    async fn record_follow_up(
        &self,
        ctx: &Context<'_>,
        input: RecordFollowUpInput,
    ) -> Result<FollowUpPayload> {
        let audit = json!({ "requestId": input.request_id.as_str(), "method": input.method.into_method_str(), "satisfied": input.satisfied });
        let id = parse_id("input.requestId", &input.request_id);
        let files = ctx.services().files.clone();
        let new = |request_id| NewFollowUp {
            request_id,
            method: input.method.into(),
            contacted_at: input.contacted_at,
            spoke_with: input.spoke_with,
            satisfied: input.satisfied,
            notes: input.notes,
        };
        let new = id.map(new);
        let done = audited_write(ctx, "recordFollowUp", audit, move |txn, viewer| {
            Box::pin(async move { follow_up::record(txn, &files, viewer, new?).await })
        })
        .await?;
        Ok(FollowUpPayload {
            follow_up: done.follow_up.into(),
            request: done.request.into(),
        })
    }
}
