//! Volunteer minutes: proposed from a volunteer's check-in (the activity's length),
//! confirmed by the organiser once and for good (they award points), summed per calendar
//! year in China time, and written as a certificate (志愿服务时长证明) the volunteer
//! downloads. Minutes are integers throughout; hours appear only in the certificate's text.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use entity::{activity, activity_role, activity_sign_up, community, resident, resident_account};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{
    access::{is_organiser, own_residents_in, same_household},
    sign_ups::visible_sign_up,
    types::{ActivityStatus, SignUpStatus},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    points::{automatic::award_automatic, types::PointsTrigger},
    tabular::{self, Format},
    tenancy::{Place, place_of, visible_resident},
};

/// A day of service at most: more is a typing error.
pub const MAX_MINUTES: i64 = 24 * 60;

/// The minutes a volunteer's check-in proposes: the activity's length.
pub fn proposed_minutes(activity: &activity::Model, row: &activity_sign_up::Model) -> Option<i64> {
    (row.role_id.is_some() && row.checked_in_at.is_some()).then(|| {
        (activity.ends_at - activity.starts_at)
            .num_minutes()
            .min(MAX_MINUTES)
    })
}

/// The organiser confirms a volunteer's minutes (by default those proposed): once.
pub async fn confirm_hours(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    sign_up: Uuid,
    minutes: Option<i64>,
) -> AppResult<Audited<activity_sign_up::Model>> {
    let (row, seen) = visible_sign_up(conn, viewer, sign_up).await?;
    seen.check_organiser()?;
    let status = seen.status()?;
    if !matches!(status, ActivityStatus::Published | ActivityStatus::Finished)
        || Utc::now() < seen.activity.starts_at
    {
        return Err(AppError::Conflict(msg!(
            "hours are confirmed once the activity has begun"
        )));
    }
    if row.role_id.is_none() || row.status != SignUpStatus::Confirmed.stored() {
        return Err(AppError::bad_input(
            "input.signUpId",
            msg!("hours are recorded for confirmed volunteers only"),
        ));
    }
    if row.hours_confirmed_at.is_some() {
        return Err(AppError::Conflict(msg!(
            "these hours are already confirmed"
        )));
    }
    let minutes = minutes
        .or_else(|| proposed_minutes(&seen.activity, &row))
        .ok_or_else(|| {
            AppError::bad_input(
                "input.minutes",
                msg!("the volunteer did not check in: give the minutes served"),
            )
        })?;
    if !(1..=MAX_MINUTES).contains(&minutes) {
        return Err(AppError::bad_input(
            "input.minutes",
            msg!("minutes served are 1 to {max}", max = MAX_MINUTES),
        ));
    }
    let mut confirmed: activity_sign_up::ActiveModel = row.into();
    confirmed.volunteer_minutes = Set(Some(minutes));
    confirmed.served_on = Set(Some(calendar::day_of(seen.activity.starts_at)));
    confirmed.hours_confirmed_at = Set(Some(Utc::now()));
    confirmed.hours_confirmed_by = Set(Some(viewer.user_id));
    let confirmed = confirmed.update(conn).await?;
    // Under the community's volunteering rule, per hour of these minutes, if it has one.
    award_automatic(
        conn,
        confirmed.community_id,
        confirmed.resident_id,
        PointsTrigger::VolunteerHour,
        minutes,
        &format!("volunteer-hours:{sign_up}"),
        Some(viewer.user_id),
    )
    .await?;
    Ok(Audited::new(confirmed, seen.place, sign_up))
}

/// One confirmed service.
pub struct Service {
    pub activity_id: Uuid,
    pub title: String,
    pub role: String,
    pub served_on: NaiveDate,
    pub minutes: i64,
}

/// A resident's confirmed service in one calendar year.
pub struct YearOfService {
    pub resident: resident::Model,
    pub year: i32,
    pub total_minutes: i64,
    pub services: Vec<Service>,
}

fn year_bounds(year: i32) -> AppResult<(NaiveDate, NaiveDate)> {
    match (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) {
        (Some(first), Some(last)) if (2000..=2100).contains(&year) => Ok((first, last)),
        _ => Err(AppError::bad_input(
            "year",
            msg!("a year from 2000 to 2100"),
        )),
    }
}

