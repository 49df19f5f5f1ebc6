//! Responses of `/graphql`: the media type the client accepts, the status that goes with
//! it (GraphQL-over-HTTP), and refusals in the GraphQL error shape.

use async_graphql::{Response as GqlResponse, ServerError};
use axum::{
    body::Body,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{
    app::AppState,
    error::{Locale, Msg, msg},
    graphql::{
        error_codes::{PARSE_FAILED, VALIDATION_FAILED},
        localize::localize,
        persisted::Refusal,
    },
};

pub(super) const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// An HTTP-level refusal, in the GraphQL error shape so clients parse one format, in the
/// client's language.
pub(crate) fn refuse(
    state: &AppState,
    locale: Locale,
    status: StatusCode,
    code: &str,
    message: Msg,
) -> Response {
    state.metrics.count_error(code);
    refusal_body(status, code, &message.text(locale))
}

fn refusal_body(status: StatusCode, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

pub(super) fn bad_request(state: &AppState, locale: Locale, message: Msg) -> Response {
    refuse(
        state,
        locale,
        StatusCode::BAD_REQUEST,
        "BAD_REQUEST",
        message,
    )
}

/// A mutation (or subscription) sent with GET.
pub(super) fn refuse_get_mutation(state: &AppState, locale: Locale) -> Response {
    let mut response = refuse(
        state,
        locale,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        msg!("mutations are sent with POST"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("POST"));
    response
}

/// A persisted document refused. "Not found" is 200, as Apollo Server answers it: the
/// client's next step is to send the text, and clients that see a 4xx may give up on
/// persisted queries altogether. None of these answers may be cached: the same request
/// succeeds once the text is registered.
pub(super) fn refuse_document(state: &AppState, locale: Locale, refusal: &Refusal) -> Response {
    let status = match refusal {
        Refusal::NotFound | Refusal::NotSupported => StatusCode::OK,
        Refusal::NotAllowed => StatusCode::FORBIDDEN,
        Refusal::HashMismatch | Refusal::Malformed(_) => StatusCode::BAD_REQUEST,
    };
    state.metrics.count_error(refusal.code());
    let mut response = refusal_body(status, refusal.code(), &refusal.text(locale));
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-cache, must-revalidate"),
    );
    response
}

pub(super) fn not_acceptable(state: &AppState, locale: Locale) -> Response {
    let message = msg!("accept application/json or application/graphql-response+json");
    refuse(
        state,
        locale,
        StatusCode::NOT_ACCEPTABLE,
        "NOT_ACCEPTABLE",
        message,
    )
}

/// Which media type the client accepts for the response, or `None` if neither JSON type.
pub(super) fn response_media_type(headers: &HeaderMap) -> Option<&'static str> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some("application/json");
    };
    let accepts = |media: &str| {
        accept
            .split(',')
            .map(|part| part.split(';').next().unwrap_or("").trim())
            .any(|m| m.eq_ignore_ascii_case(media))
    };
    if accepts(GRAPHQL_RESPONSE_JSON) {
        Some(GRAPHQL_RESPONSE_JSON)
    } else if accepts("application/json") || accepts("*/*") || accepts("application/*") {
        Some("application/json")
    } else {
        None
    }
}

fn is_request_error(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .is_some_and(|code| {
            matches!(code, async_graphql::Value::String(c) if c == PARSE_FAILED || c == VALIDATION_FAILED)
        })
}

pub(super) fn respond(
    state: &AppState,
    locale: Locale,
    mut response: GqlResponse,
    media_type: &'static str,
) -> Response {
    localize(&mut response, locale);
    for err in &response.errors {
        let code = match err.extensions.as_ref().and_then(|ext| ext.get("code")) {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => "UNKNOWN".to_owned(),
        };
        state.metrics.count_error(&code);
    }
    // Under application/graphql-response+json a request that never executed (parse or
    // validation failure) is a 400 without `data`, as GraphQL-over-HTTP says;
    // application/json keeps 200 and `"data": null` for legacy clients.
    let never_executed = media_type == GRAPHQL_RESPONSE_JSON
        && !response.errors.is_empty()
        && response.errors.iter().all(is_request_error);
    let (status, body) = if never_executed {
        let body = serde_json::to_value(&response).and_then(|mut body| {
            if let Some(object) = body.as_object_mut() {
                object.remove("data");
            }
            serde_json::to_vec(&body)
        });
        (StatusCode::BAD_REQUEST, body)
    } else {
        (StatusCode::OK, serde_json::to_vec(&response))
    };
    match body {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, media_type)
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Err(err) => {
            tracing::error!(error = %err, "serialising a response failed");
            refuse(
                state,
                locale,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                msg!("internal error"),
            )
        }
    }
}
