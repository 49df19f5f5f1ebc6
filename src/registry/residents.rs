//! Households (户) and residents (居民). Document numbers and phones are validated, then
//! stored only encrypted (bound to the resident's row) with keyed hashes for exact lookups;
//! reading them unmasked needs a stated reason and is audited.

use chrono::Utc;
use entity::{
    household::{self, Tenure},
    resident,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    dwellings::visible_dwelling,
    id_document::{self, DocumentType, Gender},
    places::community_place,
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    crypto::DataKeys,
    error::{AppError, AppResult},
    org::service::clean_name,
};

/// Care tags a resident may carry; they drive visit schedules.
pub const TAGS: [&str; 7] = [
    "elderly_alone",
    "disabled",
    "special_hardship",
    "veteran",
    "party_member",
    "left_behind_child",
    "low_income",
];

const REFUSAL: &str = "only the community's admins and staff keep its residents";

async fn residents_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Place> {
    community_place(
        conn,
        viewer,
        community,
        Capability::ManageResidents,
        REFUSAL,
    )
    .await
}

/// A household the caller keeps, or NOT_FOUND (outside reach) / FORBIDDEN (too small a role).
pub async fn kept_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(household::Model, Place)> {
    let household = household::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(household::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("household"))?;
    let place = residents_place(conn, viewer, household.community_id).await?;
    Ok((household, place))
}

/// A resident the caller keeps, or NOT_FOUND / FORBIDDEN as above.
pub async fn kept_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(resident::Model, Place)> {
    let resident = resident::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(resident::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound("resident"))?;
    let place = residents_place(conn, viewer, resident.community_id).await?;
    Ok((resident, place))
}

pub async fn create_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    dwelling_id: Uuid,
    tenure: Tenure,
) -> AppResult<Audited<household::Model>> {
    let dwelling = visible_dwelling(conn, viewer, dwelling_id).await?;
    let place = residents_place(conn, viewer, dwelling.community_id).await?;
    if dwelling.archived_at.is_some() {
        return Err(AppError::Conflict("the dwelling is archived".into()));
    }
    let household = household::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(dwelling.community_id),
        dwelling_id: Set(dwelling.id),
        tenure: Set(tenure),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(household.clone(), place, household.id))
}

pub struct NewResident {
    pub household_id: Uuid,
    pub name: String,
    pub document_type: DocumentType,
    pub document_number: Option<String>,
    pub phone: Option<String>,
    pub relation: String,
    pub registered: bool,
    pub tags: Vec<String>,
}

/// Digits of a phone number: an 11-digit mobile (1xxxxxxxxxx) or a 7-12 digit landline,
/// with spaces, dashes and a +86 prefix tolerated.
pub fn normalize_phone(raw: &str) -> AppResult<String> {
    let digits: String = raw.chars().filter(char::is_ascii_digit).collect();
    let digits = digits
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&digits);
    let ok = match digits.len() {
        11 if digits.starts_with('1') => true,
        7..=12 => !digits.starts_with('1'),
        _ => false,
    };
    if !ok || raw.chars().any(|c| c.is_alphabetic()) {
        return Err(AppError::bad_input(
            "input.phone",
            "not a mainland mobile or landline number",
        ));
    }
    Ok(digits.to_owned())
}

fn document_context(id: Uuid) -> String {
    format!("resident.document:{id}")
}

fn phone_context(id: Uuid) -> String {
    format!("resident.phone:{id}")
}

