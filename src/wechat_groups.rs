//! The community's WeChat groups (微信群) and their duty rotas (专人值守): a registry of
//! the groups (building, residents, shops, a grid's), the buildings each serves and the
//! staff in it, and per group who answers when. `recordRequest` takes the group from here,
//! so a request remembers its group and who was on duty when the message was posted; the
//! dashboard shows first-response times per group and per person on duty.
//!
//! The registry is staffing, not residents' data: community admins and staff manage it;
//! everyone who works in the community (grid workers included) reads it.

pub mod graphql;
mod members;
pub mod mutation;
pub mod rota;
pub mod service;
