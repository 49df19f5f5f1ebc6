//! The demo grid work of 第1网格 (和韵小区 1-3号楼), through the same services as the API:
//! requests from the compound's WeChat group at every stage (new, in progress, referred,
//! resolved and followed up), a month of home visits with a few households left overdue,
//! a mediation under way and an urgent water-cut notice.

use chrono::{Duration, Utc};
use entity::{compound, household};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::json;
use uuid::Uuid;

use crate::{
    announcements::service::{self as announcements, NewAnnouncement},
    auth::Viewer,
    calendar,
    error::AppError,
    error::AppResult,
    files::{FileStore, service::Upload},
    gridwork::follow_up::{self, NewFollowUp},
    mediation::service::{self as mediation, Mediator, NewCase, Party},
    requests::{
        follow_ups::Method,
        photos::PhotoStore,
        service::{self as requests, Location, Move, NewRequest},
        status::Action,
    },
    visits::service::{self as visits, NewVisit},
    wechat_groups::service::GroupRef,
};

use super::demo_wechat_groups::NEIGHBOURHOOD_GROUP;

/// (message in the WeChat group, category, how far it got).
const MESSAGES: [(&str, &str, &[Action]); 5] = [
    (
        "2号楼楼下路灯不亮，晚上回家很黑",
        "repair",
        &[Action::Acknowledge, Action::Resolve],
    ),
    (
        "1号楼单元门禁刷卡没反应",
        "repair",
        &[Action::Acknowledge, Action::Start],
    ),
    ("小区门口有人占道摆摊", "safety", &[Action::Refer]),
    ("3号楼垃圾桶两天没人清运", "sanitation", &[]),
    (
        "楼上太阳能热水器漏水到我家",
        "dispute",
        &[Action::Acknowledge],
    ),
];

