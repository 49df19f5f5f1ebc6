//! Writing a checked roster: missing buildings (when allowed), dwellings and households,
//! then the new residents, a batch at a time, and the care levels their tags call for.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use entity::{building, compound, dwelling, household, resident};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    care::CareLevel,
    resident_fields::{Relation, new_row},
    roster::{RosterRow, building_key},
};
use crate::error::msg;
use crate::{crypto::DataKeys, error::AppResult};

/// Rows per INSERT: well under SQLite's and PostgreSQL's bound-parameter limits.
pub(super) const BATCH: usize = 400;

/// What the compound holds already, keyed the way roster rows are.
pub(super) struct Existing {
    pub(super) buildings: HashMap<String, building::Model>,
    pub(super) dwellings: HashMap<(Uuid, i32, String), dwelling::Model>,
    pub(super) households: HashMap<Uuid, household::Model>,
    /// Active residents of the community by document hash.
    pub(super) documents: HashSet<String>,
    /// (dwelling, name) of active residents, for residents without a document.
    pub(super) names: HashSet<(Uuid, String)>,
    /// Dwellings whose household already has a head.
    pub(super) heads: HashSet<Uuid>,
    /// Tags of current members of the compound's households, for their care levels.
    pub(super) member_levels: HashMap<Uuid, CareLevel>,
}

impl Existing {
    pub(super) async fn load(
        conn: &impl ConnectionTrait,
        compound: &compound::Model,
    ) -> AppResult<Self> {
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
            let level = CareLevel::for_tags(
                &serde_json::from_value::<Vec<String>>(tags).unwrap_or_default(),
            );
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

    /// The compound's buildings for a message: "1号楼, 2号楼, 3号楼".
    pub(super) fn building_list(&self) -> String {
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
            crate::error::on_unique_violation(e, msg!("someone registered some of these people or homes at the same moment; import the file again"))
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

/// What a write created.
#[derive(Debug, Default)]
pub struct Written {
    pub buildings: usize,
    pub dwellings: usize,
    pub households: usize,
    pub residents: usize,
}

pub(super) async fn write(
    conn: &impl ConnectionTrait,
    keys: &DataKeys,
    compound: &compound::Model,
    mut existing: Existing,
    rows: Vec<RosterRow>,
) -> AppResult<Written> {
    let mut report = Written::default();
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
                msg!(
                    "the roster names a building twice in different ways, or an archived building"
                ),
            )
        })?;
        existing.buildings.insert(key, model);
        report.buildings += 1;
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
                report.dwellings += 1;
                existing.dwellings.entry(dwelling_key).or_insert(d).id
            }
        };
        let household = existing.households.entry(dwelling).or_insert_with(|| {
            report.households += 1;
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
    report.residents = residents.len();
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
    Ok(report)
}
