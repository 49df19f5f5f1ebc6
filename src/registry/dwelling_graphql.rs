//! GraphQL for dwellings; the rules live in `dwellings`.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{building, dwelling, grid_building, reach::TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter, sea_query::Query};
use serde_json::json;
use uuid::Uuid;

use super::{
    dwellings::{self, DwellingFields},
    loaders::{BuildingById, prime_buildings},
    owner_graphql::{DwellingOwner, owners_of},
    types::{Building, RegistryPermissions, registry_permissions},
};
use crate::{
    audit::audited_write,
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
        scalars::Area,
    },
    tenancy::visible_dwelling,
};

/// 房屋: a dwelling (专有部分) of a building.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Dwelling {
    pub id: ID,
    /// The unit (单元), from 1.
    pub unit: i32,
    pub room: String,
    /// Registered floor area; empty until known.
    pub floor_area: Option<Area>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub building_id: Uuid,
    #[graphql(skip)]
    pub community_id: Uuid,
}

impl From<dwelling::Model> for Dwelling {
    fn from(m: dwelling::Model) -> Self {
        Self {
            id: m.id.into(),
            unit: m.unit,
            room: m.room,
            floor_area: m.floor_area_hundredths.map(Area),
            created_at: m.created_at,
            archived_at: m.archived_at,
            building_id: m.building_id,
            community_id: m.community_id,
        }
    }
}

