//! GraphQL writes of consultations, each through `audited_write`. An answer's audit row
//! records who answered (or recorded) which consultation, never the answers.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    answers::{self, Given},
    drafting::{self, ConsultationChanges, Files, NewConsultation, NewQuestion},
    export,
    graphql::{Consultation, ConsultationSuggestion},
    publication, suggestions,
    types::{ConsultationUnit, QuestionKind},
};
use crate::{
    audit::audited_write,
    error::AppResult,
    graphql::{
        ContextExt, StoredEnum, parse_id,
        upload::{read_uploads, store_and_limit},
    },
    registry::roster_graphql::FileFormat,
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

#[derive(InputObject)]
pub struct ResponseInput {
    pub question_id: ID,
    /// Chosen options by index (from 0).
    #[graphql(default)]
    pub options: Vec<i32>,
    /// 1 to 5.
    pub scale: Option<i32>,
    pub text: Option<String>,
}

fn given(responses: Vec<ResponseInput>) -> AppResult<Vec<Given>> {
    responses
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            Ok(Given {
                question_id: parse_id(&format!("input.responses.{i}.questionId"), &r.question_id)?,
                options: r.options,
                scale: r.scale,
                text: r.text,
            })
        })
        .collect()
}

#[derive(InputObject)]
pub struct AnswerConsultationInput {
    pub consultation_id: ID,
    /// The household or resident answered for, when the caller answers for several.
    pub for_id: Option<ID>,
    pub responses: Vec<ResponseInput>,
}

#[derive(InputObject)]
pub struct RecordPaperConsultationAnswerInput {
    pub consultation_id: ID,
    /// The household (or, per resident, the resident) whose paper it is.
    pub for_id: ID,
    /// The form's number or where it was collected, to find it again.
    pub paper_reference: String,
    pub responses: Vec<ResponseInput>,
}

#[derive(InputObject)]
pub struct AddConsultationSuggestionInput {
    pub consultation_id: ID,
    pub text: String,
}

#[derive(InputObject)]
pub struct ReplyToSuggestionInput {
    pub suggestion_id: ID,
    pub reply: String,
}

#[derive(InputObject)]
pub struct PublishConsultationResultsInput {
    pub consultation_id: ID,
    /// What will be done (the result notice).
    pub summary: String,
}

#[derive(InputObject)]
pub struct ExportConsultationResultsInput {
    pub consultation_id: ID,
    pub format: FileFormat,
}

#[derive(SimpleObject)]
pub struct ConsultationPayload {
    pub consultation: Consultation,
}

#[derive(SimpleObject)]
pub struct SuggestionPayload {
    pub suggestion: ConsultationSuggestion,
}

#[derive(SimpleObject)]
pub struct ExportConsultationResultsPayload {
    pub file_name: String,
    pub content_type: String,
    /// The file, base64-encoded.
    pub content_base64: String,
}

