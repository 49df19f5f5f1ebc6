//! GraphQL for mediation cases.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::mediation_case;
use serde_json::json;

use super::service::{self, Mediator, NewCase, Outcome, Party};
use crate::{
    audit::audited_write,
    error::{AppError, AppResult},
    graphql::{
        ContextExt, StoredEnum,
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediatorKind {
    Staff,
    Lawyer,
    /// 心理咨询师
    Counsellor,
    Other,
}

impl StoredEnum for MediatorKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Staff => "staff",
            Self::Lawyer => "lawyer",
            Self::Counsellor => "counsellor",
            Self::Other => "other",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MediationOutcome {
    /// With `agreementText`.
    Agreement,
    NoAgreement,
    /// With `referredTo` (a court, the police, a people's mediation committee).
    Referred,
}

#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "MediationPartyInput")]
pub struct MediationParty {
    pub household_id: Option<ID>,
    pub resident_id: Option<ID>,
    /// How the case names them (楼上502住户).
    pub label: String,
}

#[derive(SimpleObject)]
pub struct MediationMediator {
    pub user_id: Option<ID>,
    pub name: String,
    pub kind: MediatorKind,
}

#[derive(InputObject)]
pub struct MediatorInput {
    pub user_id: Option<ID>,
    pub name: String,
    pub kind: MediatorKind,
}

#[derive(SimpleObject)]
pub struct MediationSession {
    pub held_at: DateTime<Utc>,
    pub place: String,
    pub notes: String,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MediationCase {
    pub id: ID,
    pub community_id: ID,
    pub request_id: Option<ID>,
    pub title: String,
    pub description: String,
    pub parties: Vec<MediationParty>,
    pub open: bool,
    pub outcome: Option<MediationOutcome>,
    pub agreement_text: Option<String>,
    pub referred_to: Option<String>,
    pub follow_up_on: Option<NaiveDate>,
    #[graphql(skip)]
    pub model: mediation_case::Model,
}

fn id_at(v: &serde_json::Value, key: &str) -> Option<ID> {
    v[key].as_str().map(|s| ID(s.to_owned()))
}

impl From<mediation_case::Model> for MediationCase {
    fn from(c: mediation_case::Model) -> Self {
        let list = |v: &serde_json::Value| v.as_array().cloned().unwrap_or_default();
        Self {
            id: c.id.into(),
            community_id: c.community_id.into(),
            request_id: c.request_id.map(ID::from),
            title: c.title.clone(),
            description: c.description.clone(),
            parties: list(&c.parties)
                .iter()
                .map(|p| MediationParty {
                    household_id: id_at(p, "householdId"),
                    resident_id: id_at(p, "residentId"),
                    label: p["label"].as_str().unwrap_or_default().to_owned(),
                })
                .collect(),
            open: c.status == "open",
            outcome: c.outcome.as_deref().map(|o| match o {
                "agreement" => MediationOutcome::Agreement,
                "referred" => MediationOutcome::Referred,
                _ => MediationOutcome::NoAgreement,
            }),
            agreement_text: c.agreement_text.clone(),
            referred_to: c.referred_to.clone(),
            follow_up_on: c.follow_up_on,
            model: c,
        }
    }
}

#[ComplexObject]
impl MediationCase {
    async fn mediators(&self) -> Result<Vec<MediationMediator>> {
        let mediators = self.model.mediators.as_array().cloned().unwrap_or_default();
        Ok(mediators
            .iter()
            .map(|m| {
                Ok(MediationMediator {
                    user_id: id_at(m, "userId"),
                    name: m["name"].as_str().unwrap_or_default().to_owned(),
                    kind: MediatorKind::from_stored(m["kind"].as_str().unwrap_or_default())?,
                })
            })
            .collect::<AppResult<_>>()?)
    }

    async fn sessions(&self, ctx: &Context<'_>) -> Result<Vec<MediationSession>> {
        ctx.viewer()?;
        Ok(
            service::sessions_of(ctx.services().db.reader(), self.model.id)
                .await?
                .into_iter()
                .map(|s| MediationSession {
                    held_at: s.held_at,
                    place: s.place,
                    notes: s.notes,
                })
                .collect(),
        )
    }
}

#[derive(Default)]
pub struct MediationQuery;

#[Object]
impl MediationQuery {
    pub async fn mediation_case(&self, ctx: &Context<'_>, id: ID) -> Result<MediationCase> {
        let viewer = ctx.viewer()?;
        let (case, _) =
            service::visible_case(ctx.services().db.reader(), viewer, parse_id("id", &id)?).await?;
        Ok(case.into())
    }

    /// A community's mediation cases, newest first: all for staff, their own for mediators.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn mediation_cases(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<MediationCase>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let (select, keep) = service::listing(db, viewer, community).await?;
        let order = Order::NewestFirst(mediation_case::Column::Id);
        Ok(ordered_page(db, select, order, keep, args, |c| Ok(c.into())).await?)
    }
}

#[derive(InputObject)]
pub struct OpenMediationCaseInput {
    pub community_id: ID,
    /// The request that raised the dispute.
    pub request_id: Option<ID>,
    pub title: String,
    #[graphql(default)]
    pub description: String,
    pub parties: Vec<MediationParty>,
    pub mediators: Vec<MediatorInput>,
}

#[derive(InputObject)]
pub struct RecordMediationSessionInput {
    pub case_id: ID,
    pub held_at: DateTime<Utc>,
    pub place: String,
    #[graphql(default)]
    pub notes: String,
}

#[derive(InputObject)]
pub struct CloseMediationCaseInput {
    pub case_id: ID,
    pub outcome: MediationOutcome,
    pub agreement_text: Option<String>,
    pub referred_to: Option<String>,
    /// When to check that the agreement holds.
    pub follow_up_on: Option<NaiveDate>,
}

#[derive(SimpleObject)]
pub struct MediationCasePayload {
    pub case: MediationCase,
}

fn optional_id(field: &str, id: &Option<ID>) -> Result<Option<uuid::Uuid>, AppError> {
    id.as_ref().map(|i| parse_id(field, i)).transpose()
}

#[derive(Default)]
pub struct MediationMutation;

#[Object]
impl MediationMutation {
    /// Community staff open a mediation case.
    async fn open_mediation_case(
        &self,
        ctx: &Context<'_>,
        input: OpenMediationCaseInput,
    ) -> Result<MediationCasePayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "title": input.title, "parties": input.parties.len(), "mediators": input.mediators.len() });
        let community = parse_id("input.communityId", &input.community_id);
        let request = optional_id("input.requestId", &input.request_id);
        let parties: Result<Vec<Party>, AppError> = input
            .parties
            .into_iter()
            .map(|p| {
                Ok(Party {
                    household_id: optional_id("input.parties", &p.household_id)?,
                    resident_id: optional_id("input.parties", &p.resident_id)?,
                    label: p.label,
                })
            })
            .collect();
        let mediators: Result<Vec<Mediator>, AppError> = input
            .mediators
            .into_iter()
            .map(|m| {
                Ok(Mediator {
                    user_id: optional_id("input.mediators", &m.user_id)?,
                    name: m.name,
                    kind: m.kind.stored(),
                })
            })
            .collect();
        let (title, description) = (input.title, input.description);
        let case = audited_write(ctx, "openMediationCase", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewCase {
                    community_id: community?,
                    request_id: request?,
                    title,
                    description,
                    parties: parties?,
                    mediators: mediators?,
                };
                service::open(txn, viewer, new).await
            })
        })
        .await?;
        Ok(MediationCasePayload { case: case.into() })
    }

    /// A mediator or staff record a session.
    async fn record_mediation_session(
        &self,
        ctx: &Context<'_>,
        input: RecordMediationSessionInput,
    ) -> Result<MediationCasePayload> {
        let audit = json!({ "caseId": input.case_id.as_str(), "heldAt": input.held_at });
        let id = parse_id("input.caseId", &input.case_id);
        let (held_at, place, notes) = (input.held_at, input.place, input.notes);
        let case = audited_write(ctx, "recordMediationSession", audit, move |txn, viewer| {
            Box::pin(async move {
                service::record_session(txn, viewer, id?, held_at, &place, &notes).await
            })
        })
        .await?;
        Ok(MediationCasePayload { case: case.into() })
    }

    /// Closes a case with its outcome.
    async fn close_mediation_case(
        &self,
        ctx: &Context<'_>,
        input: CloseMediationCaseInput,
    ) -> Result<MediationCasePayload> {
        let audit = json!({ "caseId": input.case_id.as_str(), "outcome": format!("{:?}", input.outcome), "followUpOn": input.follow_up_on });
        let id = parse_id("input.caseId", &input.case_id);
        let outcome = match input.outcome {
            MediationOutcome::Agreement => {
                Outcome::Agreement(input.agreement_text.unwrap_or_default())
            }
            MediationOutcome::NoAgreement => Outcome::NoAgreement,
            MediationOutcome::Referred => Outcome::Referred(input.referred_to.unwrap_or_default()),
        };
        let follow_up = input.follow_up_on;
        let case = audited_write(ctx, "closeMediationCase", audit, move |txn, viewer| {
            Box::pin(async move { service::close(txn, viewer, id?, outcome, follow_up).await })
        })
        .await?;
        Ok(MediationCasePayload { case: case.into() })
    }
}
