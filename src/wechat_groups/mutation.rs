//! Managing the WeChat group registry and its duty rotas.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use serde_json::json;

use super::{
    graphql::{WechatGroup, group_of},
    rota::{Shift, parse_time},
    service::{self, GroupChange, Kind},
};
use crate::{
    audit::audited_write,
    graphql::{StoredEnum, parse_id},
};

#[derive(InputObject)]
pub struct CreateWechatGroupInput {
    pub community_id: ID,
    pub name: String,
    pub kind: Kind,
    /// For a `GRID` group: its grid.
    pub grid_id: Option<ID>,
    pub member_count: Option<i32>,
    #[graphql(default)]
    pub building_ids: Vec<ID>,
    /// People who work in the community and are in the group.
    #[graphql(default)]
    pub staff_user_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct UpdateWechatGroupInput {
    pub group_id: ID,
    pub name: Option<String>,
    pub member_count: Option<i32>,
    /// Replaces the buildings, when given.
    pub building_ids: Option<Vec<ID>>,
    /// Replaces the staff, when given; someone taken out also leaves the rota.
    pub staff_user_ids: Option<Vec<ID>>,
}

#[derive(InputObject)]
pub struct ArchiveWechatGroupInput {
    pub group_id: ID,
}

#[derive(InputObject)]
pub struct DutyShiftInput {
    /// One of the group's staff.
    pub user_id: ID,
    /// ISO weekday: 1 is Monday, 7 Sunday.
    pub weekday: i32,
    /// `HH:MM`, China time.
    pub starts_at: String,
    /// `HH:MM`, after `startsAt`; `24:00` for midnight.
    pub ends_at: String,
}

#[derive(InputObject)]
pub struct SetDutyRotaInput {
    pub group_id: ID,
    /// The whole rota: it replaces the one before.
    pub shifts: Vec<DutyShiftInput>,
}

#[derive(SimpleObject)]
pub struct WechatGroupPayload {
    pub group: WechatGroup,
}

fn ids(field: &str, ids: &[ID]) -> Result<Vec<uuid::Uuid>> {
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| parse_id(&format!("{field}.{i}"), id))
        .collect::<Result<_, _>>()?)
}

async fn payload(
    ctx: &Context<'_>,
    group: entity::wechat_group::Model,
) -> Result<WechatGroupPayload> {
    Ok(WechatGroupPayload {
        group: group_of(ctx, group).await?,
    })
}

#[derive(Default)]
pub struct WechatGroupMutation;

#[Object]
impl WechatGroupMutation {
    /// Registers one of the community's WeChat groups: community admins and staff.
    async fn create_wechat_group(
        &self,
        ctx: &Context<'_>,
        input: CreateWechatGroupInput,
    ) -> Result<WechatGroupPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "name": input.name, "kind": input.kind.stored() });
        let community = parse_id("input.communityId", &input.community_id)?;
        let grid = input
            .grid_id
            .as_ref()
            .map(|g| parse_id("input.gridId", g))
            .transpose()?;
        let change = GroupChange {
            name: Some(input.name),
            member_count: Some(input.member_count),
            buildings: Some(ids("input.buildingIds", &input.building_ids)?),
            staff: Some(ids("input.staffUserIds", &input.staff_user_ids)?),
        };
        let kind = input.kind;
        let group = audited_write(ctx, "createWechatGroup", audit, move |txn, viewer| {
            Box::pin(
                async move { service::create(txn, viewer, community, kind, grid, change).await },
            )
        })
        .await?;
        payload(ctx, group).await
    }

    async fn update_wechat_group(
        &self,
        ctx: &Context<'_>,
        input: UpdateWechatGroupInput,
    ) -> Result<WechatGroupPayload> {
        let audit = json!({ "groupId": input.group_id.as_str(), "name": input.name });
        let id = parse_id("input.groupId", &input.group_id)?;
        let change = GroupChange {
            name: input.name,
            member_count: input.member_count.map(Some),
            buildings: input
                .building_ids
                .as_deref()
                .map(|b| ids("input.buildingIds", b))
                .transpose()?,
            staff: input
                .staff_user_ids
                .as_deref()
                .map(|s| ids("input.staffUserIds", s))
                .transpose()?,
        };
        let group = audited_write(ctx, "updateWechatGroup", audit, move |txn, viewer| {
            Box::pin(async move { service::update(txn, viewer, id, change).await })
        })
        .await?;
        payload(ctx, group).await
    }

    async fn archive_wechat_group(
        &self,
        ctx: &Context<'_>,
        input: ArchiveWechatGroupInput,
    ) -> Result<WechatGroupPayload> {
        let audit = json!({ "groupId": input.group_id.as_str() });
        let id = parse_id("input.groupId", &input.group_id)?;
        let group = audited_write(ctx, "archiveWechatGroup", audit, move |txn, viewer| {
            Box::pin(async move { service::archive(txn, viewer, id).await })
        })
        .await?;
        payload(ctx, group).await
    }

    /// Replaces a group's duty rota (专人值守): who answers the group when.
    async fn set_duty_rota(
        &self,
        ctx: &Context<'_>,
        input: SetDutyRotaInput,
    ) -> Result<WechatGroupPayload> {
        let audit = json!({ "groupId": input.group_id.as_str(), "shifts": input.shifts.len() });
        let id = parse_id("input.groupId", &input.group_id)?;
        let shifts = input
            .shifts
            .iter()
            .enumerate()
            .map(|(i, s)| {
                Ok(Shift {
                    user_id: parse_id(&format!("input.shifts.{i}.userId"), &s.user_id)?,
                    weekday: s.weekday,
                    starts_minute: parse_time(&format!("input.shifts.{i}.startsAt"), &s.starts_at)?,
                    ends_minute: parse_time(&format!("input.shifts.{i}.endsAt"), &s.ends_at)?,
                })
            })
            .collect::<crate::error::AppResult<Vec<_>>>()?;
        let group = audited_write(ctx, "setDutyRota", audit, move |txn, viewer| {
            Box::pin(async move { service::set_rota(txn, viewer, id, shifts).await })
        })
        .await?;
        payload(ctx, group).await
    }
}
