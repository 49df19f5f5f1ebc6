//! GraphQL types of micro-grids, written from the entities.

use std::collections::HashMap;

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject, dataloader::Loader};
use chrono::{DateTime, Utc};
use entity::{micro_grid, micro_grid_building, reach::TenantEntity};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    loaders::BuildingById,
    micro_grid_access::reads_households,
    micro_grid_households::{MicroGridHousehold, households_page, place},
};
use crate::{
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{DbLoader, loader, page_selects},
        pagination::{Page, PageArgs, keyset_page},
    },
    tenancy::manages_micro_grids,
};

/// 微网格: a few buildings or units inside a grid, with a leader of its own.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MicroGrid {
    pub id: ID,
    pub grid_id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub model: micro_grid::Model,
}

impl From<micro_grid::Model> for MicroGrid {
    fn from(m: micro_grid::Model) -> Self {
        Self {
            id: m.id.into(),
            grid_id: m.grid_id.into(),
            name: m.name.clone(),
            created_at: m.created_at,
            archived_at: m.archived_at,
            model: m,
        }
    }
}

/// A member of a micro-grid: a whole building, or one unit of it.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct MicroGridMember {
    pub building_id: ID,
    /// Empty: the whole building.
    pub unit: Option<i32>,
    #[graphql(skip)]
    pub building: Uuid,
}

#[ComplexObject]
impl MicroGridMember {
    /// The building's number as the community writes it (3号楼, 5栋).
    async fn building_number(&self, ctx: &Context<'_>) -> Result<String> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(BuildingById(self.building))
            .await?
            .map(|b| b.number)
            .ok_or_else(|| AppError::NotFound(msg!("building not found")).into())
    }
}

/// What the caller may do with a micro-grid.
#[derive(SimpleObject)]
pub struct MicroGridPermissions {
    pub can_edit: bool,
    pub can_archive: bool,
    /// Read its households (masked names and addresses).
    pub can_read_households: bool,
}

#[ComplexObject]
impl MicroGrid {
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<MicroGridMember>> {
        ctx.viewer()?;
        let rows = loader(ctx).load_one(MembersOf(self.model.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|m| MicroGridMember {
                building_id: m.building_id.into(),
                unit: m.unit,
                building: m.building_id,
            })
            .collect())
    }

    /// Its current households: for its leader, the grid's workers and leader, and the
    /// community's staff; FORBIDDEN for others who see the micro-grid.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn households(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<MicroGridHousehold>> {
        let args = PageArgs::new(first, after)?;
        Ok(households_page(ctx, &self.model, args).await?)
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<MicroGridPermissions> {
        let viewer = ctx.viewer()?;
        let place = place(ctx, self.model.community_id).await?;
        let manages = manages_micro_grids(viewer, self.model.grid_id, place);
        let open = self.model.archived_at.is_none();
        Ok(MicroGridPermissions {
            can_edit: manages && open,
            can_archive: manages && open,
            can_read_households: reads_households(viewer, &self.model, place),
        })
    }
}

/// The members of a micro-grid, batched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MembersOf(pub Uuid);

impl Loader<MembersOf> for DbLoader {
    type Value = Vec<micro_grid_building::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MembersOf],
    ) -> Result<HashMap<MembersOf, Self::Value>, Self::Error> {
        let rows = micro_grid_building::Entity::find()
            .filter(micro_grid_building::Column::MicroGridId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(micro_grid_building::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut grouped: HashMap<MembersOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for row in rows {
            grouped
                .entry(MembersOf(row.micro_grid_id))
                .or_default()
                .push(row);
        }
        Ok(grouped)
    }
}

/// A grid's micro-grids, a page at a time, with their members batched when selected.
/// The grid came from a visible lookup; its micro-grids are filtered by reach as well.
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
        let members = loader(ctx).load_many(ids).await?;
        if page_selects(ctx, &["members", "buildingNumber"]) {
            let buildings = members
                .values()
                .flatten()
                .map(|m| BuildingById(m.building_id));
            loader(ctx).load_many(buildings).await?;
        }
    }
    Ok(page)
}
