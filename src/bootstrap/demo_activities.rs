//! The demo's activities in 幸福里社区, run through the same services as the API by the
//! community admin (王丽华) and the demo resident: a free clinic for the elderly, under way
//! (sign-ups on their behalf, a full clinic with a waiting list, a cancellation that
//! promoted the first waiting, check-ins and confirmed attendance); a clean-up day of
//! 和韵小区 with volunteer roles, finished, its volunteers checked in and their minutes
//! confirmed (the demo resident among them); and a Spring Festival delivery to the
//! special-hardship households, under way, some doors recorded delivered or not at home
//! by the demo resident as a volunteer. The services refuse activities in the past, so each
//! is created a week ahead and then moved to its time, as `demo_care` backdates its watch.

use chrono::{DateTime, Duration, Months, Utc};
use entity::{activity, activity_sign_up, app_user, compound, resident, role_grant};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    activities::{
        access::{own_residents_in, visible_activity},
        check_in, deliveries, hours,
        publish::{self, NewActivity, NewRole},
        sign_ups::{self, SignUpRequest},
        types::{ActivityKind, ActivityStatus, Audience, DeliveryOutcome},
    },
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    registry::care::CareLevel,
};

/// The demo resident's login, the clean-up's and the delivery's volunteer.
const RESIDENT_LOGIN: &str = "demo.resident";

/// A login's viewer, as a request of theirs would load it (without a session).
async fn viewer_of(conn: &impl ConnectionTrait, username: &str) -> AppResult<Viewer> {
    let user = app_user::Entity::find()
        .filter(app_user::Column::Username.eq(username))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("user not found")))?;
    let now = Utc::now();
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .filter(|g| g.is_active_at(now))
        .collect();
    Ok(Viewer {
        user_id: user.id,
        username: user.username,
        display_name: user.display_name,
        session_id: Uuid::nil(),
        must_change_password: false,
        grants,
    })
}

/// An activity a week ahead, published, with its roles.
async fn publish_new(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    new: NewActivity,
) -> AppResult<(activity::Model, Vec<Uuid>)> {
    let (row, roles) = publish::create(conn, admin, new).await?.value;
    let seen = visible_activity(conn, admin, row.id).await?;
    let row = publish::transition(conn, seen, ActivityStatus::Published)
        .await?
        .value;
    Ok((row, roles.into_iter().map(|r| r.id).collect()))
}

