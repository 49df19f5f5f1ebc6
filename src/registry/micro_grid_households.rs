//! What a micro-grid's households show: the address and the members' masked names, and
//! nothing else (no phone, document, tags, care level or birth date), batched per page.

use std::collections::HashMap;

use async_graphql::{Context, ID, SimpleObject};
use entity::{building, dwelling, household, micro_grid, resident};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, JoinType, QueryFilter, QueryOrder, QuerySelect,
    Select,
};
use uuid::Uuid;

use super::{
    labels::{self, mask_name},
    micro_grid_access::{households_in, reads_households},
};
use crate::{
    auth::viewer::Place,
    error::{AppError, AppResult, msg},
    graphql::{
        ContextExt,
        loader::page_selects,
        pagination::{Page, PageArgs, keyset_page},
    },
    tenancy::place_of,
};

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

/// The current households of a micro-grid, filtered on the household's own community.
pub fn households_of(micro: &micro_grid::Model) -> Select<household::Entity> {
    household::Entity::find()
        .filter(household::Column::CommunityId.eq(micro.community_id))
        .filter(households_in(&[micro.id]))
}

/// Each dwelling's address (23号楼1单元101), in one statement.
pub async fn addresses(
    conn: &impl ConnectionTrait,
    dwellings: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, String>> {
    let rows: Vec<(Uuid, i32, String, String)> = dwelling::Entity::find()
        .select_only()
        .column(dwelling::Column::Id)
        .column(dwelling::Column::Unit)
        .column(dwelling::Column::Room)
        .column(building::Column::Number)
        .join(
            JoinType::InnerJoin,
            dwelling::Entity::belongs_to(building::Entity)
                .from(dwelling::Column::BuildingId)
                .to(building::Column::Id)
                .into(),
        )
        .filter(dwelling::Column::Id.is_in(dwellings))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, unit, room, number)| (id, labels::dwelling(&number, unit, &room)))
        .collect())
}

/// A member as a micro-grid leader sees them.
#[derive(Clone, Debug)]
pub struct MaskedMember {
    pub resident_id: Uuid,
    pub community_id: Uuid,
    /// 王** (the surname only).
    pub masked_name: String,
}

/// The current members of each household, masked, in one statement.
pub async fn masked_members(
    conn: &impl ConnectionTrait,
    households: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<MaskedMember>>> {
    // Never the ciphertexts: only what is shown, and what the audit row names.
    let rows: Vec<(Uuid, Uuid, Uuid, String)> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .column(resident::Column::CommunityId)
        .column(resident::Column::HouseholdId)
        .column(resident::Column::Name)
        .filter(resident::Column::HouseholdId.is_in(households.iter().copied()))
        .filter(resident::Column::ArchivedAt.is_null())
        .order_by_asc(resident::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    let mut grouped: HashMap<Uuid, Vec<MaskedMember>> = HashMap::new();
    for (resident_id, community_id, household, name) in rows {
        grouped.entry(household).or_default().push(MaskedMember {
            resident_id,
            community_id,
            masked_name: mask_name(&name),
        });
    }
    Ok(grouped)
}

/// Where a community the caller sees sits.
pub async fn place(ctx: &Context<'_>, community: Uuid) -> AppResult<Place> {
    place_of(ctx.services().db.reader(), ctx.viewer()?, community).await
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
        household::Column::Id,
        args,
        MicroGridHousehold::from,
    )
    .await?;
    let address = addresses(db, page.edges.iter().map(|e| e.node.dwelling_id)).await?;
    let mut members = if page_selects(ctx, &["members"]) {
        let ids: Vec<Uuid> = page.edges.iter().map(|e| e.node.household_id).collect();
        masked_members(db, &ids).await?
    } else {
        HashMap::new()
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
