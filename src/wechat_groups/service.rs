//! The group registry's rules: who may manage and read it, what a group may cover, and
//! picking a request's group (and who was on duty) when a WeChat message is recorded.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{duty_shift, wechat_group, wechat_group_building, wechat_group_staff};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{
    members::{insert_all, put_members},
    rota::{self, MAX_SHIFTS, Shift},
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
    graphql::{StoredEnum, clean_name},
    tenancy::{Place, place_for, visible},
};

/// What a group is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "WechatGroupKind")]
pub enum Kind {
    /// 楼栋群: the residents of one or a few buildings.
    Building,
    /// 居民群: residents of the compound or community at large.
    Residents,
    /// 商户群: shops and businesses.
    Shops,
    /// 网格群: a grid's residents, run by its grid worker.
    Grid,
}

impl StoredEnum for Kind {
    fn stored(self) -> &'static str {
        match self {
            Self::Building => "building",
            Self::Residents => "residents",
            Self::Shops => "shops",
            Self::Grid => "grid",
        }
    }
}

/// A community keeps a handful of groups (16 in a community of 14,000); the registry is
/// one short list, not a page.
pub const MAX_GROUPS: usize = 200;

const READS: Msg = msg!("the WeChat group registry is for the people who work in the community");
const MANAGES: Msg = msg!("only the community's admins and staff manage its WeChat groups");

/// A group's settings as given; `None` leaves a field as it is on update.
#[derive(Default)]
pub struct GroupChange {
    pub name: Option<String>,
    pub member_count: Option<Option<i32>>,
    pub buildings: Option<Vec<Uuid>>,
    pub staff: Option<Vec<Uuid>>,
}

/// A group with the buildings it serves, its staff and its rota.
pub struct GroupDetail {
    pub group: wechat_group::Model,
    pub buildings: Vec<Uuid>,
    pub staff: Vec<Uuid>,
    pub shifts: Vec<duty_shift::Model>,
}

