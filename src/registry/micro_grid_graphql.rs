//! GraphQL for micro-grids: `microGrid(id)` and the three mutations (`grid.microGrids`
//! and the households are in `micro_grid_types`).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use serde_json::json;

use super::{
    micro_grid_access::visible_micro_grid,
    micro_grid_types::MicroGrid,
    micro_grids::{self as service, Change, Member},
};
use crate::{
    audit::audited_write,
    error::AppResult,
    graphql::{ContextExt, parse_id},
};

#[derive(InputObject)]
pub struct MicroGridMemberInput {
    pub building_id: ID,
    /// Empty: the whole building.
    pub unit: Option<i32>,
}

#[derive(InputObject)]
pub struct CreateMicroGridInput {
    pub grid_id: ID,
    pub name: String,
    /// Buildings (or units of them) the grid covers.
    pub members: Vec<MicroGridMemberInput>,
}

#[derive(InputObject)]
pub struct UpdateMicroGridInput {
    pub id: ID,
    pub name: Option<String>,
    /// Replaces the members when given.
    pub members: Option<Vec<MicroGridMemberInput>>,
}

#[derive(InputObject)]
pub struct MicroGridIdInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct MicroGridPayload {
    pub micro_grid: MicroGrid,
}

fn members(input: &[MicroGridMemberInput]) -> AppResult<Vec<Member>> {
    input
        .iter()
        .map(|m| {
            Ok(Member {
                building_id: parse_id("input.members", &m.building_id)?,
                unit: m.unit,
            })
        })
        .collect()
}

fn audit_members(input: &[MicroGridMemberInput]) -> serde_json::Value {
    input
        .iter()
        .map(|m| json!({ "buildingId": m.building_id.as_str(), "unit": m.unit }))
        .collect()
}

#[derive(Default)]
pub struct MicroGridQuery;

#[Object]
impl MicroGridQuery {
    /// A micro-grid of a community the caller sees.
    async fn micro_grid(&self, ctx: &Context<'_>, id: ID) -> Result<MicroGrid> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let (micro, _) = visible_micro_grid(ctx.services().db.reader(), viewer, id).await?;
        Ok(micro.into())
    }
}

#[derive(Default)]
pub struct MicroGridMutation;

#[Object]
impl MicroGridMutation {
    /// The community's admins and staff, and the grid's leader.
    async fn create_micro_grid(
        &self,
        ctx: &Context<'_>,
        input: CreateMicroGridInput,
    ) -> Result<MicroGridPayload> {
        let audit = json!({ "gridId": input.grid_id.as_str(), "name": input.name, "members": audit_members(&input.members) });
        let grid = parse_id("input.gridId", &input.grid_id);
        let members = members(&input.members);
        let name = input.name;
        let micro = audited_write(ctx, "createMicroGrid", audit, move |txn, viewer| {
            Box::pin(async move { service::create(txn, viewer, grid?, &name, members?).await })
        })
        .await?;
        Ok(MicroGridPayload {
            micro_grid: micro.into(),
        })
    }

    /// Renames it or replaces its members.
    async fn update_micro_grid(
        &self,
        ctx: &Context<'_>,
        input: UpdateMicroGridInput,
    ) -> Result<MicroGridPayload> {
        let audit = json!({ "id": input.id.as_str(), "name": input.name, "members": input.members.as_deref().map(audit_members) });
        let id = parse_id("input.id", &input.id);
        let members = input.members.as_deref().map(members).transpose();
        let name = input.name;
        let micro = audited_write(ctx, "updateMicroGrid", audit, move |txn, viewer| {
            Box::pin(async move {
                let change = Change {
                    name,
                    members: members?,
                };
                service::update(txn, viewer, id?, change).await
            })
        })
        .await?;
        Ok(MicroGridPayload {
            micro_grid: micro.into(),
        })
    }

    async fn archive_micro_grid(
        &self,
        ctx: &Context<'_>,
        input: MicroGridIdInput,
    ) -> Result<MicroGridPayload> {
        let audit = json!({ "id": input.id.as_str() });
        let id = parse_id("input.id", &input.id);
        let micro = audited_write(ctx, "archiveMicroGrid", audit, move |txn, viewer| {
            Box::pin(async move { service::archive(txn, viewer, id?).await })
        })
        .await?;
        Ok(MicroGridPayload {
            micro_grid: micro.into(),
        })
    }
}
