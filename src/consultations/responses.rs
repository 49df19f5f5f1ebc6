//! An answer as given, checked against the questions before anything is written.

use std::collections::HashSet;

use entity::consultation_question;
use uuid::Uuid;

use super::types::QuestionKind;
use crate::{
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name},
};

/// One question's answer as given.
#[derive(Clone, Debug, Default)]
pub struct Given {
    pub question_id: Uuid,
    pub options: Vec<i32>,
    pub scale: Option<i32>,
    pub text: Option<String>,
}

/// A response to store: (question, option, scale, text).
pub type Part = (Uuid, Option<i32>, Option<i32>, Option<String>);

/// Checks the answers against the questions: known questions once each, options in range
/// and within the maximum, a scale of 1 to 5, texts within their limit, every required
/// question answered.
pub fn check_answers(
    questions: &[consultation_question::Model],
    given: Vec<Given>,
) -> AppResult<Vec<Part>> {
    let mut parts = Vec::new();
    let mut answered = HashSet::new();
    for (index, g) in given.into_iter().enumerate() {
        let field = |name: &str| format!("input.responses.{index}.{name}");
        let q = questions
            .iter()
            .find(|q| q.id == g.question_id)
            .ok_or_else(|| {
                AppError::bad_input(
                    field("questionId"),
                    msg!("not a question of this consultation"),
                )
            })?;
        if !answered.insert(q.id) {
            return Err(AppError::bad_input(
                field("questionId"),
                msg!("a question is answered once"),
            ));
        }
        let options = q.options.as_array().map_or(0, Vec::len);
        match QuestionKind::from_stored(&q.kind)? {
            QuestionKind::SingleChoice | QuestionKind::MultipleChoice => {
                let mut chosen = g.options.clone();
                chosen.sort_unstable();
                chosen.dedup();
                let max = q.max_choices.unwrap_or(1);
                let in_range = chosen
                    .iter()
                    .all(|o| usize::try_from(*o).is_ok_and(|o| o < options));
                if chosen.is_empty() || chosen.len() != g.options.len() || !in_range {
                    return Err(AppError::bad_input(
                        field("options"),
                        msg!("choose options of this question, each once"),
                    ));
                }
                if i32::try_from(chosen.len()).map_err(AppError::internal)? > max {
                    return Err(AppError::bad_input(
                        field("options"),
                        msg!("choose at most {max} options", max = max),
                    ));
                }
                parts.extend(chosen.into_iter().map(|o| (q.id, Some(o), None, None)));
            }
            QuestionKind::Scale => match g.scale {
                Some(s @ 1..=5) => parts.push((q.id, None, Some(s), None)),
                _ => {
                    return Err(AppError::bad_input(
                        field("scale"),
                        msg!("a scale answer is 1 to 5"),
                    ));
                }
            },
            QuestionKind::Text => {
                let max = usize::try_from(q.max_length.unwrap_or(500)).unwrap_or(500);
                let text = clean_name(&field("text"), g.text.as_deref().unwrap_or(""), max)?;
                parts.push((q.id, None, None, Some(text)));
            }
        }
    }
    if let Some(missing) = questions
        .iter()
        .find(|q| q.required && !answered.contains(&q.id))
    {
        return Err(AppError::bad_input(
            "input.responses",
            msg!(
                "question {position} must be answered",
                position = missing.position
            ),
        ));
    }
    Ok(parts)
}
