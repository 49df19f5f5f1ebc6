//! Importing a roster into a compound: every row is validated before anything is written;
//! then, in the caller's one transaction, missing buildings, dwellings and households are
//! created and new residents inserted in batches. A resident already registered (same
//! document number in the community, or without one, same name in the same dwelling) is
//! left as it is, so importing the same file twice creates nothing the second time.

use std::collections::HashMap;

use entity::{community, compound};
use sea_orm::{ConnectionTrait, EntityTrait, QuerySelect, sea_query::LockType};
use uuid::Uuid;

use super::{
    personal,
    resident_fields::Relation,
    roster::{Address, Headers, RosterRow, RowProblem, read_rows},
    roster_write::Existing,
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    tabular::{self, Format},
    tenancy::{place_for, visible_compound},
};

/// The most rows one file may have.
pub const MAX_ROWS: usize = 20_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
pub enum ImportMode {
    /// Write nothing unless every row is valid.
    AllOrNothing,
    /// Write the valid rows and return the others.
    ValidRows,
}

/// How an import treats the file.
#[derive(Clone, Copy, Debug)]
pub struct ImportOptions {
    pub mode: ImportMode,
    /// Whether buildings the compound does not have yet may be created from the file.
    /// Into a compound without buildings they always are (the first roster sets it up);
    /// into one with buildings, an unknown building is a typo until the importer says
    /// otherwise, so a "99号楼" cannot quietly add a building.
    pub create_missing_buildings: bool,
}

impl ImportOptions {
    pub fn new(mode: ImportMode) -> Self {
        Self {
            mode,
            create_missing_buildings: false,
        }
    }
}

#[derive(Debug, Default)]
pub struct ImportReport {
    pub rows: usize,
    pub written: bool,
    pub residents_created: usize,
    pub residents_already_registered: usize,
    pub households_created: usize,
    pub dwellings_created: usize,
    pub buildings_created: usize,
    pub problems: Vec<RowProblem>,
}

/// Holds the community's row until the transaction ends (PostgreSQL; SQLite's single
/// writer already serialises). `NO KEY UPDATE` so that ordinary inserts, whose foreign keys
/// only take `KEY SHARE` on the row, are not held up.
async fn lock_community(conn: &impl ConnectionTrait, community_id: Uuid) -> AppResult<()> {
    community::Entity::find_by_id(community_id)
        .select_only()
        .column(community::Column::Id)
        .lock(LockType::NoKeyUpdate)
        .into_tuple::<Uuid>()
        .one(conn)
        .await?;
    Ok(())
}

/// Checks rows against each other and the registry; returns the rows to write.
fn plan(
    rows: Vec<RosterRow>,
    headers: &Headers,
    existing: &Existing,
    keys: &DataKeys,
    create_buildings: bool,
    report: &mut ImportReport,
) -> Vec<RosterRow> {
    let create_buildings = create_buildings || existing.buildings.is_empty();
    let mut documents: HashMap<String, usize> = HashMap::new();
    let mut names: HashMap<(Address, String), usize> = HashMap::new();
    let mut heads: HashMap<Address, usize> = HashMap::new();
    let mut keep = Vec::new();
    for row in rows {
        let mut problem = |column: &str, message: String| {
            report.problems.push(RowProblem {
                row: row.row,
                column: column.to_owned(),
                message,
            });
        };
        let building = existing.buildings.get(&row.address.building_key);
        if building.is_none() && !create_buildings {
            problem(
                &headers.building,
                format!(
                    "the compound has no building \"{}\" (it has {}); correct the cell, or import with createMissingBuildings to add it",
                    row.address.building_label,
                    existing.building_list(),
                ),
            );
            continue;
        }
        if let Some(b) = building
            && row.address.unit > b.units
        {
            problem(
                &headers.unit,
                format!("building {} has units 1 to {}", b.number, b.units),
            );
            continue;
        }
        let dwelling = building.and_then(|b| {
            existing
                .dwellings
                .get(&(b.id, row.address.unit, row.address.room.clone()))
        });
        let hash = personal::document_hash(keys, &row.resident.document);
        if let Some(hash) = &hash {
            if let Some(first) = documents.get(hash) {
                problem(
                    &headers.document,
                    format!("the same document number as row {first}"),
                );
                continue;
            }
            documents.insert(hash.clone(), row.row);
            if existing.documents.contains(hash) {
                report.residents_already_registered += 1;
                continue;
            }
        } else {
            let key = (row.address.clone(), row.resident.name.clone());
            if let Some(first) = names.get(&key) {
                problem(
                    &headers.name,
                    format!("the same person at the same address as row {first}"),
                );
                continue;
            }
            names.insert(key, row.row);
            if dwelling.is_some_and(|d| existing.names.contains(&(d.id, row.resident.name.clone())))
            {
                report.residents_already_registered += 1;
                continue;
            }
        }
        if row.resident.relation == Relation::Head {
            if dwelling.is_some_and(|d| existing.heads.contains(&d.id)) {
                problem(&headers.relation, "the household already has a head".into());
                continue;
            }
            if let Some(first) = heads.get(&row.address) {
                problem(
                    &headers.relation,
                    format!("row {first} is already the head of this household"),
                );
                continue;
            }
            heads.insert(row.address.clone(), row.row);
        }
        keep.push(row);
    }
    keep
}

pub async fn import_roster(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    keys: &DataKeys,
    compound_id: Uuid,
    format: Format,
    bytes: &[u8],
    options: ImportOptions,
) -> AppResult<Audited<ImportReport>> {
    let compound = visible_compound(conn, viewer, compound_id).await?;
    let place = place_for(
        conn,
        viewer,
        compound.community_id,
        Capability::ManageResidents,
        msg!("only the community's admins and staff import rosters"),
    )
    .await?;
    let report = import_into(conn, keys, &compound, format, bytes, options).await?;
    Ok(Audited::new(report, place, compound.id))
}

/// The import itself, once the caller may import into `compound`.
pub async fn import_into(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    compound: &compound::Model,
    format: Format,
    bytes: &[u8],
    options: ImportOptions,
) -> AppResult<ImportReport> {
    if compound.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the compound is archived")));
    }
    let table = tabular::read(format, bytes, MAX_ROWS)
        .map_err(|e| AppError::bad_input("input.file", e.msg()))?;
    let (rows, problems) = read_rows(&table, crate::calendar::today())
        .map_err(|message| AppError::bad_input("input.file", message))?;
    let mut report = ImportReport {
        rows: table.rows.len(),
        problems,
        ..Default::default()
    };
    // Imports into one community take turns: the second of two racing imports of the
    // same roster then finds the first one's people registered and creates nothing.
    lock_community(conn, compound.community_id).await?;
    let existing = Existing::load(conn, compound).await?;
    let rows = plan(
        rows,
        &Headers::of(&table),
        &existing,
        keys,
        options.create_missing_buildings,
        &mut report,
    );
    report.problems.sort_by_key(|p| p.row);
    if options.mode == ImportMode::AllOrNothing && !report.problems.is_empty() {
        return Ok(report);
    }
    let written = super::roster_write::write(conn, keys, compound, existing, rows).await?;
    report.buildings_created = written.buildings;
    report.dwellings_created = written.dwellings;
    report.households_created = written.households;
    report.residents_created = written.residents;
    report.written = true;
    Ok(report)
}
