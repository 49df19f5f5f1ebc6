//! GraphQL types of micro-grids, written from the entities.

use std::collections::HashMap;

use async_graphql::{
    ComplexObject, Context, ID, Result, SimpleObject, dataloader::Loader,
};
use chrono::{DateTime, Utc};
use entity::{household, micro_grid, micro_grid_building};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::access::may_manage;
use crate::{
    auth::viewer::Place,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{DbLoader, loader},
        pagination::{Page, PageArgs},
    },
    registry::{loaders::BuildingById, types::Building},
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
    /// Empty: the whole building.
    pub unit: Option<i32>,
    #[graphql(skip)]
    pub building_id: Uuid,
}

#[ComplexObject]
impl MicroGridMember {
    async fn building(&self, ctx: &Context<'_>) -> Result<Building> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(BuildingById(self.building_id))
            .await?
            .map(Building::from)
            .ok_or_else(|| AppError::NotFound(msg!("building not found")).into())
    }
}

/// A household of a micro-grid as its leader sees it: where it lives and who, masked.
#[derive(SimpleObject)]
pub struct MicroGridHousehold {
    pub id: ID,
    /// 23号楼1单元101.
    pub address: String,
    pub members: Vec<MaskedResident>,
    #[graphql(skip)]
    pub household_id: Uuid,
    #[graphql(skip)]
    pub dwelling_id: Uuid,
}

impl From<household::Model> for MicroGridHousehold {
    /// Address and members are filled in for the whole page at once.
    fn from(h: household::Model) -> Self {
        Self {
            id: h.id.into(),
            address: String::new(),
            members: Vec::new(),
            household_id: h.id,
            dwelling_id: h.dwelling_id,
        }
    }
}

/// A resident seen by a micro-grid leader: the masked name only.
#[derive(SimpleObject)]
pub struct MaskedResident {
    /// 王** (the surname only).
    pub masked_name: String,
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
                unit: m.unit,
                building_id: m.building_id,
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
        Ok(super::graphql::households_page(ctx, &self.model, args).await?)
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<MicroGridPermissions> {
        let viewer = ctx.viewer()?;
        let place = super::graphql::place(ctx, self.model.community_id).await?;
        let manages = may_manage(viewer, self.model.grid_id, place);
        let open = self.model.archived_at.is_none();
        Ok(MicroGridPermissions {
            can_edit: manages && open,
            can_archive: manages && open,
            can_read_households: super::access::reads_households(viewer, &self.model, place),
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
            grouped.entry(MembersOf(row.micro_grid_id)).or_default().push(row);
        }
        Ok(grouped)
    }
}

