//! GraphQL writes of care watch: setting and ending watches, recording check-ins,
//! registering and revoking devices. Each runs through `audited_write`.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    devices,
    graphql::{CareCheckIn, CareWatch},
    service::{self, NewCheckIn},
    types::{CareDevice, CareDeviceKind, CareInterval, CheckInKind},
};
use crate::{
    audit::audited_write,
    graphql::{StoredEnum, parse_id},
};

#[derive(InputObject)]
pub struct SetCareWatchInput {
    pub household_id: ID,
    /// How often someone must see the household; null ends the watch.
    pub interval: Option<CareInterval>,
}

#[derive(SimpleObject)]
pub struct SetCareWatchPayload {
    /// The watch in force; null once ended.
    pub watch: Option<CareWatch>,
}

#[derive(InputObject)]
pub struct RecordCareCheckInInput {
    pub household_id: ID,
    pub kind: CheckInKind,
    /// When the household was seen; default now. Not in the future.
    pub at: Option<DateTime<Utc>>,
    /// How the resident was (personal data: read audited).
    #[graphql(default)]
    pub note: String,
}

#[derive(SimpleObject)]
pub struct RecordCareCheckInPayload {
    pub check_in: CareCheckIn,
}

#[derive(InputObject)]
pub struct RegisterCareDeviceInput {
    pub household_id: ID,
    pub kind: CareDeviceKind,
    /// Where it is, as staff will recognise it (卧室报警按钮, 入户门磁).
    pub label: String,
}

#[derive(SimpleObject)]
pub struct RegisterCareDevicePayload {
    pub device: CareDevice,
    /// The device's bearer token for `POST /care/intake`, shown this once.
    pub token: String,
}

#[derive(SimpleObject)]
pub struct RevokeCareDevicePayload {
    pub device: CareDevice,
}

#[derive(Default)]
pub struct CareMutation;

#[Object]
impl CareMutation {
    /// Staff or the household's grid worker put a household under care watch, change its
    /// interval, or (with a null interval) end it.
    async fn set_care_watch(
        &self,
        ctx: &Context<'_>,
        input: SetCareWatchInput,
    ) -> Result<SetCareWatchPayload> {
        let audit = json!({ "householdId": input.household_id.as_str(), "interval": input.interval.map(StoredEnum::stored) });
        let household = parse_id("input.householdId", &input.household_id);
        let interval = input.interval;
        let watch = audited_write(ctx, "setCareWatch", audit, move |txn, viewer| {
            Box::pin(async move { service::set_watch(txn, viewer, household?, interval).await })
        })
        .await?;
        Ok(SetCareWatchPayload {
            watch: watch.map(|w| CareWatch::of(w, Utc::now())).transpose()?,
        })
    }

    /// Records that someone saw a watched household: staff and the grid worker any kind
    /// but DEVICE, a resident of the household SELF.
    async fn record_care_check_in(
        &self,
        ctx: &Context<'_>,
        input: RecordCareCheckInInput,
    ) -> Result<RecordCareCheckInPayload> {
        // The note is personal data: the audit log keeps that there was one, not its text.
        let audit = json!({ "householdId": input.household_id.as_str(), "kind": input.kind.stored(), "at": input.at, "note": !input.note.trim().is_empty() });
        let household = parse_id("input.householdId", &input.household_id);
        let new = NewCheckIn {
            kind: input.kind,
            at: input.at.unwrap_or_else(Utc::now),
            note: input.note,
        };
        let row = audited_write(ctx, "recordCareCheckIn", audit, move |txn, viewer| {
            Box::pin(async move { service::check_in(txn, viewer, household?, new).await })
        })
        .await?;
        Ok(RecordCareCheckInPayload {
            check_in: CareCheckIn::of(row)?,
        })
    }

    /// Staff register an alarm button, door sensor or gateway; the answer carries its
    /// token once (only its hash is kept).
    async fn register_care_device(
        &self,
        ctx: &Context<'_>,
        input: RegisterCareDeviceInput,
    ) -> Result<RegisterCareDevicePayload> {
        let audit = json!({ "householdId": input.household_id.as_str(), "kind": input.kind.stored(), "label": input.label });
        let household = parse_id("input.householdId", &input.household_id);
        let (kind, label) = (input.kind, input.label);
        let registered = audited_write(ctx, "registerCareDevice", audit, move |txn, viewer| {
            Box::pin(async move { devices::register(txn, viewer, household?, kind, &label).await })
        })
        .await?;
        Ok(RegisterCareDevicePayload {
            device: CareDevice::of(registered.device)?,
            token: registered.token,
        })
    }

    /// Staff revoke a device: its token stops working at once.
    async fn revoke_care_device(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<RevokeCareDevicePayload> {
        let audit = json!({ "id": id.as_str() });
        let device = parse_id("id", &id);
        let row = audited_write(ctx, "revokeCareDevice", audit, move |txn, viewer| {
            Box::pin(async move { devices::revoke(txn, viewer, device?).await })
        })
        .await?;
        Ok(RevokeCareDevicePayload {
            device: CareDevice::of(row)?,
        })
    }
}
