//! Residents' points (积分, issue 22): a community's scheme (counting households or
//! residents), its rules (what earns points, with daily and monthly caps per account) and
//! rewards (items with a price and a stock); awards by staff, grid workers and micro-grid
//! leaders (one at a time, or a building's waste check in one batch), automatic awards from
//! other domains ([`automatic::award_automatic`]), redemptions by staff, reversals, and a
//! compound's opt-in ranking.
//!
//! Invariants, the funds ledger's discipline without its hash chain: entries are never
//! updated or deleted (database triggers), `seq` runs 1, 2, 3 ... per account without gaps,
//! the account row holds the head (`head_seq`, balance) moved in the entry's transaction
//! while the row is locked, so the balance is O(1) and never below zero; a reversal
//! references its entry at most once; manual writes take idempotency keys and automatic
//! awards a source key that never awards twice. No hash chain: points are not published
//! as a public statement whose holders could catch a rewrite (the chain's only use, see
//! ARCHITECTURE.md §4), and the audit log already records every manual change.

pub mod access;
pub mod accounts;
pub mod automatic;
pub mod awards;
pub mod batch;
pub mod catalogue;
pub mod catalogue_mutation;
pub mod graphql;
pub mod labels;
pub mod mine;
pub mod mutation;
pub mod objects;
pub mod ranking;
pub mod redemptions;
pub mod rewards;
pub mod types;
