//! The demo committee of 和韵小区 (a compound without a property company): a director, a
//! treasurer and three building leaders, appointed through the same service (and rules) as
//! `appointCommitteeMember`, by the demo community admin.

use chrono::Duration;
use entity::{building, committee_position::Position, compound, dwelling, household, resident};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

use crate::{
    auth::Viewer,
    calendar,
    committees::{
        positions::{Appointment, appoint},
        service::{NewCommittee, Settings, create_committee},
    },
    error::{AppError, AppResult, msg},
};

/// The last household head (户主) living in a building.
async fn head_in(
    conn: &impl ConnectionTrait,
    building: &building::Model,
) -> AppResult<resident::Model> {
    let dwellings: Vec<_> = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.eq(building.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let households: Vec<_> = household::Entity::find()
        .filter(household::Column::DwellingId.is_in(dwellings))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| h.id)
        .collect();
    resident::Entity::find()
        .filter(resident::Column::HouseholdId.is_in(households))
        .filter(resident::Column::Relation.eq("head"))
        .order_by_desc(resident::Column::Id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))
}

/// Sets up the committee; returns the treasurer, who gets the demo treasurer login.
pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    compound: &compound::Model,
) -> AppResult<resident::Model> {
    let today = calendar::today();
    let committee = create_committee(
        conn,
        admin,
        NewCommittee {
            compound_id: compound.id,
            name: None,
            term_starts_on: today - Duration::days(60),
            term_ends_on: today + Duration::days(3 * 365),
            settings: Settings::default(),
        },
    )
    .await?
    .value;
    let buildings = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound.id))
        .order_by_asc(building::Column::Id)
        .all(conn)
        .await?;
    let mut treasurer = None;
    for (index, building) in buildings.iter().enumerate().take(5) {
        let resident = head_in(conn, building).await?;
        let (position, building_id) = match index {
            3 => (Position::Director, None),
            4 => (Position::Treasurer, None),
            _ => (Position::BuildingLeader, Some(building.id)),
        };
        appoint(
            conn,
            admin,
            Appointment {
                committee_id: committee.id,
                resident_id: resident.id,
                position,
                building_id,
                starts_on: None,
                ends_on: None,
                publish_phone: true,
                residency_override: None,
            },
        )
        .await?;
        if position == Position::Treasurer {
            treasurer = Some(resident);
        }
    }
    treasurer.ok_or(AppError::NotFound(msg!("resident not found")))
}
