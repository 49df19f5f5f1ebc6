//! Reading the audit log: admins see the entries of their scope; entries with no place in
//! the tree (logins, failures before a scope was known) only platform admins see.

use async_graphql::{Context, Enum, ID, Json, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_entry;
use sea_orm::{
    ColumnTrait, Condition, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    auth::Capability,
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt, StoredEnum,
        pagination::{Page, PageArgs, try_keyset_page},
    },
};

/// Whether the audited request did what it asked.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuditOutcome {
    Ok,
    /// Refused or failed; `errorCode` says why.
    Failed,
}

impl StoredEnum for AuditOutcome {
    fn stored(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Failed => "failed",
        }
    }
}

#[derive(SimpleObject)]
pub struct AuditEntry {
    pub id: ID,
    pub occurred_at: DateTime<Utc>,
    /// The `x-request-id` of the request, to find its log lines.
    pub request_id: String,
    pub actor_user_id: Option<ID>,
    /// The GraphQL field that acted, e.g. `grantRole`, or `readPersonalData`. Text, not an
    /// enum: entries outlive the fields that wrote them (a renamed mutation's old entries
    /// must stay readable), and each new mutation would otherwise change this type.
    pub action: String,
    pub outcome: AuditOutcome,
    pub error_code: Option<String>,
    pub street_office_id: Option<ID>,
    pub community_id: Option<ID>,
    pub target_id: Option<ID>,
    /// The input, with secrets redacted.
    pub input: Json<serde_json::Value>,
    /// Whose personal data the response carried (for `readPersonalData` entries).
    pub subject_ids: Vec<ID>,
    pub client_addr: Option<String>,
}

impl TryFrom<audit_entry::Model> for AuditEntry {
    type Error = AppError;

    fn try_from(m: audit_entry::Model) -> AppResult<Self> {
        Ok(Self {
            id: m.id.into(),
            occurred_at: m.occurred_at,
            request_id: m.request_id,
            actor_user_id: m.actor_user_id.map(ID::from),
            action: m.action,
            outcome: AuditOutcome::from_stored(&m.outcome)?,
            error_code: m.error_code,
            street_office_id: m.street_office_id.map(ID::from),
            community_id: m.community_id.map(ID::from),
            target_id: m.target_id.map(ID::from),
            input: Json(m.input),
            subject_ids: m
                .subject_ids
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|id| id.as_str().map(|s| ID::from(s.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
            client_addr: m.client_addr,
        })
    }
}

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Audit entries of the caller's scope, oldest first; `action` narrows to one action,
    /// `subjectId` to what was done to or read about one person or object (who looked at
    /// whose data).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn audit_entries(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        action: Option<String>,
        subject_id: Option<ID>,
    ) -> Result<Page<AuditEntry>> {
        let reach = ctx.viewer()?.reach(Capability::ReadAudit);
        if reach.is_nothing() {
            return Err(AppError::Forbidden(msg!("only admins read the audit log")).into());
        }
        let args = PageArgs::new(first, after)?;
        let mut select = audit_entry::Entity::find_in_reach(&reach);
        if let Some(action) = action {
            select = select.filter(audit_entry::Column::Action.eq(action));
        }
        if let Some(subject) = subject_id {
            let subject = crate::graphql::parse_id("subjectId", &subject)?;
            // Subject ids are a JSON array of UUID strings: match the quoted id.
            select = select.filter(
                Condition::any()
                    .add(audit_entry::Column::TargetId.eq(subject))
                    .add(
                        Expr::col(audit_entry::Column::SubjectIds)
                            .cast_as("text")
                            .like(format!("%\"{subject}\"%")),
                    ),
            );
        }
        Ok(try_keyset_page(
            ctx.services().db.reader(),
            select,
            audit_entry::Column::Id,
            args,
            AuditEntry::try_from,
        )
        .await?)
    }
}
