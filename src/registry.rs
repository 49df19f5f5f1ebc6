//! The residents registry (台账): compounds, buildings, grids and dwellings so far;
//! households and residents follow. Every row is tenant-owned: `community_id` is set by the
//! server from the parent row, never taken from input.

pub mod dwelling_graphql;
pub mod dwellings;
pub mod graphql;
pub mod grid_graphql;
pub mod grids;
pub mod id_document;
pub mod loaders;
pub mod places;
pub mod resident_graphql;
pub mod residents;
pub mod types;
