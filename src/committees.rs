//! Self-management committees (自管会) of compounds: terms, settings, members' positions
//! and the grants positions carry; the compound's contact card (联络卡).

pub mod access;
pub mod card;
pub mod graphql;
pub mod positions;
pub mod service;
pub mod types;
