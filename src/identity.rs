//! Identity and access: user accounts, logins and sessions, role grants.
//!
//! Invariants: a password check happens at most once per request and is throttled; every
//! change here is audited; ending a grant, disabling a user or changing a password ends the
//! user's sessions (and with them their refresh tokens).

pub mod grants;
pub mod graphql;
pub mod loaders;
pub mod mutation;
pub mod position_grants;
pub mod sessions;
pub mod staff;
pub mod types;
pub mod users;
