//! GraphQL for street offices and communities.

use async_graphql::{
    ComplexObject, Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject,
};
use chrono::{DateTime, Utc};
use entity::{community, street_office};
use sea_orm::{ColumnTrait, QueryFilter};
use serde_json::json;

use super::{
    loaders::{CommunitiesOf, StreetOfficeById},
    service,
};
use crate::error::msg;
use crate::{
    audit::audited_write,
    auth::Capability,
    graphql::{
        ContextExt,
        loader::{loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
    },
    tenancy::{visible_community, visible_street_office},
};

/// 街道办事处: a street office, the level above communities.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct StreetOffice {
    pub id: ID,
    pub name: String,
    /// Statistical division code (统计用区划代码), when recorded.
    pub division_code: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<street_office::Model> for StreetOffice {
    fn from(m: street_office::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            division_code: m.division_code,
            created_at: m.created_at,
        }
    }
}

/// What the caller may do with a street office.
#[derive(SimpleObject)]
pub struct StreetOfficePermissions {
    pub can_create_community: bool,
    pub can_grant_street_admin: bool,
}

#[ComplexObject]
impl StreetOffice {
    /// The communities of this street office that the caller can see, by name.
    async fn communities(&self, ctx: &Context<'_>) -> Result<Vec<Community>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let id = parse_id("id", &self.id)?;
        let all = loader(ctx)
            .load_one(CommunitiesOf(id))
            .await?
            .unwrap_or_default();
        Ok(all
            .into_iter()
            .filter(|c| reach.covers(Some(c.street_office_id), Some(c.id)))
            .map(Community::from)
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<StreetOfficePermissions> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &self.id)?;
        let place = crate::auth::viewer::Place {
            street_office: Some(id),
            community: None,
        };
        Ok(StreetOfficePermissions {
            can_create_community: viewer
                .reach(Capability::CreateCommunity)
                .covers(Some(id), None),
            can_grant_street_admin: viewer.may_grant(entity::role_grant::Role::StreetAdmin, place),
        })
    }
}

/// 社区: a residential community, the unit of tenancy.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Community {
    pub id: ID,
    pub name: String,
    pub created_at: DateTime<Utc>,
    /// The community office (社区居委会), as its contact cards show it.
    pub office_phone: Option<String>,
    pub office_address: Option<String>,
    /// Its party secretary (书记), a user who works in the community.
    pub party_secretary_user_id: Option<ID>,
    #[graphql(skip)]
    pub street_office_id: uuid::Uuid,
}

impl From<community::Model> for Community {
    fn from(m: community::Model) -> Self {
        Self {
            id: m.id.into(),
            name: m.name,
            created_at: m.created_at,
            office_phone: m.office_phone,
            office_address: m.office_address,
            party_secretary_user_id: m.party_secretary_user_id.map(ID::from),
            street_office_id: m.street_office_id,
        }
    }
}

#[ComplexObject]
impl Community {
    /// The street office the community belongs to.
    async fn street_office(&self, ctx: &Context<'_>) -> Result<StreetOffice> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(StreetOfficeById(self.street_office_id))
            .await?
            .map(StreetOffice::from)
            .ok_or_else(|| crate::error::AppError::NotFound(msg!("street office not found")).into())
    }
}

#[derive(InputObject)]
pub struct CreateStreetOfficeInput {
    pub name: String,
    pub division_code: Option<String>,
}

#[derive(SimpleObject)]
pub struct CreateStreetOfficePayload {
    pub street_office: StreetOffice,
}

#[derive(InputObject)]
pub struct CreateCommunityInput {
    pub street_office_id: ID,
    pub name: String,
}

#[derive(SimpleObject)]
pub struct CreateCommunityPayload {
    pub community: Community,
}

#[derive(SimpleObject)]
pub struct SetCommunityOfficePayload {
    pub community: Community,
}

#[derive(InputObject)]
pub struct SetCommunityOfficeInput {
    pub community_id: ID,
    /// A mainland landline or mobile; `null` clears it, leaving it out keeps it.
    pub office_phone: MaybeUndefined<String>,
    pub office_address: MaybeUndefined<String>,
    /// A user who works in the community (admin, staff or grid worker).
    pub party_secretary_user_id: MaybeUndefined<ID>,
}

fn change<T: Clone>(value: &MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v.clone())),
    }
}

#[derive(Default)]
pub struct OrgQuery;

