//! Importing a roster into a compound: every row is validated before anything is written;
//! then, in the caller's one transaction, missing buildings, dwellings and households are
//! created and new residents inserted in batches. A resident already registered (same
//! document number in the community, or without one, same name in the same dwelling) is
//! left as it is, so importing the same file twice creates nothing the second time.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{building, community, compound, dwelling, household, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect, sea_query::LockType,
};
use uuid::Uuid;

use super::{
    care::CareLevel,
    personal,
    residents::{Relation, new_row},
    roster::{Address, Headers, RosterRow, RowProblem, building_key, read_rows},
};
use crate::{
    audit::Audited,
    auth::{Capability, Viewer},
    crypto::DataKeys,
    error::{AppError, AppResult},
    tabular::{self, Format},
    tenancy::{place_for, visible_compound},
};

/// The most rows one file may have.
pub const MAX_ROWS: usize = 20_000;
/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
const BATCH: usize = 400;

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

/// What the compound holds already, keyed the way roster rows are.
struct Existing {
    buildings: HashMap<String, building::Model>,
    dwellings: HashMap<(Uuid, i32, String), dwelling::Model>,
    households: HashMap<Uuid, household::Model>,
    /// Active residents of the community by document hash.
    documents: HashSet<String>,
    /// (dwelling, name) of active residents, for residents without a document.
    names: HashSet<(Uuid, String)>,
    /// Dwellings whose household already has a head.
    heads: HashSet<Uuid>,
    /// Tags of current members of the compound's households, for their care levels.
    member_levels: HashMap<Uuid, CareLevel>,
}

async fn load_existing(
    conn: &impl ConnectionTrait,
    compound: &compound::Model,
) -> AppResult<Existing> {
    let buildings = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound.id))
        .all(conn)
        .await?;
    let building_ids: Vec<Uuid> = buildings.iter().map(|b| b.id).collect();
    let dwellings = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.is_in(building_ids))
        .all(conn)
        .await?;
    let dwelling_ids: Vec<Uuid> = dwellings.iter().map(|d| d.id).collect();
    let households = household::Entity::find()
        .filter(household::Column::DwellingId.is_in(dwelling_ids))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?;
    let dwelling_of: HashMap<Uuid, Uuid> =
        households.iter().map(|h| (h.id, h.dwelling_id)).collect();
    let residents: Vec<(Uuid, String, Option<String>, String, serde_json::Value)> =
        resident::Entity::find()
            .select_only()
            .columns([
                resident::Column::HouseholdId,
                resident::Column::Name,
                resident::Column::DocumentHash,
                resident::Column::Relation,
                resident::Column::Tags,
            ])
            .filter(resident::Column::CommunityId.eq(compound.community_id))
            .filter(resident::Column::ArchivedAt.is_null())
            .into_tuple()
            .all(conn)
            .await?;
    let mut existing = Existing {
        buildings: HashMap::new(),
        dwellings: HashMap::new(),
        households: HashMap::new(),
        documents: HashSet::new(),
        names: HashSet::new(),
        heads: HashSet::new(),
        member_levels: HashMap::new(),
    };
    for (household, name, hash, relation, tags) in residents {
        existing.documents.extend(hash);
        let Some(dwelling) = dwelling_of.get(&household) else {
            continue;
        };
        existing.names.insert((*dwelling, name));
        if relation == Relation::Head.as_str() {
            existing.heads.insert(*dwelling);
        }
        let level =
            CareLevel::for_tags(&serde_json::from_value::<Vec<String>>(tags).unwrap_or_default());
        let entry = existing.member_levels.entry(household).or_insert(level);
        *entry = (*entry).max(level);
    }
    for b in buildings.into_iter().filter(|b| b.archived_at.is_none()) {
        existing
            .buildings
            .entry(building_key(&b.number))
            .or_insert(b);
    }
    for d in dwellings.into_iter().filter(|d| d.archived_at.is_none()) {
        existing
            .dwellings
            .insert((d.building_id, d.unit, d.room.clone()), d);
    }
    // One household per dwelling on import: the oldest current one.
    for h in households {
        existing.households.entry(h.dwelling_id).or_insert(h);
    }
    Ok(existing)
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

impl Existing {
    /// The compound's buildings for a message: "1号楼, 2号楼, 3号楼".
    fn building_list(&self) -> String {
        let mut numbers: Vec<&str> = self.buildings.values().map(|b| b.number.as_str()).collect();
        // 3号楼 before 12号楼: by the leading number, then as written.
        numbers.sort_by_key(|n| {
            let digits: String = n.chars().take_while(char::is_ascii_digit).collect();
            (digits.parse::<u64>().unwrap_or(u64::MAX), *n)
        });
        numbers.join(", ")
    }
}

/// Inserts `rows` [`BATCH`] at a time.
async fn insert_in_batches<A>(conn: &impl ConnectionTrait, rows: Vec<A>) -> AppResult<()>
where
    A: ActiveModelTrait + Send,
{
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let batch: Vec<A> = rows.by_ref().take(BATCH).collect();
        A::Entity::insert_many(batch).exec(conn).await.map_err(|e| {
            // The unique index on current residents, if a writer outside imports
            // registered one of these people meanwhile.
            crate::error::on_unique_violation(
                e,
                "someone registered some of these people or homes at the same moment; import the file again",
            )
        })?;
    }
    Ok(())
}

