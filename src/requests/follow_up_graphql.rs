//! GraphQL for follow-ups (回访): recording one, and reading a request's.

use std::collections::HashMap;

use async_graphql::{
    Context, Enum, ID, InputObject, Object, Result, SimpleObject, dataloader::Loader,
};
use chrono::{DateTime, Utc};
use entity::request_follow_up;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    follow_up::{self, Method, NewFollowUp},
    graphql::ServiceRequest,
};
use crate::{
    audit::audited_write,
    error::AppError,
    graphql::{
        ContextExt,
        loader::{DbLoader, loader},
        parse_id,
    },
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FollowUpMethod {
    /// In person at the household; also counts as a home visit.
    Visit,
    Phone,
    Wechat,
}

impl From<FollowUpMethod> for Method {
    fn from(m: FollowUpMethod) -> Self {
        match m {
            FollowUpMethod::Visit => Self::Visit,
            FollowUpMethod::Phone => Self::Phone,
            FollowUpMethod::Wechat => Self::Wechat,
        }
    }
}

impl From<Method> for FollowUpMethod {
    fn from(m: Method) -> Self {
        match m {
            Method::Visit => Self::Visit,
            Method::Phone => Self::Phone,
            Method::Wechat => Self::Wechat,
        }
    }
}

/// A follow-up (回访) on a resolved request.
#[derive(SimpleObject)]
pub struct RequestFollowUp {
    pub id: ID,
    pub method: FollowUpMethod,
    pub contacted_at: DateTime<Utc>,
    pub spoke_with: String,
    /// Null when nobody could be reached.
    pub satisfied: Option<bool>,
    pub notes: String,
    /// The home visit an in-person follow-up also counts as.
    pub visit_id: Option<ID>,
    pub recorded_by: ID,
}

impl From<request_follow_up::Model> for RequestFollowUp {
    fn from(m: request_follow_up::Model) -> Self {
        Self {
            id: m.id.into(),
            method: Method::parse(&m.method).into(),
            contacted_at: m.contacted_at,
            spoke_with: m.spoke_with,
            satisfied: m.satisfied,
            notes: m.notes,
            visit_id: m.visit_id.map(ID::from),
            recorded_by: m.recorded_by.into(),
        }
    }
}

/// A request's follow-ups, oldest first (batched for lists).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FollowUpsOf(pub Uuid);

impl Loader<FollowUpsOf> for DbLoader {
    type Value = Vec<request_follow_up::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[FollowUpsOf]) -> Result<HashMap<FollowUpsOf, Self::Value>> {
        let mut out: HashMap<FollowUpsOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for f in request_follow_up::Entity::find()
            .filter(request_follow_up::Column::RequestId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(request_follow_up::Column::ContactedAt)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
        {
            out.entry(FollowUpsOf(f.request_id)).or_default().push(f);
        }
        Ok(out)
    }
}

pub async fn follow_ups_of(ctx: &Context<'_>, request: Uuid) -> Result<Vec<RequestFollowUp>> {
    let follow_ups = loader(ctx).load_one(FollowUpsOf(request)).await?;
    Ok(follow_ups
        .unwrap_or_default()
        .into_iter()
        .map(RequestFollowUp::from)
        .collect())
}

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

impl FollowUpMethod {
    fn into_method_str(self) -> &'static str {
        Method::from(self).as_str()
    }
}
