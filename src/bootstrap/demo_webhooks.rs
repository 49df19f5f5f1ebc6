//! The demo's webhooks: 幸福里社区's events go to a receiver on this machine
//! (`jiedao receive-webhooks`), once as Standard Webhooks JSON and once as WeCom robot
//! messages, so a demo shows both formats arriving.

use sea_orm::{ActiveModelTrait, ConnectionTrait};
use serde_json::Value;

use crate::{
    auth::Viewer,
    crypto::DataKeys,
    error::{AppError, AppResult},
    notifications::{
        formats::Format,
        subscriptions::{NewRow, new_row},
    },
    outbox::EventType,
};

/// The demo subscriptions' signing secret. Public, like the demo passwords.
pub const DEMO_WEBHOOK_SECRET: &str = "whsec_amllZGFvLWRlbW8td2ViaG9va3MtcHVibGljIQ==";
/// Where `jiedao receive-webhooks` listens by default.
pub const DEMO_RECEIVER: &str = "http://127.0.0.1:9009";

/// Events a staff chat wants: requests, what is late, and elderly residents nobody has
/// seen or who pressed their alarm.
const STAFF_CHAT: [EventType; 8] = [
    EventType::RequestAssigned,
    EventType::RequestFirstResponseOverdue,
    EventType::RequestResolutionOverdue,
    EventType::RequestRatedLow,
    EventType::AnnouncementUnread,
    EventType::VisitsOverdue,
    EventType::CareCheckInMissed,
    EventType::CareAlarm,
];

pub async fn load(conn: &impl ConnectionTrait, keys: &DataKeys, admin: &Viewer) -> AppResult<()> {
    let community = admin
        .grants
        .iter()
        .find_map(|g| g.community_id)
        .ok_or(AppError::NotFound(crate::error::msg!(
            "community not found"
        )))?;
    let every: Vec<EventType> = EventType::ALL
        .into_iter()
        .filter(|t| *t != EventType::WebhookTest)
        .collect();
    for (path, description, format, types) in [
        (
            "/hooks",
            "区平台对接（演示）",
            Format::Standard,
            every.as_slice(),
        ),
        (
            "/cgi-bin/webhook/send?key=demo",
            "社区值班群机器人（演示）",
            Format::WecomRobot,
            STAFF_CHAT.as_slice(),
        ),
    ] {
        let url =
            reqwest::Url::parse(&format!("{DEMO_RECEIVER}{path}")).map_err(AppError::internal)?;
        new_row(
            keys,
            NewRow {
                community,
                url: &url,
                description: description.to_owned(),
                format,
                event_types: types
                    .iter()
                    .map(|t| Value::String(t.name().to_owned()))
                    .collect(),
                compound_id: None,
                grid_id: None,
                created_by: admin.user_id,
                secret: DEMO_WEBHOOK_SECRET,
            },
        )?
        .insert(conn)
        .await?;
    }
    Ok(())
}
