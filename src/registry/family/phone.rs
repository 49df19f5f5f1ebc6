//! A family contact's phone: stored only encrypted, bound to the contact's row (a cipher
//! copied to another row does not decrypt), masked like residents' phones.

use entity::family_contact;
use uuid::Uuid;

use crate::{
    crypto::DataKeys,
    error::{AppError, AppResult},
    registry::personal::mask_phone,
};

fn context(id: Uuid) -> String {
    format!("family_contact.phone:{id}")
}

/// The stored form of a (normalised) phone of contact `id`.
pub fn encrypt(keys: &DataKeys, id: Uuid, phone: &str) -> AppResult<String> {
    keys.encrypt(&context(id), phone)
        .map_err(AppError::internal)
}

/// The contact's phone, in full (for a reveal) or masked (138****5678).
pub fn phone_of(
    keys: &DataKeys,
    contact: &family_contact::Model,
    masked: bool,
) -> AppResult<Option<String>> {
    let phone = contact
        .phone_cipher
        .as_deref()
        .map(|c| {
            keys.decrypt(&context(contact.id), c)
                .map_err(AppError::internal)
        })
        .transpose()?;
    Ok(if masked {
        phone.map(|p| mask_phone(&p))
    } else {
        phone
    })
}
