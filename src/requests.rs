//! Resident requests (诉求, ARCHITECTURE.md §6): filed by residents or recorded by staff,
//! handled by the grid worker of the building's grid, with deadlines per category.

pub mod access;
pub mod category;
pub mod follow_ups;
pub mod handling;
pub mod live_graphql;
pub mod mutation;
pub mod photos;
pub mod query;
pub mod service;
pub mod status;
pub mod types;
