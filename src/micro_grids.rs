//! Micro-grids (微网格): a few buildings, or units of them, inside one grid, each led by a
//! micro-grid leader (微网格长, usually a resident volunteer). The community's admins and
//! staff and the grid's leader define them; every member building is one the grid covers.
//! A micro-grid leader reads only the masked names and addresses of their micro-grid's
//! households and files requests for them; nothing else of the registry.

pub mod access;
pub mod graphql;
pub mod households;
pub mod service;
pub mod types;
