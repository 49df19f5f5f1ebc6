//! Resident accounts: staff create a login for a resident, or give them a one-time binding
//! code with which they claim their record themselves. Either way the user is linked to the
//! resident and holds the `resident` grant on the resident's household, which follows the
//! resident when they move and ends when they move out.

use chrono::{DateTime, Duration, Utc};
use entity::{
    binding_code, resident, resident_account,
    role_grant::{self, GrantSource, Role},
};
use rand::Rng;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    crypto::DataKeys,
    error::{AppError, AppResult, Msg, msg, on_unique_violation},
    identity::{
        grants::{self, GrantRow},
        sessions::end_sessions_of,
        users::insert_user,
    },
    live::LiveEvent,
    tenancy::{place_of_unchecked, visible_resident},
};

/// Codes are read out or printed on a slip: no 0/O, 1/I/L. 10 symbols of 31: ~49 bits.
const CODE_ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";
const CODE_LENGTH: usize = 10;
pub const CODE_VALID_DAYS: i64 = 14;
/// One message for unknown, used and expired codes: a guesser learns nothing.
pub const INVALID_CODE: Msg = msg!(
    "this binding code is not valid: it may be mistyped, used or expired; ask your community for a new one"
);

fn code_hash(keys: &DataKeys, code: &str) -> String {
    let normalised: String = code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    keys.lookup_hash("binding-code", &normalised)
}

async fn refuse_if_linked(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
) -> AppResult<()> {
    if resident.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the resident has moved out")));
    }
    if resident_account::Entity::find_by_id(resident.id)
        .one(conn)
        .await?
        .is_some()
    {
        return Err(AppError::Conflict(msg!(
            "the resident already has an account"
        )));
    }
    Ok(())
}

fn new_code() -> String {
    let mut rng = rand::rng();
    (0..CODE_LENGTH)
        .map(|_| CODE_ALPHABET[rng.random_range(0..CODE_ALPHABET.len())] as char)
        .collect()
}

/// A new code for a resident; earlier unused codes of theirs stop working.
pub async fn issue_binding_code(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    resident_id: Uuid,
) -> AppResult<Audited<(String, DateTime<Utc>)>> {
    let resident = visible_resident(conn, viewer, resident_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    refuse_if_linked(conn, &resident).await?;
    let now = Utc::now();
    binding_code::Entity::update_many()
        .col_expr(binding_code::Column::ExpiresAt, Expr::value(now))
        .filter(binding_code::Column::ResidentId.eq(resident.id))
        .filter(binding_code::Column::UsedAt.is_null())
        .filter(binding_code::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    let code = new_code();
    let expires = now + Duration::days(CODE_VALID_DAYS);
    binding_code::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(resident.community_id),
        resident_id: Set(resident.id),
        code_hash: Set(code_hash(keys, &code)),
        expires_at: Set(expires),
        used_at: Set(None),
        used_by: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new((code, expires), place, resident.id))
}

/// Links a user to a resident and grants `resident` on their household.
pub(crate) async fn link(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
    user_id: Uuid,
    granted_by: Option<Uuid>,
    place: Place,
) -> AppResult<()> {
    let now = Utc::now();
    resident_account::ActiveModel {
        resident_id: Set(resident.id),
        community_id: Set(resident.community_id),
        user_id: Set(user_id),
        linked_at: Set(now),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, msg!("this login is already linked to a resident")))?;
    insert_grant(conn, resident, user_id, granted_by, place, now).await?;
    crate::identity::position_grants::grant_positions_to_account(conn, resident.id, user_id, place)
        .await
}

async fn insert_grant(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
    user_id: Uuid,
    granted_by: Option<Uuid>,
    place: Place,
    now: DateTime<Utc>,
) -> AppResult<()> {
    grants::insert_grant(
        conn,
        GrantRow {
            user_id,
            role: Role::Resident,
            scope_id: Some(resident.household_id),
            place,
            valid_from: now,
            valid_until: None,
            source: (GrantSource::ResidentAccount, Some(resident.id)),
            granted_by,
        },
    )
    .await?;
    Ok(())
}

pub struct NewLogin {
    pub username: String,
    pub display_name: String,
    /// Already checked for strength and hashed.
    pub password_hash: String,
}

