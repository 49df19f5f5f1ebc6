//! Which street office each community sits in, remembered by the process: a community never
//! moves to another street office and is never deleted, so the answer read once stays true
//! and [`super::place_of`] costs no statement after the first time (ARCHITECTURE.md §8).

use std::{
    collections::HashMap,
    sync::{LazyLock, PoisonError, RwLock},
};

use uuid::Uuid;

/// Communities remembered at once (a street office has a few dozen; a deployment a few
/// thousand). Past that the map starts over rather than grow.
const CAPACITY: usize = 100_000;

static STREET_OFFICE_OF: LazyLock<RwLock<HashMap<Uuid, Uuid>>> = LazyLock::new(RwLock::default);

pub fn street_office_of(community: Uuid) -> Option<Uuid> {
    STREET_OFFICE_OF
        .read()
        .unwrap_or_else(PoisonError::into_inner)
        .get(&community)
        .copied()
}

/// Remembers a community read from the database (committed or not: ids are made by the
/// server, so a rolled-back community's id is never asked for again).
pub fn remember(community: Uuid, street_office: Uuid) {
    let mut map = STREET_OFFICE_OF
        .write()
        .unwrap_or_else(PoisonError::into_inner);
    if map.len() >= CAPACITY {
        map.clear();
    }
    map.insert(community, street_office);
}
