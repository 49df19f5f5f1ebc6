//! Households (户) and residents (居民): who may read and keep them, recording, editing and
//! moving out. Personal fields go through `personal`; care levels through `care`.

use chrono::{NaiveDate, Utc};
use entity::{
    household::{self, Tenure},
    resident,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    access::ResidentAccess,
    care::{self, CareLevel},
    id_document::DocumentType,
    personal::{self, PersonalField},
    resident_fields::{Relation, ResidentFields, api_error, new_row, prepare},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    crypto::DataKeys,
    error::{AppError, AppResult, Msg, msg, on_unique_violation},
    tenancy::{visible_dwelling, visible_household, visible_resident},
};

fn refuse_without_access(access: &ResidentAccess) -> AppResult<()> {
    if access.is_nothing() {
        return Err(AppError::Forbidden(msg!(
            "only community staff, grid workers and the household itself read residents"
        )));
    }
    Ok(())
}

/// A household the caller may read (staff, its grid's workers, its members), or NOT_FOUND.
pub async fn readable_household(
    conn: &impl ConnectionTrait,
    access: &ResidentAccess,
    id: Uuid,
) -> AppResult<household::Model> {
    refuse_without_access(access)?;
    household::Entity::find()
        .filter(household::Column::Id.eq(id))
        .filter(access.condition(household::Column::CommunityId, household::Column::Id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("household not found")))
}

/// A resident the caller may read, or NOT_FOUND.
pub async fn readable_resident(
    conn: &impl ConnectionTrait,
    access: &ResidentAccess,
    id: Uuid,
) -> AppResult<resident::Model> {
    refuse_without_access(access)?;
    resident::Entity::find()
        .filter(resident::Column::Id.eq(id))
        .filter(access.condition(resident::Column::CommunityId, resident::Column::HouseholdId))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("resident not found")))
}

pub async fn create_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    dwelling_id: Uuid,
    tenure: Tenure,
) -> AppResult<Audited<household::Model>> {
    let dwelling = visible_dwelling(conn, viewer, dwelling_id).await?;
    let place = super::access::residents_place(conn, viewer, dwelling.community_id).await?;
    if dwelling.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the dwelling is archived")));
    }
    let household = insert_household(conn, dwelling.community_id, dwelling.id, tenure).await?;
    Ok(Audited::new(household.clone(), place, household.id))
}

pub async fn insert_household(
    conn: &impl ConnectionTrait,
    community: Uuid,
    dwelling: Uuid,
    tenure: Tenure,
) -> AppResult<household::Model> {
    Ok(household::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        dwelling_id: Set(dwelling),
        tenure: Set(tenure),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
        care_level_derived: Set(CareLevel::Ordinary.as_str().to_owned()),
        care_level_override: Set(None),
        care_level_reason: Set(None),
    }
    .insert(conn)
    .await?)
}

/// What the unique indexes on current residents refuse, when a concurrent write got there
/// between our check and our insert.
const SAME_PERSON: Msg = msg!(
    "this person is already a current resident (same document number, or same name in the household)"
);

/// Refuses a second active resident with the same document number in a community.
async fn check_document_free(
    conn: &impl ConnectionTrait,
    community: Uuid,
    hash: Option<&str>,
    except: Option<Uuid>,
) -> AppResult<()> {
    let Some(hash) = hash else { return Ok(()) };
    let mut query = resident::Entity::find()
        .filter(resident::Column::CommunityId.eq(community))
        .filter(resident::Column::DocumentHash.eq(hash))
        .filter(resident::Column::ArchivedAt.is_null());
    if let Some(id) = except {
        query = query.filter(resident::Column::Id.ne(id));
    }
    if query.one(conn).await?.is_some() {
        return Err(AppError::Conflict(msg!(
            "a resident of this community has this document number"
        )));
    }
    Ok(())
}

