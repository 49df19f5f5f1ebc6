//! Resident requests (诉求, ARCHITECTURE.md §6): filed by residents or recorded by staff,
//! handled by the grid worker of the building's grid, with deadlines per category.

pub mod access;
pub mod category;
pub mod dashboard;
pub mod follow_up;
pub mod follow_up_graphql;
pub mod graphql;
pub mod live_graphql;
pub mod service;
pub mod status;
