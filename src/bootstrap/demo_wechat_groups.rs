//! The demo's WeChat groups (和韵小区's neighbourhood group, a building's group and
//! 第1网格's group) with their duty rotas, registered through the same services as the
//! API. The demo's WeChat requests come from the neighbourhood group, so the dashboard shows
//! first-response times per group and per person on duty.

use entity::building;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::AppResult,
    wechat_groups::{
        rota::Shift,
        service::{self as groups, GroupChange, Kind},
    },
};

/// The neighbourhood group the demo's WeChat requests come from.
pub const NEIGHBOURHOOD_GROUP: &str = "和韵小区邻里群";

fn shifts(user: Uuid, days: std::ops::RangeInclusive<i32>, from: i32, to: i32) -> Vec<Shift> {
    days.map(|weekday| Shift {
        user_id: user,
        weekday,
        starts_minute: from * 60,
        ends_minute: to * 60,
    })
    .collect()
}

pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    worker: &Viewer,
    compound: Uuid,
    grid: Uuid,
) -> AppResult<()> {
    let community = admin
        .grants
        .iter()
        .find_map(|g| g.community_id)
        .unwrap_or_default();
    let buildings: Vec<building::Model> = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound))
        .order_by_asc(building::Column::Number)
        .all(conn)
        .await?;
    let both = vec![admin.user_id, worker.user_id];
    let plan = [
        (
            NEIGHBOURHOOD_GROUP,
            Kind::Residents,
            None,
            412,
            buildings.iter().map(|b| b.id).collect::<Vec<_>>(),
            both.clone(),
            // The grid worker on weekdays' working hours, the admin evenings and weekends.
            [
                shifts(worker.user_id, 1..=5, 8, 18),
                shifts(admin.user_id, 1..=5, 18, 22),
                shifts(admin.user_id, 6..=7, 9, 17),
            ]
            .concat(),
        ),
        (
            "和韵小区1号楼楼栋群",
            Kind::Building,
            None,
            58,
            buildings.iter().take(1).map(|b| b.id).collect(),
            vec![worker.user_id],
            shifts(worker.user_id, 1..=7, 8, 20),
        ),
        (
            "第1网格居民群",
            Kind::Grid,
            Some(grid),
            230,
            Vec::new(),
            both,
            shifts(worker.user_id, 1..=7, 8, 18),
        ),
    ];
    for (name, kind, grid, members, buildings, staff, rota) in plan {
        let change = GroupChange {
            name: Some(name.into()),
            member_count: Some(Some(members)),
            buildings: Some(buildings),
            staff: Some(staff),
        };
        let group = groups::create(conn, admin, community, kind, grid, change)
            .await?
            .value;
        groups::set_rota(conn, admin, group.id, rota).await?;
    }
    Ok(())
}