pub async fn load(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    staff: &Viewer,
    worker: &Viewer,
    compound: &compound::Model,
    grid: Uuid,
) -> AppResult<()> {
    // The compound was registered months ago, so the visit plan has a history to show.
    household::Entity::update_many()
        .col_expr(
            household::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(120)),
        )
        .filter(household::Column::CommunityId.eq(compound.community_id))
        .exec(conn)
        .await?;
    let today = calendar::today();
    let planned = visits::plan(conn, worker, grid, today).await?;
    // A month of visits on schedule; every tenth household is left for the worker to find
    // overdue.
    for (n, p) in planned.iter().enumerate() {
        if n % 10 == 9 {
            continue;
        }
        let days_ago: &[i64] = match p.care_level {
            crate::registry::care::CareLevel::SpecialHardship => &[21, 14, 7, 0],
            _ => &[i64::try_from(n % 20).unwrap_or(0)],
        };
        for days in days_ago {
            let visit = NewVisit {
                household_id: p.household.id,
                visited_at: Utc::now() - Duration::days(*days) - Duration::hours(2),
                met: "户主".into(),
                notes: "身体尚好，无特殊需求".into(),
                needs: Vec::new(),
            };
            visits::record(conn, files, worker, visit).await?;
        }
    }

    let mut requests = Vec::new();
    for (n, (text, category, steps)) in MESSAGES.iter().enumerate() {
        let household = &planned[n * 7].household;
        let sent_at = Utc::now() - Duration::hours(30 - 6 * n as i64);
        let request = requests::create(
            conn,
            files,
            0,
            staff,
            NewRequest {
                location: Location::Household(household.id),
                source: "wechat",
                source_detail: json!({ "wechat": {
                    "groupName": NEIGHBOURHOOD_GROUP,
                    "senderNickname": planned[n * 7].label,
                    "originalText": text,
                    "sentAt": sent_at,
                } }),
                reporter_resident: None,
                category: (*category).into(),
                title: (*text).into(),
                description: String::new(),
                urgent: false,
                photos: Vec::new(),
                wechat_group: Some((GroupRef::Name(NEIGHBOURHOOD_GROUP.into()), sent_at)),
            },
        )
        .await?
        .value;
        for action in *steps {
            let message = match action {
                Action::Acknowledge => "收到，马上去看",
                Action::Start => "已联系维修师傅",
                Action::Resolve => "已请电工更换灯泡，今晚已亮",
                _ => "已转城管执法中队处理",
            };
            // The lamp's fix comes with a photo of it lit (photo proof).
            let photos = if *action == Action::Resolve {
                vec![Upload {
                    file_name: "路灯已修好.png".into(),
                    bytes: lit_lamp_photo()?.into(),
                }]
            } else {
                Vec::new()
            };
            let with = Move {
                message: message.into(),
                department: Some("城管执法中队".into()),
                duplicate_of: None,
                photos,
            };
            let store = PhotoStore {
                files,
                max_file_bytes: usize::MAX,
            };
            requests::move_request(conn, &store, worker, request.id, *action, with).await?;
        }
        requests.push((request.id, household.id));
    }
    // The lamp: followed up by phone, the resident is satisfied.
    let follow = NewFollowUp {
        request_id: requests[0].0,
        method: Method::Phone,
        contacted_at: Utc::now(),
        spoke_with: "户主".into(),
        satisfied: Some(true),
        notes: "路灯正常".into(),
    };
    follow_up::record(conn, files, worker, follow).await?;

    // The leak: a mediation with the household upstairs, one session held.
    let (dispute, below) = requests[4];
    let above = planned[29].household.id;
    let case = mediation::open(
        conn,
        staff,
        NewCase {
            community_id: compound.community_id,
            request_id: Some(dispute),
            title: "楼上太阳能热水器漏水".into(),
            description: "楼下天花板渗水，双方对赔偿有分歧。".into(),
            parties: vec![
                Party {
                    household_id: Some(below),
                    resident_id: None,
                    label: "楼下住户".into(),
                },
                Party {
                    household_id: Some(above),
                    resident_id: None,
                    label: "楼上住户".into(),
                },
            ],
            mediators: vec![
                Mediator {
                    user_id: Some(worker.user_id),
                    name: "第1网格网格员".into(),
                    kind: "staff",
                },
                Mediator {
                    user_id: None,
                    name: "社区法律顾问".into(),
                    kind: "lawyer",
                },
            ],
        },
    )
    .await?
    .value;
    mediation::record_session(
        conn,
        worker,
        case.id,
        Utc::now() - Duration::hours(3),
        "社区调解室",
        "双方到场，楼上同意先请师傅检修",
    )
    .await?;

    announcements::publish(
        conn,
        staff,
        NewAnnouncement {
            community_id: compound.community_id,
            compound_id: Some(compound.id),
            building_ids: Vec::new(),
            urgent: true,
            title: "和韵小区明日停水通知".into(),
            body: "因管网改造，明日8:00-18:00停水，请提前储水。".into(),
            valid_until: Utc::now() + Duration::days(2),
        },
    )
    .await?;
    Ok(())
}

/// A small picture of a street lamp lit at night (96×64 PNG), drawn here so the demo needs
/// no image file.
fn lit_lamp_photo() -> AppResult<Vec<u8>> {
    let (width, height) = (96u32, 64u32);
    let mut pixels = Vec::with_capacity((width * height * 3) as usize);
    for y in 0..height {
        for x in 0..width {
            let (dx, dy) = (x as i32 - 48, y as i32 - 18);
            let glow = dx * dx + dy * dy;
            let pixel: [u8; 3] = if glow < 40 {
                [255, 236, 140] // the lamp
            } else if glow < 400 {
                [120, 100, 40] // its light
            } else if x.abs_diff(48) < 2 && y > 22 {
                [90, 90, 100] // the post
            } else {
                [16, 20, u8::try_from(40 + y / 2).unwrap_or(70)] // the night
            };
            pixels.extend_from_slice(&pixel);
        }
    }
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(&pixels))
        .map_err(AppError::internal)?;
    Ok(out)
}
