//! Results: counts per option, the scale's mean and distribution, free texts (paged; with
//! their author only where the consultation is not anonymous, and only for organisers),
//! and turnout per building against the units the consultation is put to. Every figure is
//! an integer; the scale's mean is in hundredths (3.67 → 367), rounded half up.

use std::collections::HashMap;

use entity::{
    building, consultation, consultation_answer, consultation_building, consultation_question,
    consultation_response, consultation_turnout, dwelling, household, resident,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Expr, ExprTrait, Func, Query},
};
use uuid::Uuid;

use super::types::{ConsultationUnit, QuestionKind, unit_of};
use crate::{
    error::{AppError, AppResult},
    graphql::StoredEnum,
    registry::labels,
};

pub struct OptionCount {
    pub index: i32,
    pub label: String,
    pub count: i64,
}

pub struct ScaleCount {
    pub answers: i64,
    /// Count per value, 1 to 5.
    pub distribution: [i64; 5],
}

impl ScaleCount {
    /// The mean in hundredths, rounded half up; none without answers.
    pub fn mean_hundredths(&self) -> Option<i64> {
        if self.answers == 0 {
            return None;
        }
        let sum: i64 = self
            .distribution
            .iter()
            .zip(1..)
            .map(|(count, value)| count * value)
            .sum();
        Some((sum * 200 + self.answers) / (2 * self.answers))
    }
}

pub struct QuestionResult {
    pub question: consultation_question::Model,
    pub kind: QuestionKind,
    pub options: Vec<OptionCount>,
    pub scale: Option<ScaleCount>,
    /// Answers to it (units; for a multiple choice, units that chose anything).
    pub answers: i64,
}

pub struct Turnout {
    pub building_id: Uuid,
    pub building: String,
    pub answered: i64,
    pub eligible: i64,
}

pub struct Results {
    pub answers: i64,
    pub questions: Vec<QuestionResult>,
    pub turnout: Vec<Turnout>,
}

/// The results of a consultation, in five statements whatever its size.
pub async fn results(conn: &impl ConnectionTrait, row: &consultation::Model) -> AppResult<Results> {
    let questions = consultation_question::Entity::find()
        .filter(consultation_question::Column::ConsultationId.eq(row.id))
        .order_by_asc(consultation_question::Column::Position)
        .all(conn)
        .await?;
    // One row per (question, option or scale value): texts land on (question, null, null).
    let counted: Vec<(Uuid, Option<i32>, Option<i32>, i64)> = consultation_response::Entity::find()
        .select_only()
        .column(consultation_response::Column::QuestionId)
        .column(consultation_response::Column::OptionIndex)
        .column(consultation_response::Column::Scale)
        .column_as(consultation_response::Column::Id.count(), "n")
        .filter(consultation_response::Column::ConsultationId.eq(row.id))
        .group_by(consultation_response::Column::QuestionId)
        .group_by(consultation_response::Column::OptionIndex)
        .group_by(consultation_response::Column::Scale)
        .into_tuple()
        .all(conn)
        .await?;
    // Units answering each question (a multiple choice's unit counts once).
    let units: HashMap<Uuid, i64> = consultation_response::Entity::find()
        .select_only()
        .column(consultation_response::Column::QuestionId)
        .column_as(
            Expr::expr(Func::count_distinct(Expr::col(
                consultation_response::Column::AnswerId,
            ))),
            "units",
        )
        .filter(consultation_response::Column::ConsultationId.eq(row.id))
        .group_by(consultation_response::Column::QuestionId)
        .into_tuple::<(Uuid, i64)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let mut out = Vec::with_capacity(questions.len());
    for q in questions {
        let kind = QuestionKind::from_stored(&q.kind)?;
        let mine = counted.iter().filter(|c| c.0 == q.id);
        let labels: Vec<String> = q
            .options
            .as_array()
            .map(|o| {
                o.iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect()
            })
            .unwrap_or_default();
        let mut options: Vec<OptionCount> = labels
            .into_iter()
            .zip(0..)
            .map(|(label, index)| OptionCount {
                index,
                label,
                count: 0,
            })
            .collect();
        let mut scale = (kind == QuestionKind::Scale).then_some(ScaleCount {
            answers: 0,
            distribution: [0; 5],
        });
        for (_, option, value, n) in mine {
            if let Some(o) = option.and_then(|o| options.iter_mut().find(|x| x.index == o)) {
                o.count += n;
            }
            if let (Some(s), Some(v)) = (scale.as_mut(), value)
                && let Some(slot) = usize::try_from(v - 1)
                    .ok()
                    .and_then(|i| s.distribution.get_mut(i))
            {
                *slot += n;
                s.answers += n;
            }
        }
        out.push(QuestionResult {
            answers: units.get(&q.id).copied().unwrap_or(0),
            question: q,
            kind,
            options,
            scale,
        });
    }
    Ok(Results {
        answers: i64::from(row.answer_count),
        questions: out,
        turnout: turnout(conn, row).await?,
    })
}

