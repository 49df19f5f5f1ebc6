//! GraphQL mutations of family contacts. Phones never enter the audit log: only which
//! fields changed and the flags (who may act for whom is what an auditor asks about).

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::json;

use super::{
    account,
    contacts::{self, ContactFields},
    types::{FamilyContact, FamilyRelation, contact_view},
};
use crate::{
    audit::audited_write,
    auth::password::check_strength,
    error::AppResult,
    graphql::{ContextExt, parse_id},
    identity::users::check_username,
    registry::accounts::NewLogin,
};

#[derive(InputObject)]
pub struct AddFamilyContactInput {
    pub resident_id: ID,
    pub name: String,
    pub relation: FamilyRelation,
    #[graphql(secret)]
    pub phone: Option<String>,
    #[graphql(default)]
    pub may_answer_consultations: bool,
    #[graphql(default)]
    pub may_sign_in_to_meetings: bool,
    #[graphql(default)]
    pub may_receive_notices: bool,
}

/// Changes to a contact; omitted fields stay as they are.
#[derive(InputObject)]
pub struct UpdateFamilyContactInput {
    pub id: ID,
    pub name: Option<String>,
    pub relation: Option<FamilyRelation>,
    /// `null` removes the phone.
    #[graphql(secret)]
    pub phone: MaybeUndefined<String>,
    pub may_answer_consultations: Option<bool>,
    pub may_sign_in_to_meetings: Option<bool>,
    pub may_receive_notices: Option<bool>,
}

#[derive(InputObject)]
pub struct FamilyContactRefInput {
    pub id: ID,
}

#[derive(InputObject)]
pub struct CreateFamilyContactAccountInput {
    pub family_contact_id: ID,
    pub username: String,
    /// Defaults to the contact's name.
    pub display_name: Option<String>,
    /// To be changed at first login.
    #[graphql(secret)]
    pub initial_password: String,
}

#[derive(InputObject)]
pub struct RevealFamilyContactPhoneInput {
    pub family_contact_id: ID,
    /// Why it is needed; kept in the audit log.
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct FamilyContactPayload {
    pub family_contact: FamilyContact,
}

#[derive(SimpleObject)]
pub struct FamilyContactAccountPayload {
    pub user_id: ID,
    pub family_contact: FamilyContact,
}

#[derive(SimpleObject)]
pub struct FamilyContactPhonePayload {
    pub value: Option<String>,
}

fn payload(ctx: &Context<'_>, m: entity::family_contact::Model) -> Result<FamilyContactPayload> {
    Ok(FamilyContactPayload {
        family_contact: contact_view(ctx, m)?,
    })
}

#[derive(Default)]
pub struct FamilyMutation;

#[Object]
impl FamilyMutation {
    /// Names a relative who may act for a resident's household. Community staff, or a
    /// resident of that household.
    async fn add_family_contact(
        &self,
        ctx: &Context<'_>,
        input: AddFamilyContactInput,
    ) -> Result<FamilyContactPayload> {
        let audit = json!({ "residentId": input.resident_id.as_str(), "relation": format!("{:?}", input.relation), "phone": input.phone.is_some(), "mayAnswerConsultations": input.may_answer_consultations, "maySignInToMeetings": input.may_sign_in_to_meetings, "mayReceiveNotices": input.may_receive_notices });
        let resident = parse_id("input.residentId", &input.resident_id);
        let keys = ctx.services().data_keys.clone();
        let fields = ContactFields {
            name: Some(input.name),
            relation: Some(input.relation),
            phone: Some(input.phone),
            may_answer_consultations: Some(input.may_answer_consultations),
            may_sign_in_to_meetings: Some(input.may_sign_in_to_meetings),
            may_receive_notices: Some(input.may_receive_notices),
        };
        let contact = audited_write(ctx, "addFamilyContact", audit, move |txn, viewer| {
            Box::pin(async move { contacts::add(txn, viewer, &keys, resident?, fields).await })
        })
        .await?;
        payload(ctx, contact)
    }

