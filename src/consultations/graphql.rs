//! The GraphQL objects of consultations, built only from rows a `visible_consultation`
//! lookup or a list filtered by `access::listed` returned, so their fields read children
//! without checking the tenant again.

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{consultation, consultation_question, consultation_suggestion};

use super::{
    loaders::{AttachmentsOf, BuildingsOf, QuestionsOf},
    types::{ConsultationStatus, ConsultationUnit, QuestionKind, results_open, unit_of},
};
use crate::{
    error::AppResult,
    graphql::{StoredEnum, loader::loader},
};

/// What the caller may do with a consultation now.
#[derive(SimpleObject, Clone, Copy)]
pub struct ConsultationPermissions {
    pub can_edit: bool,
    pub can_publish: bool,
    pub can_cancel: bool,
    pub can_answer: bool,
    pub can_record_paper_answers: bool,
    pub can_suggest: bool,
    pub can_reply_to_suggestions: bool,
    pub can_publish_results: bool,
    pub can_see_results: bool,
    pub can_export: bool,
}

impl ConsultationPermissions {
    pub fn of(
        row: &consultation::Model,
        organiser: bool,
        respondent: bool,
        now: DateTime<Utc>,
    ) -> Self {
        use ConsultationStatus as S;
        let status = S::of(row, now);
        let live = matches!(status, S::Draft | S::Scheduled | S::Open);
        let open = status == S::Open;
        Self {
            can_edit: organiser && live,
            can_publish: organiser && status == S::Draft,
            can_cancel: organiser && live,
            can_answer: respondent && open,
            can_record_paper_answers: organiser && open,
            can_suggest: respondent && open,
            can_reply_to_suggestions: organiser,
            can_publish_results: organiser && status == S::Closed,
            can_see_results: (organiser && results_open(row, now))
                || (respondent && status == S::ResultsPublished),
            can_export: organiser && results_open(row, now),
        }
    }
}

/// A consultation (征集意见).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Consultation {
    pub id: ID,
    pub community_id: ID,
    /// The compound it is put to; null: the whole community (or the buildings listed).
    pub compound_id: Option<ID>,
    pub title: String,
    pub body: String,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    /// Answers are anonymous to organisers (results only after close).
    pub anonymous: bool,
    pub unit: ConsultationUnit,
    pub hide_results_until_close: bool,
    pub status: ConsultationStatus,
    /// Households (or residents) that answered.
    pub answer_count: i32,
    /// The result notice: what will be done.
    pub summary: Option<String>,
    pub results_published_at: Option<DateTime<Utc>>,
    /// The announcement that carried the result notice.
    pub announcement_id: Option<ID>,
    pub created_at: DateTime<Utc>,
    pub permissions: ConsultationPermissions,
    #[graphql(skip)]
    pub row: consultation::Model,
}

impl Consultation {
    pub fn of(row: consultation::Model, organiser: bool, respondent: bool) -> AppResult<Self> {
        let now = Utc::now();
        Ok(Self {
            id: row.id.into(),
            community_id: row.community_id.into(),
            compound_id: row.compound_id.map(Into::into),
            title: row.title.clone(),
            body: row.body.clone(),
            opens_at: row.opens_at,
            closes_at: row.closes_at,
            anonymous: row.anonymous,
            unit: unit_of(&row)?,
            hide_results_until_close: row.hide_results_until_close,
            status: ConsultationStatus::of(&row, now),
            answer_count: row.answer_count,
            summary: row.summary.clone(),
            results_published_at: row.results_published_at,
            announcement_id: row.announcement_id.map(Into::into),
            created_at: row.created_at,
            permissions: ConsultationPermissions::of(&row, organiser, respondent, now),
            row,
        })
    }
}