/// The floor of a room number: "1202" is on floor 12, "301" on floor 3.
fn floor_of(room: &str) -> i32 {
    let digits: String = room.chars().take_while(char::is_ascii_digit).collect();
    match digits.len() {
        3.. => digits[..digits.len() - 2].parse().unwrap_or(1),
        _ => 1,
    }
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
        "only the community's admins and staff import rosters",
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
        return Err(AppError::Conflict("the compound is archived".into()));
    }
    let table = tabular::read(format, bytes, MAX_ROWS)
        .map_err(|e| AppError::bad_input("input.file", e.to_string()))?;
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
    let existing = load_existing(conn, compound).await?;
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
    write(conn, keys, compound, existing, rows, &mut report).await?;
    report.written = true;
    Ok(report)
}

async fn write(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    compound: &compound::Model,
    mut existing: Existing,
    rows: Vec<RosterRow>,
    report: &mut ImportReport,
) -> AppResult<()> {
    let now = Utc::now();
    let community = compound.community_id;
    // New buildings, sized to what the roster shows of them.
    let mut new_buildings: HashMap<String, (String, i32, i32)> = HashMap::new();
    for row in &rows {
        let key = &row.address.building_key;
        if existing.buildings.contains_key(key) {
            continue;
        }
        let entry =
            new_buildings
                .entry(key.clone())
                .or_insert((row.address.building_label.clone(), 1, 1));
        entry.1 = entry.1.max(row.address.unit);
        entry.2 = entry.2.max(floor_of(&row.address.room));
    }
    let mut keys_sorted: Vec<_> = new_buildings.into_iter().collect();
    keys_sorted.sort();
    for (key, (label, units, floors)) in keys_sorted {
        let model = building::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community),
            compound_id: Set(compound.id),
            number: Set(label),
            units: Set(units),
            floors: Set(floors),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await
        .map_err(|e| {
            crate::error::on_unique_violation(
                e,
                "the roster names a building twice in different ways, or an archived building",
            )
        })?;
        existing.buildings.insert(key, model);
        report.buildings_created += 1;
    }
    // Dwellings and households the roster needs are made here and inserted in batches
    // below, before their residents: one statement per batch, not one per row.
    let mut new_dwellings = Vec::new();
    let mut new_households = HashSet::new();
    let mut residents = Vec::with_capacity(rows.len());
    // (stored derived level, level with the new members) per household touched.
    let mut levels: HashMap<Uuid, (CareLevel, CareLevel)> = HashMap::new();
    for row in rows {
        let Some(building) = existing.buildings.get(&row.address.building_key) else {
            continue;
        };
        let dwelling_key = (building.id, row.address.unit, row.address.room.clone());
        let dwelling = match existing.dwellings.get(&dwelling_key) {
            Some(d) => d.id,
            None => {
                let d = dwelling::Model {
                    id: Uuid::now_v7(),
                    community_id: community,
                    building_id: building.id,
                    unit: row.address.unit,
                    room: row.address.room.clone(),
                    floor_area_hundredths: row.floor_area,
                    created_at: now,
                    archived_at: None,
                };
                new_dwellings.push(dwelling::ActiveModel::from(d.clone()));
                report.dwellings_created += 1;
                existing.dwellings.entry(dwelling_key).or_insert(d).id
            }
        };
        let household = existing.households.entry(dwelling).or_insert_with(|| {
            report.households_created += 1;
            let h = household::Model {
                id: Uuid::now_v7(),
                community_id: community,
                dwelling_id: dwelling,
                tenure: row.tenure,
                created_at: now,
                archived_at: None,
                care_level_derived: CareLevel::Ordinary.as_str().to_owned(),
                care_level_override: None,
                care_level_reason: None,
            };
            new_households.insert(h.id);
            h
        });
        let entry = levels.entry(household.id).or_insert_with(|| {
            let stored = CareLevel::parse(&household.care_level_derived);
            let members = existing.member_levels.get(&household.id).copied();
            (stored, members.unwrap_or(CareLevel::Ordinary))
        });
        entry.1 = entry.1.max(CareLevel::for_tags(&row.resident.tags));
        residents.push(new_row(keys, household, row.resident)?);
    }
    report.residents_created = residents.len();
    // A new household starts at the level its members call for.
    let new_households: Vec<household::ActiveModel> = existing
        .households
        .into_values()
        .filter(|h| new_households.contains(&h.id))
        .map(|mut h| {
            if let Some((stored, level)) = levels.get_mut(&h.id) {
                h.care_level_derived = level.as_str().to_owned();
                *stored = *level;
            }
            household::ActiveModel::from(h)
        })
        .collect();
    insert_in_batches(conn, new_dwellings).await?;
    insert_in_batches(conn, new_households).await?;
    insert_in_batches(conn, residents).await?;
    // Care levels follow the new members' tags (the override, if any, still wins), in
    // one order so that two writers never wait on each other's households crosswise.
    let mut levels: Vec<_> = levels.into_iter().collect();
    levels.sort_by_key(|(household, _)| *household);
    for (household, (stored, level)) in levels {
        if stored != level {
            household::ActiveModel {
                id: sea_orm::ActiveValue::Unchanged(household),
                care_level_derived: Set(level.as_str().to_owned()),
                ..Default::default()
            }
            .update(conn)
            .await?;
        }
    }
    Ok(())
}
