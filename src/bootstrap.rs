//! Command-line setup: the first platform admin and the demo data. Both write through the
//! same services and rules as the API.

use chrono::Utc;
use entity::{
    community,
    role_grant::{self, GrantSource, Role, ScopeKind},
    street_office,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

mod demo_activities;
mod demo_care;
mod demo_committee;
mod demo_consultations;
mod demo_family;
mod demo_fund;
mod demo_grid_leaders;
mod demo_grid_work;
mod demo_meeting;
mod demo_points;
mod demo_registry;
pub mod demo_roster;
pub mod demo_webhooks;
mod demo_wechat_groups;

use crate::{
    auth::{Viewer, password, viewer::Place},
    config::public_base::PublicBase,
    db::Db,
    error::{AppError, AppResult, msg},
    identity::{
        grants::{self, GrantRow},
        users::{check_username, insert_user},
    },
    registry::{
        accounts::link,
        roster_import::{ImportMode, ImportOptions, import_into},
    },
    state::Services,
    tabular::Format,
};

async fn insert_grant(
    conn: &impl ConnectionTrait,
    user: Uuid,
    role: Role,
    scope_id: Option<Uuid>,
    place: Place,
) -> AppResult<role_grant::Model> {
    grants::insert_grant(
        conn,
        GrantRow {
            user_id: user,
            role,
            scope_id,
            place,
            valid_from: Utc::now(),
            valid_until: None,
            source: (GrantSource::Manual, None),
            granted_by: None,
        },
    )
    .await
}

/// `jiedao create-admin`: a platform admin, with the password rules of the API.
pub async fn create_platform_admin(db: &Db, username: &str, password: &str) -> AppResult<Uuid> {
    let username = check_username("username", username)?;
    password::check_strength("password", &username, password)?;
    let owned = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash_blocking(&owned))
        .await
        .map_err(AppError::internal)??;
    let txn = db.begin_write().await?;
    let user = insert_user(&txn, &username, &username, hash, false, Place::default()).await?;
    insert_grant(&txn, user.id, Role::PlatformAdmin, None, Place::default()).await?;
    txn.commit().await?;
    Ok(user.id)
}

/// What `seed-demo` loaded.
pub struct Demo {
    pub logins: Vec<DemoLogin>,
    pub compounds: usize,
    pub buildings: usize,
    pub dwellings: usize,
    pub grids: usize,
    pub households: usize,
    pub residents: usize,
    /// The share token of the demo fund's published statement.
    pub statement_token: String,
    /// The share token of the demo resolution on notice.
    pub resolution_token: String,
}

/// A demo login printed by `seed-demo`.
pub struct DemoLogin {
    pub username: &'static str,
    pub password: &'static str,
    pub role: &'static str,
}

pub const DEMO_STREET_OFFICE: &str = "示范街道办事处";
const DEMO_COMMUNITIES: [&str; 2] = ["幸福里社区", "光明社区"];

/// Whether the demo street office exists.
pub async fn demo_loaded(db: &Db) -> AppResult<bool> {
    Ok(street_office::Entity::find()
        .filter(street_office::Column::Name.eq(DEMO_STREET_OFFICE))
        .one(db.reader())
        .await?
        .is_some())
}

/// (households, residents, seed) of each demo compound's roster: 和韵小区 is the issue's
/// example, 138 households and 310 residents.
const DEMO_ROSTERS: [(usize, usize, u64); 2] = [(138, 310, 7), (172, 398, 11)];

