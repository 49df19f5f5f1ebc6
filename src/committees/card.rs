//! The compound's contact card (联络卡): who to call, as residents pin it in their WeChat
//! group: community staff, the grid workers and grid leaders of the compound's buildings,
//! and the committee members in office, with the phones members chose to publish (masked).

use std::collections::HashMap;

use chrono::Utc;
use entity::{
    app_user, building, committee, committee_position, community, compound, grid, grid_building,
    resident,
    role_grant::{self, Role},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::positions::in_force_at;
use crate::{
    crypto::DataKeys,
    error::AppResult,
    registry::personal::{self, PersonalField},
};

pub struct CardMember {
    pub resident_id: Uuid,
    pub community_id: Uuid,
    pub name: String,
    pub position: committee_position::Position,
    pub building: Option<String>,
    /// Masked, and only when the member chose to publish it.
    pub phone: Option<String>,
}

/// Someone who works for the community, with the work phone they publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Worker {
    pub name: String,
    pub phone: Option<String>,
}

pub struct Card {
    pub compound: String,
    pub community: String,
    pub office_phone: Option<String>,
    pub office_address: Option<String>,
    pub party_secretary: Option<Worker>,
    pub staff: Vec<Worker>,
    /// (grid, worker).
    pub grid_workers: Vec<(String, Worker)>,
    /// (grid, leader): the grid leaders (网格长) of the same grids.
    pub grid_leaders: Vec<(String, Worker)>,
    pub committee: Vec<CardMember>,
}

/// The users holding one of `roles` now on one of `scopes` (or, with no scopes, anywhere
/// in the community), with their published work phones.
async fn holders(
    conn: &impl ConnectionTrait,
    community: Uuid,
    roles: &[Role],
    scopes: Option<&[Uuid]>,
) -> AppResult<Vec<(Role, Option<Uuid>, Worker)>> {
    let now = Utc::now();
    let mut query = role_grant::Entity::find()
        .filter(role_grant::Column::CommunityId.eq(community))
        .filter(role_grant::Column::Role.is_in(roles.iter().copied()))
        .filter(role_grant::Column::RevokedAt.is_null());
    if let Some(scopes) = scopes {
        query = query.filter(role_grant::Column::ScopeId.is_in(scopes.iter().copied()));
    }
    let rows = query
        .find_also_related(app_user::Entity)
        .order_by_asc(role_grant::Column::Id)
        .all(conn)
        .await?;
    let mut out: Vec<(Role, Option<Uuid>, Worker)> = rows
        .into_iter()
        .filter(|(g, _)| g.is_active_at(now))
        .filter_map(|(g, u)| {
            u.filter(|u| u.disabled_at.is_none()).map(|u| {
                let worker = Worker {
                    name: u.display_name,
                    phone: u.work_phone,
                };
                (g.role, g.scope_id, worker)
            })
        })
        .collect();
    out.dedup();
    Ok(out)
}

pub async fn card(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    compound: &compound::Model,
) -> AppResult<Card> {
    let community = community::Entity::find_by_id(compound.community_id)
        .one(conn)
        .await?
        .ok_or(crate::error::AppError::NotFound(crate::error::msg!(
            "community not found"
        )))?;
    let party_secretary = match community.party_secretary_user_id {
        Some(id) => app_user::Entity::find_by_id(id)
            .one(conn)
            .await?
            .filter(|u| u.disabled_at.is_none())
            .map(|u| Worker {
                name: u.display_name,
                phone: u.work_phone,
            }),
        None => None,
    };
    let staff = holders(
        conn,
        compound.community_id,
        &[Role::CommunityAdmin, Role::CommunityStaff],
        None,
    )
    .await?
    .into_iter()
    .map(|(_, _, worker)| worker)
    .collect();
    let buildings = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound.id))
        .all(conn)
        .await?;
    let grid_ids: Vec<Uuid> = grid_building::Entity::find()
        .filter(grid_building::Column::BuildingId.is_in(buildings.iter().map(|b| b.id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|gb| gb.grid_id)
        .collect();
    let grid_names: HashMap<Uuid, String> = grid::Entity::find()
        .filter(grid::Column::Id.is_in(grid_ids.iter().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|g| (g.id, g.name))
        .collect();
    // Workers and leaders of the same grids in one statement.
    let (mut grid_workers, mut grid_leaders) = (Vec::new(), Vec::new());
    for (role, grid, worker) in holders(
        conn,
        compound.community_id,
        &[Role::GridWorker, Role::GridLeader],
        Some(&grid_ids),
    )
    .await?
    {
        let grid = grid
            .and_then(|g| grid_names.get(&g).cloned())
            .unwrap_or_default();
        if role == Role::GridLeader {
            grid_leaders.push((grid, worker));
        } else {
            grid_workers.push((grid, worker));
        }
    }
    let mut committee = Vec::new();
    if let Some(c) = committee::Entity::find()
        .filter(committee::Column::CompoundId.eq(compound.id))
        .one(conn)
        .await?
    {
        let positions = committee_position::Entity::find()
            .filter(committee_position::Column::CommitteeId.eq(c.id))
            .filter(in_force_at(Utc::now()))
            .order_by_asc(committee_position::Column::Id)
            .all(conn)
            .await?;
        let residents: HashMap<Uuid, resident::Model> = resident::Entity::find()
            .filter(resident::Column::Id.is_in(positions.iter().map(|p| p.resident_id)))
            .all(conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let numbers: HashMap<Uuid, String> =
            buildings.iter().map(|b| (b.id, b.number.clone())).collect();
        for p in positions {
            let Some(r) = residents.get(&p.resident_id) else {
                continue;
            };
            let phone = if p.publish_phone {
                personal::decrypt_field(keys, r, PersonalField::Phone)?
                    .map(|phone| personal::mask_phone(&phone))
            } else {
                None
            };
            committee.push(CardMember {
                resident_id: r.id,
                community_id: r.community_id,
                name: r.name.clone(),
                position: p.position,
                building: p.building_id.and_then(|b| numbers.get(&b).cloned()),
                phone,
            });
        }
    }
    Ok(Card {
        compound: compound.name.clone(),
        community: community.name,
        office_phone: community.office_phone,
        office_address: community.office_address,
        party_secretary,
        staff,
        grid_workers,
        grid_leaders,
        committee,
    })
}
