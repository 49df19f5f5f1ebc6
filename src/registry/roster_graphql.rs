//! GraphQL for roster import (a multipart upload) and export (the file comes back in the
//! response, base64-encoded, so it travels with the same authentication and audit).

use async_graphql::{Context, Enum, ID, InputObject, Object, Result, SimpleObject, Upload};
use base64::{Engine, engine::general_purpose::STANDARD};
use chrono::Utc;
use sea_orm::EntityTrait;
use serde_json::json;

use super::{
    access::ResidentAccess,
    resident_filter::ResidentFilter,
    roster::RowProblem,
    roster_export,
    roster_import::{self, ImportMode, ImportOptions, ImportReport},
};
use crate::{
    audit::audited_write,
    auth::Capability,
    error::{AppError, msg},
    graphql::{ContextExt, parse_id},
    tabular::Format,
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileFormat {
    Csv,
    Xlsx,
}

impl From<FileFormat> for Format {
    fn from(f: FileFormat) -> Self {
        match f {
            FileFormat::Csv => Format::Csv,
            FileFormat::Xlsx => Format::Xlsx,
        }
    }
}

#[derive(InputObject)]
pub struct ImportResidentsInput {
    pub compound_id: ID,
    /// A CSV (UTF-8 with or without BOM, or GB18030) or XLSX roster with Chinese headers:
    /// 姓名, 性别, 身份证号, 联系电话, 楼栋, 单元, 房号, 面积, 与户主关系, 标签, ...
    pub file: Upload,
    #[graphql(default_with = "ImportMode::AllOrNothing")]
    pub mode: ImportMode,
    /// Create the buildings the file names that the compound does not have. Into a
    /// compound without buildings they are always created; into one with buildings an
    /// unknown building is reported at its row unless this is set.
    #[graphql(default = false)]
    pub create_missing_buildings: bool,
}

/// One bad cell or row, as the spreadsheet shows it.
#[derive(SimpleObject)]
pub struct ImportProblem {
    pub row: i32,
    pub column: String,
    pub message: String,
}

impl From<RowProblem> for ImportProblem {
    fn from(p: RowProblem) -> Self {
        Self {
            row: i32::try_from(p.row).unwrap_or(i32::MAX),
            column: p.column,
            message: p.message,
        }
    }
}

#[derive(SimpleObject)]
pub struct ImportResidentsPayload {
    /// Data rows in the file.
    pub rows: i32,
    /// Whether anything was written (false when the mode is ALL_OR_NOTHING and a row is bad).
    pub written: bool,
    pub residents_created: i32,
    /// Rows naming someone the registry already has; they are left as they are.
    pub residents_already_registered: i32,
    pub households_created: i32,
    pub dwellings_created: i32,
    pub buildings_created: i32,
    pub problems: Vec<ImportProblem>,
}

fn count(n: usize) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

impl From<ImportReport> for ImportResidentsPayload {
    fn from(r: ImportReport) -> Self {
        Self {
            rows: count(r.rows),
            written: r.written,
            residents_created: count(r.residents_created),
            residents_already_registered: count(r.residents_already_registered),
            households_created: count(r.households_created),
            dwellings_created: count(r.dwellings_created),
            buildings_created: count(r.buildings_created),
            problems: r.problems.into_iter().map(ImportProblem::from).collect(),
        }
    }
}

#[derive(InputObject)]
pub struct ExportResidentsInput {
    #[graphql(default)]
    pub filter: ResidentFilter,
    pub format: FileFormat,
    /// Full document numbers and phones; only the community's staff, with a reason.
    #[graphql(default = false)]
    pub unmasked: bool,
    pub reason: Option<String>,
}

#[derive(SimpleObject)]
pub struct ExportResidentsPayload {
    pub file_name: String,
    pub content_type: String,
    /// The file, base64-encoded.
    pub content_base64: String,
    pub residents: i32,
}

#[derive(Default)]
pub struct RosterMutation;

#[Object]
impl RosterMutation {
    /// Imports a roster into a compound, creating missing buildings, dwellings and
    /// households. Every row is checked first; see `mode`.
    async fn import_residents(
        &self,
        ctx: &Context<'_>,
        input: ImportResidentsInput,
    ) -> Result<ImportResidentsPayload> {
        let upload = input.file.value(ctx)?;
        let audit = json!({ "compoundId": input.compound_id.as_str(), "fileName": upload.filename, "bytes": upload.content.len(), "mode": format!("{:?}", input.mode), "createMissingBuildings": input.create_missing_buildings });
        let compound = parse_id("input.compoundId", &input.compound_id);
        let format = Format::detect(Some(&upload.filename), &upload.content)
            .ok_or_else(|| AppError::bad_input("input.file", msg!("not a CSV or XLSX file")));
        let keys = ctx.services().data_keys.clone();
        let options = ImportOptions {
            mode: input.mode,
            create_missing_buildings: input.create_missing_buildings,
        };
        let bytes = upload.content;
        let report = audited_write(ctx, "importResidents", audit, move |txn, viewer| {
            Box::pin(async move {
                roster_import::import_roster(
                    txn, viewer, &keys, compound?, format?, &bytes, options,
                )
                .await
            })
        })
        .await?;
        Ok(report.into())
    }

    /// Exports the residents matching a filter as a roster file; masked unless `unmasked`
    /// (community staff, with a reason, audited).
    async fn export_residents(
        &self,
        ctx: &Context<'_>,
        input: ExportResidentsInput,
    ) -> Result<ExportResidentsPayload> {
        let viewer = ctx.viewer()?;
        let mut access = ResidentAccess::of(viewer);
        if access.is_nothing() {
            return Err(AppError::Forbidden(msg!(
                "only community staff and grid workers export residents"
            ))
            .into());
        }
        let reason = input
            .reason
            .map(|r| r.trim().to_owned())
            .unwrap_or_default();
        if input.unmasked {
            if viewer.reach(Capability::ManageResidents).is_nothing() {
                return Err(AppError::Forbidden(msg!(
                    "only the community's admins and staff export unmasked data"
                ))
                .into());
            }
            if reason.chars().count() < 4 {
                return Err(AppError::bad_input(
                    "input.reason",
                    msg!("state why you need full data"),
                )
                .into());
            }
            // An unmasked export covers only communities the caller keeps.
            access.grids.clear();
            access.households.clear();
        }
        let condition = input
            .filter
            .condition(&ctx.services().data_keys, crate::calendar::today())?;
        let audit = json!({ "format": format!("{:?}", input.format), "unmasked": input.unmasked, "reason": reason });
        let keys = ctx.services().data_keys.clone();
        let exporter = format!("{} ({})", viewer.display_name, viewer.username);
        let (format, unmasked) = (input.format.into(), input.unmasked);
        let export = audited_write(ctx, "exportResidents", audit, move |txn, _viewer| {
            Box::pin(async move {
                let export = roster_export::export(
                    txn,
                    &access,
                    &keys,
                    condition,
                    format,
                    unmasked,
                    &exporter,
                    Utc::now(),
                )
                .await?;
                // The audit row belongs to the community when the file covers one.
                let mut target = crate::audit::AuditTarget::default();
                let first = export.subjects.first().map(|s| s.0);
                if let Some(c) = first.filter(|c| export.subjects.iter().all(|s| s.0 == *c))
                    && let Some(community) = entity::community::Entity::find_by_id(c)
                        .one(txn)
                        .await
                        .map_err(AppError::from)?
                {
                    target.place = crate::auth::viewer::Place::of_community(&community);
                }
                Ok(crate::audit::Audited::at(export, target))
            })
        })
        .await?;
        for (community, person) in &export.subjects {
            ctx.meta().returned_personal_data(*community, *person);
        }
        Ok(ExportResidentsPayload {
            file_name: export.file_name,
            content_type: export.content_type.to_owned(),
            content_base64: STANDARD.encode(&export.bytes),
            residents: count(export.subjects.len()),
        })
    }
}
