//! A consultation's questions: the four kinds and their limits, checked when written.
//! Writing them replaces all of them (only until someone has answered: the caller checks).

use entity::{consultation, consultation_question};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::types::QuestionKind;
use crate::{
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name},
};

const MAX_QUESTIONS: usize = 50;
const MAX_OPTIONS: usize = 20;
/// A free-text answer's limit when the organiser sets none, and the most they may set.
const DEFAULT_TEXT_CHARS: i32 = 500;
const MAX_TEXT_CHARS: i32 = 5_000;

pub struct NewQuestion {
    pub kind: QuestionKind,
    pub prompt: String,
    pub options: Vec<String>,
    pub max_choices: Option<i32>,
    pub max_length: Option<i32>,
    pub required: bool,
}

/// The question rows for `questions`, checked.
fn question_rows(
    row: &consultation::Model,
    questions: Vec<NewQuestion>,
) -> AppResult<Vec<consultation_question::ActiveModel>> {
    if questions.is_empty() || questions.len() > MAX_QUESTIONS {
        return Err(AppError::bad_input(
            "input.questions",
            msg!(
                "a consultation asks 1 to {max} questions",
                max = MAX_QUESTIONS
            ),
        ));
    }
    let mut rows = Vec::with_capacity(questions.len());
    for (index, q) in questions.into_iter().enumerate() {
        let field = |name: &str| format!("input.questions.{index}.{name}");
        let prompt = clean_name(&field("prompt"), &q.prompt, 500)?;
        let choice = matches!(
            q.kind,
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice
        );
        let mut options = Vec::new();
        if choice {
            if !(2..=MAX_OPTIONS).contains(&q.options.len()) {
                return Err(AppError::bad_input(
                    field("options"),
                    msg!("a choice has 2 to {max} options", max = MAX_OPTIONS),
                ));
            }
            for (i, option) in q.options.iter().enumerate() {
                options.push(clean_name(
                    &format!("{}.{i}", field("options")),
                    option,
                    100,
                )?);
            }
        } else if !q.options.is_empty() {
            return Err(AppError::bad_input(
                field("options"),
                msg!("only choice questions have options"),
            ));
        }
        let count = i32::try_from(options.len()).map_err(AppError::internal)?;
        let max_choices = match q.kind {
            QuestionKind::MultipleChoice => {
                let max = q.max_choices.unwrap_or(count);
                if !(1..=count).contains(&max) {
                    return Err(AppError::bad_input(
                        field("maxChoices"),
                        msg!("between 1 and the number of options"),
                    ));
                }
                Some(max)
            }
            _ => None,
        };
        let max_length = match q.kind {
            QuestionKind::Text => {
                let max = q.max_length.unwrap_or(DEFAULT_TEXT_CHARS);
                if !(1..=MAX_TEXT_CHARS).contains(&max) {
                    return Err(AppError::bad_input(
                        field("maxLength"),
                        msg!("between 1 and {max} characters", max = MAX_TEXT_CHARS),
                    ));
                }
                Some(max)
            }
            _ => None,
        };
        rows.push(consultation_question::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(row.community_id),
            consultation_id: Set(row.id),
            position: Set(i32::try_from(index + 1).map_err(AppError::internal)?),
            kind: Set(q.kind.stored().to_owned()),
            prompt: Set(prompt),
            options: Set(json!(options)),
            max_choices: Set(max_choices),
            max_length: Set(max_length),
            required: Set(q.required),
        });
    }
    Ok(rows)
}

pub async fn put_questions(
    conn: &impl ConnectionTrait,
    row: &consultation::Model,
    questions: Vec<NewQuestion>,
) -> AppResult<()> {
    let rows = question_rows(row, questions)?;
    consultation_question::Entity::delete_many()
        .filter(consultation_question::Column::ConsultationId.eq(row.id))
        .exec(conn)
        .await?;
    consultation_question::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
