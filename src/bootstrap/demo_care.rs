//! The demo care watch in 第1网格, through the same services as the API: an elderly
//! resident living alone watched daily by 周建华, with a week of visits and calls and
//! today's meal delivery; a second watched household whose check-ins stopped two days
//! ago (MISSED, on the dashboard and in 周建华's alerts); and an alarm button in the first
//! home (its token is not kept: the demo never needs it).

use chrono::{Duration, Utc};
use entity::{care_watch, household};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    calendar,
    care::{
        access::CheckInBy,
        devices,
        service::{self, NewCheckIn},
        types::{CareDeviceKind, CareInterval, CheckInKind},
    },
    error::{AppError, AppResult, msg},
    registry::care::CareLevel,
    visits::service::grid_plan,
};

/// A week of check-ins by the grid worker: (days ago, kind, note).
const WEEK: [(i64, CheckInKind, &str); 7] = [
    (7, CheckInKind::Visit, "入户看望，老人精神好，血压正常"),
    (6, CheckInKind::Call, "电话问候，说晚上睡得不好"),
    (5, CheckInKind::Visit, "陪同去社区卫生站量血压"),
    (4, CheckInKind::Call, "电话问候，一切正常"),
    (3, CheckInKind::Visit, "帮忙更换厨房灯泡"),
    (2, CheckInKind::Call, "电话问候，提醒按时吃药"),
    (
        1,
        CheckInKind::Visit,
        "入户看望，冰箱里菜不多，已告知助餐点",
    ),
];

/// Starts `household`'s watch `days` ago (the service starts it now).
async fn started_days_ago(
    conn: &impl ConnectionTrait,
    household: Uuid,
    days: i64,
) -> AppResult<()> {
    let since = Utc::now() - Duration::days(days);
    care_watch::Entity::update_many()
        .col_expr(care_watch::Column::Since, Expr::value(since))
        .col_expr(
            care_watch::Column::DueAt,
            Expr::value(since + Duration::days(1)),
        )
        .filter(care_watch::Column::HouseholdId.eq(household))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn load(
    conn: &impl ConnectionTrait,
    staff: &Viewer,
    worker: &Viewer,
    grid: Uuid,
) -> AppResult<()> {
    let planned = grid_plan(conn, grid, calendar::today()).await?;
    // The most cared-for households of the grid: key groups (elderly living alone, ...).
    let mut cared: Vec<household::Model> = planned
        .into_iter()
        .filter(|p| p.care_level >= CareLevel::KeyGroup)
        .map(|p| p.household)
        .collect();
    if cared.len() < 2 {
        return Err(AppError::NotFound(msg!("household not found")));
    }
    let (alone, quiet) = (cared.remove(0), cared.remove(0));
    service::set_watch(conn, worker, alone.id, Some(CareInterval::Daily)).await?;
    started_days_ago(conn, alone.id, 8).await?;
    let by = CheckInBy::GridWorker(worker.user_id);
    let now = Utc::now();
    for (days, kind, note) in WEEK {
        let new = NewCheckIn {
            kind,
            at: now - Duration::days(days),
            note: note.to_owned(),
        };
        service::record_check_in(conn, by, &alone, new).await?;
    }
    let meal = NewCheckIn {
        kind: CheckInKind::MealDelivered,
        at: now - Duration::hours(2),
        note: "助餐点送午饭".to_owned(),
    };
    service::record_check_in(conn, by, &alone, meal).await?;
    devices::register(
        conn,
        staff,
        alone.id,
        CareDeviceKind::Alarm,
        "卧室一键呼叫按钮",
    )
    .await?;
    // The second: called four days ago, nobody since.
    service::set_watch(conn, staff, quiet.id, Some(CareInterval::Daily)).await?;
    started_days_ago(conn, quiet.id, 10).await?;
    let call = NewCheckIn {
        kind: CheckInKind::Call,
        at: now - Duration::days(2) - Duration::hours(3),
        note: "电话问候，说女儿这周不在家".to_owned(),
    };
    service::record_check_in(conn, CheckInBy::Staff(staff.user_id), &quiet, call).await?;
    Ok(())
}
