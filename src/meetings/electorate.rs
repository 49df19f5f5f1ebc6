//! A motion's electorate, fixed when voting opens: the voting units and who may cast each
//! unit's ballot.
//!
//! Owners (art. 278, as the SPC's interpretation on building ownership, arts. 8-9, counts):
//! every dwelling of the compound counts with its registered floor area; a dwelling is one
//! head, but one owner of several dwellings counts once, so dwellings sharing an owner are
//! joined into one unit (one head, their summed area) whose ballot any of its owners casts.
//! A dwelling with no registered owner is a unit nobody can vote for online: it still
//! counts towards the totals, as the law counts all exclusive parts. Tenants never vote.
//!
//! Households (consultation): each current household with its current members.

use std::collections::HashMap;

use entity::{building, dwelling, dwelling_owner, household, resident};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

/// A voting unit before it is stored.
#[derive(Debug, PartialEq, Eq)]
pub struct UnitDraft {
    pub label: String,
    pub heads: i32,
    pub area_hundredths: i64,
    pub household_id: Option<Uuid>,
    /// Residents who may cast the unit's ballot.
    pub members: Vec<Uuid>,
}

/// One owner as a person. The document number (its keyed hash) identifies a person across
/// the registry: an outside owner of two dwellings, or a resident who also owns a flat
/// they do not live in, is one person. Without a document, a resident is themself and an
/// outside owner is their ownership record.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Person {
    Document(String),
    Resident(Uuid),
    Outside(Uuid),
}

/// A current ownership of a dwelling.
#[derive(Clone, Debug)]
pub struct Ownership {
    pub dwelling: Uuid,
    pub person: Person,
    /// The registry resident, who may cast the unit's ballot online.
    pub resident: Option<Uuid>,
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Joins dwellings that share an owner (union-find) into owners' units. `dwellings` are
/// `(id, label, area)`.
pub fn owner_units(dwellings: &[(Uuid, String, i64)], owners: &[Ownership]) -> Vec<UnitDraft> {
    let index: HashMap<Uuid, usize> = dwellings
        .iter()
        .enumerate()
        .map(|(i, d)| (d.0, i))
        .collect();
    let mut parent: Vec<usize> = (0..dwellings.len()).collect();
    let mut first_dwelling_of: HashMap<&Person, usize> = HashMap::new();
    for owner in owners {
        let Some(&i) = index.get(&owner.dwelling) else {
            continue;
        };
        let j = *first_dwelling_of.entry(&owner.person).or_insert(i);
        let (a, b) = (find(&mut parent, i), find(&mut parent, j));
        parent[a.max(b)] = a.min(b);
    }
    let mut units: Vec<(usize, UnitDraft)> = Vec::new();
    let mut unit_of_root: HashMap<usize, usize> = HashMap::new();
    for (i, (_, label, area)) in dwellings.iter().enumerate() {
        let root = find(&mut parent, i);
        let slot = *unit_of_root.entry(root).or_insert_with(|| {
            units.push((
                root,
                UnitDraft {
                    label: String::new(),
                    heads: 1,
                    area_hundredths: 0,
                    household_id: None,
                    members: Vec::new(),
                },
            ));
            units.len() - 1
        });
        let unit = &mut units[slot].1;
        if !unit.label.is_empty() {
            unit.label.push('、');
        }
        unit.label.push_str(label);
        unit.area_hundredths += area;
    }
    for owner in owners {
        let (Some(&i), Some(resident)) = (index.get(&owner.dwelling), owner.resident) else {
            continue;
        };
        let root = find(&mut parent, i);
        let members = &mut units[unit_of_root[&root]].1.members;
        if !members.contains(&resident) {
            members.push(resident);
        }
    }
    units.into_iter().map(|(_, u)| u).collect()
}

/// The dwellings (not archived) of a compound, or of the whole community, with labels.
async fn dwellings_of(
    conn: &impl ConnectionTrait,
    community: Uuid,
    compound: Option<Uuid>,
) -> AppResult<Vec<(dwelling::Model, String)>> {
    let place = match compound {
        Some(compound) => building::Column::CompoundId.eq(compound),
        None => building::Column::CommunityId.eq(community),
    };
    let buildings: HashMap<Uuid, String> = building::Entity::find()
        .filter(place)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| (b.id, b.number))
        .collect();
    let mut dwellings: Vec<(dwelling::Model, String)> = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.is_in(buildings.keys().copied()))
        .filter(dwelling::Column::ArchivedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .map(|d| {
            let label =
                crate::registry::labels::dwelling(&buildings[&d.building_id], d.unit, &d.room);
            (d, label)
        })
        .collect();
    dwellings.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(dwellings)
}

