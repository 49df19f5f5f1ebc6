//! GraphQL for grids; the rules live in `grids`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{grid, reach::TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    grids,
    loaders::{BuildingsInGrid, WorkersOfGrid, prime_buildings},
    types::{Building, Grid},
};
use crate::{
    audit::audited_write,
    auth::Capability,
    graphql::{
        ContextExt,
        loader::{loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
    },
    tenancy::visible_grid,
};

#[derive(InputObject)]
pub struct CreateGridInput {
    pub community_id: ID,
    pub name: String,
}

#[derive(InputObject)]
pub struct RenameGridInput {
    pub id: ID,
    pub name: String,
}

#[derive(InputObject)]
pub struct AssignBuildingsToGridInput {
    pub grid_id: ID,
    /// Buildings of the grid's community; each leaves the grid it was in.
    pub building_ids: Vec<ID>,
}

#[derive(InputObject)]
pub struct GridIdInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct ReleaseBuildingInput {
    pub building_id: ID,
}

#[derive(SimpleObject)]
pub struct GridPayload {
    pub grid: Grid,
}

#[derive(SimpleObject)]
pub struct ReleaseBuildingPayload {
    pub building: Building,
}

#[derive(Default)]
pub struct GridQuery;

#[Object]
impl GridQuery {
    /// Grids of the communities the caller can see, optionally of one community.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn grids(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        community_id: Option<ID>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Page<Grid>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let args = PageArgs::new(first, after)?;
        let mut select = grid::Entity::find_in_reach(&reach);
        if let Some(id) = community_id {
            select = select.filter(grid::Column::CommunityId.eq(parse_id("communityId", &id)?));
        }
        if !include_archived {
            select = select.filter(grid::Column::ArchivedAt.is_null());
        }
        let db = ctx.services().db.reader();
        let page = keyset_page(db, select, grid::Column::Id, args, Grid::from).await?;
        let ids: Vec<Uuid> = page.edges.iter().map(|e| e.node.grid_id).collect();
        if selects(ctx, &["edges", "node", "buildings"]) {
            let buildings = loader(ctx)
                .load_many(ids.iter().copied().map(BuildingsInGrid))
                .await?;
            let path = ["edges", "node", "buildings"];
            prime_buildings(ctx, &path, buildings.values().flatten()).await?;
        }
        if selects(ctx, &["edges", "node", "workers"]) {
            loader(ctx)
                .load_many(ids.into_iter().map(WorkersOfGrid))
                .await?;
        }
        Ok(page)
    }

    pub async fn grid(&self, ctx: &Context<'_>, id: ID) -> Result<Grid> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(visible_grid(ctx.services().db.reader(), viewer, id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct GridMutation;

#[Object]
impl GridMutation {
    /// Community admins.
    async fn create_grid(&self, ctx: &Context<'_>, input: CreateGridInput) -> Result<GridPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "name": input.name });
        let community = parse_id("input.communityId", &input.community_id);
        let name = input.name;
        let grid = audited_write(ctx, "createGrid", audit, move |txn, viewer| {
            Box::pin(async move { grids::create_grid(txn, viewer, community?, &name).await })
        })
        .await?;
        Ok(GridPayload { grid: grid.into() })
    }

    async fn rename_grid(&self, ctx: &Context<'_>, input: RenameGridInput) -> Result<GridPayload> {
        let audit = json!({ "id": input.id.as_str(), "name": input.name });
        let id = parse_id("input.id", &input.id);
        let name = input.name;
        let grid = audited_write(ctx, "renameGrid", audit, move |txn, viewer| {
            Box::pin(async move { grids::rename_grid(txn, viewer, id?, &name).await })
        })
        .await?;
        Ok(GridPayload { grid: grid.into() })
    }

    /// Archives the grid; its buildings are free for other grids.
    async fn archive_grid(&self, ctx: &Context<'_>, input: GridIdInput) -> Result<GridPayload> {
        let id = parse_id("input.id", &input.id);
        let audit = json!({ "id": input.id.as_str() });
        let grid = audited_write(ctx, "archiveGrid", audit, move |txn, viewer| {
            Box::pin(async move { grids::archive_grid(txn, viewer, id?).await })
        })
        .await?;
        Ok(GridPayload { grid: grid.into() })
    }

    async fn assign_buildings_to_grid(
        &self,
        ctx: &Context<'_>,
        input: AssignBuildingsToGridInput,
    ) -> Result<GridPayload> {
        let ids: Vec<&str> = input.building_ids.iter().map(|id| id.as_str()).collect();
        let audit = json!({ "gridId": input.grid_id.as_str(), "buildingIds": ids });
        let grid_id = parse_id("input.gridId", &input.grid_id);
        let buildings: Result<Vec<Uuid>, _> = input
            .building_ids
            .iter()
            .map(|id| parse_id("input.buildingIds", id))
            .collect();
        let grid = audited_write(ctx, "assignBuildingsToGrid", audit, move |txn, viewer| {
            Box::pin(
                async move { grids::assign_buildings(txn, viewer, grid_id?, buildings?).await },
            )
        })
        .await?;
        Ok(GridPayload { grid: grid.into() })
    }

    async fn release_building_from_grid(
        &self,
        ctx: &Context<'_>,
        input: ReleaseBuildingInput,
    ) -> Result<ReleaseBuildingPayload> {
        let audit = json!({ "buildingId": input.building_id.as_str() });
        let id = parse_id("input.buildingId", &input.building_id);
        let building = audited_write(ctx, "releaseBuildingFromGrid", audit, move |txn, viewer| {
            Box::pin(async move { grids::release_building(txn, viewer, id?).await })
        })
        .await?;
        Ok(ReleaseBuildingPayload {
            building: building.into(),
        })
    }
}
