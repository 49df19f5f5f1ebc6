//! Registering and revoking the devices of watched homes (alarm buttons, door sensors,
//! gateways). A device authenticates with a token shown once at registration: `jdev_`
//! and 32 random bytes (base64url); only its SHA-256 is stored, so the database never
//! holds a working token.

use chrono::Utc;
use entity::{care_device, reach::TenantEntity};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{access::care_household, types::CareDeviceKind};
use crate::{
    audit::Audited,
    auth::{
        Capability, Viewer,
        token::{new_opaque_token, opaque_token_hash},
    },
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name},
};

/// What every device token starts with, so a leaked one is recognisable in logs and scans.
pub const TOKEN_PREFIX: &str = "jdev_";

/// A freshly registered device and its token (shown this once).
pub struct Registered {
    pub device: care_device::Model,
    pub token: String,
}

/// Staff register a device in a household of their community.
pub async fn register(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    household_id: Uuid,
    kind: CareDeviceKind,
    label: &str,
) -> AppResult<Audited<Registered>> {
    let target = care_household(conn, viewer, household_id).await?;
    target.check_devices()?;
    let label = clean_name("input.label", label, 100)?;
    let token = format!("{TOKEN_PREFIX}{}", new_opaque_token());
    let device = care_device::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(target.household.community_id),
        household_id: Set(household_id),
        kind: Set(kind.stored().to_owned()),
        label: Set(label),
        token_hash: Set(opaque_token_hash(&token)),
        created_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        last_seen_at: Set(None),
        last_alarm_at: Set(None),
        last_alarm_request_id: Set(None),
    }
    .insert(conn)
    .await?;
    let id = device.id;
    Ok(Audited::new(Registered { device, token }, target.place, id))
}

/// Staff revoke a device: its token stops working at once. Revoking twice is a no-op.
pub async fn revoke(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<care_device::Model>> {
    let not_found = || AppError::NotFound(msg!("device not found"));
    let device = care_device::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(care_device::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let target = care_household(conn, viewer, device.household_id)
        .await
        .map_err(|_| not_found())?;
    target.check_devices()?;
    let device = if device.revoked_at.is_some() {
        device
    } else {
        let mut revoked: care_device::ActiveModel = device.into();
        revoked.revoked_at = Set(Some(Utc::now()));
        revoked.update(conn).await?
    };
    Ok(Audited::new(device, target.place, id))
}

/// A household's devices, revoked ones too, oldest first (a household has a handful).
pub async fn devices_of(
    conn: &impl ConnectionTrait,
    household: Uuid,
) -> AppResult<Vec<care_device::Model>> {
    Ok(care_device::Entity::find()
        .filter(care_device::Column::HouseholdId.eq(household))
        .order_by_asc(care_device::Column::Id)
        .all(conn)
        .await?)
}
