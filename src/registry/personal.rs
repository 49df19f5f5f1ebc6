//! Residents' personal data: phones and document numbers are validated, stored only
//! encrypted (bound to the resident's row) with keyed hashes for exact lookups, masked on
//! the way out, and shown in full only one field at a time with a stated reason.

use chrono::NaiveDate;
use entity::resident;
use uuid::Uuid;

use super::{
    id_document::{self, DocumentType, Gender, ValidDocument},
    types::DocumentTypeName,
};
use crate::{
    crypto::DataKeys,
    error::{AppError, AppResult, Msg},
    graphql::StoredEnum,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PersonalField {
    DocumentNumber,
    Phone,
}

pub use crate::graphql::phone::normalize_phone;

pub fn last4(digits: &str) -> &str {
    &digits[digits.len().saturating_sub(4)..]
}

fn context(field: PersonalField, id: Uuid) -> String {
    match field {
        PersonalField::DocumentNumber => format!("resident.document:{id}"),
        PersonalField::Phone => format!("resident.phone:{id}"),
    }
}

/// The stored spelling of a gender (the one table; `Gender` in the API reads it back).
pub fn gender_name(gender: Gender) -> &'static str {
    match gender {
        Gender::Male => "male",
        Gender::Female => "female",
    }
}

/// The stored spelling of a document type.
pub fn document_type_name(doc_type: DocumentType) -> &'static str {
    DocumentTypeName::from(doc_type).stored()
}

/// Reads a stored document type; an unknown one is an internal error.
pub fn document_type_of(name: &str) -> AppResult<DocumentType> {
    DocumentTypeName::from_stored(name).map(DocumentType::from)
}

/// Validates a document; the error message says what is wrong (mangled by Excel included).
pub fn validate_document(
    doc_type: DocumentType,
    raw: &str,
    today: NaiveDate,
) -> Result<ValidDocument, Msg> {
    id_document::validate(doc_type, raw, today).map_err(|e| e.msg())
}

/// The stored columns for a resident's document: type, derived birth date and gender,
/// ciphertext and lookup hash.
pub fn set_document(
    row: &mut resident::ActiveModel,
    keys: &DataKeys,
    id: Uuid,
    document: &ValidDocument,
) -> AppResult<()> {
    use sea_orm::ActiveValue::Set;
    row.document_type = Set(document_type_name(document.doc_type).to_owned());
    row.gender = Set(document.gender.map(|g| gender_name(g).to_owned()));
    row.birth_date = Set(document.birth_date);
    row.document_cipher = Set(document
        .number
        .as_deref()
        .map(|n| keys.encrypt(&context(PersonalField::DocumentNumber, id), n))
        .transpose()
        .map_err(AppError::internal)?);
    row.document_hash = Set(document_hash(keys, document));
    Ok(())
}

pub fn document_hash(keys: &DataKeys, document: &ValidDocument) -> Option<String> {
    document
        .number
        .as_deref()
        .map(|n| keys.lookup_hash("document", n))
}

/// The stored columns for a resident's phone (already normalised), or none.
pub fn set_phone(
    row: &mut resident::ActiveModel,
    keys: &DataKeys,
    id: Uuid,
    phone: Option<&str>,
) -> AppResult<()> {
    use sea_orm::ActiveValue::Set;
    row.phone_cipher = Set(phone
        .map(|p| keys.encrypt(&context(PersonalField::Phone, id), p))
        .transpose()
        .map_err(AppError::internal)?);
    row.phone_hash = Set(phone.map(|p| keys.lookup_hash("phone", p)));
    row.phone_last4_hash = Set(phone.map(|p| phone_last4_hash(keys, p)));
    Ok(())
}

pub fn phone_last4_hash(keys: &DataKeys, digits: &str) -> String {
    keys.lookup_hash("phone-last4", last4(digits))
}

/// The plaintext of a resident's document number or phone, for masking or a reveal.
pub fn decrypt_field(
    keys: &DataKeys,
    resident: &resident::Model,
    field: PersonalField,
) -> AppResult<Option<String>> {
    let cipher = match field {
        PersonalField::DocumentNumber => &resident.document_cipher,
        PersonalField::Phone => &resident.phone_cipher,
    };
    cipher
        .as_deref()
        .map(|c| {
            keys.decrypt(&context(field, resident.id), c)
                .map_err(AppError::internal)
        })
        .transpose()
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

/// A resident's document number and phone, masked or in full.
pub fn shown_fields(
    keys: &DataKeys,
    resident: &resident::Model,
    masked: bool,
) -> AppResult<(Option<String>, Option<String>)> {
    let doc_type = document_type_of(&resident.document_type)?;
    let document = decrypt_field(keys, resident, PersonalField::DocumentNumber)?;
    let phone = decrypt_field(keys, resident, PersonalField::Phone)?;
    if !masked {
        return Ok((document, phone));
    }
    Ok((
        document.map(|n| id_document::mask(doc_type, &n)),
        phone.map(|p| mask_phone(&p)),
    ))
}
