//! Publishing announcements, who they reach, and read receipts.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use chrono::{DateTime, Utc};
use entity::{
    announcement, announcement_read, building, dwelling, grid_building, household, role_grant::Role,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, Select,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg, on_unique_violation},
    graphql::{clean_name, pagination::Keep},
    registry::family::access::{self as family, Power},
    tenancy::place_of,
};

pub struct NewAnnouncement {
    pub community_id: Uuid,
    pub compound_id: Option<Uuid>,
    pub building_ids: Vec<Uuid>,
    pub urgent: bool,
    pub title: String,
    pub body: String,
    pub valid_until: DateTime<Utc>,
}

fn is_staff(viewer: &Viewer, place: Place) -> bool {
    viewer
        .reach(Capability::ManageResidents)
        .covers(place.street_office, place.community)
}

fn building_ids(a: &announcement::Model) -> Vec<Uuid> {
    a.building_ids
        .as_array()
        .map(|ids| {
            ids.iter()
                .filter_map(|v| v.as_str().and_then(|s| s.parse().ok()))
                .collect()
        })
        .unwrap_or_default()
}

pub async fn publish(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewAnnouncement,
) -> AppResult<Audited<announcement::Model>> {
    let place = place_of(conn, viewer, new.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    if !is_staff(viewer, place) {
        return Err(AppError::Forbidden(msg!(
            "only community staff publish announcements"
        )));
    }
    // The buildings named (and the compound) must be the community's.
    let mut buildings =
        building::Entity::find().filter(building::Column::CommunityId.eq(new.community_id));
    if let Some(compound) = new.compound_id {
        buildings = buildings.filter(building::Column::CompoundId.eq(compound));
    }
    let known: HashSet<Uuid> = buildings
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    if new.compound_id.is_some() && known.is_empty() {
        return Err(AppError::NotFound(msg!("compound not found")));
    }
    if let Some(unknown) = new.building_ids.iter().find(|b| !known.contains(b)) {
        return Err(AppError::bad_input(
            "input.buildingIds",
            msg!(
                "building {unknown} is not in the announcement's community or compound",
                unknown = unknown
            ),
        ));
    }
    if new.valid_until <= Utc::now() {
        return Err(AppError::bad_input(
            "input.validUntil",
            msg!("an announcement is valid until a future time"),
        ));
    }
    let body = new.body.trim();
    if body.is_empty() || body.chars().count() > 5_000 {
        return Err(AppError::bad_input(
            "input.body",
            msg!("1 to 5000 characters"),
        ));
    }
    let row = announcement::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(new.community_id),
        compound_id: Set(new.compound_id),
        building_ids: Set(json!(new.building_ids)),
        kind: Set(if new.urgent { "urgent" } else { "normal" }.into()),
        title: Set(clean_name("input.title", &new.title, 200)?),
        body: Set(body.to_owned()),
        valid_until: Set(new.valid_until),
        published_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let id = row.id;
    Ok(Audited::new(row, place, id))
}

/// A household an announcement reaches.
pub struct Reached {
    pub building: Uuid,
    /// Building, unit and room.
    pub label: String,
}

/// How the caller stands to an announcement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Reader {
    /// Community staff: everything, with every household's receipt.
    Staff,
    /// A grid worker: the announcements that reach their grids, with the receipts of the
    /// households there (these buildings), to knock on the doors of those who missed one.
    GridWorker(HashSet<Uuid>),
    Resident,
    /// A family contact who receives these households' notices: their receipts only.
    Family(HashSet<Uuid>),
}

impl Reader {
    /// Whether the caller follows up the receipt of `household`, living in `building`.
    pub fn follows(&self, household: Uuid, building: Uuid) -> bool {
        match self {
            Self::Staff => true,
            Self::GridWorker(buildings) => buildings.contains(&building),
            Self::Resident => false,
            Self::Family(households) => households.contains(&household),
        }
    }
}