pub fn gender_name(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

pub async fn create_resident(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    new: NewResident,
) -> AppResult<Audited<resident::Model>> {
    let (household, place) = kept_household(conn, viewer, new.household_id).await?;
    if household.archived_at.is_some() {
        return Err(AppError::Conflict("the household has moved out".into()));
    }
    let name = clean_name("input.name", &new.name, 50)?;
    let raw_number = new.document_number.unwrap_or_default();
    let document = id_document::validate(new.document_type, &raw_number, Utc::now().date_naive())
        .map_err(|e| AppError::bad_input("input.documentNumber", e.message()))?;
    if let Some(tag) = new.tags.iter().find(|t| !TAGS.contains(&t.as_str())) {
        return Err(AppError::bad_input(
            "input.tags",
            format!("unknown tag {tag}; known: {}", TAGS.join(", ")),
        ));
    }
    let phone = new
        .phone
        .filter(|p| !p.trim().is_empty())
        .map(|p| normalize_phone(&p))
        .transpose()?;
    let id = Uuid::now_v7();
    let encrypt =
        |context: String, value: &str| keys.encrypt(&context, value).map_err(AppError::internal);
    let document_hash = document
        .number
        .as_deref()
        .map(|n| keys.lookup_hash("document", n));
    if let Some(hash) = &document_hash {
        let taken = resident::Entity::find()
            .filter(resident::Column::CommunityId.eq(household.community_id))
            .filter(resident::Column::DocumentHash.eq(hash.as_str()))
            .filter(resident::Column::ArchivedAt.is_null())
            .one(conn)
            .await?;
        if taken.is_some() {
            return Err(AppError::Conflict(
                "a resident of this community has this document number".into(),
            ));
        }
    }
    let resident = resident::ActiveModel {
        id: Set(id),
        community_id: Set(household.community_id),
        household_id: Set(household.id),
        name: Set(name),
        gender: Set(document.gender.map(|g| gender_name(g).to_owned())),
        birth_date: Set(document.birth_date),
        document_type: Set(document_type_name(document.doc_type).to_owned()),
        document_cipher: Set(document
            .number
            .as_deref()
            .map(|n| encrypt(document_context(id), n))
            .transpose()?),
        document_hash: Set(document_hash),
        phone_cipher: Set(phone
            .as_deref()
            .map(|p| encrypt(phone_context(id), p))
            .transpose()?),
        phone_hash: Set(phone.as_deref().map(|p| keys.lookup_hash("phone", p))),
        phone_last4_hash: Set(phone
            .as_deref()
            .map(|p| keys.lookup_hash("phone-last4", last4(p)))),
        relation: Set(clean_name("input.relation", &new.relation, 20)?),
        registered: Set(new.registered),
        tags: Set(serde_json::json!(new.tags)),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(resident.clone(), place, resident.id))
}

pub fn last4(digits: &str) -> &str {
    &digits[digits.len().saturating_sub(4)..]
}

pub fn document_type_name(doc_type: DocumentType) -> &'static str {
    match doc_type {
        DocumentType::MainlandIdCard => "mainland_id_card",
        DocumentType::OldMainlandIdCard => "old_mainland_id_card",
        DocumentType::HkMacauTaiwanResidencePermit => "hk_macau_taiwan_permit",
        DocumentType::Passport => "passport",
        DocumentType::None => "none",
    }
}

pub fn document_type_of(name: &str) -> DocumentType {
    match name {
        "mainland_id_card" => DocumentType::MainlandIdCard,
        "old_mainland_id_card" => DocumentType::OldMainlandIdCard,
        "hk_macau_taiwan_permit" => DocumentType::HkMacauTaiwanResidencePermit,
        "passport" => DocumentType::Passport,
        _ => DocumentType::None,
    }
}

/// The plaintext of a resident's document number or phone, for masking or a reveal.
pub fn decrypt_field(
    keys: &DataKeys,
    resident: &resident::Model,
    field: PersonalField,
) -> AppResult<Option<String>> {
    let (cipher, context) = match field {
        PersonalField::DocumentNumber => (&resident.document_cipher, document_context(resident.id)),
        PersonalField::Phone => (&resident.phone_cipher, phone_context(resident.id)),
    };
    cipher
        .as_deref()
        .map(|c| keys.decrypt(&context, c).map_err(AppError::internal))
        .transpose()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalField {
    DocumentNumber,
    Phone,
}

/// Masks a phone: 138****5678.
pub fn mask_phone(phone: &str) -> String {
    if phone.len() < 7 {
        return "*".repeat(phone.len());
    }
    format!(
        "{}{}{}",
        &phone[..3],
        "*".repeat(phone.len() - 7),
        &phone[phone.len() - 4..]
    )
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
            "state why you need to see it",
        ));
    }
    let (resident, place) = kept_resident(conn, viewer, resident_id).await?;
    let value = decrypt_field(keys, &resident, field)?;
    Ok(Audited::new(value, place, resident.id))
}

/// Marks a resident as moved out (archived, never deleted).
pub async fn move_out(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    resident_id: Uuid,
) -> AppResult<Audited<resident::Model>> {
    let (resident, place) = kept_resident(conn, viewer, resident_id).await?;
    if resident.archived_at.is_some() {
        return Err(AppError::Conflict(
            "the resident has already moved out".into(),
        ));
    }
    let mut update: resident::ActiveModel = resident.into();
    update.archived_at = Set(Some(Utc::now()));
    let resident = update.update(conn).await?;
    Ok(Audited::new(resident.clone(), place, resident.id))
}