/// The confirmed service of a resident the caller may read, in three statements.
pub async fn year_of_service(
    conn: &impl ConnectionTrait,
    resident: resident::Model,
    year: i32,
) -> AppResult<YearOfService> {
    let (first, last) = year_bounds(year)?;
    let rows = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ResidentId.eq(resident.id))
        .filter(activity_sign_up::Column::ServedOn.between(first, last))
        .filter(activity_sign_up::Column::HoursConfirmedAt.is_not_null())
        .order_by_asc(activity_sign_up::Column::ServedOn)
        .order_by_asc(activity_sign_up::Column::Id)
        .all(conn)
        .await?;
    let titles: HashMap<Uuid, String> = activity::Entity::find()
        .filter(activity::Column::Id.is_in(rows.iter().map(|r| r.activity_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect();
    let roles: HashMap<Uuid, String> = activity_role::Entity::find()
        .filter(activity_role::Column::Id.is_in(rows.iter().filter_map(|r| r.role_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let services: Vec<Service> = rows
        .into_iter()
        .filter_map(|r| {
            Some(Service {
                activity_id: r.activity_id,
                title: titles.get(&r.activity_id).cloned().unwrap_or_default(),
                role: r
                    .role_id
                    .and_then(|id| roles.get(&id).cloned())
                    .unwrap_or_default(),
                served_on: r.served_on?,
                minutes: r.volunteer_minutes?,
            })
        })
        .collect();
    Ok(YearOfService {
        total_minutes: services.iter().map(|s| s.minutes).sum(),
        resident,
        year,
        services,
    })
}

/// A resident whose hours the caller may read: NOT_FOUND outside reach; FORBIDDEN but
/// for the community's staff, the resident and their household.
pub async fn readable_volunteer(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(resident::Model, Place)> {
    let resident = visible_resident(conn, viewer, id).await?;
    let place = place_of(conn, viewer, resident.community_id).await?;
    if is_organiser(viewer, place)
        || same_household(viewer, &resident)
        || own_residents_in(conn, viewer, resident.community_id)
            .await?
            .contains(&id)
    {
        Ok((resident, place))
    } else {
        Err(AppError::Forbidden(msg!(
            "volunteer hours are for the community's staff and the volunteer"
        )))
    }
}

/// The caller's own resident records, in every community they are linked in.
pub async fn own_volunteers(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
) -> AppResult<Vec<resident::Model>> {
    let ids: Vec<Uuid> = resident_account::Entity::find()
        .filter(resident_account::Column::UserId.eq(viewer.user_id))
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.resident_id)
        .collect();
    Ok(resident::Entity::find()
        .filter(resident::Column::Id.is_in(ids))
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?)
}

/// A certificate file.
pub struct Certificate {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
    pub total_minutes: i64,
}

/// 3 小时 20 分钟.
fn hours_text(minutes: i64) -> String {
    format!("{} 小时 {} 分钟", minutes / 60, minutes % 60)
}

/// Writes the certificate of a year's service (the caller already checked who may).
pub async fn certificate(
    conn: &impl ConnectionTrait,
    service: YearOfService,
    format: Format,
    issued_by: &str,
    now: DateTime<Utc>,
) -> AppResult<Certificate> {
    let community = community::Entity::find_by_id(service.resident.community_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("community not found")))?;
    let stamp = (now + TimeDelta::hours(8)).format("%Y-%m-%d %H:%M");
    let preamble = vec![
        "志愿服务时长证明".to_owned(),
        format!(
            "兹证明 {} 于 {} 年在{}参加志愿服务 {} 次，经活动组织方确认，累计服务 {}（{} 分钟）。",
            service.resident.name,
            service.year,
            community.name,
            service.services.len(),
            hours_text(service.total_minutes),
            service.total_minutes
        ),
        format!(
            "出具单位: {} 导出人: {issued_by} 导出时间: {stamp} (北京时间)",
            community.name
        ),
    ];
    let headers: Vec<String> = ["服务日期", "活动", "岗位", "服务时长(分钟)", "服务时长"]
        .iter()
        .map(|h| (*h).to_owned())
        .collect();
    let rows: Vec<Vec<String>> = service
        .services
        .iter()
        .map(|s| {
            vec![
                s.served_on.to_string(),
                s.title.clone(),
                s.role.clone(),
                s.minutes.to_string(),
                hours_text(s.minutes),
            ]
        })
        .collect();
    let bytes = tabular::write(format, "志愿服务时长证明", &preamble, &headers, &rows)
        .map_err(AppError::internal)?;
    Ok(Certificate {
        file_name: format!("volunteer-hours-{}.{}", service.year, format.extension()),
        content_type: format.content_type(),
        bytes,
        total_minutes: service.total_minutes,
    })
}
