//! Adding, changing and removing a resident's family contacts, and showing a contact's
//! phone in full. Phones are stored only encrypted (bound to the contact's row), masked on
//! the way out like residents' phones, and revealed one at a time with a stated reason.

use chrono::Utc;
use entity::{
    family_contact, resident,
    role_grant::{self, GrantSource},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use super::{access::check_keep, phone::phone_of, types::FamilyRelation};
use crate::{
    audit::Audited,
    auth::Viewer,
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name, phone::normalize_phone},
    identity::sessions::end_sessions_of,
    live::LiveEvent,
    registry::{access::ResidentAccess, residents::readable_resident},
    tenancy::{Place, place_of},
};

/// What staff or the household enter about a contact; `None` leaves a field as it is.
#[derive(Default)]
pub struct ContactFields {
    pub name: Option<String>,
    pub relation: Option<FamilyRelation>,
    /// `Some(None)` removes the phone.
    pub phone: Option<Option<String>>,
    pub may_answer_consultations: Option<bool>,
    pub may_sign_in_to_meetings: Option<bool>,
    pub may_receive_notices: Option<bool>,
}

/// A resident the caller may read, with where it sits, if they keep its family contacts:
/// NOT_FOUND outside their reach, FORBIDDEN for smaller roles.
async fn kept_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    resident_id: Uuid,
) -> AppResult<(resident::Model, Place)> {
    let resident = readable_resident(conn, &ResidentAccess::of(viewer), resident_id).await?;
    let place = place_of(conn, viewer, resident.community_id).await?;
    check_keep(viewer, resident.household_id, place)?;
    Ok((resident, place))
}

/// A current contact the caller may change, with where it sits.
pub async fn kept_contact(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(family_contact::Model, Place)> {
    let access = ResidentAccess::of(viewer);
    let contact = family_contact::Entity::find_by_id(id)
        .filter(access.condition(
            family_contact::Column::CommunityId,
            family_contact::Column::HouseholdId,
        ))
        .filter(family_contact::Column::EndedAt.is_null())
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("family contact not found")))?;
    let place = place_of(conn, viewer, contact.community_id).await?;
    check_keep(viewer, contact.household_id, place)?;
    Ok((contact, place))
}

fn apply(
    row: &mut family_contact::ActiveModel,
    keys: &DataKeys,
    id: Uuid,
    fields: ContactFields,
) -> AppResult<()> {
    if let Some(name) = fields.name {
        row.name = Set(clean_name("input.name", &name, 50)?);
    }
    if let Some(relation) = fields.relation {
        row.relation = Set(relation.stored().to_owned());
    }
    if let Some(phone) = fields.phone {
        let phone = phone
            .as_deref()
            .map(normalize_phone)
            .transpose()
            .map_err(|m| AppError::bad_input("input.phone", m))?;
        row.phone_cipher = Set(phone
            .map(|p| super::phone::encrypt(keys, id, &p))
            .transpose()?);
    }
    if let Some(flag) = fields.may_answer_consultations {
        row.may_answer_consultations = Set(flag);
    }
    if let Some(flag) = fields.may_sign_in_to_meetings {
        row.may_sign_in_to_meetings = Set(flag);
    }
    if let Some(flag) = fields.may_receive_notices {
        row.may_receive_notices = Set(flag);
    }
    Ok(())
}

pub async fn add(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    resident_id: Uuid,
    fields: ContactFields,
) -> AppResult<Audited<family_contact::Model>> {
    let (resident, place) = kept_resident(conn, viewer, resident_id).await?;
    if resident.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the resident has moved out")));
    }
    if fields.name.is_none() {
        return Err(AppError::bad_input("input.name", msg!("must not be empty")));
    }
    let id = Uuid::now_v7();
    let now = Utc::now();
    let mut row = family_contact::ActiveModel {
        id: Set(id),
        community_id: Set(resident.community_id),
        resident_id: Set(resident.id),
        household_id: Set(resident.household_id),
        name: Set(String::new()),
        relation: Set(FamilyRelation::Other.stored().to_owned()),
        phone_cipher: Set(None),
        may_answer_consultations: Set(false),
        may_sign_in_to_meetings: Set(false),
        may_receive_notices: Set(false),
        user_id: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        updated_at: Set(now),
        ended_at: Set(None),
        ended_by: Set(None),
    };
    apply(&mut row, keys, id, fields)?;
    let contact = row.insert(conn).await?;
    Ok(Audited::new(contact, place, resident.id))
}

/// Changes a contact; a cleared flag stops the contact's login from that act at once.
pub async fn update(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    id: Uuid,
    fields: ContactFields,
) -> AppResult<Audited<family_contact::Model>> {
    let (contact, place) = kept_contact(conn, viewer, id).await?;
    let resident = contact.resident_id;
    let mut row: family_contact::ActiveModel = contact.into();
    apply(&mut row, keys, id, fields)?;
    row.updated_at = Set(Utc::now());
    let contact = row.update(conn).await?;
    Ok(Audited::new(contact, place, resident))
}

/// Ends a contact (kept for the record) and the grant of its login, with the login's
/// sessions: the contact can do nothing more for the household.
pub async fn remove(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<family_contact::Model>> {
    let (contact, place) = kept_contact(conn, viewer, id).await?;
    let now = Utc::now();
    let resident = contact.resident_id;
    let mut row: family_contact::ActiveModel = contact.into();
    row.ended_at = Set(Some(now));
    row.ended_by = Set(Some(viewer.user_id));
    row.updated_at = Set(now);
    let contact = row.update(conn).await?;
    let mut done = Audited::new(contact.clone(), place, resident);
    if let Some(user_id) = contact.user_id {
        role_grant::Entity::update_many()
            .col_expr(role_grant::Column::RevokedAt, Expr::value(now))
            .col_expr(role_grant::Column::RevokedBy, Expr::value(viewer.user_id))
            .filter(role_grant::Column::SourceKind.eq(GrantSource::FamilyContact))
            .filter(role_grant::Column::SourceId.eq(contact.id))
            .filter(role_grant::Column::RevokedAt.is_null())
            .exec(conn)
            .await?;
        end_sessions_of(conn, user_id, None, "family contact removed", now).await?;
        done = done.with_event(LiveEvent::AccessChanged { user_id });
    }
    Ok(done)
}

/// Shows a contact's phone in full, for a stated reason: the community's staff, as for
/// residents' phones (audited by the caller).
pub async fn reveal_phone(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    id: Uuid,
    reason: &str,
) -> AppResult<Audited<Option<String>>> {
    if reason.trim().chars().count() < 4 {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("state why you need to see it"),
        ));
    }
    let access = ResidentAccess::of(viewer);
    let contact = family_contact::Entity::find_by_id(id)
        .filter(access.condition(
            family_contact::Column::CommunityId,
            family_contact::Column::HouseholdId,
        ))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("family contact not found")))?;
    let place =
        crate::registry::access::residents_place(conn, viewer, contact.community_id).await?;
    let phone = phone_of(keys, &contact, false)?;
    Ok(Audited::new(phone, place, contact.id))
}
