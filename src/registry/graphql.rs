//! Queries and mutations of the registry; the rules live in `places`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::{compound, reach::TenantEntity};
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::json;

use super::{
    loaders::{BuildingsOf, prime_buildings},
    places::{self, BuildingFields, CompoundFields},
    types::{Building, Compound},
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
    tenancy::{visible_building, visible_compound},
};

#[derive(InputObject)]
pub struct CreateCompoundInput {
    pub community_id: ID,
    pub name: String,
    #[graphql(default)]
    pub address: String,
    #[graphql(default = false)]
    pub has_property_company: bool,
}

#[derive(InputObject)]
pub struct UpdateCompoundInput {
    pub id: ID,
    pub name: Option<String>,
    pub address: Option<String>,
    pub has_property_company: Option<bool>,
}

#[derive(InputObject)]
pub struct CreateBuildingInput {
    pub compound_id: ID,
    pub number: String,
    pub units: i32,
    pub floors: i32,
}

#[derive(InputObject)]
pub struct UpdateBuildingInput {
    pub id: ID,
    pub number: Option<String>,
    pub units: Option<i32>,
    pub floors: Option<i32>,
}

#[derive(InputObject)]
pub struct ArchiveInput {
    pub id: ID,
}

#[derive(SimpleObject)]
pub struct CompoundPayload {
    pub compound: Compound,
}

#[derive(SimpleObject)]
pub struct BuildingPayload {
    pub building: Building,
}

#[derive(Default)]
pub struct RegistryQuery;

#[Object]
impl RegistryQuery {
    /// Compounds of the communities the caller can see, optionally of one community.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn compounds(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        community_id: Option<ID>,
        #[graphql(default = false)] include_archived: bool,
    ) -> Result<Page<Compound>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let args = PageArgs::new(first, after)?;
        let mut select = compound::Entity::find_in_reach(&reach);
        if let Some(id) = community_id {
            select = select.filter(compound::Column::CommunityId.eq(parse_id("communityId", &id)?));
        }
        if !include_archived {
            select = select.filter(compound::Column::ArchivedAt.is_null());
        }
        let db = ctx.services().db.reader();
        let page = keyset_page(db, select, compound::Column::Id, args, Compound::from).await?;
        if selects(ctx, &["edges", "node", "buildings"]) {
            let keys = page.edges.iter().map(|e| BuildingsOf(e.node.compound_id));
            let buildings = loader(ctx).load_many(keys.collect::<Vec<_>>()).await?;
            let path = ["edges", "node", "buildings"];
            prime_buildings(ctx, &path, buildings.values().flatten()).await?;
        }
        Ok(page)
    }

    pub async fn compound(&self, ctx: &Context<'_>, id: ID) -> Result<Compound> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let db = ctx.services().db.reader();
        Ok(visible_compound(db, viewer, id).await?.into())
    }

    pub async fn building(&self, ctx: &Context<'_>, id: ID) -> Result<Building> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let db = ctx.services().db.reader();
        Ok(visible_building(db, viewer, id).await?.into())
    }
}

#[derive(Default)]
pub struct RegistryMutation;

#[Object]
impl RegistryMutation {
    /// Community admins and staff.
    async fn create_compound(
        &self,
        ctx: &Context<'_>,
        input: CreateCompoundInput,
    ) -> Result<CompoundPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "name": input.name, "address": input.address, "hasPropertyCompany": input.has_property_company });
        let community = parse_id("input.communityId", &input.community_id);
        let fields = CompoundFields {
            name: Some(input.name),
            address: Some(input.address),
            has_property_company: Some(input.has_property_company),
        };
        let compound = audited_write(ctx, "createCompound", audit, move |txn, viewer| {
            Box::pin(async move { places::create_compound(txn, viewer, community?, fields).await })
        })
        .await?;
        Ok(CompoundPayload {
            compound: compound.into(),
        })
    }

    async fn update_compound(
        &self,
        ctx: &Context<'_>,
        input: UpdateCompoundInput,
    ) -> Result<CompoundPayload> {
        let audit = json!({ "id": input.id.as_str(), "name": input.name, "address": input.address, "hasPropertyCompany": input.has_property_company });
        let id = parse_id("input.id", &input.id);
        let fields = CompoundFields {
            name: input.name,
            address: input.address,
            has_property_company: input.has_property_company,
        };
        let compound = audited_write(ctx, "updateCompound", audit, move |txn, viewer| {
            Box::pin(async move { places::update_compound(txn, viewer, id?, fields).await })
        })
        .await?;
        Ok(CompoundPayload {
            compound: compound.into(),
        })
    }

    /// Archives the compound and its buildings; nothing is deleted.
    async fn archive_compound(
        &self,
        ctx: &Context<'_>,
        input: ArchiveInput,
    ) -> Result<CompoundPayload> {
        let id = parse_id("input.id", &input.id);
        let compound = audited_write(
            ctx,
            "archiveCompound",
            json!({ "id": input.id.as_str() }),
            move |txn, viewer| {
                Box::pin(async move { places::archive_compound(txn, viewer, id?).await })
            },
        )
        .await?;
        Ok(CompoundPayload {
            compound: compound.into(),
        })
    }

    async fn create_building(
        &self,
        ctx: &Context<'_>,
        input: CreateBuildingInput,
    ) -> Result<BuildingPayload> {
        let audit = json!({ "compoundId": input.compound_id.as_str(), "number": input.number, "units": input.units, "floors": input.floors });
        let compound = parse_id("input.compoundId", &input.compound_id);
        let fields = BuildingFields {
            number: Some(input.number),
            units: Some(input.units),
            floors: Some(input.floors),
        };
        let building = audited_write(ctx, "createBuilding", audit, move |txn, viewer| {
            Box::pin(async move { places::create_building(txn, viewer, compound?, fields).await })
        })
        .await?;
        Ok(BuildingPayload {
            building: building.into(),
        })
    }

    async fn update_building(
        &self,
        ctx: &Context<'_>,
        input: UpdateBuildingInput,
    ) -> Result<BuildingPayload> {
        let audit = json!({ "id": input.id.as_str(), "number": input.number, "units": input.units, "floors": input.floors });
        let id = parse_id("input.id", &input.id);
        let fields = BuildingFields {
            number: input.number,
            units: input.units,
            floors: input.floors,
        };
        let building = audited_write(ctx, "updateBuilding", audit, move |txn, viewer| {
            Box::pin(async move { places::update_building(txn, viewer, id?, fields).await })
        })
        .await?;
        Ok(BuildingPayload {
            building: building.into(),
        })
    }

    async fn archive_building(
        &self,
        ctx: &Context<'_>,
        input: ArchiveInput,
    ) -> Result<BuildingPayload> {
        let id = parse_id("input.id", &input.id);
        let building = audited_write(
            ctx,
            "archiveBuilding",
            json!({ "id": input.id.as_str() }),
            move |txn, viewer| {
                Box::pin(async move { places::archive_building(txn, viewer, id?).await })
            },
        )
        .await?;
        Ok(BuildingPayload {
            building: building.into(),
        })
    }
}
