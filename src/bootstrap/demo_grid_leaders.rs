//! The demo's grid leader and micro-grid: 钱志刚 leads 第1网格 and 第2网格 (with a work
//! phone on the contact card); units 1-2 of the first building of 第1网格 form a
//! micro-grid led by a resident volunteer living there, whose account `demo.microgrid` is
//! linked to their resident record like any resident's.

use chrono::Utc;
use entity::{
    building, community, grid_building, household, micro_grid, resident,
    role_grant::{GrantSource, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::DemoLogin;
use crate::{
    auth::{Viewer, password, viewer::Place},
    error::{AppError, AppResult, msg},
    identity::{
        grants::{GrantRow, insert_grant},
        users::insert_user,
    },
    registry::{
        accounts::link,
        micro_grid_access::households_in,
        micro_grids::{self, Member},
    },
};

pub const LOGINS: [DemoLogin; 2] = [
    DemoLogin {
        username: "demo.gridlead",
        password: "demo-gridlead-2026",
        role: "grid_leader (网格长) of 幸福里社区 第1网格 and 第2网格",
    },
    DemoLogin {
        username: "demo.microgrid",
        password: "demo-microgrid-2026",
        role: "resident and micro_grid_leader (微网格长) of a micro-grid of 第1网格",
    },
];

async fn hash(login: &DemoLogin) -> AppResult<String> {
    let password = login.password.to_owned();
    tokio::task::spawn_blocking(move || password::hash_blocking(&password))
        .await
        .map_err(AppError::internal)?
}

async fn grant(
    conn: &impl ConnectionTrait,
    user: Uuid,
    role: Role,
    scope: Uuid,
    place: Place,
    by: &Viewer,
) -> AppResult<()> {
    let row = GrantRow {
        user_id: user,
        role,
        scope_id: Some(scope),
        place,
        valid_from: Utc::now(),
        valid_until: None,
        source: (GrantSource::Manual, None),
        granted_by: Some(by.user_id),
    };
    insert_grant(conn, row).await?;
    Ok(())
}

/// Loads the grid leader over `grids[0..2]` and the micro-grid in `grids[0]`, as the
/// community `admin`; the logins it made.
pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    community: &community::Model,
    grids: &[(String, Uuid)],
) -> AppResult<Vec<DemoLogin>> {
    let place = Place::of_community(community);
    let leader = insert_user(
        conn,
        LOGINS[0].username,
        "钱志刚",
        hash(&LOGINS[0]).await?,
        false,
        place,
    )
    .await?;
    let mut published: entity::app_user::ActiveModel = leader.clone().into();
    published.work_phone = Set(Some("13957100110".into()));
    published.update(conn).await?;
    for (_, grid) in grids.iter().take(2) {
        grant(conn, leader.id, Role::GridLeader, *grid, place, admin).await?;
    }

    let grid1 = grids
        .first()
        .ok_or(AppError::NotFound(msg!("grid not found")))?
        .1;
    let in_grid: Vec<Uuid> = grid_building::Entity::find()
        .filter(grid_building::Column::GridId.eq(grid1))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.building_id)
        .collect();
    let first = building::Entity::find()
        .filter(building::Column::Id.is_in(in_grid))
        .order_by_asc(building::Column::Number)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("building not found")))?;
    let members = (1..=first.units.min(2))
        .map(|unit| Member {
            building_id: first.id,
            unit: Some(unit),
        })
        .collect();
    let name = format!("{}微网格", crate::registry::labels::building(&first.number));
    let micro: micro_grid::Model = micro_grids::create(conn, admin, grid1, &name, members)
        .await?
        .value;

    // The volunteer: someone of the micro-grid's last household (the first is the demo
    // resident's, 1-101).
    let home = household::Entity::find()
        .filter(household::Column::CommunityId.eq(community.id))
        .filter(households_in(&[micro.id]))
        .order_by_desc(household::Column::Id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("household not found")))?;
    let volunteer = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(home.id))
        .filter(resident::Column::ArchivedAt.is_null())
        .order_by_asc(resident::Column::Id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))?;
    let user = insert_user(
        conn,
        LOGINS[1].username,
        &volunteer.name,
        hash(&LOGINS[1]).await?,
        false,
        place,
    )
    .await?;
    link(conn, &volunteer, user.id, Some(admin.user_id), place).await?;
    grant(conn, user.id, Role::MicroGridLeader, micro.id, place, admin).await?;
    Ok(LOGINS.into())
}