/// Refuses a second head (户主) in a household.
async fn check_single_head(
    conn: &impl ConnectionTrait,
    household: Uuid,
    relation: Relation,
    except: Option<Uuid>,
) -> AppResult<()> {
    if relation != Relation::Head {
        return Ok(());
    }
    let mut query = resident::Entity::find()
        .filter(resident::Column::HouseholdId.eq(household))
        .filter(resident::Column::Relation.eq(Relation::Head.as_str()))
        .filter(resident::Column::ArchivedAt.is_null());
    if let Some(id) = except {
        query = query.filter(resident::Column::Id.ne(id));
    }
    if query.one(conn).await?.is_some() {
        return Err(AppError::Conflict(msg!(
            "the household already has a head; change that resident's relation first"
        )));
    }
    Ok(())
}

pub async fn create_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    household_id: Uuid,
    fields: ResidentFields,
) -> AppResult<Audited<resident::Model>> {
    let household = visible_household(conn, viewer, household_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, household.community_id).await?;
    if household.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the household has moved out")));
    }
    let prepared = prepare(fields, crate::calendar::today()).map_err(api_error)?;
    let hash = personal::document_hash(keys, &prepared.document);
    check_document_free(conn, household.community_id, hash.as_deref(), None).await?;
    check_single_head(conn, household.id, prepared.relation, None).await?;
    let resident = new_row(keys, &household, prepared)?
        .insert(conn)
        .await
        .map_err(|e| on_unique_violation(e, SAME_PERSON))?;
    care::refresh(conn, household.id).await?;
    Ok(Audited::new(resident.clone(), place, resident.id))
}

/// Changes to a resident; `None` leaves a field as it is.
#[derive(Default)]
pub struct ResidentChanges {
    pub name: Option<String>,
    /// A new document, type and number together.
    pub document: Option<(DocumentType, Option<String>)>,
    /// `Some(None)` removes the phone.
    pub phone: Option<Option<String>>,
    pub relation: Option<Relation>,
    pub registered: Option<bool>,
    pub tags: Option<Vec<String>>,
    pub moved_in_on: Option<Option<NaiveDate>>,
    /// Moves the resident to another household of the same community.
    pub household_id: Option<Uuid>,
}

pub async fn update_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    id: Uuid,
    changes: ResidentChanges,
) -> AppResult<Audited<resident::Model>> {
    let resident = visible_resident(conn, viewer, id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    if resident.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the resident has moved out")));
    }
    let old_household = resident.household_id;
    let household = match changes.household_id {
        Some(new) if new != old_household => {
            let household = visible_household(conn, viewer, new).await?;
            crate::registry::access::residents_place(conn, viewer, household.community_id).await?;
            if household.community_id != resident.community_id {
                return Err(AppError::NotFound(msg!("household not found")));
            }
            if household.archived_at.is_some() {
                return Err(AppError::Conflict(msg!("that household has moved out")));
            }
            household.id
        }
        _ => old_household,
    };
    // Validate the resident as it will be, with the same rules as a new one.
    let keep_document = changes.document.is_none();
    let (doc_type, number) = match changes.document {
        Some(doc) => doc,
        None => (
            personal::document_type_of(&resident.document_type)?,
            personal::decrypt_field(keys, &resident, PersonalField::DocumentNumber)?,
        ),
    };
    let keep_phone = changes.phone.is_none();
    let phone = match changes.phone {
        Some(phone) => phone,
        None => personal::decrypt_field(keys, &resident, PersonalField::Phone)?,
    };
    let fields = ResidentFields {
        name: changes.name.unwrap_or_else(|| resident.name.clone()),
        document_type: doc_type,
        document_number: number,
        phone,
        relation: changes
            .relation
            .or_else(|| Relation::parse(&resident.relation))
            .unwrap_or(Relation::Other),
        registered: changes.registered.unwrap_or(resident.registered),
        tags: changes.tags.unwrap_or_else(|| care::tags_of(&resident)),
        moved_in_on: changes.moved_in_on.unwrap_or(resident.moved_in_on),
    };
    let prepared = prepare(fields, crate::calendar::today()).map_err(api_error)?;
    let hash = personal::document_hash(keys, &prepared.document);
    check_document_free(conn, resident.community_id, hash.as_deref(), Some(id)).await?;
    check_single_head(conn, household, prepared.relation, Some(id)).await?;
    let mut row: resident::ActiveModel = resident.into();
    row.household_id = Set(household);
    row.name = Set(prepared.name);
    row.relation = Set(prepared.relation.as_str().to_owned());
    row.registered = Set(prepared.registered);
    row.tags = Set(serde_json::json!(prepared.tags));
    row.moved_in_on = Set(prepared.moved_in_on);
    // Re-encrypt only what changed, so an edit of the name leaves ciphertexts untouched.
    if !keep_document {
        personal::set_document(&mut row, keys, id, &prepared.document)?;
    }
    if !keep_phone {
        personal::set_phone(&mut row, keys, id, prepared.phone.as_deref())?;
    }
    let resident = row
        .update(conn)
        .await
        .map_err(|e| on_unique_violation(e, SAME_PERSON))?;
    care::refresh(conn, household).await?;
    let mut access = None;
    let mut family = Vec::new();
    if household != old_household {
        care::refresh(conn, old_household).await?;
        access = super::accounts::follow_resident(conn, &resident).await?;
        family = super::family::follow::follow_resident(conn, &resident).await?;
    }
    Ok(Audited::new(resident.clone(), place, resident.id)
        .with_events(access)
        .with_events(family))
}