/// The households an announcement reaches: current households of its buildings, with
/// where they live.
pub async fn audience(
    conn: &impl ConnectionTrait,
    a: &announcement::Model,
) -> AppResult<HashMap<Uuid, Reached>> {
    let named = building_ids(a);
    let mut select =
        building::Entity::find().filter(building::Column::CommunityId.eq(a.community_id));
    if let Some(compound) = a.compound_id {
        select = select.filter(building::Column::CompoundId.eq(compound));
    }
    if !named.is_empty() {
        select = select.filter(building::Column::Id.is_in(named));
    }
    let buildings: HashMap<Uuid, String> = select
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.number))
        .collect();
    let dwellings: HashMap<Uuid, (Uuid, String)> = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.is_in(buildings.keys().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| {
            let number = buildings.get(&d.building_id).map_or("", String::as_str);
            let label = crate::registry::labels::dwelling(number, d.unit, &d.room);
            (d.id, (d.building_id, label))
        })
        .collect();
    Ok(household::Entity::find()
        .filter(household::Column::DwellingId.is_in(dwellings.keys().copied()))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|h| {
            let (building, label) = dwellings.get(&h.dwelling_id)?.clone();
            Some((h.id, Reached { building, label }))
        })
        .collect())
}

/// An announcement the caller sees: staff of its community, a grid worker of a grid it
/// reaches, or a resident whose household it reaches; NOT_FOUND otherwise.
pub async fn visible_announcement(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(announcement::Model, Place, Reader)> {
    let not_found = || AppError::NotFound(msg!("announcement not found"));
    let a = announcement::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(announcement::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, a.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("announcement not found")))?;
    if is_staff(viewer, place) {
        return Ok((a, place, Reader::Staff));
    }
    let grid_homes = grid_homes(conn, viewer, a.community_id).await?;
    let in_grids: HashSet<Uuid> = grid_homes
        .iter()
        .filter(|home| reaches(&a, home))
        .map(|home| home.building)
        .collect();
    if !in_grids.is_empty() {
        return Ok((a, place, Reader::GridWorker(in_grids)));
    }
    let households = viewer.scope_ids(Role::Resident);
    let audience = audience(conn, &a).await?;
    if households.iter().any(|h| audience.contains_key(h)) {
        return Ok((a, place, Reader::Resident));
    }
    // A family contact: only with the flag, checked now (a cleared flag stops at once).
    let contacts = family::contacts_acting(conn, viewer).await?;
    let reached: Vec<_> = contacts
        .iter()
        .filter(|c| audience.contains_key(&c.household_id))
        .collect();
    if reached.is_empty() {
        return Err(not_found());
    }
    let receiving: HashSet<Uuid> = reached
        .iter()
        .filter(|c| Power::ReceiveNotices.allowed(c))
        .map(|c| c.household_id)
        .collect();
    if receiving.is_empty() {
        return Err(AppError::Forbidden(Power::ReceiveNotices.refusal()));
    }
    Ok((a, place, Reader::Family(receiving)))
}

/// A resident marks it read for their household; marking twice changes nothing.
pub async fn mark_read(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<announcement::Model>> {
    let (a, place, reader) = visible_announcement(conn, viewer, id).await?;
    let audience = audience(conn, &a).await?;
    // A family contact who receives the household's notices marks it read for them.
    let mut households = viewer.scope_ids(Role::Resident);
    if let Reader::Family(receiving) = reader {
        households.extend(receiving);
    }
    let Some(household) = households.into_iter().find(|h| audience.contains_key(h)) else {
        return Err(AppError::Forbidden(msg!(
            "only residents it reaches mark it read"
        )));
    };
    let already = announcement_read::Entity::find()
        .filter(announcement_read::Column::AnnouncementId.eq(a.id))
        .filter(announcement_read::Column::UserId.eq(viewer.user_id))
        .one(conn)
        .await?;
    if already.is_none() {
        announcement_read::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(a.community_id),
            announcement_id: Set(a.id),
            household_id: Set(household),
            user_id: Set(viewer.user_id),
            read_at: Set(Utc::now()),
        }
        .insert(conn)
        .await
        .map_err(|e| on_unique_violation(e, msg!("already read")))?;
    }
    let id = a.id;
    Ok(Audited::new(a, place, id))
}