#[ComplexObject]
impl Consultation {
    /// The questions, in order.
    async fn questions(&self, ctx: &Context<'_>) -> Result<Vec<ConsultationQuestion>> {
        let rows = loader(ctx).load_one(QuestionsOf(self.row.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(ConsultationQuestion::of)
            .collect::<AppResult<_>>()?)
    }

    /// Attached files (download at `url` with the caller's token).
    async fn attachments(&self, ctx: &Context<'_>) -> Result<Vec<ConsultationAttachment>> {
        let files = loader(ctx).load_one(AttachmentsOf(self.row.id)).await?;
        Ok(files
            .unwrap_or_default()
            .into_iter()
            .map(|f| ConsultationAttachment {
                url: format!("/files/{}", f.file_id),
                id: f.file_id.into(),
                file_name: f.file_name,
                content_type: f.content_type,
            })
            .collect())
    }

    /// The buildings it is put to; empty: the whole compound or community.
    async fn building_ids(&self, ctx: &Context<'_>) -> Result<Vec<ID>> {
        if !self.row.building_scoped {
            return Ok(Vec::new());
        }
        let ids = loader(ctx).load_one(BuildingsOf(self.row.id)).await?;
        Ok(ids
            .unwrap_or_default()
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(SimpleObject)]
pub struct ConsultationQuestion {
    pub id: ID,
    pub position: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    /// The options' labels; an answer names them by index, from 0.
    pub options: Vec<String>,
    pub max_choices: Option<i32>,
    pub max_length: Option<i32>,
    pub required: bool,
}

fn labels_of(q: &consultation_question::Model) -> Vec<String> {
    q.options
        .as_array()
        .map(|o| {
            o.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

impl ConsultationQuestion {
    pub fn of(q: consultation_question::Model) -> AppResult<Self> {
        Ok(Self {
            id: q.id.into(),
            position: q.position,
            kind: QuestionKind::from_stored(&q.kind)?,
            options: labels_of(&q),
            prompt: q.prompt,
            max_choices: q.max_choices,
            max_length: q.max_length,
            required: q.required,
        })
    }
}

#[derive(SimpleObject)]
pub struct ConsultationAttachment {
    pub id: ID,
    pub file_name: String,
    pub content_type: String,
    pub url: String,
}

/// One question's part of the caller's own answer.
#[derive(SimpleObject)]
pub struct GivenResponse {
    pub question_id: ID,
    pub options: Vec<i32>,
    pub scale: Option<i32>,
    pub text: Option<String>,
}

/// The answer the caller's household (or the caller) gave.
#[derive(SimpleObject)]
pub struct MyConsultationAnswer {
    /// The household or resident it is for.
    pub for_id: ID,
    /// When it was last given; null on an anonymous consultation (no time is kept).
    pub answered_at: Option<DateTime<Utc>>,
    pub responses: Vec<GivenResponse>,
}

/// A free-text answer.
#[derive(SimpleObject)]
pub struct ConsultationText {
    pub text: String,
    /// Who wrote it: for organisers of a consultation that is not anonymous, else null.
    pub author: Option<String>,
    #[graphql(skip)]
    pub answer_id: uuid::Uuid,
}

#[derive(SimpleObject)]
pub struct SuggestionPermissions {
    pub can_reply: bool,
    pub can_adopt: bool,
}

/// A resident's suggestion, with the organisers' public reply.
#[derive(SimpleObject)]
pub struct ConsultationSuggestion {
    pub id: ID,
    pub consultation_id: ID,
    /// The author as neighbours see them (王**).
    pub author: String,
    pub text: String,
    pub created_at: DateTime<Utc>,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub adopted: bool,
    pub adopted_at: Option<DateTime<Utc>>,
    pub permissions: SuggestionPermissions,
}

impl ConsultationSuggestion {
    pub fn of(s: consultation_suggestion::Model, organiser: bool) -> Self {
        Self {
            id: s.id.into(),
            consultation_id: s.consultation_id.into(),
            author: s.author_label,
            text: s.text,
            created_at: s.created_at,
            reply: s.reply,
            replied_at: s.replied_at,
            adopted: s.adopted_at.is_some(),
            adopted_at: s.adopted_at,
            permissions: SuggestionPermissions {
                can_reply: organiser,
                can_adopt: organiser && s.adopted_by.is_none(),
            },
        }
    }
}
