//! Repair funds and their public ledgers (ARCHITECTURE.md §4): funds, contributions,
//! corrections, the hash chain and its verification, idempotent money-moving mutations.

pub mod access;
pub mod chain;
pub mod expense_graphql;
pub mod expenses;
pub mod graphql;
pub mod idempotency;
pub mod ledger;
pub mod service;
pub mod statement_graphql;
pub mod statements;
