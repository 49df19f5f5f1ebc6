//! A family contact's own login: staff create it with an initial password to change at
//! first login (as for resident accounts). It holds the `family_contact` role on the
//! resident's household, sourced from the contact row, so removing the contact ends it.
//! `grantRole` never gives this role.

use chrono::Utc;
use entity::{
    app_user, family_contact,
    role_grant::{GrantSource, Role},
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait};
use uuid::Uuid;

use super::contacts::kept_contact;
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg, on_unique_violation},
    identity::{
        grants::{GrantRow, insert_grant},
        users::insert_user,
    },
    registry::{access::residents_place, accounts::NewLogin},
};

/// Creates the login of a current contact and grants it the household. Community staff.
pub async fn create_account(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    contact_id: Uuid,
    mut login: NewLogin,
) -> AppResult<Audited<(family_contact::Model, app_user::Model)>> {
    let (contact, _) = kept_contact(conn, viewer, contact_id).await?;
    let place = residents_place(conn, viewer, contact.community_id).await?;
    if contact.user_id.is_some() {
        return Err(AppError::Conflict(msg!(
            "the family contact already has an account"
        )));
    }
    if login.display_name.trim().is_empty() {
        login.display_name.clone_from(&contact.name);
    }
    let user = insert_user(
        conn,
        &login.username,
        &login.display_name,
        login.password_hash,
        true,
        place,
    )
    .await?;
    let mut row: family_contact::ActiveModel = contact.clone().into();
    row.user_id = Set(Some(user.id));
    row.updated_at = Set(Utc::now());
    let contact = row.update(conn).await.map_err(|e| {
        on_unique_violation(e, msg!("this login already speaks for a family contact"))
    })?;
    insert_grant(
        conn,
        GrantRow {
            user_id: user.id,
            role: Role::FamilyContact,
            scope_id: Some(contact.household_id),
            place,
            valid_from: Utc::now(),
            valid_until: None,
            source: (GrantSource::FamilyContact, Some(contact.id)),
            granted_by: Some(viewer.user_id),
        },
    )
    .await?;
    let resident = contact.resident_id;
    Ok(Audited::new((contact, user), place, resident))
}
