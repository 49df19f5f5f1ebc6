//! The residents registry (台账): compounds, buildings, grids and dwellings so far;
//! households and residents follow. Every row is tenant-owned: `community_id` is set by the
//! server from the parent row, never taken from input.

pub mod access;
pub mod account_graphql;
pub mod accounts;
pub mod care;
pub mod dwelling_graphql;
pub mod dwellings;
pub mod family;
pub mod graphql;
pub mod grid_graphql;
pub mod grids;
pub mod household_loaders;
pub mod id_document;
pub mod labels;
pub mod loaders;
pub mod micro_grid_access;
pub mod micro_grid_graphql;
pub mod micro_grid_households;
pub mod micro_grid_types;
pub mod micro_grids;
pub mod owner_graphql;
pub mod owners;
pub mod personal;
pub mod places;
pub mod resident_fields;
pub mod resident_filter;
pub mod resident_graphql;
pub mod resident_mutation;
pub mod resident_types;
pub mod residents;
pub mod roster;
pub mod roster_export;
pub mod roster_graphql;
pub mod roster_import;
pub mod roster_write;
pub mod types;
