//! Mediation (调解, ARCHITECTURE.md §6): disputes between households or residents, with
//! mediators, sessions, an outcome and a follow-up. Only the community's staff and the
//! case's mediators see a case.

pub mod graphql;
pub mod service;
