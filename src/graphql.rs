//! The GraphQL kit every domain uses: request context (the caller, request metadata),
//! error-code stamping, the query's shape (depth, aliases, introspection), Relay
//! pagination and ID parsing.

pub mod context;
pub mod error_codes;
pub mod limits;
pub mod loader;
pub mod pagination;
pub mod scalars;
pub mod upload;

pub use context::{Caller, ContextExt, RequestMeta};

use async_graphql::ID;
use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// Parses an ID argument; `field` is the input path reported on failure.
pub fn parse_id(field: &str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, "not a valid ID"))
}
