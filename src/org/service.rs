//! Street offices and communities: creation rules and scoped lookups.

use chrono::Utc;
use entity::{community, reach::Reach, street_office};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg, on_unique_violation},
    graphql::{clean_name, phone::normalize_phone},
    identity::staff::working_in,
    tenancy::{place_for, visible_street_office},
};

pub struct NewStreetOffice {
    pub name: String,
    pub division_code: Option<String>,
}

pub async fn create_street_office(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    input: NewStreetOffice,
) -> AppResult<Audited<street_office::Model>> {
    if viewer.reach(Capability::CreateStreetOffice) != Reach::Everything {
        return Err(AppError::Forbidden(msg!(
            "only a platform admin creates street offices"
        )));
    }
    let name = clean_name("input.name", &input.name, 100)?;
    let division_code = input
        .division_code
        .map(|code| code.trim().to_owned())
        .filter(|code| !code.is_empty())
        .map(|code| {
            // Statistical division codes (统计用区划代码) of a town-level unit: 9 digits, or
            // 12 with the village part zero-padded.
            if (code.len() == 9 || code.len() == 12) && code.chars().all(|c| c.is_ascii_digit()) {
                Ok(code)
            } else {
                Err(AppError::bad_input(
                    "input.divisionCode",
                    msg!("a division code has 9 or 12 digits"),
                ))
            }
        })
        .transpose()?;
    let id = Uuid::now_v7();
    let office = street_office::ActiveModel {
        id: Set(id),
        name: Set(name),
        division_code: Set(division_code),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, msg!("a street office with this name exists")))?;
    let place = Place {
        street_office: Some(id),
        community: None,
    };
    Ok(Audited::new(office, place, id))
}

pub async fn create_community(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    street_office_id: Uuid,
    name: &str,
) -> AppResult<Audited<community::Model>> {
    let office = visible_street_office(conn, viewer, street_office_id).await?;
    if !viewer
        .reach(Capability::CreateCommunity)
        .covers(Some(office.id), None)
    {
        return Err(AppError::Forbidden(msg!(
            "only an admin of the street office creates its communities"
        )));
    }
    let name = clean_name("input.name", name, 100)?;
    let id = Uuid::now_v7();
    let community = community::ActiveModel {
        id: Set(id),
        street_office_id: Set(office.id),
        name: Set(name),
        created_at: Set(Utc::now()),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| {
        on_unique_violation(e, msg!("this street office has a community with this name"))
    })?;
    let place = Place {
        street_office: Some(office.id),
        community: Some(id),
    };
    Ok(Audited::new(community, place, id))
}

/// A community office's details as its contact card shows them; `None` leaves a field,
/// `Some(None)` clears it.
#[derive(Default)]
pub struct OfficeChange {
    pub phone: Option<Option<String>>,
    pub address: Option<Option<String>>,
    pub party_secretary: Option<Option<Uuid>>,
}

/// Sets a community office's phone, address and party secretary: its admins (and those
/// above). The party secretary must work in the community.
pub async fn set_office(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community_id: Uuid,
    change: OfficeChange,
) -> AppResult<Audited<community::Model>> {
    let place = place_for(
        conn,
        viewer,
        community_id,
        Capability::ManageUsers,
        msg!("only the community's admins set its office details"),
    )
    .await?;
    let community = community::Entity::find_by_id(community_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("community not found")))?;
    let mut update: community::ActiveModel = community.into();
    if let Some(phone) = change.phone {
        let phone = phone
            .as_deref()
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .map(|p| normalize_phone(p).map_err(|m| AppError::bad_input("input.officePhone", m)))
            .transpose()?;
        update.office_phone = Set(phone);
    }
    if let Some(address) = change.address {
        let address = address
            .as_deref()
            .map(|a| clean_name("input.officeAddress", a, 200))
            .transpose()?;
        update.office_address = Set(address);
    }
    if let Some(secretary) = change.party_secretary {
        if let Some(user) = secretary
            && !working_in(conn, community_id, &[user])
                .await?
                .contains(&user)
        {
            return Err(AppError::bad_input(
                "input.partySecretaryUserId",
                msg!("the party secretary must work in the community"),
            ));
        }
        update.party_secretary_user_id = Set(secretary);
    }
    let community = update.update(conn).await?;
    Ok(Audited::new(community, place, community_id))
}
