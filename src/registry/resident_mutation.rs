//! GraphQL mutations of households and residents. Personal data never enters the audit log:
//! only which fields changed.

use async_graphql::{Context, Enum, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::ResidentAccess,
    care::CareLevel,
    personal::PersonalField,
    resident_fields::{Relation, ResidentFields, ResidentTag},
    resident_types::{Household, Resident, Tenure, resident_view},
    residents::{self, ResidentChanges},
    types::DocumentTypeName,
};
use crate::{
    audit::audited_write,
    graphql::{ContextExt, parse_id, scalars::Date},
};

#[derive(InputObject)]
pub struct CreateHouseholdInput {
    pub dwelling_id: ID,
    pub tenure: Tenure,
}

#[derive(InputObject)]
pub struct CreateResidentInput {
    pub household_id: ID,
    pub name: String,
    pub document_type: DocumentTypeName,
    #[graphql(secret)]
    pub document_number: Option<String>,
    #[graphql(secret)]
    pub phone: Option<String>,
    pub relation: Relation,
    #[graphql(default = true)]
    pub registered: bool,
    #[graphql(default)]
    pub tags: Vec<ResidentTag>,
    pub moved_in_on: Option<Date>,
}

/// Changes to a resident; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateResidentInput {
    pub id: ID,
    pub name: Option<String>,
    /// Give the type and number together to change the document.
    pub document_type: Option<DocumentTypeName>,
    #[graphql(secret)]
    pub document_number: Option<String>,
    /// `null` removes the phone.
    #[graphql(secret)]
    pub phone: MaybeUndefined<String>,
    pub relation: Option<Relation>,
    pub registered: Option<bool>,
    pub tags: Option<Vec<ResidentTag>>,
    pub moved_in_on: MaybeUndefined<Date>,
    /// Moves the resident to another household of the community.
    pub household_id: Option<ID>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RevealableField {
    DocumentNumber,
    Phone,
}

#[derive(InputObject)]
pub struct RevealResidentFieldInput {
    pub resident_id: ID,
    pub field: RevealableField,
    /// Why it is needed; kept in the audit log.
    pub reason: String,
}

#[derive(InputObject)]
pub struct MoveOutResidentInput {
    pub id: ID,
    /// The day they left; today when omitted.
    pub moved_out_on: Option<Date>,
}

#[derive(InputObject)]
pub struct SetCareLevelInput {
    pub household_id: ID,
    /// The level to use instead of the derived one; `null` goes back to the derived level.
    pub care_level: Option<CareLevel>,
    /// Required when setting a level; kept with the household and in the audit log.
    pub reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct HouseholdPayload {
    pub household: Household,
}

#[derive(SimpleObject)]
pub struct ResidentPayload {
    pub resident: Resident,
}

#[derive(SimpleObject)]
pub struct RevealPayload {
    pub value: Option<String>,
}

#[derive(Default)]
pub struct ResidentMutation;

fn resident_payload(
    ctx: &Context<'_>,
    resident: entity::resident::Model,
) -> Result<ResidentPayload> {
    let access = ResidentAccess::of(ctx.viewer()?);
    Ok(ResidentPayload {
        resident: resident_view(ctx, &access, resident)?,
    })
}

#[Object]
impl ResidentMutation {
    async fn create_household(
        &self,
        ctx: &Context<'_>,
        input: CreateHouseholdInput,
    ) -> Result<HouseholdPayload> {
        let audit = json!({ "dwellingId": input.dwelling_id.as_str(), "tenure": format!("{:?}", input.tenure) });
        let dwelling = parse_id("input.dwellingId", &input.dwelling_id);
        let tenure = input.tenure.into();
        let household = audited_write(ctx, "createHousehold", audit, move |txn, viewer| {
            Box::pin(
                async move { residents::create_household(txn, viewer, dwelling?, tenure).await },
            )
        })
        .await?;
        Ok(HouseholdPayload {
            household: household.into(),
        })
    }

    /// Records a resident; document number and phone are validated and stored encrypted.
    async fn create_resident(
        &self,
        ctx: &Context<'_>,
        input: CreateResidentInput,
    ) -> Result<ResidentPayload> {
        let tags = ResidentTag::stored_names(&input.tags);
        let audit = json!({ "householdId": input.household_id.as_str(), "documentType": format!("{:?}", input.document_type), "relation": input.relation.as_str(), "tags": tags });
        let household = parse_id("input.householdId", &input.household_id);
        let keys = ctx.services().data_keys.clone();
        let fields = ResidentFields {
            name: input.name,
            document_type: input.document_type.into(),
            document_number: input.document_number,
            phone: input.phone,
            relation: input.relation,
            registered: input.registered,
            tags,
            moved_in_on: input.moved_in_on.map(|d| d.0),
        };
        let resident = audited_write(ctx, "createResident", audit, move |txn, viewer| {
            Box::pin(async move {
                residents::create_resident(txn, viewer, &keys, household?, fields).await
            })
        })
        .await?;
        resident_payload(ctx, resident)
    }

