//! Owners of dwellings (业主): residents of the registry, or outside owners with a name and
//! an encrypted contact. Ending ownership keeps the record (owners' votes look back).

use chrono::Utc;
use entity::{dwelling_owner, reach::TenantEntity, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use uuid::Uuid;

use super::{id_document::DocumentType, personal};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    graphql::clean_name,
    tenancy::{place_for, visible_dwelling, visible_resident},
};

pub enum NewOwner {
    Resident(Uuid),
    Outside {
        name: String,
        contact: Option<String>,
        /// The owner's identity document, so that one person owning several dwellings
        /// is one owner (art. 278 counts them once).
        document: Option<(DocumentType, String)>,
    },
}

fn contact_context(owner: Uuid) -> String {
    format!("dwelling_owner.contact:{owner}")
}

fn document_context(owner: Uuid) -> String {
    format!("dwelling_owner.document:{owner}")
}

/// An outside owner's document, validated: (type name, ciphertext, lookup hash), or all
/// empty when none was given.
type StoredDocument = (Option<String>, Option<String>, Option<String>);

fn outside_document(
    keys: &DataKeys,
    owner: Uuid,
    document: Option<(DocumentType, String)>,
) -> AppResult<StoredDocument> {
    let Some((doc_type, number)) = document.filter(|(_, n)| !n.trim().is_empty()) else {
        return Ok((None, None, None));
    };
    let valid = personal::validate_document(doc_type, &number, crate::calendar::today())
        .map_err(|m| AppError::bad_input("input.outsideDocumentNumber", m))?;
    let Some(normalized) = valid.number.as_deref() else {
        return Ok((None, None, None));
    };
    let cipher = keys
        .encrypt(&document_context(owner), normalized)
        .map_err(AppError::internal)?;
    Ok((
        Some(personal::document_type_name(valid.doc_type).to_owned()),
        Some(cipher),
        personal::document_hash(keys, &valid),
    ))
}

pub async fn add_owner(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    dwelling_id: Uuid,
    owner: NewOwner,
) -> AppResult<Audited<dwelling_owner::Model>> {
    let dwelling = visible_dwelling(conn, viewer, dwelling_id).await?;
    let place = place_for(
        conn,
        viewer,
        dwelling.community_id,
        Capability::ManageResidents,
        msg!("only the community's admins and staff record owners"),
    )
    .await?;
    if dwelling.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the dwelling is archived")));
    }
    let id = Uuid::now_v7();
    let (resident_id, name, contact, document) = match owner {
        NewOwner::Resident(resident) => {
            let resident = visible_resident(conn, viewer, resident).await?;
            crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
            if resident.community_id != dwelling.community_id {
                return Err(AppError::NotFound(msg!("resident not found")));
            }
            let current = dwelling_owner::Entity::find()
                .filter(dwelling_owner::Column::DwellingId.eq(dwelling.id))
                .filter(dwelling_owner::Column::ResidentId.eq(resident.id))
                .filter(dwelling_owner::Column::EndedAt.is_null())
                .one(conn)
                .await?;
            if current.is_some() {
                return Err(AppError::Conflict(msg!(
                    "the resident already owns this dwelling"
                )));
            }
            (Some(resident.id), None, None, (None, None, None))
        }
        NewOwner::Outside {
            name,
            contact,
            document,
        } => {
            let name = clean_name("input.outsideName", &name, 50)?;
            let contact = contact
                .filter(|c| !c.trim().is_empty())
                .map(|c| {
                    personal::normalize_phone(&c)
                        .map_err(|m| AppError::bad_input("input.outsideContact", m))
                })
                .transpose()?
                .map(|c| {
                    keys.encrypt(&contact_context(id), &c)
                        .map_err(AppError::internal)
                })
                .transpose()?;
            let document = outside_document(keys, id, document)?;
            if let Some(hash) = &document.2 {
                let current = dwelling_owner::Entity::find()
                    .filter(dwelling_owner::Column::DwellingId.eq(dwelling.id))
                    .filter(dwelling_owner::Column::OutsideDocumentHash.eq(hash))
                    .filter(dwelling_owner::Column::EndedAt.is_null())
                    .one(conn)
                    .await?;
                if current.is_some() {
                    return Err(AppError::Conflict(msg!(
                        "an owner with this document number already owns this dwelling"
                    )));
                }
            }
            (None, Some(name), contact, document)
        }
    };
    let (document_type, document_cipher, document_hash) = document;
    let owner = dwelling_owner::ActiveModel {
        id: Set(id),
        community_id: Set(dwelling.community_id),
        dwelling_id: Set(dwelling.id),
        resident_id: Set(resident_id),
        outside_name: Set(name),
        outside_contact_cipher: Set(contact),
        outside_document_type: Set(document_type),
        outside_document_cipher: Set(document_cipher),
        outside_document_hash: Set(document_hash),
        created_at: Set(Utc::now()),
        ended_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(owner, place, dwelling.id))
}

pub async fn end_ownership(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    owner_id: Uuid,
) -> AppResult<Audited<dwelling_owner::Model>> {
    let owner = dwelling_owner::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(dwelling_owner::Column::Id.eq(owner_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("owner not found")))?;
    let place = place_for(
        conn,
        viewer,
        owner.community_id,
        Capability::ManageResidents,
        msg!("only the community's admins and staff record owners"),
    )
    .await?;
    if owner.ended_at.is_some() {
        return Err(AppError::Conflict(msg!("this ownership has already ended")));
    }
    let mut update: dwelling_owner::ActiveModel = owner.into();
    update.ended_at = Set(Some(Utc::now()));
    let owner = update.update(conn).await?;
    Ok(Audited::new(owner.clone(), place, owner.dwelling_id))
}

/// An owner as shown: the name, and an outside owner's contact masked.
pub fn shown_owner(
    keys: &DataKeys,
    owner: &dwelling_owner::Model,
    residents: &std::collections::HashMap<Uuid, resident::Model>,
) -> AppResult<(String, Option<String>)> {
    let name = match owner.resident_id {
        Some(id) => residents
            .get(&id)
            .map(|r| r.name.clone())
            .unwrap_or_default(),
        None => owner.outside_name.clone().unwrap_or_default(),
    };
    let contact = owner
        .outside_contact_cipher
        .as_deref()
        .map(|c| {
            keys.decrypt(&contact_context(owner.id), c)
                .map_err(AppError::internal)
        })
        .transpose()?
        .map(|c| personal::mask_phone(&c));
    Ok((name, contact))
}
