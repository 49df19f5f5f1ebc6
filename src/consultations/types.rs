//! The closed sets of consultations (who answers, question kinds, status) and where a
//! consultation stands at a given time.

use async_graphql::Enum;
use chrono::{DateTime, Utc};
use entity::consultation;

use crate::{error::AppResult, graphql::StoredEnum};

/// Who gives one answer.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsultationUnit {
    /// One answer per household (any member, or a family contact allowed to answer).
    Household,
    /// One answer per resident.
    Resident,
}

impl StoredEnum for ConsultationUnit {
    fn stored(self) -> &'static str {
        match self {
            Self::Household => "household",
            Self::Resident => "resident",
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuestionKind {
    /// One option.
    SingleChoice,
    /// Up to `maxChoices` options.
    MultipleChoice,
    /// 1 (worst) to 5 (best).
    Scale,
    /// Free text of at most `maxLength` characters.
    Text,
}

impl StoredEnum for QuestionKind {
    fn stored(self) -> &'static str {
        match self {
            Self::SingleChoice => "single",
            Self::MultipleChoice => "multiple",
            Self::Scale => "scale",
            Self::Text => "text",
        }
    }
}

/// Where a consultation stands now.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConsultationStatus {
    /// Being written; only organisers see it.
    Draft,
    /// Published, not open yet.
    Scheduled,
    /// Taking answers and suggestions.
    Open,
    /// Past its close time; results not published yet.
    Closed,
    /// Closed, and the result notice published to residents.
    ResultsPublished,
    Cancelled,
}

impl ConsultationStatus {
    /// The stand of a row at `now`: closing needs no job, it follows from the time.
    pub fn of(row: &consultation::Model, now: DateTime<Utc>) -> Self {
        match row.status.as_str() {
            "draft" => Self::Draft,
            "cancelled" => Self::Cancelled,
            _ if row.results_published_at.is_some() => Self::ResultsPublished,
            _ if now < row.opens_at => Self::Scheduled,
            _ if now < row.closes_at => Self::Open,
            _ => Self::Closed,
        }
    }
}

pub fn unit_of(row: &consultation::Model) -> AppResult<ConsultationUnit> {
    ConsultationUnit::from_stored(&row.unit)
}

/// Whether anyone may see the counts now: after close when the organiser chose to hide
/// them, and always for anonymous consultations (a count changing right after a known
/// person answered would tell their answer).
pub fn results_open(row: &consultation::Model, now: DateTime<Utc>) -> bool {
    let closed = matches!(
        ConsultationStatus::of(row, now),
        ConsultationStatus::Closed | ConsultationStatus::ResultsPublished
    );
    closed || !(row.hide_results_until_close || row.anonymous)
}
