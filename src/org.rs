//! The top of the tenancy tree: street offices (街道办事处) and their communities (社区).
//! Platform admins create street offices; street admins create communities inside theirs.

pub mod graphql;
pub mod loaders;
pub mod service;