/// `jiedao seed-demo`: a street office with two communities, the registry of the first
/// (compounds, buildings, dwellings, grids, and rosters of residents imported through the
/// real import), and one account per level, with known passwords. Refuses to run twice.
pub async fn seed_demo(services: &Services) -> AppResult<Demo> {
    let (db, keys, files) = (&services.db, &services.data_keys, &services.files);
    let txn = db.begin_write().await?;
    let exists = street_office::Entity::find()
        .filter(street_office::Column::Name.eq(DEMO_STREET_OFFICE))
        .one(&txn)
        .await?;
    if exists.is_some() {
        return Err(AppError::Conflict(msg!("the demo data is already loaded")));
    }
    let now = Utc::now();
    let office = street_office::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(DEMO_STREET_OFFICE.to_owned()),
        division_code: Set(Some("110105001".to_owned())),
        created_at: Set(now),
    }
    .insert(&txn)
    .await?;
    let mut communities = Vec::new();
    for name in DEMO_COMMUNITIES {
        communities.push(
            community::ActiveModel {
                id: Set(Uuid::now_v7()),
                street_office_id: Set(office.id),
                name: Set(name.to_owned()),
                created_at: Set(now),
                ..Default::default()
            }
            .insert(&txn)
            .await?,
        );
    }
    let registry = demo_registry::load(&txn, communities[0].id).await?;
    let (mut households, mut residents) = (0, 0);
    for (compound, (shape, (h, r, seed))) in registry
        .compounds
        .iter()
        .zip(demo_registry::COMPOUNDS.iter().zip(DEMO_ROSTERS))
    {
        let shape = demo_roster::Shape {
            buildings: shape.2,
            units: shape.3,
            floors: shape.4,
            rooms: shape.5,
        };
        let csv = demo_roster::roster(&shape, h, r, seed);
        let report = import_into(
            &txn,
            keys,
            compound,
            Format::Csv,
            csv.as_bytes(),
            ImportOptions::new(ImportMode::AllOrNothing),
        )
        .await?;
        if !report.written {
            return Err(AppError::internal(std::io::Error::other(format!(
                "the demo roster of {} did not import: {:?}",
                compound.name,
                report.problems.first()
            ))));
        }
        households += report.households_created;
        residents += report.residents_created;
    }
    let (grid_name, grid_id) = registry.grids[2].clone();
    let logins = [
        DemoLogin {
            username: "demo.platform",
            password: "demo-platform-2026",
            role: "platform_admin",
        },
        DemoLogin {
            username: "demo.street",
            password: "demo-street-2026",
            role: "street_admin of 示范街道办事处",
        },
        DemoLogin {
            username: "demo.xingfu.admin",
            password: "demo-xingfu-2026",
            role: "community_admin of 幸福里社区",
        },
        DemoLogin {
            username: "demo.xingfu.staff",
            password: "demo-staff-2026",
            role: "community_staff of 幸福里社区",
        },
        DemoLogin {
            username: "demo.guangming.admin",
            password: "demo-guangming-2026",
            role: "community_admin of 光明社区",
        },
        DemoLogin {
            username: "demo.grid3",
            password: "demo-grid3-2026",
            role: "grid_worker of 幸福里社区 第3网格",
        },
        DemoLogin {
            username: "demo.grid1",
            password: "demo-grid1-2026",
            role: "grid_worker of 幸福里社区 第1网格",
        },
        DemoLogin {
            username: "demo.grid2",
            password: "demo-grid2-2026",
            role: "grid_worker of 幸福里社区 第2网格",
        },
        DemoLogin {
            username: "demo.resident",
            password: "demo-resident-2026",
            role: "resident of 和韵小区 1号楼 1-101 (linked to the household head)",
        },
        DemoLogin {
            username: "demo.treasurer",
            password: "demo-treasurer-2026",
            role: "resident and treasurer (财务) of 和韵小区自管会",
        },
    ];
    let office_place = Place {
        street_office: Some(office.id),
        community: None,
    };
    let community_place = |c: &community::Model| Place {
        street_office: Some(office.id),
        community: Some(c.id),
    };
    let head = entity::resident::Entity::find()
        .filter(entity::resident::Column::CommunityId.eq(communities[0].id))
        .filter(entity::resident::Column::Relation.eq("head"))
        .order_by_asc(entity::resident::Column::Id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))?;
    let plan: [(Role, Option<Uuid>, Place); 9] = [
        (Role::PlatformAdmin, None, Place::default()),
        (Role::StreetAdmin, Some(office.id), office_place),
        (
            Role::CommunityAdmin,
            Some(communities[0].id),
            community_place(&communities[0]),
        ),
        (
            Role::CommunityStaff,
            Some(communities[0].id),
            community_place(&communities[0]),
        ),
        (
            Role::CommunityAdmin,
            Some(communities[1].id),
            community_place(&communities[1]),
        ),
        (
            Role::GridWorker,
            Some(grid_id),
            community_place(&communities[0]),
        ),
        (
            Role::GridWorker,
            Some(registry.grids[0].1),
            community_place(&communities[0]),
        ),
        (
            Role::GridWorker,
            Some(registry.grids[1].1),
            community_place(&communities[0]),
        ),
        (
            Role::Resident,
            Some(head.household_id),
            community_place(&communities[0]),
        ),
    ];
    let mut community_admin = None;
    let mut grid_worker = None;
    for (login, (role, scope, place)) in logins.iter().zip(plan) {
        debug_assert_eq!(
            crate::auth::viewer::scope_kind_of(role) == ScopeKind::Deployment,
            scope.is_none()
        );
        let password = login.password.to_owned();
        let hash = tokio::task::spawn_blocking(move || password::hash_blocking(&password))
            .await
            .map_err(AppError::internal)??;
        let home = if role == Role::PlatformAdmin {
            Place::default()
        } else {
            place
        };
        if role == Role::Resident {
            // Through the account link, so the grant follows the resident like any other.
            let user = insert_user(&txn, login.username, &head.name, hash, false, home).await?;
            link(&txn, &head, user.id, None, place).await?;
            continue;
        }
        let (name, phone) = staff_card(login.username);
        let mut user = insert_user(&txn, login.username, name, hash, false, home).await?;
        if let Some(phone) = phone {
            let mut published: entity::app_user::ActiveModel = user.into();
            published.work_phone = Set(Some(phone.to_owned()));
            user = published.update(&txn).await?;
        }
        let grant = insert_grant(&txn, user.id, role, scope, place).await?;
        let acting = || Viewer {
            user_id: user.id,
            username: user.username.clone(),
            display_name: user.display_name.clone(),
            session_id: Uuid::nil(),
            must_change_password: false,
            grants: vec![grant.clone()],
        };
        if role == Role::CommunityAdmin && community_admin.is_none() {
            community_admin = Some(acting());
        }
        if role == Role::GridWorker && scope == Some(registry.grids[0].1) {
            grid_worker = Some(acting());
        }
    }
    // The committee, appointed by the community admin, then the treasurer's login: linking
    // it gives the login the treasurer's powers, as for any resident who gets an account.
    let admin = community_admin.ok_or(AppError::NotFound(msg!("user not found")))?;
    let treasurer = demo_committee::load(&txn, &admin, &registry.compounds[0]).await?;
    let login = logins
        .last()
        .ok_or(AppError::NotFound(msg!("user not found")))?;
    let password = login.password.to_owned();
    let hash = tokio::task::spawn_blocking(move || password::hash_blocking(&password))
        .await
        .map_err(AppError::internal)??;
    let place = community_place(&communities[0]);
    let user = insert_user(&txn, login.username, &treasurer.name, hash, false, place).await?;
    link(&txn, &treasurer, user.id, None, place).await?;
    let statement_token = demo_fund::load(
        &txn,
        &services.signing,
        &PublicBase::of_request(&services.config, &Default::default()),
        &admin,
        &user,
        &registry.compounds[0],
    )
    .await?;
    let resolution_token = demo_meeting::load(&txn, &admin, keys, &registry.compounds[0]).await?;
    let worker = grid_worker.ok_or(AppError::NotFound(msg!("user not found")))?;
    let (hexun, grid1) = (&registry.compounds[0], registry.grids[0].1);
    demo_wechat_groups::load(&txn, &admin, &worker, hexun.id, grid1).await?;
    demo_grid_work::load(&txn, files, &admin, &worker, hexun, grid1).await?;
    demo_care::load(&txn, &admin, &worker, grid1).await?;
    demo_points::load(&txn, &admin, &worker, communities[0].id, hexun.id).await?;
    demo_activities::load(&txn, &admin, hexun).await?;
    demo_webhooks::load(&txn, keys, &admin).await?;
    let family = demo_family::load(&txn, keys, &admin, &registry.compounds[0]).await?;
    demo_consultations::load(&txn, keys, files, &admin, &user, &registry.compounds[0]).await?;
    let leaders = demo_grid_leaders::load(&txn, &admin, &communities[0], &registry.grids).await?;
    // 幸福里社区's office, and its party secretary (the community admin) on the card.
    let mut office: community::ActiveModel = communities[0].clone().into();
    office.office_phone = Set(Some("057186012345".into()));
    office.office_address = Set(Some("示范街道幸福里12号 社区党群服务中心".into()));
    office.party_secretary_user_id = Set(Some(admin.user_id));
    office.update(&txn).await?;
    txn.commit().await?;
    debug_assert_eq!(grid_name, "第3网格");
    Ok(Demo {
        logins: logins.into_iter().chain([family]).chain(leaders).collect(),
        compounds: registry.compounds.len(),
        households,
        residents,
        statement_token,
        resolution_token,
        buildings: registry.buildings,
        dwellings: registry.dwellings,
        grids: registry.grids.len(),
    })
}

/// The fictional names and work phones of the demo's staff (the contact card shows them).
fn staff_card(username: &str) -> (&'static str, Option<&'static str>) {
    match username {
        "demo.platform" => ("林晓峰", None),
        "demo.street" => ("陈立新", Some("057186010001")),
        "demo.xingfu.admin" => ("王丽华", Some("13957100101")),
        "demo.xingfu.staff" => ("赵敏", Some("13957100102")),
        "demo.guangming.admin" => ("孙建国", Some("13957100201")),
        "demo.grid1" => ("周建华", Some("13957100111")),
        "demo.grid2" => ("吴芳", Some("13957100122")),
        "demo.grid3" => ("郑海涛", Some("13957100133")),
        _ => ("工作人员", None),
    }
}
