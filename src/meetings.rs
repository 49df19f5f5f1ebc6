//! Meetings and decisions (板凳议事, ARCHITECTURE.md §5): meetings with agenda, attendance
//! and minutes; motions voted by households or, under Civil Code art. 278, by owners; the
//! resolutions that expenses above a fund's threshold cite; public notice and objections.

pub mod access;
pub mod electorate;
pub mod graphql;
pub mod loaders;
pub mod meeting_types;
pub mod motion_graphql;
pub mod motion_types;
pub mod motions;
pub mod notice;
pub mod service;
pub mod tally;
