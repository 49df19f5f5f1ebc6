//! Grid work across its domains (ARCHITECTURE.md §6): what a community's staff and grid
//! workers see of requests, visits and announcements together, and the follow-up that
//! closes a request's loop with a home visit. It sits above `requests`, `visits` and
//! `announcements`, so none of them imports another for it.

pub mod dashboard;
pub mod dashboard_graphql;
pub mod follow_up;
pub mod follow_up_graphql;
