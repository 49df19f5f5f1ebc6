//! The GraphQL kit every domain uses: request context (the caller, request metadata),
//! error-code stamping, the query's shape (depth, aliases, introspection), Relay
//! pagination, ID parsing, enums stored as text, and persisted documents (APQ, trusted
//! documents).

pub mod context;
pub mod error_codes;
pub mod limits;
pub mod loader;
pub mod localize;
pub mod null_on_error;
pub mod pagination;
pub mod persisted;
pub mod phone;
pub mod scalars;
pub mod stored_enum;
pub mod upload;

pub use context::{Caller, ContextExt, RequestMeta};
pub use stored_enum::StoredEnum;

use async_graphql::ID;
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

/// Parses an ID argument; `field` is the input path reported on failure.
pub fn parse_id(field: &str, id: &ID) -> AppResult<Uuid> {
    Uuid::parse_str(id.as_str()).map_err(|_| AppError::bad_input(field, msg!("not a valid ID")))
}

/// A trimmed, non-empty name of at most `max` characters.
pub fn clean_name(field: &str, raw: &str, max: usize) -> AppResult<String> {
    let name = raw.trim();
    if name.is_empty() {
        return Err(AppError::bad_input(field, msg!("must not be empty")));
    }
    if name.chars().count() > max {
        return Err(AppError::bad_input(
            field,
            msg!("must have at most {max} characters", max = max),
        ));
    }
    Ok(name.to_owned())
}
