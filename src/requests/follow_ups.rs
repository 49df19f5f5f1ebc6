//! Follow-ups (回访) as a request shows them: how, when, with whom, whether the resident is
//! satisfied, batched for lists; and which requests still await one. Recording them spans
//! grid work (an in-person follow-up is also a home visit): see `gridwork::follow_up`.

use std::collections::HashMap;

use async_graphql::{Context, Enum, ID, Result, SimpleObject, dataloader::Loader};
use chrono::{DateTime, Utc};
use entity::{request_follow_up, service_request};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::status::Status;
use crate::{
    error::AppError,
    graphql::loader::{DbLoader, loader},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Visit,
    Phone,
    Wechat,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Visit => "visit",
            Self::Phone => "phone",
            Self::Wechat => "wechat",
        }
    }

    pub fn parse(s: &str) -> Self {
        match s {
            "visit" => Self::Visit,
            "wechat" => Self::Wechat,
            _ => Self::Phone,
        }
    }
}

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

impl FollowUpMethod {
    pub fn into_method_str(self) -> &'static str {
        Method::from(self).as_str()
    }
}

/// Requests resolved or closed and not followed up since their resolution: a handler's
/// list of residents to call back.
pub fn awaiting() -> Condition {
    let since_resolution = Query::select()
        .expr(Expr::val(1))
        .from(request_follow_up::Entity)
        .and_where(
            Expr::col((
                request_follow_up::Entity,
                request_follow_up::Column::RequestId,
            ))
            .equals((service_request::Entity, service_request::Column::Id)),
        )
        .and_where(
            Expr::col((
                request_follow_up::Entity,
                request_follow_up::Column::ContactedAt,
            ))
            .gte(Expr::col((
                service_request::Entity,
                service_request::Column::ResolvedAt,
            ))),
        )
        .to_owned();
    Condition::all()
        .add(
            service_request::Column::Status
                .is_in([Status::Resolved, Status::Closed].map(Status::as_str)),
        )
        .add(Expr::exists(since_resolution).not())
}
