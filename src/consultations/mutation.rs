//! GraphQL writes of organisers drafting consultations: writing, changing, publishing,
//! cancelling. Each through `audited_write`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    drafting::{self, ConsultationChanges, Files, NewConsultation},
    graphql::Consultation,
    questions::NewQuestion,
    types::{ConsultationUnit, QuestionKind},
};
use crate::{
    audit::audited_write,
    error::AppResult,
    graphql::{
        StoredEnum, parse_id,
        upload::{read_uploads, store_and_limit},
    },
};

#[derive(InputObject)]
pub struct QuestionInput {
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options' labels (choice questions only).
    #[graphql(default)]
    pub options: Vec<String>,
    /// A multiple choice: at most this many options (default: all).
    pub max_choices: Option<i32>,
    /// A free text: at most this many characters (default 500).
    pub max_length: Option<i32>,
    #[graphql(default = true)]
    pub required: bool,
}

impl From<QuestionInput> for NewQuestion {
    fn from(q: QuestionInput) -> Self {
        Self {
            kind: q.kind,
            prompt: q.prompt,
            options: q.options,
            max_choices: q.max_choices,
            max_length: q.max_length,
            required: q.required,
        }
    }
}

#[derive(InputObject)]
pub struct CreateConsultationInput {
    pub community_id: ID,
    /// Put to one compound (its committee may organise it); null: the community.
    pub compound_id: Option<ID>,
    /// Put only to these buildings (of the compound, if one is named).
    #[graphql(default)]
    pub building_ids: Vec<ID>,
    pub title: String,
    #[graphql(default)]
    pub body: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    #[graphql(default = false)]
    pub anonymous: bool,
    #[graphql(default_with = "ConsultationUnit::Household")]
    pub unit: ConsultationUnit,
    #[graphql(default = false)]
    pub hide_results_until_close: bool,
    pub questions: Vec<QuestionInput>,
    /// Files (multipart upload): plans, drawings, quotes.
    #[graphql(default)]
    pub attachments: Vec<Upload>,
}

#[derive(InputObject)]
pub struct UpdateConsultationInput {
    pub id: ID,
    pub title: Option<String>,
    pub body: Option<String>,
    pub opens_at: Option<DateTime<Utc>>,
    pub closes_at: Option<DateTime<Utc>>,
    pub hide_results_until_close: Option<bool>,
    /// Replaces every question; refused once someone has answered.
    pub questions: Option<Vec<QuestionInput>>,
}

#[derive(SimpleObject)]
pub struct ConsultationPayload {
    pub consultation: Consultation,
}

pub fn organised(row: entity::consultation::Model) -> Result<ConsultationPayload> {
    Ok(ConsultationPayload {
        consultation: Consultation::of(row, true, false)?,
    })
}

#[derive(Default)]
pub struct ConsultationMutation;

#[Object]
impl ConsultationMutation {
    /// Staff (any scope in the community) or a compound's committee (their compound)
    /// write a consultation; it stays a draft until published.
    async fn create_consultation(
        &self,
        ctx: &Context<'_>,
        input: CreateConsultationInput,
    ) -> Result<ConsultationPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "compoundId": input.compound_id.as_ref().map(|c| c.as_str()), "title": input.title, "anonymous": input.anonymous, "unit": input.unit.stored(), "questions": input.questions.len(), "attachments": input.attachments.len() });
        let uploads = read_uploads(ctx, input.attachments)?;
        let (store, max_file_bytes) = store_and_limit(ctx);
        let new = (|| -> AppResult<NewConsultation> {
            Ok(NewConsultation {
                community_id: parse_id("input.communityId", &input.community_id)?,
                compound_id: input
                    .compound_id
                    .as_ref()
                    .map(|c| parse_id("input.compoundId", c))
                    .transpose()?,
                building_ids: input
                    .building_ids
                    .iter()
                    .map(|b| parse_id("input.buildingIds", b))
                    .collect::<AppResult<_>>()?,
                title: input.title,
                body: input.body,
                opens_at: input.opens_at,
                closes_at: input.closes_at,
                anonymous: input.anonymous,
                unit: input.unit,
                hide_results_until_close: input.hide_results_until_close,
                questions: input.questions.into_iter().map(Into::into).collect(),
                attachments: uploads,
            })
        })();
        let row = audited_write(ctx, "createConsultation", audit, move |txn, viewer| {
            Box::pin(async move {
                let files = Files {
                    store: &store,
                    max_file_bytes,
                };
                drafting::create(txn, viewer, &files, new?).await
            })
        })
        .await?;
        organised(row)
    }

    /// An organiser changes the text, times or (until someone answers) the questions.
    async fn update_consultation(
        &self,
        ctx: &Context<'_>,
        input: UpdateConsultationInput,
    ) -> Result<ConsultationPayload> {
        let audit = json!({ "id": input.id.as_str(), "title": input.title, "opensAt": input.opens_at, "closesAt": input.closes_at, "questions": input.questions.as_ref().map(Vec::len) });
        let id = parse_id("input.id", &input.id);
        let changes = ConsultationChanges {
            title: input.title,
            body: input.body,
            opens_at: input.opens_at,
            closes_at: input.closes_at,
            hide_results_until_close: input.hide_results_until_close,
            questions: input
                .questions
                .map(|q| q.into_iter().map(Into::into).collect()),
        };
        let row = audited_write(ctx, "updateConsultation", audit, move |txn, viewer| {
            Box::pin(async move { drafting::update(txn, viewer, id?, changes).await })
        })
        .await?;
        organised(row)
    }

    /// An organiser publishes a draft to the residents it is put to.
    async fn publish_consultation(&self, ctx: &Context<'_>, id: ID) -> Result<ConsultationPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let row = audited_write(ctx, "publishConsultation", audit, move |txn, viewer| {
            Box::pin(async move { drafting::publish(txn, viewer, id?).await })
        })
        .await?;
        organised(row)
    }

    async fn cancel_consultation(&self, ctx: &Context<'_>, id: ID) -> Result<ConsultationPayload> {
        let audit = json!({ "id": id.as_str() });
        let id = parse_id("id", &id);
        let row = audited_write(ctx, "cancelConsultation", audit, move |txn, viewer| {
            Box::pin(async move { drafting::cancel(txn, viewer, id?).await })
        })
        .await?;
        organised(row)
    }
}