    /// Edits a resident; the household's care level follows the new tags.
    async fn update_resident(
        &self,
        ctx: &Context<'_>,
        input: UpdateResidentInput,
    ) -> Result<ResidentPayload> {
        let changed: Vec<&str> = [
            ("name", input.name.is_some()),
            ("document", input.document_type.is_some()),
            ("phone", !input.phone.is_undefined()),
            ("relation", input.relation.is_some()),
            ("registered", input.registered.is_some()),
            ("tags", input.tags.is_some()),
            ("movedInOn", !input.moved_in_on.is_undefined()),
            ("householdId", input.household_id.is_some()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect();
        let tags = input.tags.as_deref().map(ResidentTag::stored_names);
        let audit = json!({ "id": input.id.as_str(), "changed": changed, "tags": tags });
        let id = parse_id("input.id", &input.id);
        let household = input
            .household_id
            .as_ref()
            .map(|h| parse_id("input.householdId", h))
            .transpose();
        let keys = ctx.services().data_keys.clone();
        let document = input
            .document_type
            .map(|t| (t.into(), input.document_number));
        let changes = ResidentChanges {
            name: input.name,
            document,
            phone: match input.phone {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(p) => Some(Some(p)),
            },
            relation: input.relation,
            registered: input.registered,
            tags,
            moved_in_on: match input.moved_in_on {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(d) => Some(Some(d.0)),
            },
            household_id: None,
        };
        let resident = audited_write(ctx, "updateResident", audit, move |txn, viewer| {
            Box::pin(async move {
                let changes = ResidentChanges {
                    household_id: household?,
                    ..changes
                };
                residents::update_resident(txn, viewer, &keys, id?, changes).await
            })
        })
        .await?;
        resident_payload(ctx, resident)
    }

    /// Shows one field of one resident in full; the reason is kept in the audit log.
    async fn reveal_resident_field(
        &self,
        ctx: &Context<'_>,
        input: RevealResidentFieldInput,
    ) -> Result<RevealPayload> {
        let audit = json!({ "residentId": input.resident_id.as_str(), "field": format!("{:?}", input.field), "reason": input.reason });
        let id = parse_id("input.residentId", &input.resident_id);
        let field = match input.field {
            RevealableField::DocumentNumber => PersonalField::DocumentNumber,
            RevealableField::Phone => PersonalField::Phone,
        };
        let keys = ctx.services().data_keys.clone();
        let reason = input.reason;
        let value = audited_write(ctx, "revealResidentField", audit, move |txn, viewer| {
            Box::pin(
                async move { residents::reveal(txn, viewer, &keys, id?, field, &reason).await },
            )
        })
        .await?;
        Ok(RevealPayload { value })
    }

    /// Marks a resident as moved out; nothing is deleted.
    async fn move_out_resident(
        &self,
        ctx: &Context<'_>,
        input: MoveOutResidentInput,
    ) -> Result<ResidentPayload> {
        let audit =
            json!({ "id": input.id.as_str(), "movedOutOn": input.moved_out_on.map(|d| d.0) });
        let id = parse_id("input.id", &input.id);
        let on = input.moved_out_on.map(|d| d.0);
        let resident = audited_write(ctx, "moveOutResident", audit, move |txn, viewer| {
            Box::pin(async move { residents::move_out(txn, viewer, id?, on).await })
        })
        .await?;
        resident_payload(ctx, resident)
    }

    /// Sets a household's care level instead of the derived one, with a reason; or clears it.
    async fn set_household_care_level(
        &self,
        ctx: &Context<'_>,
        input: SetCareLevelInput,
    ) -> Result<HouseholdPayload> {
        let audit = json!({ "householdId": input.household_id.as_str(), "careLevel": input.care_level.map(CareLevel::as_str), "reason": input.reason });
        let id: Result<Uuid, _> = parse_id("input.householdId", &input.household_id);
        let (level, reason) = (input.care_level, input.reason);
        let household = audited_write(ctx, "setHouseholdCareLevel", audit, move |txn, viewer| {
            Box::pin(
                async move { residents::set_care_level(txn, viewer, id?, level, reason).await },
            )
        })
        .await?;
        Ok(HouseholdPayload {
            household: household.into(),
        })
    }
}
