//! The result notice: after close, an organiser publishes what will be done; residents in
//! scope then see the results. When the organiser is community staff the notice also goes
//! out as an announcement to the same scope (through the announcements service, so read
//! receipts work as for any notice); a committee's notice lives on the consultation.

use chrono::{Duration, Utc};
use entity::consultation;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::{
    access::{check_organise, scope_buildings, visible_consultation},
    types::ConsultationStatus,
};
use crate::{
    announcements::service::{self as announcements, NewAnnouncement},
    audit::Audited,
    auth::{Capability, Viewer},
    error::{AppError, AppResult, msg},
    tenancy::covers,
};

const SUMMARY_MAX_CHARS: usize = 5_000;
/// How long the announcement of a result notice stays up.
const NOTICE_DAYS: i64 = 30;

pub async fn publish_results(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    summary: &str,
) -> AppResult<Audited<consultation::Model>> {
    let seen = visible_consultation(conn, viewer, id).await?;
    check_organise(viewer, &seen.row, seen.place)?;
    if ConsultationStatus::of(&seen.row, Utc::now()) != ConsultationStatus::Closed {
        return Err(AppError::bad_input(
            "input.consultationId",
            msg!("results are published once, after the consultation closes"),
        ));
    }
    let summary = summary.trim();
    if summary.is_empty() || summary.chars().count() > SUMMARY_MAX_CHARS {
        return Err(AppError::bad_input(
            "input.summary",
            msg!("1 to 5000 characters"),
        ));
    }
    let staff = covers(&viewer.reach(Capability::ManageResidents), seen.place);
    let announcement = if staff {
        let notice = announcements::publish(
            conn,
            viewer,
            NewAnnouncement {
                community_id: seen.row.community_id,
                compound_id: seen.row.compound_id,
                building_ids: scope_buildings(conn, &seen.row).await?,
                urgent: false,
                title: format!("意见征集结果：{}", seen.row.title)
                    .chars()
                    .take(200)
                    .collect(),
                body: summary.to_owned(),
                valid_until: Utc::now() + Duration::days(NOTICE_DAYS),
            },
        )
        .await?;
        Some(notice.value.id)
    } else {
        None
    };
    let now = Utc::now();
    let mut update: consultation::ActiveModel = seen.row.into();
    update.summary = Set(Some(summary.to_owned()));
    update.results_published_at = Set(Some(now));
    update.announcement_id = Set(announcement);
    update.updated_at = Set(now);
    Ok(Audited::new(update.update(conn).await?, seen.place, id))
}