/// A group the caller may read: NOT_FOUND outside their communities, FORBIDDEN inside
/// them for callers who do not work there (residents, committee members).
pub async fn visible_group(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<wechat_group::Model> {
    let group =
        visible::<wechat_group::Entity>(conn, viewer, id, msg!("WeChat group not found")).await?;
    place_for(
        conn,
        viewer,
        group.community_id,
        Capability::ReadWechatGroups,
        READS,
    )
    .await?;
    Ok(group)
}

async fn managed_group(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(wechat_group::Model, Place)> {
    let group = visible_group(conn, viewer, id).await?;
    let place = place_for(
        conn,
        viewer,
        group.community_id,
        Capability::ManageRegistry,
        MANAGES,
    )
    .await?;
    Ok((group, place))
}

/// The community's groups, archived ones only when asked, by name.
pub async fn groups(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    include_archived: bool,
) -> AppResult<Vec<GroupDetail>> {
    place_for(conn, viewer, community, Capability::ReadWechatGroups, READS).await?;
    let mut find = wechat_group::Entity::find()
        .filter(wechat_group::Column::CommunityId.eq(community))
        .order_by_asc(wechat_group::Column::Name);
    if !include_archived {
        find = find.filter(wechat_group::Column::ArchivedAt.is_null());
    }
    details(conn, community, find.all(conn).await?).await
}

/// Groups with their buildings, staff and shifts: three statements for any number.
pub async fn details(
    conn: &impl ConnectionTrait,
    community: Uuid,
    groups: Vec<wechat_group::Model>,
) -> AppResult<Vec<GroupDetail>> {
    let ids: Vec<Uuid> = groups.iter().map(|g| g.id).collect();
    let mut buildings: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in wechat_group_building::Entity::find()
        .filter(wechat_group_building::Column::CommunityId.eq(community))
        .filter(wechat_group_building::Column::GroupId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        buildings
            .entry(row.group_id)
            .or_default()
            .push(row.building_id);
    }
    let mut staff: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for row in wechat_group_staff::Entity::find()
        .filter(wechat_group_staff::Column::CommunityId.eq(community))
        .filter(wechat_group_staff::Column::GroupId.is_in(ids.clone()))
        .all(conn)
        .await?
    {
        staff.entry(row.group_id).or_default().push(row.user_id);
    }
    let mut shifts: HashMap<Uuid, Vec<duty_shift::Model>> = HashMap::new();
    for row in duty_shift::Entity::find()
        .filter(duty_shift::Column::CommunityId.eq(community))
        .filter(duty_shift::Column::GroupId.is_in(ids))
        .order_by_asc(duty_shift::Column::Weekday)
        .order_by_asc(duty_shift::Column::StartsMinute)
        .all(conn)
        .await?
    {
        shifts.entry(row.group_id).or_default().push(row);
    }
    Ok(groups
        .into_iter()
        .map(|group| GroupDetail {
            buildings: buildings.remove(&group.id).unwrap_or_default(),
            staff: staff.remove(&group.id).unwrap_or_default(),
            shifts: shifts.remove(&group.id).unwrap_or_default(),
            group,
        })
        .collect())
}

/// Registers a group.
pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    kind: Kind,
    grid: Option<Uuid>,
    change: GroupChange,
) -> AppResult<Audited<wechat_group::Model>> {
    let place = place_for(conn, viewer, community, Capability::ManageRegistry, MANAGES).await?;
    if let Some(grid) = grid {
        let grid = crate::tenancy::visible_grid(conn, viewer, grid).await?;
        if grid.community_id != community {
            return Err(AppError::NotFound(msg!("grid not found")));
        }
    } else if kind == Kind::Grid {
        return Err(AppError::bad_input(
            "input.gridId",
            msg!("a grid's group names its grid"),
        ));
    }
    let count = wechat_group::Entity::find()
        .filter(wechat_group::Column::CommunityId.eq(community))
        .filter(wechat_group::Column::ArchivedAt.is_null())
        .all(conn)
        .await?
        .len();
    if count >= MAX_GROUPS {
        return Err(AppError::bad_input(
            "input.communityId",
            msg!(
                "a community registers at most {max} WeChat groups",
                max = MAX_GROUPS
            ),
        ));
    }
    let name = clean_name("input.name", change.name.as_deref().unwrap_or_default(), 60)?;
    check_name_free(conn, community, &name, None).await?;
    let group = wechat_group::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        name: Set(name),
        kind: Set(kind.stored().into()),
        grid_id: Set(grid),
        member_count: Set(check_member_count(change.member_count.flatten())?),
        created_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    };
    let group = group.insert(conn).await?;
    put_members(conn, &group, change.buildings, change.staff).await?;
    Ok(Audited::new(group.clone(), place, group.id))
}

/// Changes a group's name, member count, buildings or staff.
pub async fn update(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    change: GroupChange,
) -> AppResult<Audited<wechat_group::Model>> {
    let (group, place) = managed_group(conn, viewer, id).await?;
    let mut row: wechat_group::ActiveModel = group.clone().into();
    if let Some(name) = &change.name {
        let name = clean_name("input.name", name, 60)?;
        check_name_free(conn, group.community_id, &name, Some(group.id)).await?;
        row.name = Set(name);
    }
    if let Some(count) = change.member_count {
        row.member_count = Set(check_member_count(count)?);
    }
    let group = row.update(conn).await?;
    put_members(conn, &group, change.buildings, change.staff).await?;
    Ok(Audited::new(group.clone(), place, group.id))
}

