//! Repair funds and their public ledgers (ARCHITECTURE.md §4): funds, contributions,
//! corrections, the hash chain and its verification, idempotent money-moving mutations.

pub mod access;
pub mod chain;
pub mod closed_sets;
pub mod expense_decisions;
pub mod expense_graphql;
pub mod expense_types;
pub mod expenses;
pub mod graphql;
pub mod labels;
pub mod ledger;
pub mod levies;
pub mod levy_graphql;
pub mod receipts;
pub mod service;
pub mod split;
pub mod statement_csv;
pub mod statement_graphql;
pub mod statement_signature;
pub mod statements;
pub mod types;
