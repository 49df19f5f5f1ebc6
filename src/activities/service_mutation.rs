//! GraphQL writes of what volunteers deliver: households added to a delivery activity,
//! each door recorded, and a volunteer's certificate of hours. Audited like every
//! activity write (an export too: it reads a person's record).

use async_graphql::{Context, Object, Result};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use serde_json::json;

use super::{
    deliveries, hours,
    inputs::{
        AddDeliveryHouseholdsInput, AddDeliveryHouseholdsPayload, ExportVolunteerCertificateInput,
        ExportVolunteerCertificatePayload, RecordDeliveryInput, RecordDeliveryPayload,
    },
    service_objects::Delivery,
};
use crate::{
    audit::{Audited, audited_write},
    error::AppError,
    graphql::{StoredEnum, parse_id},
};

#[derive(Default)]
pub struct ServiceMutation;

#[Object]
impl ServiceMutation {
    /// Staff add the households of a care level to a delivery activity.
    async fn add_delivery_households(
        &self,
        ctx: &Context<'_>,
        input: AddDeliveryHouseholdsInput,
    ) -> Result<AddDeliveryHouseholdsPayload> {
        let audit = json!({ "activityId": input.activity_id.as_str(), "careLevel": input.care_level.as_str(), "compoundId": input.compound_id.as_ref().map(|c| c.as_str().to_owned()) });
        let activity = parse_id("input.activityId", &input.activity_id);
        let compound = input
            .compound_id
            .as_ref()
            .map(|c| parse_id("input.compoundId", c))
            .transpose();
        let level = input.care_level;
        let households = audited_write(ctx, "addDeliveryHouseholds", audit, move |txn, viewer| {
            Box::pin(async move {
                deliveries::add_households(txn, viewer, activity?, level, compound?).await
            })
        })
        .await?;
        Ok(AddDeliveryHouseholdsPayload { households })
    }

    /// A confirmed volunteer (or the organiser) records a delivery: delivered, not home.
    async fn record_delivery(
        &self,
        ctx: &Context<'_>,
        input: RecordDeliveryInput,
    ) -> Result<RecordDeliveryPayload> {
        let audit = json!({ "deliveryId": input.delivery_id.as_str(), "outcome": input.outcome.stored(), "note": !input.note.trim().is_empty() });
        let id = parse_id("input.deliveryId", &input.delivery_id);
        let (outcome, note) = (input.outcome, input.note);
        let row = audited_write(ctx, "recordDelivery", audit, move |txn, viewer| {
            Box::pin(async move { deliveries::record(txn, viewer, id?, outcome, &note).await })
        })
        .await?;
        Ok(RecordDeliveryPayload {
            delivery: Delivery::of(row)?,
        })
    }

    /// A volunteer's certificate of hours for a year (志愿服务时长证明) as a file: the
    /// resident their own, staff anyone's of their community.
    async fn export_volunteer_certificate(
        &self,
        ctx: &Context<'_>,
        input: ExportVolunteerCertificateInput,
    ) -> Result<ExportVolunteerCertificatePayload> {
        let audit = json!({ "residentId": input.resident_id.as_ref().map(|r| r.as_str().to_owned()), "year": input.year, "format": format!("{:?}", input.format) });
        let resident = input
            .resident_id
            .as_ref()
            .map(|r| parse_id("input.residentId", r))
            .transpose();
        let (year, format) = (input.year, input.format.into());
        let file = audited_write(
            ctx,
            "exportVolunteerCertificate",
            audit,
            move |txn, viewer| {
                Box::pin(async move {
                    let (resident, place) = match resident? {
                        Some(id) => hours::readable_volunteer(txn, viewer, id).await?,
                        None => {
                            let own = hours::own_volunteers(txn, viewer).await?;
                            let first = own.into_iter().next().ok_or_else(|| {
                                AppError::Forbidden(crate::error::msg!(
                                    "your login is not linked to a resident record"
                                ))
                            })?;
                            hours::readable_volunteer(txn, viewer, first.id).await?
                        }
                    };
                    let id = resident.id;
                    let issuer = format!("{} ({})", viewer.display_name, viewer.username);
                    let service = hours::year_of_service(txn, resident, year).await?;
                    let file =
                        hours::certificate(txn, service, format, &issuer, Utc::now()).await?;
                    Ok(Audited::new(file, place, id))
                })
            },
        )
        .await?;
        Ok(ExportVolunteerCertificatePayload {
            file_name: file.file_name,
            content_type: file.content_type.to_owned(),
            content_base64: STANDARD.encode(&file.bytes),
            total_minutes: file.total_minutes,
        })
    }
}