/// Staff create a login for a resident, with an initial password to change at first login.
pub async fn create_resident_account(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    resident_id: Uuid,
    login: NewLogin,
) -> AppResult<Audited<entity::app_user::Model>> {
    let resident = visible_resident(conn, viewer, resident_id).await?;
    let place =
        crate::registry::access::residents_place(conn, viewer, resident.community_id).await?;
    refuse_if_linked(conn, &resident).await?;
    let user = insert_user(
        conn,
        &login.username,
        &login.display_name,
        login.password_hash,
        true,
        place,
    )
    .await?;
    link(conn, &resident, user.id, Some(viewer.user_id), place).await?;
    Ok(Audited::new(user, place, resident.id))
}

/// Who claims a code: a new login made with it, or the logged-in caller.
pub enum Claimant {
    New(NewLogin),
    Existing(Uuid),
}

/// Redeems a binding code, once. Returns the resident and the user now linked to them.
pub async fn claim(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    code: &str,
    claimant: Claimant,
) -> AppResult<Audited<(resident::Model, Uuid)>> {
    let now = Utc::now();
    let invalid = || AppError::bad_input("input.code", INVALID_CODE);
    let found = binding_code::Entity::find()
        .filter(binding_code::Column::CodeHash.eq(code_hash(keys, code)))
        .one(conn)
        .await?
        .filter(|c| c.used_at.is_none() && c.expires_at > now)
        .ok_or_else(invalid)?;
    let resident = resident::Entity::find_by_id(found.resident_id)
        .one(conn)
        .await?
        .ok_or_else(invalid)?;
    refuse_if_linked(conn, &resident).await?;
    let community = place_of_unchecked(conn, resident.community_id).await?;
    let user_id = match claimant {
        Claimant::Existing(id) => id,
        Claimant::New(login) => {
            let display_name = match login.display_name.trim() {
                "" => resident.name.clone(),
                name => name.chars().take(100).collect(),
            };
            insert_user(
                conn,
                &login.username,
                &display_name,
                login.password_hash,
                false,
                community,
            )
            .await?
            .id
        }
    };
    // Single use even under concurrent claims: only one UPDATE finds it unused.
    let used = binding_code::Entity::update_many()
        .col_expr(binding_code::Column::UsedAt, Expr::value(now))
        .col_expr(binding_code::Column::UsedBy, Expr::value(user_id))
        .filter(binding_code::Column::Id.eq(found.id))
        .filter(binding_code::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if used.rows_affected != 1 {
        return Err(invalid());
    }
    link(conn, &resident, user_id, None, community).await?;
    // A logged-in claimant's cached Viewer must see the new household role at once.
    Ok(
        Audited::new((resident.clone(), user_id), community, resident.id)
            .with_event(LiveEvent::AccessChanged { user_id }),
    )
}

/// Keeps a resident's account grant on their household: moved to the new household when
/// they move, revoked (with the user's sessions) when they move out. Returns the live
/// event for the account's open connections when its access changed.
pub async fn follow_resident(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
) -> AppResult<Option<LiveEvent>> {
    let Some(account) = resident_account::Entity::find_by_id(resident.id)
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let now = Utc::now();
    let current = role_grant::Entity::find()
        .filter(role_grant::Column::SourceKind.eq(GrantSource::ResidentAccount))
        .filter(role_grant::Column::SourceId.eq(resident.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?;
    let moved_out = resident.archived_at.is_some();
    let stale: Vec<_> = current
        .iter()
        .filter(|g| moved_out || g.scope_id != Some(resident.household_id))
        .collect();
    if stale.is_empty() {
        return Ok(None);
    }
    for grant in &stale {
        let mut update: role_grant::ActiveModel = (*grant).clone().into();
        update.revoked_at = Set(Some(now));
        update.update(conn).await?;
    }
    if !moved_out {
        let place = Place::of_grant(stale[0]);
        insert_grant(conn, resident, account.user_id, None, place, now).await?;
    }
    if moved_out {
        end_sessions_of(conn, account.user_id, None, "moved out", now).await?;
    }
    Ok(Some(LiveEvent::AccessChanged {
        user_id: account.user_id,
    }))
}