    /// Changes a contact; a cleared flag stops the contact from that act at once.
    async fn update_family_contact(
        &self,
        ctx: &Context<'_>,
        input: UpdateFamilyContactInput,
    ) -> Result<FamilyContactPayload> {
        let changed: Vec<&str> = [
            ("name", input.name.is_some()),
            ("relation", input.relation.is_some()),
            ("phone", !input.phone.is_undefined()),
        ]
        .into_iter()
        .filter_map(|(name, given)| given.then_some(name))
        .collect();
        let audit = json!({ "id": input.id.as_str(), "changed": changed, "mayAnswerConsultations": input.may_answer_consultations, "maySignInToMeetings": input.may_sign_in_to_meetings, "mayReceiveNotices": input.may_receive_notices });
        let id = parse_id("input.id", &input.id);
        let keys = ctx.services().data_keys.clone();
        let fields = ContactFields {
            name: input.name,
            relation: input.relation,
            phone: match input.phone {
                MaybeUndefined::Undefined => None,
                MaybeUndefined::Null => Some(None),
                MaybeUndefined::Value(p) => Some(Some(p)),
            },
            may_answer_consultations: input.may_answer_consultations,
            may_sign_in_to_meetings: input.may_sign_in_to_meetings,
            may_receive_notices: input.may_receive_notices,
        };
        let contact = audited_write(ctx, "updateFamilyContact", audit, move |txn, viewer| {
            Box::pin(async move { contacts::update(txn, viewer, &keys, id?, fields).await })
        })
        .await?;
        payload(ctx, contact)
    }

    /// Removes a contact (kept for the record); their login loses the household at once.
    async fn remove_family_contact(
        &self,
        ctx: &Context<'_>,
        input: FamilyContactRefInput,
    ) -> Result<FamilyContactPayload> {
        let audit = json!({ "id": input.id.as_str() });
        let id = parse_id("input.id", &input.id);
        let contact = audited_write(ctx, "removeFamilyContact", audit, move |txn, viewer| {
            Box::pin(async move { contacts::remove(txn, viewer, id?).await })
        })
        .await?;
        payload(ctx, contact)
    }

    /// Creates the contact's own login (initial password to change at first login), with
    /// the `family_contact` role on the resident's household. Community admins and staff.
    async fn create_family_contact_account(
        &self,
        ctx: &Context<'_>,
        input: CreateFamilyContactAccountInput,
    ) -> Result<FamilyContactAccountPayload> {
        let audit = json!({ "familyContactId": input.family_contact_id.as_str(), "username": input.username, "initialPassword": "[redacted]" });
        let id = parse_id("input.familyContactId", &input.family_contact_id);
        let login = match ctx.viewer() {
            Ok(_) => {
                new_login(
                    ctx,
                    &input.username,
                    input.display_name,
                    input.initial_password,
                )
                .await
            }
            Err(e) => Err(e),
        };
        let (contact, user) = audited_write(
            ctx,
            "createFamilyContactAccount",
            audit,
            move |txn, viewer| {
                Box::pin(async move { account::create_account(txn, viewer, id?, login?).await })
            },
        )
        .await?;
        Ok(FamilyContactAccountPayload {
            user_id: user.id.into(),
            family_contact: contact_view(ctx, contact)?,
        })
    }

    /// Shows a contact's phone in full; the reason is kept in the audit log. Community
    /// admins and staff, as for residents' phones.
    async fn reveal_family_contact_phone(
        &self,
        ctx: &Context<'_>,
        input: RevealFamilyContactPhoneInput,
    ) -> Result<FamilyContactPhonePayload> {
        let audit =
            json!({ "familyContactId": input.family_contact_id.as_str(), "reason": input.reason });
        let id = parse_id("input.familyContactId", &input.family_contact_id);
        let keys = ctx.services().data_keys.clone();
        let reason = input.reason;
        let value = audited_write(
            ctx,
            "revealFamilyContactPhone",
            audit,
            move |txn, viewer| {
                Box::pin(
                    async move { contacts::reveal_phone(txn, viewer, &keys, id?, &reason).await },
                )
            },
        )
        .await?;
        Ok(FamilyContactPhonePayload { value })
    }
}

async fn new_login(
    ctx: &Context<'_>,
    username: &str,
    display_name: Option<String>,
    password: String,
) -> AppResult<NewLogin> {
    let username = check_username("input.username", username)?;
    check_strength("input.initialPassword", &username, &password)?;
    Ok(NewLogin {
        password_hash: ctx.services().passwords.hash(password).await?,
        display_name: display_name.unwrap_or_default(),
        username,
    })
}