fn organised(row: entity::consultation::Model) -> Result<ConsultationPayload> {
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

    /// A resident answers (or changes their answer) for their household or themselves;
    /// a family contact allowed to answer consultations for the household they act for.
    async fn answer_consultation(
        &self,
        ctx: &Context<'_>,
        input: AnswerConsultationInput,
    ) -> Result<ConsultationPayload> {
        // Who answered is audited; what they answered is not.
        let audit = json!({ "consultationId": input.consultation_id.as_str() });
        let id = parse_id("input.consultationId", &input.consultation_id);
        let for_id = input
            .for_id
            .as_ref()
            .map(|f| parse_id("input.forId", f))
            .transpose();
        let responses = given(input.responses);
        let keys = ctx.services().data_keys.clone();
        let row = audited_write(ctx, "answerConsultation", audit, move |txn, viewer| {
            Box::pin(
                async move { answers::answer(txn, &keys, viewer, id?, for_id?, responses?).await },
            )
        })
        .await?;
        Ok(ConsultationPayload {
            consultation: Consultation::of(row, false, true)?,
        })
    }

    /// An organiser records an answer collected on paper or at the door (audited with
    /// the paper's reference; the one-answer-per-unit rule holds as online).
    async fn record_paper_consultation_answer(
        &self,
        ctx: &Context<'_>,
        input: RecordPaperConsultationAnswerInput,
    ) -> Result<ConsultationPayload> {
        let audit = json!({ "consultationId": input.consultation_id.as_str(), "forId": input.for_id.as_str(), "paperReference": input.paper_reference });
        let id = parse_id("input.consultationId", &input.consultation_id);
        let for_id = parse_id("input.forId", &input.for_id);
        let responses = given(input.responses);
        let reference = input.paper_reference;
        let keys = ctx.services().data_keys.clone();
        let row = audited_write(
            ctx,
            "recordPaperConsultationAnswer",
            audit,
            move |txn, viewer| {
                Box::pin(async move {
                    answers::record_paper(txn, &keys, viewer, id?, for_id?, &reference, responses?)
                        .await
                })
            },
        )
        .await?;
        organised(row)
    }

    /// A resident the consultation is put to leaves a suggestion while it is open.
    async fn add_consultation_suggestion(
        &self,
        ctx: &Context<'_>,
        input: AddConsultationSuggestionInput,
    ) -> Result<SuggestionPayload> {
        let audit = json!({ "consultationId": input.consultation_id.as_str() });
        let id = parse_id("input.consultationId", &input.consultation_id);
        let text = input.text;
        let row = audited_write(
            ctx,
            "addConsultationSuggestion",
            audit,
            move |txn, viewer| {
                Box::pin(async move { suggestions::suggest(txn, viewer, id?, &text).await })
            },
        )
        .await?;
        Ok(SuggestionPayload {
            suggestion: ConsultationSuggestion::of(row, false),
        })
    }

    /// An organiser replies to a suggestion publicly.
    async fn reply_to_suggestion(
        &self,
        ctx: &Context<'_>,
        input: ReplyToSuggestionInput,
    ) -> Result<SuggestionPayload> {
        let audit = json!({ "suggestionId": input.suggestion_id.as_str(), "reply": input.reply });
        let id = parse_id("input.suggestionId", &input.suggestion_id);
        let reply = input.reply;
        let row = audited_write(ctx, "replyToSuggestion", audit, move |txn, viewer| {
            Box::pin(async move { suggestions::reply(txn, viewer, id?, &reply).await })
        })
        .await?;
        Ok(SuggestionPayload {
            suggestion: ConsultationSuggestion::of(row, true),
        })
    }

    /// An organiser marks a suggestion adopted.
    async fn adopt_suggestion(
        &self,
        ctx: &Context<'_>,
        suggestion_id: ID,
    ) -> Result<SuggestionPayload> {
        let audit = json!({ "suggestionId": suggestion_id.as_str() });
        let id = parse_id("suggestionId", &suggestion_id);
        let row = audited_write(ctx, "adoptSuggestion", audit, move |txn, viewer| {
            Box::pin(async move { suggestions::adopt(txn, viewer, id?).await })
        })
        .await?;
        Ok(SuggestionPayload {
            suggestion: ConsultationSuggestion::of(row, true),
        })
    }

    /// After close, an organiser publishes the result notice; residents in scope then see
    /// the results (staff's notice also goes out as an announcement).
    async fn publish_consultation_results(
        &self,
        ctx: &Context<'_>,
        input: PublishConsultationResultsInput,
    ) -> Result<ConsultationPayload> {
        let audit =
            json!({ "consultationId": input.consultation_id.as_str(), "summary": input.summary });
        let id = parse_id("input.consultationId", &input.consultation_id);
        let summary = input.summary;
        let row = audited_write(
            ctx,
            "publishConsultationResults",
            audit,
            move |txn, viewer| {
                Box::pin(
                    async move { publication::publish_results(txn, viewer, id?, &summary).await },
                )
            },
        )
        .await?;
        organised(row)
    }

    /// An organiser downloads the results as CSV or XLSX (no respondent is named on an
    /// anonymous consultation).
    async fn export_consultation_results(
        &self,
        ctx: &Context<'_>,
        input: ExportConsultationResultsInput,
    ) -> Result<ExportConsultationResultsPayload> {
        let audit = json!({ "consultationId": input.consultation_id.as_str(), "format": format!("{:?}", input.format) });
        let id = parse_id("input.consultationId", &input.consultation_id);
        let format = input.format.into();
        let file = audited_write(
            ctx,
            "exportConsultationResults",
            audit,
            move |txn, viewer| {
                Box::pin(async move { export::export_for(txn, viewer, id?, format).await })
            },
        )
        .await?;
        for (community, subject) in &file.subjects {
            ctx.meta().returned_personal_data(*community, *subject);
        }
        Ok(ExportConsultationResultsPayload {
            file_name: file.file_name,
            content_type: file.content_type.to_owned(),
            content_base64: STANDARD.encode(&file.bytes),
        })
    }
}
