//! GraphQL for the WeChat group registry: groups with their buildings, staff and rota, and
//! who is on duty now.

use async_graphql::{ComplexObject, Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{duty_shift, wechat_group};
use uuid::Uuid;

use super::{
    rota::{format_time, on_duty},
    service::{self, GroupDetail, Kind},
};
use crate::{
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, selects},
        parse_id,
    },
    identity::loaders::StaffName,
    registry::{loaders::BuildingById, types::Building},
};

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct WechatGroup {
    pub id: ID,
    pub name: String,
    pub kind: Kind,
    /// For a grid's group.
    pub grid_id: Option<ID>,
    /// How many people are in the group, as staff last counted.
    pub member_count: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    /// Who answers when, by weekday and start time.
    pub rota: Vec<DutyShift>,
    #[graphql(skip)]
    pub community_id: Uuid,
    #[graphql(skip)]
    pub building_ids: Vec<Uuid>,
    #[graphql(skip)]
    pub staff_ids: Vec<Uuid>,
    #[graphql(skip)]
    pub shifts: Vec<duty_shift::Model>,
}

/// One shift of a rota, in China time.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct DutyShift {
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: i32,
    /// `HH:MM`.
    pub starts_at: String,
    /// `HH:MM`, exclusive; `24:00` is midnight at the end of the day.
    pub ends_at: String,
    #[graphql(skip)]
    pub user_id: Uuid,
}

/// Someone who works in the community, with the work phone they publish.
#[derive(SimpleObject)]
pub struct GroupStaff {
    pub user_id: ID,
    pub name: String,
    pub work_phone: Option<String>,
}

#[derive(SimpleObject)]
pub struct WechatGroupPermissions {
    pub can_manage: bool,
}

async fn staff(ctx: &Context<'_>, id: Uuid) -> Result<GroupStaff> {
    let (name, work_phone) = loader(ctx)
        .load_one(StaffName(id))
        .await?
        .unwrap_or_default();
    Ok(GroupStaff {
        user_id: id.into(),
        name,
        work_phone,
    })
}

#[ComplexObject]
impl DutyShift {
    async fn staff(&self, ctx: &Context<'_>) -> Result<GroupStaff> {
        staff(ctx, self.user_id).await
    }
}

#[ComplexObject]
impl WechatGroup {
    /// The buildings whose residents the group serves.
    async fn buildings(&self, ctx: &Context<'_>) -> Result<Vec<Building>> {
        let found = loader(ctx)
            .load_many(self.building_ids.iter().copied().map(BuildingById))
            .await?;
        let mut buildings: Vec<Building> = found.into_values().map(Building::from).collect();
        buildings.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(buildings)
    }

    /// The community's people in the group.
    async fn staff(&self, ctx: &Context<'_>) -> Result<Vec<GroupStaff>> {
        let mut all = Vec::with_capacity(self.staff_ids.len());
        for id in &self.staff_ids {
            all.push(staff(ctx, *id).await?);
        }
        Ok(all)
    }

    /// Who is on duty in the group now, if anyone.
    async fn on_duty_now(&self, ctx: &Context<'_>) -> Result<Option<GroupStaff>> {
        match on_duty(&self.shifts, Utc::now()) {
            Some(id) => Ok(Some(staff(ctx, id).await?)),
            None => Ok(None),
        }
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<WechatGroupPermissions> {
        let can_manage = ctx
            .viewer()?
            .reach(Capability::ManageRegistry)
            .covers(None, Some(self.community_id));
        Ok(WechatGroupPermissions {
            can_manage: can_manage && self.archived_at.is_none(),
        })
    }
}

impl From<GroupDetail> for WechatGroup {
    fn from(d: GroupDetail) -> Self {
        let g: wechat_group::Model = d.group;
        Self {
            id: g.id.into(),
            name: g.name,
            kind: Kind::from_stored(&g.kind).unwrap_or(Kind::Residents),
            grid_id: g.grid_id.map(ID::from),
            member_count: g.member_count,
            created_at: g.created_at,
            archived_at: g.archived_at,
            rota: d
                .shifts
                .iter()
                .map(|s| DutyShift {
                    weekday: s.weekday,
                    starts_at: format_time(s.starts_minute),
                    ends_at: format_time(s.ends_minute),
                    user_id: s.user_id,
                })
                .collect(),
            community_id: g.community_id,
            building_ids: d.buildings,
            staff_ids: d.staff,
            shifts: d.shifts,
        }
    }
}

/// Loads the names and buildings a list of groups will ask for, in one batch each.
async fn prime(ctx: &Context<'_>, groups: &[WechatGroup]) -> Result<()> {
    if selects(ctx, &["buildings"]) {
        loader(ctx)
            .load_many(
                groups
                    .iter()
                    .flat_map(|g| g.building_ids.iter().copied().map(BuildingById)),
            )
            .await?;
    }
    if selects(ctx, &["staff"]) || selects(ctx, &["rota"]) || selects(ctx, &["onDutyNow"]) {
        loader(ctx)
            .load_many(
                groups
                    .iter()
                    .flat_map(|g| g.staff_ids.iter().copied().map(StaffName)),
            )
            .await?;
    }
    Ok(())
}

/// A group detail as the API shows it, for a row a `visible_group` lookup returned.
pub async fn group_of(ctx: &Context<'_>, group: wechat_group::Model) -> Result<WechatGroup> {
    let db = ctx.services().db.reader();
    let community = group.community_id;
    let detail = service::details(db, community, vec![group])
        .await?
        .pop()
        .ok_or(AppError::NotFound(msg!("WeChat group not found")))?;
    Ok(detail.into())
}

#[derive(Default)]
pub struct WechatGroupQuery;

#[Object]
impl WechatGroupQuery {
    /// The community's WeChat groups, by name: for the people who work in the community.
    async fn wechat_groups(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        #[graphql(default)] include_archived: bool,
    ) -> Result<Vec<WechatGroup>> {
        let viewer = ctx.viewer()?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let groups: Vec<WechatGroup> = service::groups(db, viewer, community, include_archived)
            .await?
            .into_iter()
            .map(WechatGroup::from)
            .collect();
        prime(ctx, &groups).await?;
        Ok(groups)
    }

    async fn wechat_group(&self, ctx: &Context<'_>, id: ID) -> Result<WechatGroup> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let group = service::visible_group(ctx.services().db.reader(), viewer, id).await?;
        group_of(ctx, group).await
    }
}