#[ComplexObject]
impl Dwelling {
    async fn building(&self, ctx: &Context<'_>) -> Result<Building> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(BuildingById(self.building_id))
            .await?
            .map(Building::from)
            .ok_or_else(|| AppError::NotFound(msg!("building not found")).into())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<RegistryPermissions> {
        registry_permissions(ctx, self.community_id, self.archived_at.is_some())
    }

    /// Current owners (业主); for the community's admins and staff.
    async fn owners(&self, ctx: &Context<'_>) -> Result<Vec<DwellingOwner>> {
        let id = crate::graphql::parse_id("id", &self.id)?;
        ctx.viewer()?;
        // The caller saw the dwelling, so may see its community; batched per request.
        let community = loader(ctx)
            .load_one(crate::org::loaders::CommunityById(self.community_id))
            .await?
            .ok_or(AppError::NotFound(msg!("community not found")))?;
        owners_of(ctx, id, community.street_office_id, community.id).await
    }
}

#[derive(InputObject)]
pub struct CreateDwellingInput {
    pub building_id: ID,
    pub unit: i32,
    pub room: String,
    pub floor_area: Option<Area>,
}

#[derive(InputObject)]
pub struct UpdateDwellingInput {
    pub id: ID,
    pub unit: Option<i32>,
    pub room: Option<String>,
    /// Give `null` explicitly to clear a wrongly recorded area.
    pub floor_area: async_graphql::MaybeUndefined<Area>,
}

#[derive(InputObject)]
pub struct ArchiveDwellingInput {
    pub id: ID,
}

#[derive(InputObject, Default)]
pub struct DwellingFilter {
    pub compound_id: Option<ID>,
    pub building_id: Option<ID>,
    /// Dwellings in the buildings this grid covers now.
    pub grid_id: Option<ID>,
    #[graphql(default = false)]
    pub include_archived: bool,
}

#[derive(SimpleObject)]
pub struct DwellingPayload {
    pub dwelling: Dwelling,
}

fn area_json(area: Option<Area>) -> serde_json::Value {
    json!(area.map(|a| crate::graphql::scalars::format_hundredths(a.0)))
}

#[derive(Default)]
pub struct DwellingQuery;

#[Object]
impl DwellingQuery {
    /// Dwellings of the communities the caller can see.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn dwellings(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<DwellingFilter>,
    ) -> Result<Page<Dwelling>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut select = dwelling::Entity::find_in_reach(&reach);
        if let Some(id) = &filter.building_id {
            select =
                select.filter(dwelling::Column::BuildingId.eq(parse_id("filter.buildingId", id)?));
        }
        if let Some(id) = &filter.compound_id {
            let buildings = Query::select()
                .column(building::Column::Id)
                .from(building::Entity)
                .and_where(building::Column::CompoundId.eq(parse_id("filter.compoundId", id)?))
                .to_owned();
            select = select.filter(dwelling::Column::BuildingId.in_subquery(buildings));
        }
        if let Some(id) = &filter.grid_id {
            let buildings = Query::select()
                .column(grid_building::Column::BuildingId)
                .from(grid_building::Entity)
                .and_where(grid_building::Column::GridId.eq(parse_id("filter.gridId", id)?))
                .to_owned();
            select = select.filter(dwelling::Column::BuildingId.in_subquery(buildings));
        }
        if !filter.include_archived {
            select = select.filter(dwelling::Column::ArchivedAt.is_null());
        }
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            dwelling::Column::Id,
            args,
            Dwelling::from,
        )
        .await?;
        if selects(ctx, &["edges", "node", "building"]) {
            let mut ids: Vec<Uuid> = page.edges.iter().map(|e| e.node.building_id).collect();
            ids.sort();
            ids.dedup();
            let buildings = loader(ctx)
                .load_many(ids.into_iter().map(BuildingById))
                .await?;
            prime_buildings(ctx, &["edges", "node", "building"], buildings.values()).await?;
        }
        Ok(page)
    }

    pub async fn dwelling(&self, ctx: &Context<'_>, id: ID) -> Result<Dwelling> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(visible_dwelling(ctx.services().db.reader(), viewer, id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct DwellingMutation;

#[Object]
impl DwellingMutation {
    /// Community admins and staff.
    async fn create_dwelling(
        &self,
        ctx: &Context<'_>,
        input: CreateDwellingInput,
    ) -> Result<DwellingPayload> {
        let audit = json!({ "buildingId": input.building_id.as_str(), "unit": input.unit, "room": input.room, "floorArea": area_json(input.floor_area) });
        let building = parse_id("input.buildingId", &input.building_id);
        let fields = DwellingFields {
            unit: Some(input.unit),
            room: Some(input.room),
            floor_area: Some(input.floor_area.map(|a| a.0)),
        };
        let dwelling = audited_write(ctx, "createDwelling", audit, move |txn, viewer| {
            Box::pin(
                async move { dwellings::create_dwelling(txn, viewer, building?, fields).await },
            )
        })
        .await?;
        Ok(DwellingPayload {
            dwelling: dwelling.into(),
        })
    }

    async fn update_dwelling(
        &self,
        ctx: &Context<'_>,
        input: UpdateDwellingInput,
    ) -> Result<DwellingPayload> {
        let floor_area = match input.floor_area {
            async_graphql::MaybeUndefined::Undefined => None,
            async_graphql::MaybeUndefined::Null => Some(None),
            async_graphql::MaybeUndefined::Value(area) => Some(Some(area.0)),
        };
        let audit = json!({ "id": input.id.as_str(), "unit": input.unit, "room": input.room, "floorArea": floor_area.map(|a| area_json(a.map(Area))) });
        let id = parse_id("input.id", &input.id);
        let fields = DwellingFields {
            unit: input.unit,
            room: input.room,
            floor_area,
        };
        let dwelling = audited_write(ctx, "updateDwelling", audit, move |txn, viewer| {
            Box::pin(async move { dwellings::update_dwelling(txn, viewer, id?, fields).await })
        })
        .await?;
        Ok(DwellingPayload {
            dwelling: dwelling.into(),
        })
    }

    async fn archive_dwelling(
        &self,
        ctx: &Context<'_>,
        input: ArchiveDwellingInput,
    ) -> Result<DwellingPayload> {
        let audit = json!({ "id": input.id.as_str() });
        let id = parse_id("input.id", &input.id);
        let dwelling = audited_write(ctx, "archiveDwelling", audit, move |txn, viewer| {
            Box::pin(async move { dwellings::archive_dwelling(txn, viewer, id?).await })
        })
        .await?;
        Ok(DwellingPayload {
            dwelling: dwelling.into(),
        })
    }
}