/// The households that have read it.
pub async fn read_by(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<HashSet<Uuid>> {
    Ok(announcement_read::Entity::find()
        .filter(announcement_read::Column::AnnouncementId.eq(id))
        .all(conn)
        .await?
        .into_iter()
        .map(|r| r.household_id)
        .collect())
}

/// The announcements the caller sees in a community, newest first: all for staff; for a
/// grid worker, those that reach their grids; for a resident, the valid ones that reach
/// their household.
/// A community's announcements the caller may list, newest first, for one page at a time:
/// all for its staff; for a grid worker those reaching their grids (expired ones too, to
/// follow up their receipts); for a resident the valid ones reaching their household.
pub async fn listing(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<(
    Select<announcement::Entity>,
    Option<Keep<announcement::Model>>,
)> {
    let place = place_of(conn, viewer, community)
        .await
        .map_err(|e| e.hidden_as(msg!("community not found")))?;
    let staff = is_staff(viewer, place);
    let mut select =
        announcement::Entity::find().filter(announcement::Column::CommunityId.eq(community));
    if !staff && viewer.work_grids().is_empty() {
        select = select.filter(announcement::Column::ValidUntil.gt(Utc::now()));
    }
    if staff {
        return Ok((select, None));
    }
    // Where the caller's grids and households are, once; then each announcement is checked
    // in memory (its buildings are a JSON list).
    let grids = grid_homes(conn, viewer, community).await?;
    let mut households = viewer.scope_ids(Role::Resident);
    households.extend(family::households_with(conn, viewer, Power::ReceiveNotices).await?);
    let homes = homes_of(conn, &households).await?;
    let keep: Keep<announcement::Model> = Arc::new(move |a| {
        grids.iter().any(|home| reaches(a, home))
            || (a.valid_until > Utc::now() && homes.iter().any(|home| reaches(a, home)))
    });
    Ok((select, Some(keep)))
}

/// The buildings of the caller's grids in a community.
async fn grid_homes(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Vec<Home>> {
    let grids = viewer.work_grids();
    if grids.is_empty() {
        return Ok(Vec::new());
    }
    let buildings: Vec<Uuid> = grid_building::Entity::find()
        .filter(grid_building::Column::CommunityId.eq(community))
        .filter(grid_building::Column::GridId.is_in(grids))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| g.building_id)
        .collect();
    buildings_as_homes(conn, buildings).await
}

/// A household's building and compound.
struct Home {
    building: Uuid,
    compound: Uuid,
}

fn reaches(a: &announcement::Model, home: &Home) -> bool {
    let buildings = building_ids(a);
    a.compound_id.is_none_or(|c| c == home.compound)
        && (buildings.is_empty() || buildings.contains(&home.building))
}

async fn homes_of(conn: &impl ConnectionTrait, households: &[Uuid]) -> AppResult<Vec<Home>> {
    let dwellings: Vec<Uuid> = household::Entity::find()
        .filter(household::Column::Id.is_in(households.iter().copied()))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.dwelling_id)
        .collect();
    let buildings: Vec<Uuid> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(dwellings))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.building_id)
        .collect();
    buildings_as_homes(conn, buildings).await
}

async fn buildings_as_homes(
    conn: &impl ConnectionTrait,
    buildings: Vec<Uuid>,
) -> AppResult<Vec<Home>> {
    Ok(building::Entity::find()
        .filter(building::Column::Id.is_in(buildings))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| Home {
            building: b.id,
            compound: b.compound_id,
        })
        .collect())
}

/// How far an urgent announcement in force has got: households reached, and read.
pub struct UrgentReach {
    pub announcement: announcement::Model,
    pub households: usize,
    pub read: usize,
}

/// The urgent announcements still in force in a community, newest first, with their reach
/// (for the staff dashboard; the caller's access is checked there).
pub async fn urgent_in_force(
    conn: &impl ConnectionTrait,
    community: Uuid,
) -> AppResult<Vec<UrgentReach>> {
    let urgent = announcement::Entity::find()
        .filter(announcement::Column::CommunityId.eq(community))
        .filter(announcement::Column::Kind.eq("urgent"))
        .filter(announcement::Column::ValidUntil.gt(Utc::now()))
        .order_by_desc(announcement::Column::Id)
        .all(conn)
        .await?;
    let mut out = Vec::with_capacity(urgent.len());
    // Few at a time (a water cut, a fraud warning): one audience lookup each.
    for a in urgent {
        let audience = audience(conn, &a).await?;
        let read = read_by(conn, a.id).await?;
        out.push(UrgentReach {
            households: audience.len(),
            read: audience.keys().filter(|h| read.contains(h)).count(),
            announcement: a,
        });
    }
    Ok(out)
}
