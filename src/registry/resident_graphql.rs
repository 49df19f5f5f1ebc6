//! GraphQL queries of households and residents. Every response carrying a resident is
//! recorded in the audit log; what each caller may read is decided by `access`.

use async_graphql::{Context, ID, Object, Result, SimpleObject};
use entity::{household, resident};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

use super::{
    access::ResidentAccess,
    care::{self, CareLevel},
    household_loaders::{prime_households, prime_residents},
    resident_fields::ResidentTag,
    resident_filter::{HouseholdFilter, ResidentFilter},
    resident_types::{Household, Resident, resident_view},
    residents,
};
use crate::{
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt, StoredEnum,
        pagination::{Page, PageArgs, keyset_page, try_keyset_page},
        parse_id,
    },
    tenancy::visible_community,
};

#[derive(SimpleObject)]
pub struct TagCount {
    pub tag: ResidentTag,
    pub residents: u64,
}

#[derive(SimpleObject)]
pub struct CareLevelCount {
    pub care_level: CareLevel,
    pub households: u64,
}

/// Counts for a community's dashboard (current residents and households only).
#[derive(SimpleObject)]
pub struct ResidentDashboard {
    pub residents: u64,
    pub households: u64,
    /// Every known tag, including those nobody carries.
    pub by_tag: Vec<TagCount>,
    pub by_care_level: Vec<CareLevelCount>,
}

#[derive(Default)]
pub struct ResidentQuery;

#[Object]
impl ResidentQuery {
    /// Residents the caller may read: community staff their communities', grid workers their
    /// grids', a resident their own household.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn residents(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<ResidentFilter>,
    ) -> Result<Page<Resident>> {
        let access = ResidentAccess::of(ctx.viewer()?);
        if access.is_nothing() {
            return Err(AppError::Forbidden(msg!(
                "only community staff, grid workers and the household itself read residents"
            ))
            .into());
        }
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let condition = filter.condition(&ctx.services().data_keys, crate::calendar::today())?;
        let select = resident::Entity::find()
            .filter(access.condition(resident::Column::CommunityId, resident::Column::HouseholdId))
            .filter(condition);
        let mut models = Vec::new();
        let page = try_keyset_page(
            ctx.services().db.reader(),
            select,
            resident::Column::Id,
            args,
            |m| {
                let view = resident_view(ctx, &access, m.clone());
                models.push(m);
                view
            },
        )
        .await?;
        prime_residents(ctx, &["edges", "node"], models.iter()).await?;
        Ok(page)
    }

    /// Households the caller may read, with the same rules as `residents`.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn households(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<HouseholdFilter>,
    ) -> Result<Page<Household>> {
        let access = ResidentAccess::of(ctx.viewer()?);
        if access.is_nothing() {
            return Err(AppError::Forbidden(msg!(
                "only community staff, grid workers and the household itself read households"
            ))
            .into());
        }
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut select = household::Entity::find()
            .filter(access.condition(household::Column::CommunityId, household::Column::Id))
            .filter(filter.condition(household::Column::Id)?);
        if !filter.include_moved_out {
            select = select.filter(household::Column::ArchivedAt.is_null());
        }
        let mut models = Vec::new();
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            household::Column::Id,
            args,
            |m| {
                models.push(m.clone());
                Household::from(m)
            },
        )
        .await?;
        prime_households(ctx, &["edges", "node"], models.iter()).await?;
        Ok(page)
    }

    pub async fn resident(&self, ctx: &Context<'_>, id: ID) -> Result<Resident> {
        let access = ResidentAccess::of(ctx.viewer()?);
        let id = parse_id("id", &id)?;
        let resident =
            residents::readable_resident(ctx.services().db.reader(), &access, id).await?;
        Ok(resident_view(ctx, &access, resident)?)
    }

    pub async fn household(&self, ctx: &Context<'_>, id: ID) -> Result<Household> {
        let access = ResidentAccess::of(ctx.viewer()?);
        let id = parse_id("id", &id)?;
        Ok(
            residents::readable_household(ctx.services().db.reader(), &access, id)
                .await?
                .into(),
        )
    }

    /// Residents per tag and households per care level in a community, for its staff.
    async fn resident_dashboard(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
    ) -> Result<ResidentDashboard> {
        let viewer = ctx.viewer()?;
        let community_id = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let community = visible_community(db, viewer, community_id).await?;
        if !viewer
            .reach(Capability::ManageResidents)
            .covers(Some(community.street_office_id), Some(community.id))
        {
            return Err(AppError::Forbidden(msg!("only the community's admins and staff")).into());
        }
        let tags: Vec<serde_json::Value> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Tags)
            .filter(resident::Column::CommunityId.eq(community.id))
            .filter(resident::Column::ArchivedAt.is_null())
            .into_tuple()
            .all(db)
            .await
            .map_err(AppError::from)?;
        let households = household::Entity::find()
            .filter(household::Column::CommunityId.eq(community.id))
            .filter(household::Column::ArchivedAt.is_null())
            .all(db)
            .await
            .map_err(AppError::from)?;
        let by_tag = ResidentTag::all()
            .map(|tag| TagCount {
                tag,
                residents: tags
                    .iter()
                    .filter(|t| {
                        t.as_array()
                            .is_some_and(|a| a.iter().any(|v| v == tag.stored()))
                    })
                    .count() as u64,
            })
            .collect();
        let by_care_level = [
            CareLevel::SpecialHardship,
            CareLevel::KeyGroup,
            CareLevel::Ordinary,
        ]
        .into_iter()
        .map(|level| CareLevelCount {
            care_level: level,
            households: households
                .iter()
                .filter(|h| care::effective(h) == level)
                .count() as u64,
        })
        .collect();
        Ok(ResidentDashboard {
            residents: tags.len() as u64,
            households: households.len() as u64,
            by_tag,
            by_care_level,
        })
    }
}
