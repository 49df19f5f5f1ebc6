//! GraphQL types of the registry.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{building, compound, grid};
use uuid::Uuid;

use super::{
    id_document::DocumentType,
    loaders::{BuildingsInGrid, BuildingsOf, CompoundById, GridOfBuilding, WorkersOfGrid},
    micro_grid_types::{MicroGrid, micro_grids_of},
};
use crate::{
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::loader,
        pagination::{Page, PageArgs},
    },
    org::{graphql::Community, loaders::CommunityById},
};

/// What the caller may do with a registry object.
#[derive(SimpleObject)]
pub struct RegistryPermissions {
    pub can_edit: bool,
    pub can_archive: bool,
}

pub fn registry_permissions(
    ctx: &Context<'_>,
    community: Uuid,
    archived: bool,
) -> Result<RegistryPermissions> {
    let keeps = ctx
        .viewer()?
        .reach(Capability::ManageRegistry)
        .covers(None, Some(community));
    Ok(RegistryPermissions {
        can_edit: keeps && !archived,
        can_archive: keeps && !archived,
    })
}

/// 小区: a residential compound.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Compound {
    pub id: ID,
    pub name: String,
    pub address: String,
    /// Compounds without one (无物业小区) run themselves through a committee.
    pub has_property_company: bool,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub compound_id: Uuid,
    #[graphql(skip)]
    pub community_id: Uuid,
}

impl From<compound::Model> for Compound {
    fn from(m: compound::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            address: m.address,
            has_property_company: m.has_property_company,
            created_at: m.created_at,
            archived_at: m.archived_at,
            compound_id: m.id,
            community_id: m.community_id,
        }
    }
}

#[ComplexObject]
impl Compound {
    async fn community(&self, ctx: &Context<'_>) -> Result<Community> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(CommunityById(self.community_id))
            .await?
            .map(Community::from)
            .ok_or_else(|| AppError::NotFound(msg!("community not found")).into())
    }

    /// Buildings by creation order; archived ones only when asked for.
    async fn buildings(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Vec<Building>> {
        ctx.viewer()?;
        let all = loader(ctx)
            .load_one(BuildingsOf(self.compound_id))
            .await?
            .unwrap_or_default();
        Ok(all
            .into_iter()
            .filter(|b| include_archived || b.archived_at.is_none())
            .map(Building::from)
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RegistryPermissions> {
        registry_permissions(ctx, self.community_id, self.archived_at.is_some())
    }
}

/// 楼栋: a building of a compound.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Building {
    pub id: ID,
    /// As residents say it: "23", "3号楼", "A座".
    pub number: String,
    pub units: i32,
    pub floors: i32,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub building_id: Uuid,
    #[graphql(skip)]
    pub compound_id: Uuid,
    #[graphql(skip)]
    pub community_id: Uuid,
}

impl From<building::Model> for Building {
    fn from(m: building::Model) -> Self {
        Self {
            id: m.id.into(),
            number: m.number,
            units: m.units,
            floors: m.floors,
            created_at: m.created_at,
            archived_at: m.archived_at,
            building_id: m.id,
            compound_id: m.compound_id,
            community_id: m.community_id,
        }
    }
}

#[ComplexObject]
impl Building {
    /// The grid the building belongs to now, if any.
    async fn grid(&self, ctx: &Context<'_>) -> Result<Option<Grid>> {
        ctx.viewer()?;
        let grid = loader(ctx)
            .load_one(GridOfBuilding(self.building_id))
            .await?;
        Ok(grid.flatten().map(Grid::from))
    }

    async fn compound(&self, ctx: &Context<'_>) -> Result<Compound> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(CompoundById(self.compound_id))
            .await?
            .map(Compound::from)
            .ok_or_else(|| AppError::NotFound(msg!("compound not found")).into())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RegistryPermissions> {
        registry_permissions(ctx, self.community_id, self.archived_at.is_some())
    }
}

/// 网格: a set of buildings covered by grid workers.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Grid {
    pub id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub grid_id: Uuid,
    #[graphql(skip)]
    pub community_id: Uuid,
}

impl From<grid::Model> for Grid {
    fn from(m: grid::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            created_at: m.created_at,
            archived_at: m.archived_at,
            grid_id: m.id,
            community_id: m.community_id,
        }
    }
}

/// A grid worker (网格员) of a grid: the name residents know them by.
#[derive(SimpleObject)]
pub struct GridWorker {
    pub user_id: ID,
    pub display_name: String,
}

#[ComplexObject]
impl Grid {
    /// The buildings the grid covers now.
    async fn buildings(&self, ctx: &Context<'_>) -> Result<Vec<Building>> {
        ctx.viewer()?;
        let rows = loader(ctx).load_one(BuildingsInGrid(self.grid_id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(Building::from)
            .collect())
    }

    /// The people holding a grid_worker role on this grid now.
    async fn workers(&self, ctx: &Context<'_>) -> Result<Vec<GridWorker>> {
        ctx.viewer()?;
        let rows = loader(ctx).load_one(WorkersOfGrid(self.grid_id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(|(id, display_name)| GridWorker {
                user_id: id.into(),
                display_name,
            })
            .collect())
    }

    /// Its micro-grids (微网格), a page at a time.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn micro_grids(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Page<MicroGrid>> {
        let args = PageArgs::new(first, after)?;
        micro_grids_of(ctx, self.grid_id, self.community_id, args, include_archived).await
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RegistryPermissions> {
        let keeps = ctx
            .viewer()?
            .reach(Capability::ManageGrids)
            .covers(None, Some(self.community_id));
        let open = self.archived_at.is_none();
        Ok(RegistryPermissions {
            can_edit: keeps && open,
            can_archive: keeps && open,
        })
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "DocumentType")]
pub enum DocumentTypeName {
    MainlandIdCard,
    OldMainlandIdCard,
    HkMacauTaiwanPermit,
    Passport,
    None,
}

impl From<DocumentType> for DocumentTypeName {
    fn from(doc_type: DocumentType) -> Self {
        match doc_type {
            DocumentType::MainlandIdCard => Self::MainlandIdCard,
            DocumentType::OldMainlandIdCard => Self::OldMainlandIdCard,
            DocumentType::HkMacauTaiwanResidencePermit => Self::HkMacauTaiwanPermit,
            DocumentType::Passport => Self::Passport,
            DocumentType::None => Self::None,
        }
    }
}

impl StoredEnum for DocumentTypeName {
    fn stored(self) -> &'static str {
        match self {
            Self::MainlandIdCard => "mainland_id_card",
            Self::OldMainlandIdCard => "old_mainland_id_card",
            Self::HkMacauTaiwanPermit => "hk_macau_taiwan_permit",
            Self::Passport => "passport",
            Self::None => "none",
        }
    }
}

impl From<DocumentTypeName> for DocumentType {
    fn from(name: DocumentTypeName) -> Self {
        match name {
            DocumentTypeName::MainlandIdCard => DocumentType::MainlandIdCard,
            DocumentTypeName::OldMainlandIdCard => DocumentType::OldMainlandIdCard,
            DocumentTypeName::HkMacauTaiwanPermit => DocumentType::HkMacauTaiwanResidencePermit,
            DocumentTypeName::Passport => DocumentType::Passport,
            DocumentTypeName::None => DocumentType::None,
        }
    }
}