/// Turnout per building of the scope: units that answered against units it is put to.
pub async fn turnout(
    conn: &impl ConnectionTrait,
    row: &consultation::Model,
) -> AppResult<Vec<Turnout>> {
    let per_resident = unit_of(row)? == ConsultationUnit::Resident;
    let mut query = Query::select();
    query
        .expr_as(
            Expr::col((building::Entity, building::Column::Id)),
            "building_id",
        )
        .expr_as(
            Expr::col((building::Entity, building::Column::Number)),
            "number",
        )
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .inner_join(
            building::Entity,
            Expr::col((building::Entity, building::Column::Id))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
        .and_where(
            Expr::col((household::Entity, household::Column::CommunityId)).eq(row.community_id),
        )
        .and_where(Expr::col((household::Entity, household::Column::ArchivedAt)).is_null())
        .group_by_col((building::Entity, building::Column::Id))
        .group_by_col((building::Entity, building::Column::Number));
    if per_resident {
        query
            .inner_join(
                resident::Entity,
                Expr::col((resident::Entity, resident::Column::HouseholdId))
                    .equals((household::Entity, household::Column::Id)),
            )
            .and_where(Expr::col((resident::Entity, resident::Column::ArchivedAt)).is_null())
            .and_where(Expr::col((resident::Entity, resident::Column::MovedOutOn)).is_null())
            .expr_as(
                Expr::col((resident::Entity, resident::Column::Id)).count(),
                "eligible",
            );
    } else {
        query.expr_as(
            Expr::col((household::Entity, household::Column::Id)).count(),
            "eligible",
        );
    }
    if let Some(compound) = row.compound_id {
        query.and_where(Expr::col((building::Entity, building::Column::CompoundId)).eq(compound));
    }
    if row.building_scoped {
        query.and_where(
            Expr::col((building::Entity, building::Column::Id)).in_subquery(
                Query::select()
                    .column(consultation_building::Column::BuildingId)
                    .from(consultation_building::Entity)
                    .and_where(consultation_building::Column::ConsultationId.eq(row.id))
                    .to_owned(),
            ),
        );
    }
    let answered: HashMap<Uuid, i64> = consultation_turnout::Entity::find()
        .filter(consultation_turnout::Column::ConsultationId.eq(row.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|t| (t.building_id, i64::from(t.answers)))
        .collect();
    let mut rows = Vec::new();
    for r in conn.query_all(&query).await? {
        let building_id: Uuid = r.try_get("", "building_id")?;
        let number: String = r.try_get("", "number")?;
        rows.push(Turnout {
            building_id,
            building: labels::building(&number).into_owned(),
            answered: answered.get(&building_id).copied().unwrap_or(0),
            eligible: r.try_get("", "eligible")?,
        });
    }
    rows.sort_by(|a, b| a.building.cmp(&b.building));
    Ok(rows)
}

/// Who gave these (named) answers: the resident's name or the household's dwelling, by
/// answer id, with the person or household whose data it is. One statement per kind.
pub async fn authors(
    conn: &impl ConnectionTrait,
    answers: &[Uuid],
) -> AppResult<HashMap<Uuid, (String, Uuid)>> {
    let rows = consultation_answer::Entity::find()
        .filter(consultation_answer::Column::Id.is_in(answers.iter().copied()))
        .all(conn)
        .await?;
    let mut out = HashMap::new();
    let residents: Vec<Uuid> = rows.iter().filter_map(|a| a.resident_id).collect();
    if !residents.is_empty() {
        let names: HashMap<Uuid, String> = resident::Entity::find()
            .filter(resident::Column::Id.is_in(residents))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        for a in &rows {
            if let Some(r) = a.resident_id
                && let Some(name) = names.get(&r)
            {
                out.insert(a.id, (name.clone(), r));
            }
        }
    }
    let households: Vec<Uuid> = rows.iter().filter_map(|a| a.household_id).collect();
    if !households.is_empty() {
        let query = Query::select()
            .expr_as(Expr::col((household::Entity, household::Column::Id)), "id")
            .expr_as(
                Expr::col((building::Entity, building::Column::Number)),
                "number",
            )
            .expr_as(
                Expr::col((dwelling::Entity, dwelling::Column::Unit)),
                "unit",
            )
            .expr_as(
                Expr::col((dwelling::Entity, dwelling::Column::Room)),
                "room",
            )
            .from(household::Entity)
            .inner_join(
                dwelling::Entity,
                Expr::col((dwelling::Entity, dwelling::Column::Id))
                    .equals((household::Entity, household::Column::DwellingId)),
            )
            .inner_join(
                building::Entity,
                Expr::col((building::Entity, building::Column::Id))
                    .equals((dwelling::Entity, dwelling::Column::BuildingId)),
            )
            .and_where(Expr::col((household::Entity, household::Column::Id)).is_in(households))
            .to_owned();
        let mut places = HashMap::new();
        for r in conn.query_all(&query).await? {
            let id: Uuid = r.try_get("", "id")?;
            let number: String = r.try_get("", "number")?;
            let unit: i32 = r.try_get("", "unit")?;
            let room: String = r.try_get("", "room")?;
            places.insert(id, labels::dwelling(&number, unit, &room));
        }
        for a in &rows {
            if let Some(h) = a.household_id
                && let Some(place) = places.get(&h)
            {
                out.insert(a.id, (place.clone(), h));
            }
        }
    }
    Ok(out)
}

/// Fails on a question of another consultation.
pub async fn question_of(
    conn: &impl ConnectionTrait,
    consultation: Uuid,
    question: Uuid,
) -> AppResult<consultation_question::Model> {
    consultation_question::Entity::find_by_id(question)
        .filter(consultation_question::Column::ConsultationId.eq(consultation))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(crate::error::msg!("question not found")))
}