/// Shows one field of one resident unmasked, for a stated reason (audited by the caller).
pub async fn reveal(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    resident_id: Uuid,
    field: PersonalField,
    reason: &str,
) -> AppResult<Audited<Option<String>>> {
    if reason.trim().chars().count() < 4 {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("state why you need to see it"),
        ));
    }
    let resident = visible_resident(conn, viewer, resident_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    let value = personal::decrypt_field(keys, &resident, field)?;
    Ok(Audited::new(value, place, resident.id))
}

/// Marks a resident as moved out (archived, never deleted), on a given day or today.
pub async fn move_out(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    resident_id: Uuid,
    on: Option<NaiveDate>,
) -> AppResult<Audited<resident::Model>> {
    let resident = visible_resident(conn, viewer, resident_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    if resident.archived_at.is_some() {
        return Err(AppError::Conflict(msg!(
            "the resident has already moved out"
        )));
    }
    let now = Utc::now();
    let today = crate::calendar::today();
    let on = on.unwrap_or(today);
    if on > today || resident.moved_in_on.is_some_and(|d| on < d) {
        return Err(AppError::bad_input(
            "input.movedOutOn",
            msg!("a move-out date is between the move-in date and today"),
        ));
    }
    let household = resident.household_id;
    let mut update: resident::ActiveModel = resident.into();
    update.archived_at = Set(Some(now));
    update.moved_out_on = Set(Some(on));
    let resident = update.update(conn).await?;
    care::refresh(conn, household).await?;
    let access = super::accounts::follow_resident(conn, &resident).await?;
    let family = super::family::follow::follow_resident(conn, &resident).await?;
    crate::identity::position_grants::end_positions_of_resident(
        conn,
        resident.id,
        Some(viewer.user_id),
    )
    .await?;
    Ok(Audited::new(resident.clone(), place, resident.id)
        .with_events(access)
        .with_events(family))
}

/// Sets or clears the staff override of a household's care level.
pub async fn set_care_level(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household_id: Uuid,
    level: Option<CareLevel>,
    reason: Option<String>,
) -> AppResult<Audited<household::Model>> {
    let household = visible_household(conn, viewer, household_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, household.community_id).await?;
    let household = care::apply_override(household, level, reason)?
        .update(conn)
        .await?;
    Ok(Audited::new(household.clone(), place, household.id))
}
