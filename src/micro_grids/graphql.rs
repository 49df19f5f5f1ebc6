//! GraphQL for micro-grids: `microGrid(id)`, `grid.microGrids` (built here, called from the
//! registry's grid type), their households, and the three mutations.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{micro_grid, reach::TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{reads_households, visible_micro_grid},
    households::{addresses, households_of, masked_members},
    service::{self, Change, Member},
    types::{MaskedResident, MembersOf, MicroGrid, MicroGridHousehold},
};
use crate::{
    audit::audited_write,
    auth::{Capability, viewer::Place},
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt,
        loader::{loader, page_selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
    },
    tenancy::place_of,
};

/// Where a community the caller sees sits.
pub(super) async fn place(ctx: &Context<'_>, community: Uuid) -> AppResult<Place> {
    place_of(ctx.services().db.reader(), ctx.viewer()?, community).await
}

/// A grid's micro-grids, a page at a time, with their members batched when selected.
/// The grid came from a visible lookup; its micro-grids are as visible as it is.
pub async fn micro_grids_of(
    ctx: &Context<'_>,
    grid: Uuid,
    community: Uuid,
    args: PageArgs,
    include_archived: bool,
) -> Result<Page<MicroGrid>> {
    let reach = ctx.viewer()?.reach(Capability::ReadOrg);
    let mut select = micro_grid::Entity::find_in_reach(&reach)
        .filter(micro_grid::Column::CommunityId.eq(community))
        .filter(micro_grid::Column::GridId.eq(grid));
    if !include_archived {
        select = select.filter(micro_grid::Column::ArchivedAt.is_null());
    }
    let db = ctx.services().db.reader();
    let page = keyset_page(db, select, micro_grid::Column::Id, args, MicroGrid::from).await?;
    if page_selects(ctx, &["members"]) {
        let ids = page.edges.iter().map(|e| MembersOf(e.node.model.id));
        loader(ctx).load_many(ids).await?;
    }
    Ok(page)
}

/// A page of a micro-grid's households: address and masked names (one statement each for
/// the page, the addresses and the members, whatever the page size).
pub async fn households_page(
    ctx: &Context<'_>,
    micro: &micro_grid::Model,
    args: PageArgs,
) -> AppResult<Page<MicroGridHousehold>> {
    let viewer = ctx.viewer()?;
    let place = place(ctx, micro.community_id).await?;
    if !reads_households(viewer, micro, place) {
        return Err(AppError::Forbidden(msg!(
            "only the micro-grid's leader, its grid's workers and the community's staff see its households"
        )));
    }
    let db = ctx.services().db.reader();
    let mut page = keyset_page(
        db,
        households_of(micro),
        entity::household::Column::Id,
        args,
        MicroGridHousehold::from,
    )
    .await?;
    let address = addresses(db, page.edges.iter().map(|e| e.node.dwelling_id)).await?;
    let mut members = if page_selects(ctx, &["members"]) {
        let ids: Vec<Uuid> = page.edges.iter().map(|e| e.node.household_id).collect();
        masked_members(db, &ids).await?
    } else {
        Default::default()
    };
    for edge in &mut page.edges {
        let node = &mut edge.node;
        node.address = address.get(&node.dwelling_id).cloned().unwrap_or_default();
        let shown = members.remove(&node.household_id).unwrap_or_default();
        for m in &shown {
            ctx.meta()
                .returned_personal_data(m.community_id, m.resident_id);
        }
        node.members = shown
            .into_iter()
            .map(|m| MaskedResident {
                masked_name: m.masked_name,
            })
            .collect();
    }
    Ok(page)
}

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
