//! Exporting a consultation's results as a CSV or XLSX file (through `tabular`, like the
//! roster): counts per option, each scale's mean and distribution, the free texts and
//! turnout per building. A text's author is written only where the consultation is not
//! anonymous; an anonymous consultation's file names nobody.

use chrono::{DateTime, TimeDelta, Utc};
use entity::{consultation, consultation_response};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::results::{authors, results};
use crate::{
    error::{AppError, AppResult},
    graphql::scalars::format_hundredths,
    tabular::{self, Format},
};

pub struct Export {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    /// Whose data the file carries (the authors of named texts): (community, person or
    /// household).
    pub subjects: Vec<(Uuid, Uuid)>,
}

const HEADERS: [&str; 6] = ["部分", "题号", "题目", "选项/分值/楼栋", "数量", "内容"];

pub async fn export(
    conn: &impl ConnectionTrait,
    row: &consultation::Model,
    format: Format,
    exporter: &str,
    now: DateTime<Utc>,
) -> AppResult<Export> {
    let results = results(conn, row).await?;
    let texts = consultation_response::Entity::find()
        .filter(consultation_response::Column::ConsultationId.eq(row.id))
        .filter(consultation_response::Column::Text.is_not_null())
        .order_by_asc(consultation_response::Column::Id)
        .all(conn)
        .await?;
    let named = if row.anonymous {
        Default::default()
    } else {
        let ids: Vec<Uuid> = texts.iter().map(|t| t.answer_id).collect();
        authors(conn, &ids).await?
    };
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut subjects = Vec::new();
    for q in &results.questions {
        let n = q.question.position.to_string();
        for o in &q.options {
            rows.push(vec![
                "选项".into(),
                n.clone(),
                q.question.prompt.clone(),
                o.label.clone(),
                o.count.to_string(),
                String::new(),
            ]);
        }
        if let Some(scale) = &q.scale {
            for (value, count) in (1..).zip(scale.distribution) {
                rows.push(vec![
                    "评分".into(),
                    n.clone(),
                    q.question.prompt.clone(),
                    format!("{value}分"),
                    count.to_string(),
                    String::new(),
                ]);
            }
            rows.push(vec![
                "平均分".into(),
                n.clone(),
                q.question.prompt.clone(),
                String::new(),
                scale.answers.to_string(),
                scale
                    .mean_hundredths()
                    .map(format_hundredths)
                    .unwrap_or_default(),
            ]);
        }
        for t in texts.iter().filter(|t| t.question_id == q.question.id) {
            let author = named.get(&t.answer_id);
            if let Some((_, subject)) = author {
                subjects.push((row.community_id, *subject));
            }
            rows.push(vec![
                "文字意见".into(),
                n.clone(),
                q.question.prompt.clone(),
                author.map(|a| a.0.clone()).unwrap_or_default(),
                String::new(),
                t.text.clone().unwrap_or_default(),
            ]);
        }
    }
    for t in &results.turnout {
        rows.push(vec![
            "参与情况".into(),
            String::new(),
            String::new(),
            t.building.clone(),
            t.answered.to_string(),
            format!(
                "共 {} {}",
                t.eligible,
                if row.unit == "resident" { "人" } else { "户" }
            ),
        ]);
    }
    let stamp = (now + TimeDelta::hours(8)).format("%Y-%m-%d %H:%M");
    let preamble = vec![format!(
        "意见征集结果：{} 导出人: {exporter} 导出时间: {stamp} (北京时间) 共 {} 份答复{}",
        row.title,
        results.answers,
        if row.anonymous { " (匿名征集)" } else { "" }
    )];
    let headers: Vec<String> = HEADERS.iter().map(|h| (*h).to_owned()).collect();
    let bytes = tabular::write(format, "征集结果", &preamble, &headers, &rows)
        .map_err(AppError::internal)?;
    Ok(Export {
        file_name: format!(
            "consultation-{}.{}",
            now.format("%Y%m%d-%H%M%S"),
            format.extension()
        ),
        content_type: format.content_type(),
        bytes,
        subjects,
    })
}

/// An organiser exports the results, once they may see them.
pub async fn export_for(
    conn: &impl ConnectionTrait,
    viewer: &crate::auth::Viewer,
    id: Uuid,
    format: Format,
) -> AppResult<crate::audit::Audited<Export>> {
    let seen = super::access::visible_consultation(conn, viewer, id).await?;
    super::access::check_organise(viewer, &seen.row, seen.place)?;
    if !super::types::results_open(&seen.row, Utc::now()) {
        return Err(crate::error::AppError::Forbidden(crate::error::msg!(
            "the results are hidden until the consultation closes"
        )));
    }
    let exporter = format!("{} ({})", viewer.display_name, viewer.username);
    let file = export(conn, &seen.row, format, &exporter, Utc::now()).await?;
    Ok(crate::audit::Audited::new(file, seen.place, id))
}
