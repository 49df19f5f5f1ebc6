//! Activities (活动) and volunteer service (志愿服务, issue 22): staff publish an activity
//! (a free clinic for the elderly, festival deliveries to special-hardship households, a
//! clean-up day) with its place, time, capacity, audience and volunteer roles; residents
//! sign up and cancel, or staff sign them up on their behalf; a full activity (or role)
//! keeps a waiting list in order, and a cancellation promotes the first person waiting in
//! the same transaction; staff check people in, or residents enter the code shown on
//! site; the organiser confirms attendance and volunteer minutes, summed per calendar year
//! (China time) into a certificate a volunteer downloads.
//!
//! Invariants: the confirmed sign-ups of an activity (or of one role) never exceed its
//! places: every sign-up and cancellation locks the activity row first (PostgreSQL
//! `FOR UPDATE`; SQLite's single writer), then counts. One sign-up per person per
//! activity. Minutes are integers. Confirmed attendance and confirmed minutes are final
//! (they award points once). Volunteers are residents in the registry: hours and
//! certificates belong to a person the community knows.

pub mod access;
pub mod activity_fields;
pub mod attendance_mutation;
pub mod check_in;
pub mod deliveries;
pub mod graphql;
pub mod hours;
pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod objects;
pub mod publish;
pub mod service_mutation;
pub mod service_objects;
pub mod sign_ups;
pub mod types;
