//! Who is calling: password hashing, access and refresh tokens, login throttling, and the
//! per-request [`Viewer`] with its reach.

pub mod password;
pub mod throttle;
pub mod token;
pub mod viewer;
pub mod viewer_cache;

pub use viewer::{Capability, Viewer};
