//! GraphQL for dwelling owners: `Dwelling.owners` and the mutations that record them.

use std::collections::HashMap;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, dataloader::Loader};
use chrono::{DateTime, Utc};
use entity::{dwelling_owner, resident};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    owners::{self, NewOwner},
    types::DocumentTypeName,
};
use crate::{
    audit::audited_write,
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{DbLoader, loader},
        parse_id,
    },
};

/// 业主: an owner of a dwelling.
#[derive(SimpleObject)]
pub struct DwellingOwner {
    pub id: ID,
    /// The resident, when the owner is in the registry.
    pub resident_id: Option<ID>,
    pub name: String,
    /// An outside owner's contact, masked.
    pub outside_contact: Option<String>,
    pub since: DateTime<Utc>,
}

/// The current owners of a dwelling, with the names of those in the registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OwnersOf(pub Uuid);

impl Loader<OwnersOf> for DbLoader {
    type Value = (Vec<dwelling_owner::Model>, HashMap<Uuid, resident::Model>);
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[OwnersOf]) -> Result<HashMap<OwnersOf, Self::Value>, Self::Error> {
        let owners = dwelling_owner::Entity::find()
            .filter(dwelling_owner::Column::DwellingId.is_in(keys.iter().map(|k| k.0)))
            .filter(dwelling_owner::Column::EndedAt.is_null())
            .order_by_asc(dwelling_owner::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let residents: HashMap<Uuid, resident::Model> = resident::Entity::find()
            .filter(resident::Column::Id.is_in(owners.iter().filter_map(|o| o.resident_id)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        let mut grouped: HashMap<OwnersOf, Self::Value> = keys
            .iter()
            .map(|k| (*k, (Vec::new(), HashMap::new())))
            .collect();
        for owner in owners {
            let entry = grouped.entry(OwnersOf(owner.dwelling_id)).or_default();
            if let Some(r) = owner.resident_id.and_then(|id| residents.get(&id)) {
                entry.1.insert(r.id, r.clone());
            }
            entry.0.push(owner);
        }
        Ok(grouped)
    }
}

/// Owners of a dwelling, for the community's admins and staff.
pub async fn owners_of(
    ctx: &Context<'_>,
    dwelling: Uuid,
    street_office: Uuid,
    community: Uuid,
) -> Result<Vec<DwellingOwner>> {
    let viewer = ctx.viewer()?;
    if !viewer
        .reach(Capability::ManageResidents)
        .covers(Some(street_office), Some(community))
    {
        return Err(
            AppError::Forbidden(msg!("only the community's admins and staff see owners")).into(),
        );
    }
    let (owners, residents) = loader(ctx)
        .load_one(OwnersOf(dwelling))
        .await?
        .unwrap_or_default();
    let keys = &ctx.services().data_keys;
    let mut out = Vec::with_capacity(owners.len());
    for owner in owners {
        let (name, outside_contact) = owners::shown_owner(keys, &owner, &residents)?;
        if let Some(id) = owner.resident_id {
            ctx.meta().returned_personal_data(owner.community_id, id);
        }
        out.push(DwellingOwner {
            id: owner.id.into(),
            resident_id: owner.resident_id.map(ID::from),
            name,
            outside_contact,
            since: owner.created_at,
        });
    }
    Ok(out)
}

#[derive(InputObject)]
pub struct AddDwellingOwnerInput {
    pub dwelling_id: ID,
    /// An owner in the registry; or give `outsideName` (and optionally a contact).
    pub resident_id: Option<ID>,
    pub outside_name: Option<String>,
    #[graphql(secret)]
    pub outside_contact: Option<String>,
    /// An outside owner's identity document. With it, one person owning several dwellings
    /// (or also living in the compound) counts once in owners' votes; without it, each
    /// record of an outside owner is a separate person.
    pub outside_document_type: Option<DocumentTypeName>,
    #[graphql(secret)]
    pub outside_document_number: Option<String>,
}

#[derive(InputObject)]
pub struct EndDwellingOwnershipInput {
    pub owner_id: ID,
}

#[derive(SimpleObject)]
pub struct DwellingOwnerPayload {
    pub owner_id: ID,
    pub dwelling_id: ID,
}

#[derive(Default)]
pub struct OwnerMutation;

#[Object]
impl OwnerMutation {
    /// Records an owner of a dwelling. Community admins and staff.
    async fn add_dwelling_owner(
        &self,
        ctx: &Context<'_>,
        input: AddDwellingOwnerInput,
    ) -> Result<DwellingOwnerPayload> {
        let audit = json!({ "dwellingId": input.dwelling_id.as_str(), "residentId": input.resident_id.as_ref().map(|id| id.as_str()), "outside": input.outside_name.is_some() });
        let dwelling = parse_id("input.dwellingId", &input.dwelling_id);
        let owner = match (input.resident_id, input.outside_name) {
            (Some(id), None) => parse_id("input.residentId", &id).map(NewOwner::Resident),
            (None, Some(name)) => Ok(NewOwner::Outside {
                name,
                contact: input.outside_contact,
                document: input.outside_document_number.map(|number| {
                    let doc_type = input
                        .outside_document_type
                        .unwrap_or(DocumentTypeName::MainlandIdCard);
                    (doc_type.into(), number)
                }),
            }),
            _ => Err(AppError::bad_input(
                "input.residentId",
                msg!("give either residentId or outsideName"),
            )),
        };
        let keys = ctx.services().data_keys.clone();
        let owner = audited_write(ctx, "addDwellingOwner", audit, move |txn, viewer| {
            Box::pin(async move { owners::add_owner(txn, viewer, &keys, dwelling?, owner?).await })
        })
        .await?;
        Ok(DwellingOwnerPayload {
            owner_id: owner.id.into(),
            dwelling_id: owner.dwelling_id.into(),
        })
    }

    /// Ends an ownership (sold, inherited); the record is kept.
    async fn end_dwelling_ownership(
        &self,
        ctx: &Context<'_>,
        input: EndDwellingOwnershipInput,
    ) -> Result<DwellingOwnerPayload> {
        let audit = json!({ "ownerId": input.owner_id.as_str() });
        let id = parse_id("input.ownerId", &input.owner_id);
        let owner = audited_write(ctx, "endDwellingOwnership", audit, move |txn, viewer| {
            Box::pin(async move { owners::end_ownership(txn, viewer, id?).await })
        })
        .await?;
        Ok(DwellingOwnerPayload {
            owner_id: owner.id.into(),
            dwelling_id: owner.dwelling_id.into(),
        })
    }
}
