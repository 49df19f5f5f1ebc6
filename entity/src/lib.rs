//! sea-orm entities for jiedao. No GraphQL here: the API writes its own types from these
//! models so that columns such as `password_hash` can never leak into the schema.

pub mod agenda_item;
pub mod app_user;
pub mod audit_entry;
pub mod ballot;
pub mod binding_code;
pub mod building;
pub mod committee;
pub mod committee_position;
pub mod community;
pub mod compound;
pub mod counterparty;
pub mod dwelling;
pub mod dwelling_owner;
pub mod expense;
pub mod expense_decision;
pub mod expense_receipt;
pub mod fund;
pub mod grid;
pub mod grid_building;
pub mod household;
pub mod idempotency_record;
pub mod ledger_entry;
pub mod levy;
pub mod levy_share;
pub mod login_session;
pub mod login_throttle;
pub mod meeting;
pub mod meeting_attendance;
pub mod meeting_minutes;
pub mod motion;
pub mod motion_voter;
pub mod motion_voter_member;
pub mod objection;
pub mod refresh_token;
pub mod resident;
pub mod resident_account;
pub mod role_grant;
pub mod statement;
pub mod stored_file;
pub mod street_office;

pub use sea_orm;
pub mod reach;
