//! Announcements (通知, ARCHITECTURE.md §6): staff publish to a community, a compound or
//! some buildings, normal or urgent; residents of the households it reaches read and mark
//! it read; staff see which households have not read an urgent one.

pub mod graphql;
pub mod service;
