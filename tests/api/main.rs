//! The API test suite: one binary, the router driven in process. Every test gets a fresh
//! database (a temporary SQLite file, or its own schema on PostgreSQL when
//! `JIEDAO_TEST_DATABASE_URL` is set) with all migrations applied.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod helpers;

mod accounts;
mod announcements;
mod architecture;
mod audit;
mod auth;
mod budgets;
mod care_watch;
mod committees;
mod contact_cards;
mod dwellings;
mod enums;
mod expenses;
mod follow_ups;
mod fund_year;
mod funds;
mod grants;
mod grid_month;
mod grids;
mod growing_lists;
mod hostile_uploads;
mod http;
mod integrity;
mod introspection;
mod languages;
mod levies;
mod live;
mod mediation;
mod meetings;
mod nodes;
mod notice_commands;
mod notice_pages;
mod notices;
mod org;
mod persisted;
mod receipts;
mod receiver;
mod registry;
mod requests;
mod resident_access;
mod residents;
mod resolution_notices;
mod resolution_photos;
mod roster;
mod schema;
mod startup;
mod statements;
mod storage;
mod tenancy;
mod uploads;
mod users;
mod viewer_cache;
mod visits;
mod webhook_crash;
mod webhook_delivery;
mod webhook_demo;
mod webhook_events;
mod webhook_urls;
mod webhooks;