/// Archives a group: it leaves the registry's list and `recordRequest`'s choices; requests
/// recorded from it keep it.
pub async fn archive(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<wechat_group::Model>> {
    let (group, place) = managed_group(conn, viewer, id).await?;
    let mut row: wechat_group::ActiveModel = group.into();
    row.archived_at = Set(Some(Utc::now()));
    let group = row.update(conn).await?;
    Ok(Audited::new(group.clone(), place, group.id))
}

/// Replaces a group's rota. Everyone on it must be one of the group's staff.
pub async fn set_rota(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    shifts: Vec<Shift>,
) -> AppResult<Audited<wechat_group::Model>> {
    let (group, place) = managed_group(conn, viewer, id).await?;
    if shifts.len() > MAX_SHIFTS {
        return Err(AppError::bad_input(
            "input.shifts",
            msg!("a rota has at most {max} shifts", max = MAX_SHIFTS),
        ));
    }
    let staff: HashSet<Uuid> = wechat_group_staff::Entity::find()
        .filter(wechat_group_staff::Column::GroupId.eq(group.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| s.user_id)
        .collect();
    for (at, shift) in shifts.iter().enumerate() {
        rota::check(shift, at)?;
        if !staff.contains(&shift.user_id) {
            return Err(AppError::bad_input(
                format!("input.shifts.{at}.userId"),
                msg!("only the group's staff go on its rota"),
            ));
        }
    }
    duty_shift::Entity::delete_many()
        .filter(duty_shift::Column::GroupId.eq(group.id))
        .exec(conn)
        .await?;
    let rows = shifts.into_iter().map(|s| duty_shift::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(group.community_id),
        group_id: Set(group.id),
        user_id: Set(s.user_id),
        weekday: Set(s.weekday),
        starts_minute: Set(s.starts_minute),
        ends_minute: Set(s.ends_minute),
    });
    insert_all::<duty_shift::Entity, _>(conn, rows).await?;
    Ok(Audited::new(group.clone(), place, group.id))
}

/// The group a WeChat message was posted in, as `recordRequest` names it.
pub enum GroupRef {
    Id(Uuid),
    Name(String),
}

/// The registered group of a recorded message (by ID, or by a registered name), with who
/// was on duty in it when the message was sent. An unregistered name picks nothing.
pub async fn pick(
    conn: &impl ConnectionTrait,
    community: Uuid,
    group: &GroupRef,
    sent_at: DateTime<Utc>,
) -> AppResult<Option<(wechat_group::Model, Option<Uuid>)>> {
    let find = wechat_group::Entity::find()
        .filter(wechat_group::Column::CommunityId.eq(community))
        .filter(wechat_group::Column::ArchivedAt.is_null());
    let found = match group {
        GroupRef::Id(id) => Some(
            find.filter(wechat_group::Column::Id.eq(*id))
                .one(conn)
                .await?
                .ok_or(AppError::bad_input(
                    "input.wechatMessage.groupId",
                    msg!("not a WeChat group of this community"),
                ))?,
        ),
        GroupRef::Name(name) => {
            find.filter(wechat_group::Column::Name.eq(name.trim()))
                .one(conn)
                .await?
        }
    };
    let Some(found) = found else {
        return Ok(None);
    };
    let shifts = duty_shift::Entity::find()
        .filter(duty_shift::Column::GroupId.eq(found.id))
        .order_by_asc(duty_shift::Column::StartsMinute)
        .all(conn)
        .await?;
    let on_duty = rota::on_duty(&shifts, sent_at);
    Ok(Some((found, on_duty)))
}

async fn check_name_free(
    conn: &impl ConnectionTrait,
    community: Uuid,
    name: &str,
    except: Option<Uuid>,
) -> AppResult<()> {
    let taken = wechat_group::Entity::find()
        .filter(wechat_group::Column::CommunityId.eq(community))
        .filter(wechat_group::Column::Name.eq(name))
        .one(conn)
        .await?
        .is_some_and(|g| Some(g.id) != except);
    if taken {
        return Err(AppError::Conflict(msg!(
            "the community already has a WeChat group of that name"
        )));
    }
    Ok(())
}

fn check_member_count(count: Option<i32>) -> AppResult<Option<i32>> {
    match count {
        Some(n) if !(0..=5_000).contains(&n) => Err(AppError::bad_input(
            "input.memberCount",
            msg!("a WeChat group has 0 to 5000 members"),
        )),
        other => Ok(other),
    }
}
