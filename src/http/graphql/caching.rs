//! `Cache-Control` of `/graphql` answers to GET, so that a CDN or proxy may keep what is
//! the same for everyone. An anonymous query answered without errors and without personal
//! data (a published ledger, `publicStatement`) may be kept by shared caches for a minute;
//! anything sent with `Authorization` is the caller's own and is never stored. POST answers
//! are not cacheable by HTTP's rules and get no header.

use async_graphql::Response as GqlResponse;
use axum::{
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::Response,
};

use crate::graphql::RequestMeta;

/// How long a shared cache may serve a public answer: a minute-old published ledger is
/// fine, and a correction shows within that minute.
pub(crate) const PUBLIC: &str = "public, max-age=60";
pub(crate) const PRIVATE: &str = "private, no-store";
const NOT_STORED: &str = "no-store";
/// Caches must key on these: the media type, the message language, and whether the
/// caller is anonymous (a CDN may serve an anonymous answer to an authorised caller
/// otherwise).
const VARY: &str = "Accept, Accept-Language, Authorization";

/// The `Cache-Control` of a GraphQL answer; `None` for POST.
pub(super) fn cache_control(
    get: bool,
    headers: &HeaderMap,
    response: &GqlResponse,
    meta: &RequestMeta,
) -> Option<&'static str> {
    if !get {
        return None;
    }
    if headers.contains_key(header::AUTHORIZATION) {
        return Some(PRIVATE);
    }
    // An error may be passing (a timeout, a database restart): never keep it.
    if !response.errors.is_empty() || !meta.personal_data_returned().is_empty() {
        return Some(NOT_STORED);
    }
    Some(PUBLIC)
}

/// Sets the header on a successful answer.
pub(super) fn apply(response: &mut Response, cache_control: Option<&'static str>) {
    let Some(value) = cache_control else {
        return;
    };
    if response.status() != StatusCode::OK {
        return;
    }
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
    headers.insert(header::VARY, HeaderValue::from_static(VARY));
}
