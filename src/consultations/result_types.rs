//! The GraphQL objects of results: counts per option, a scale's mean (integer hundredths)
//! and distribution, turnout per building.

use async_graphql::{ID, SimpleObject};

use super::{
    results::{QuestionResult, Results, Turnout},
    types::QuestionKind,
};
use crate::graphql::scalars::format_hundredths;

#[derive(SimpleObject)]
pub struct OptionResult {
    pub index: i32,
    pub label: String,
    pub count: i64,
}

#[derive(SimpleObject)]
pub struct ScaleResult {
    pub answers: i64,
    /// The mean with two places ("3.67"); null without answers.
    pub mean: Option<String>,
    /// The mean in hundredths (367), rounded half up.
    pub mean_hundredths: Option<i64>,
    /// How many answered 1, 2, 3, 4 and 5.
    pub distribution: Vec<i64>,
}

#[derive(SimpleObject)]
pub struct QuestionResults {
    pub question_id: ID,
    pub position: i32,
    pub kind: QuestionKind,
    pub prompt: String,
    /// Units that answered this question.
    pub answers: i64,
    pub options: Vec<OptionResult>,
    pub scale: Option<ScaleResult>,
}

impl From<QuestionResult> for QuestionResults {
    fn from(q: QuestionResult) -> Self {
        Self {
            question_id: q.question.id.into(),
            position: q.question.position,
            kind: q.kind,
            answers: q.answers,
            options: q
                .options
                .into_iter()
                .map(|o| OptionResult {
                    index: o.index,
                    label: o.label,
                    count: o.count,
                })
                .collect(),
            scale: q.scale.map(|s| ScaleResult {
                answers: s.answers,
                mean: s.mean_hundredths().map(format_hundredths),
                mean_hundredths: s.mean_hundredths(),
                distribution: s.distribution.to_vec(),
            }),
            prompt: q.question.prompt,
        }
    }
}

#[derive(SimpleObject)]
pub struct BuildingTurnout {
    pub building_id: ID,
    /// As written on a label: 3号楼.
    pub building: String,
    pub answered: i64,
    /// Households (or residents) it is put to.
    pub eligible: i64,
}

impl From<Turnout> for BuildingTurnout {
    fn from(t: Turnout) -> Self {
        Self {
            building_id: t.building_id.into(),
            building: t.building,
            answered: t.answered,
            eligible: t.eligible,
        }
    }
}

#[derive(SimpleObject)]
pub struct ConsultationResults {
    pub answers: i64,
    pub questions: Vec<QuestionResults>,
    pub turnout: Vec<BuildingTurnout>,
}

impl From<Results> for ConsultationResults {
    fn from(r: Results) -> Self {
        Self {
            answers: r.answers,
            questions: r.questions.into_iter().map(Into::into).collect(),
            turnout: r.turnout.into_iter().map(Into::into).collect(),
        }
    }
}