#[Object]
impl OrgQuery {
    /// Street offices the caller can see (through a grant on it or on one of its communities).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn street_offices(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<StreetOffice>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let args = PageArgs::new(first, after)?;
        let select = street_office::Entity::find_in_reach(&reach);
        let mut rows = Vec::new();
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            street_office::Column::Id,
            args,
            |row| {
                rows.push(row.clone());
                StreetOffice::from(row)
            },
        )
        .await?;
        if selects(ctx, &["edges", "node", "communities"]) {
            let ids: Vec<_> = rows.iter().map(|r| CommunitiesOf(r.id)).collect();
            let loader = loader(ctx);
            loader
                .feed_many(rows.into_iter().map(|r| (StreetOfficeById(r.id), r)))
                .await;
            loader.load_many(ids).await?;
        }
        Ok(page)
    }

    pub async fn street_office(&self, ctx: &Context<'_>, id: ID) -> Result<StreetOffice> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(
            visible_street_office(ctx.services().db.reader(), viewer, id)
                .await?
                .into(),
        )
    }

    /// Communities the caller can see, optionally of one street office.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn communities(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        street_office_id: Option<ID>,
    ) -> Result<Page<Community>> {
        let reach = ctx.viewer()?.reach(Capability::ReadOrg);
        let args = PageArgs::new(first, after)?;
        let mut select = community::Entity::find_in_reach(&reach);
        if let Some(id) = street_office_id {
            let id = parse_id("streetOfficeId", &id)?;
            select = select.filter(community::Column::StreetOfficeId.eq(id));
        }
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            community::Column::Id,
            args,
            Community::from,
        )
        .await?;
        let mut offices: Vec<_> = page.edges.iter().map(|e| e.node.street_office_id).collect();
        offices.sort();
        offices.dedup();
        if selects(ctx, &["edges", "node", "streetOffice"]) {
            let keys = offices.iter().copied().map(StreetOfficeById);
            loader(ctx).load_many(keys).await?;
        }
        if selects(ctx, &["edges", "node", "streetOffice", "communities"]) {
            let keys = offices.into_iter().map(CommunitiesOf);
            loader(ctx).load_many(keys).await?;
        }
        Ok(page)
    }

    pub async fn community(&self, ctx: &Context<'_>, id: ID) -> Result<Community> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        Ok(visible_community(ctx.services().db.reader(), viewer, id)
            .await?
            .into())
    }
}

#[derive(Default)]
pub struct OrgMutation;

#[Object]
impl OrgMutation {
    /// Platform admins only.
    async fn create_street_office(
        &self,
        ctx: &Context<'_>,
        input: CreateStreetOfficeInput,
    ) -> Result<CreateStreetOfficePayload> {
        let audit_input = json!({ "name": input.name, "divisionCode": input.division_code });
        let new = service::NewStreetOffice {
            name: input.name,
            division_code: input.division_code,
        };
        let office = audited_write(
            ctx,
            "createStreetOffice",
            audit_input,
            move |txn, viewer| {
                Box::pin(async move { service::create_street_office(txn, viewer, new).await })
            },
        )
        .await?;
        Ok(CreateStreetOfficePayload {
            street_office: office.into(),
        })
    }

    /// Admins of the street office (and platform admins).
    async fn create_community(
        &self,
        ctx: &Context<'_>,
        input: CreateCommunityInput,
    ) -> Result<CreateCommunityPayload> {
        let audit_input =
            json!({ "streetOfficeId": input.street_office_id.as_str(), "name": input.name });
        let street_office_id = parse_id("input.streetOfficeId", &input.street_office_id)?;
        let name = input.name;
        let community = audited_write(ctx, "createCommunity", audit_input, move |txn, viewer| {
            Box::pin(async move {
                service::create_community(txn, viewer, street_office_id, &name).await
            })
        })
        .await?;
        Ok(CreateCommunityPayload {
            community: community.into(),
        })
    }

    /// The community office's phone, address and party secretary, as contact cards show
    /// them. Community admins (and admins above).
    async fn set_community_office(
        &self,
        ctx: &Context<'_>,
        input: SetCommunityOfficeInput,
    ) -> Result<SetCommunityOfficePayload> {
        let audit_input = json!({ "communityId": input.community_id.as_str() });
        let community_id = parse_id("input.communityId", &input.community_id)?;
        let secretary = match &input.party_secretary_user_id {
            MaybeUndefined::Value(id) => Some(Some(parse_id("input.partySecretaryUserId", id)?)),
            MaybeUndefined::Null => Some(None),
            MaybeUndefined::Undefined => None,
        };
        let office = service::OfficeChange {
            phone: change(&input.office_phone),
            address: change(&input.office_address),
            party_secretary: secretary,
        };
        let community = audited_write(
            ctx,
            "setCommunityOffice",
            audit_input,
            move |txn, viewer| {
                Box::pin(
                    async move { service::set_office(txn, viewer, community_id, office).await },
                )
            },
        )
        .await?;
        Ok(SetCommunityOfficePayload {
            community: community.into(),
        })
    }
}