/// Moves an activity to `starts` for `minutes`, sign-ups closing at the start.
async fn move_to(
    conn: &impl ConnectionTrait,
    id: Uuid,
    starts: DateTime<Utc>,
    minutes: i64,
) -> AppResult<()> {
    activity::Entity::update_many()
        .col_expr(activity::Column::StartsAt, Expr::value(starts))
        .col_expr(
            activity::Column::EndsAt,
            Expr::value(starts + Duration::minutes(minutes)),
        )
        .col_expr(activity::Column::SignUpDeadline, Expr::value(starts))
        .filter(activity::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

fn described(
    community: Uuid,
    kind: ActivityKind,
    [title, description, place]: [&str; 3],
    capacity: i32,
    audience: (Audience, Option<Uuid>),
    roles: &[(&str, i32)],
) -> NewActivity {
    let starts = Utc::now() + Duration::days(7);
    NewActivity {
        community_id: community,
        kind,
        title: title.to_owned(),
        description: description.to_owned(),
        place: place.to_owned(),
        starts_at: starts,
        ends_at: starts + Duration::hours(3),
        sign_up_deadline: None,
        capacity,
        audience: audience.0,
        audience_compound_id: audience.1,
        roles: roles
            .iter()
            .map(|(name, places)| NewRole {
                name: (*name).to_owned(),
                places: *places,
            })
            .collect(),
    }
}

/// Staff sign a resident up on their behalf.
async fn sign_up_for(
    conn: &impl ConnectionTrait,
    by: &Viewer,
    activity: Uuid,
    resident: Option<Uuid>,
    role: Option<Uuid>,
) -> AppResult<activity_sign_up::Model> {
    let request = SignUpRequest {
        activity_id: activity,
        resident_id: resident,
        role_id: role,
    };
    Ok(sign_ups::sign_up(conn, by, request).await?.value)
}

pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    hexun: &compound::Model,
) -> AppResult<()> {
    let community = hexun.community_id;
    let resident = viewer_of(conn, RESIDENT_LOGIN).await?;
    // Six residents of 60 and over (on the clinic's day), in registry order.
    let sixty = calendar::today()
        .checked_sub_months(Months::new(61 * 12))
        .ok_or(AppError::NotFound(msg!("resident not found")))?;
    // Not the demo resident: they sign themself up below.
    let own = own_residents_in(conn, &resident, community).await?;
    let elderly: Vec<resident::Model> = resident::Entity::find()
        .filter(resident::Column::CommunityId.eq(community))
        .filter(resident::Column::Id.is_not_in(own))
        .filter(resident::Column::ArchivedAt.is_null())
        .filter(resident::Column::BirthDate.lte(sixty))
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?;
    if elderly.len() < 10 {
        return Err(AppError::NotFound(msg!("resident not found")));
    }
    let now = Utc::now();

    // 1. 重阳义诊: four places, six sign-ups, one cancelled (the first waiting promoted).
    let new = described(
        community,
        ActivityKind::FreeClinic,
        [
            "重阳义诊：量血压、测血糖",
            "社区卫生服务站医生坐诊，免费测量血压、血糖，提供用药咨询。请带上医保卡和近期病历。",
            "社区党群服务中心一楼大厅",
        ],
        4,
        (Audience::Elderly, None),
        &[("测血压", 2)],
    );
    let (clinic, clinic_roles) = publish_new(conn, admin, new).await?;
    let mut signed = Vec::new();
    for person in &elderly[..6] {
        signed.push(sign_up_for(conn, admin, clinic.id, Some(person.id), None).await?);
    }
    sign_up_for(
        conn,
        admin,
        clinic.id,
        Some(elderly[8].id),
        clinic_roles.first().copied(),
    )
    .await?;
    // The third cannot come: the first of the two waiting takes the place.
    sign_ups::cancel(conn, admin, signed[2].id).await?;
    // Under way: began an hour ago; three checked in, two of them confirmed.
    move_to(conn, clinic.id, now - Duration::hours(1), 180).await?;
    for (i, sign_up) in [&signed[0], &signed[1], &signed[3]].into_iter().enumerate() {
        check_in::check_in(conn, admin, sign_up.id).await?;
        if i < 2 {
            check_in::confirm_attendance(conn, admin, sign_up.id).await?;
        }
    }

    // 2. 和韵小区清洁日: volunteers in two roles, checked in, their minutes confirmed.
    let new = described(
        community,
        ActivityKind::CleanUp,
        [
            "和韵小区环境清洁日",
            "清理楼道杂物和绿化带垃圾，引导垃圾分类。工具由社区提供。",
            "和韵小区中心花园集合",
        ],
        30,
        (Audience::Compound, Some(hexun.id)),
        &[("楼道清扫", 4), ("垃圾分类引导", 2)],
    );
    let (clean_up, roles) = publish_new(conn, admin, new).await?;
    let (sweep, guide) = (roles[0], roles[1]);
    let mut volunteers = vec![sign_up_for(conn, &resident, clean_up.id, None, Some(sweep)).await?];
    for (person, role) in [(&elderly[6], sweep), (&elderly[7], guide)] {
        volunteers.push(sign_up_for(conn, admin, clean_up.id, Some(person.id), Some(role)).await?);
    }
    // This morning's three hours, ending as the demo is loaded.
    move_to(conn, clean_up.id, now - Duration::minutes(175), 180).await?;
    for (i, volunteer) in volunteers.iter().enumerate() {
        check_in::check_in(conn, admin, volunteer.id).await?;
        // The last left after two hours and a half: the organiser corrects the minutes.
        let minutes = (i == volunteers.len() - 1).then_some(150);
        hours::confirm_hours(conn, admin, volunteer.id, minutes).await?;
    }
    let seen = visible_activity(conn, admin, clean_up.id).await?;
    publish::transition(conn, seen, ActivityStatus::Finished).await?;

    // 3. 春节送温暖: the special-hardship households; the demo resident delivers.
    let new = described(
        community,
        ActivityKind::Delivery,
        [
            "春节送温暖：走访特困家庭",
            "为特困家庭送米、油和慰问金，了解节日期间的困难。",
            "社区党群服务中心出发",
        ],
        0,
        (Audience::Households, None),
        &[("送货", 3)],
    );
    let (delivery, roles) = publish_new(conn, admin, new).await?;
    let households =
        deliveries::add_households(conn, admin, delivery.id, CareLevel::SpecialHardship, None)
            .await?
            .value;
    if households < 3 {
        return Err(AppError::NotFound(msg!("household not found")));
    }
    sign_up_for(conn, &resident, delivery.id, None, Some(roles[0])).await?;
    sign_up_for(
        conn,
        admin,
        delivery.id,
        Some(elderly[9].id),
        Some(roles[0]),
    )
    .await?;
    move_to(conn, delivery.id, now - Duration::hours(1), 300).await?;
    let doors = entity::activity_delivery::Entity::find()
        .filter(entity::activity_delivery::Column::ActivityId.eq(delivery.id))
        .order_by_asc(entity::activity_delivery::Column::Id)
        .all(conn)
        .await?;
    let outcomes = [
        (DeliveryOutcome::Delivered, "米、油已送到，老人身体还好"),
        (DeliveryOutcome::Delivered, ""),
        (DeliveryOutcome::NotHome, "敲门无人应答，下午再去"),
    ];
    for (door, (outcome, note)) in doors.iter().zip(outcomes) {
        deliveries::record(conn, &resident, door.id, outcome, note).await?;
    }
    Ok(())
}
