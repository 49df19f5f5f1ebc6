//! The residents registry (台账): compounds and buildings so far; dwellings, households,
//! residents and grids follow. Every row is tenant-owned: `community_id` is set by the
//! server from the parent row, never taken from input.

pub mod graphql;
pub mod loaders;
pub mod places;
pub mod types;
