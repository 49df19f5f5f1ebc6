//! Care watch (关爱巡查, issue 21): households the street office must see regularly (an
//! elderly person living alone gets a meal daily and a call if nobody has seen them). A
//! watch has an interval; every check-in (a visit, a call, a meal delivered, the resident
//! themselves, a device's heartbeat) moves its due time on; a watch past its due time is
//! MISSED, listed for staff and the grid worker, counted on the dashboard and raised to
//! the grid's chat once per missed occasion. Alarm buttons, door sensors and gateways
//! report through an authenticated intake (`POST /care/intake`); an alarm files an urgent
//! safety request at once.
//!
//! Invariants: `care_watch.due_at` is always the later of the last check-in and the
//! watch's start, plus its interval (alerts read that index, never the check-ins); a
//! device is known only by its token's SHA-256; check-in notes are personal data, and a
//! response carrying them records the read.

pub mod access;
pub mod alerts;
pub mod devices;
pub mod graphql;
pub mod intake;
pub mod loaders;
pub mod mutation;
pub mod service;
pub mod types;
