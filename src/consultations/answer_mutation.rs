//! GraphQL writes around a running consultation: answers (online and from paper),
//! suggestions and replies, the result notice and the export. Each through
//! `audited_write`; an answer's audit row records who answered (or recorded) which
//! consultation, never the answers.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use base64::{Engine, engine::general_purpose::STANDARD};
use serde_json::json;

use super::{
    answers::{self, Given},
    export,
    graphql::{Consultation, ConsultationSuggestion},
    mutation::{ConsultationPayload, organised},
    publication, suggestions,
};
use crate::{
    audit::audited_write,
    error::AppResult,
    graphql::{ContextExt, parse_id},
    registry::roster_graphql::FileFormat,
};

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

#[derive(Default)]
pub struct ConsultationAnswerMutation;

#[Object]
impl ConsultationAnswerMutation {
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