/// The owners' electorate of a compound. Every dwelling needs a registered floor area:
/// without it the area count would be wrong, so voting does not open.
pub async fn owners(
    conn: &impl ConnectionTrait,
    community: Uuid,
    compound: Uuid,
) -> AppResult<Vec<UnitDraft>> {
    let dwellings = dwellings_of(conn, community, Some(compound)).await?;
    let missing = dwellings
        .iter()
        .filter(|(d, _)| d.floor_area_hundredths.is_none_or(|a| a <= 0))
        .count();
    if missing > 0 {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!(
                "{missing} dwellings of the compound have no registered floor area; an owners' vote counts area",
                missing = missing
            ),
        ));
    }
    let ownerships = dwelling_owner::Entity::find()
        .filter(dwelling_owner::Column::DwellingId.is_in(dwellings.iter().map(|(d, _)| d.id)))
        .filter(dwelling_owner::Column::EndedAt.is_null())
        .all(conn)
        .await?;
    let documents: HashMap<Uuid, String> = resident::Entity::find()
        .select_only()
        .columns([resident::Column::Id, resident::Column::DocumentHash])
        .filter(resident::Column::Id.is_in(ownerships.iter().filter_map(|o| o.resident_id)))
        .filter(resident::Column::DocumentHash.is_not_null())
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect();
    let owners: Vec<Ownership> = ownerships
        .into_iter()
        .map(|o| {
            let document = match o.resident_id {
                Some(r) => documents.get(&r).cloned(),
                None => o.outside_document_hash,
            };
            let person = match (document, o.resident_id) {
                (Some(hash), _) => Person::Document(hash),
                (None, Some(r)) => Person::Resident(r),
                (None, None) => Person::Outside(o.id),
            };
            Ownership {
                dwelling: o.dwelling_id,
                person,
                resident: o.resident_id,
            }
        })
        .collect();
    let dwellings: Vec<(Uuid, String, i64)> = dwellings
        .into_iter()
        .map(|(d, label)| (d.id, label, d.floor_area_hundredths.unwrap_or(0)))
        .collect();
    Ok(owner_units(&dwellings, &owners))
}

/// The households' electorate: current households with current members, of the compound
/// or of the whole community.
pub async fn households(
    conn: &impl ConnectionTrait,
    community: Uuid,
    compound: Option<Uuid>,
) -> AppResult<Vec<UnitDraft>> {
    let dwellings = dwellings_of(conn, community, compound).await?;
    let labels: HashMap<Uuid, &String> = dwellings.iter().map(|(d, l)| (d.id, l)).collect();
    let households = household::Entity::find()
        .filter(household::Column::DwellingId.is_in(labels.keys().copied()))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?;
    let mut members: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for r in resident::Entity::find()
        .filter(resident::Column::HouseholdId.is_in(households.iter().map(|h| h.id)))
        .filter(resident::Column::ArchivedAt.is_null())
        .filter(resident::Column::MovedOutOn.is_null())
        .all(conn)
        .await?
    {
        members.entry(r.household_id).or_default().push(r.id);
    }
    let mut units: Vec<UnitDraft> = households
        .into_iter()
        .filter_map(|h| {
            let members = members.remove(&h.id)?;
            Some(UnitDraft {
                label: labels[&h.dwelling_id].clone(),
                heads: 1,
                area_hundredths: 0,
                household_id: Some(h.id),
                members,
            })
        })
        .collect();
    units.sort_by(|a, b| a.label.cmp(&b.label));
    Ok(units)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dwellings_sharing_an_owner_become_one_unit_and_co_owners_share_one() {
        let d: Vec<Uuid> = (0..5).map(|_| Uuid::now_v7()).collect();
        let (wang, li, zhao) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let dwellings: Vec<(Uuid, String, i64)> = d
            .iter()
            .enumerate()
            .map(|(i, id)| (*id, format!("10{i}"), 10_000))
            .collect();
        let resident = |dwelling: Uuid, r: Uuid| Ownership {
            dwelling,
            person: Person::Resident(r),
            resident: Some(r),
        };
        let owners = [
            // 王 owns three flats; 李 co-owns the third with him; 赵 owns one; one has none.
            resident(d[0], wang),
            resident(d[1], wang),
            resident(d[2], wang),
            resident(d[2], li),
            resident(d[3], zhao),
        ];
        let units = owner_units(&dwellings, &owners);
        assert_eq!(units.len(), 3);
        assert_eq!(units[0].label, "100、101、102");
        assert_eq!((units[0].heads, units[0].area_hundredths), (1, 30_000));
        assert_eq!(units[0].members, vec![wang, li]);
        assert_eq!(units[1].members, vec![zhao]);
        assert!(units[2].members.is_empty(), "an unowned flat still counts");
        let total: i64 = units.iter().map(|u| u.area_hundredths).sum();
        assert_eq!(total, 50_000);
    }

    #[test]
    fn one_person_is_one_head_whether_recorded_as_resident_or_outside_owner() {
        let d: Vec<Uuid> = (0..4).map(|_| Uuid::now_v7()).collect();
        let dwellings: Vec<(Uuid, String, i64)> =
            d.iter().map(|id| (*id, id.to_string(), 10_000)).collect();
        let chen = Uuid::now_v7();
        let owners = [
            // 陈 lives in d0 and is recorded as outside owner of d1: one person.
            Ownership {
                dwelling: d[0],
                person: Person::Document("chen".into()),
                resident: Some(chen),
            },
            Ownership {
                dwelling: d[1],
                person: Person::Document("chen".into()),
                resident: None,
            },
            // 孙, an outside owner recorded twice with one document: one person.
            Ownership {
                dwelling: d[2],
                person: Person::Document("sun".into()),
                resident: None,
            },
            Ownership {
                dwelling: d[3],
                person: Person::Document("sun".into()),
                resident: None,
            },
        ];
        let units = owner_units(&dwellings, &owners);
        assert_eq!(units.len(), 2);
        assert_eq!(units[0].area_hundredths, 20_000);
        assert_eq!(units[0].members, vec![chen]);
        assert!(units[1].members.is_empty(), "outside owners vote on paper");
    }
}
