//! `/graphql` over HTTP, following the GraphQL-over-HTTP conventions: JSON bodies, both
//! response media types, 405 for mutations over GET, 415 for other content types, batching
//! refused, bodies bounded. Documents may be named by hash (persisted documents, resolved
//! first). Requests get the caller, request metadata and a DataLoader.

mod caching;
mod multipart;
mod respond;

use std::{net::SocketAddr, sync::Arc};

use async_graphql::parser::types::{DocumentOperations, OperationType};
use axum::{
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::Response,
};
use chrono::Utc;
use serde::Deserialize;

pub(crate) use respond::refuse;
use respond::{
    bad_request, not_acceptable, refuse_document, refuse_get_mutation, respond, response_media_type,
};

use super::graphiql;
use crate::config::public_base::PublicBase;
use crate::{
    app::AppState,
    audit,
    error::{Locale, msg},
    graphql::{Caller, RequestMeta, loader::new_request_loader},
};

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let locale = Locale::of_headers(&parts.headers);
    let content_type = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<mime::Mime>().ok());
    let multipart = content_type
        .as_ref()
        .is_some_and(|m| m.essence_str() == "multipart/form-data");
    if !multipart && content_type.is_none_or(|m| m.essence_str() != "application/json") {
        return refuse(
            &state,
            locale,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            msg!("send the request as application/json, or multipart/form-data to upload files"),
        );
    }
    let media_type = match response_media_type(&parts.headers) {
        Some(media_type) => media_type,
        None => return not_acceptable(&state, locale),
    };
    if multipart {
        return match multipart::request(&state, locale, &parts.headers, body).await {
            Ok(gql_request) => {
                execute(
                    &state,
                    &parts.headers,
                    &parts.extensions,
                    gql_request,
                    media_type,
                    Via::Post,
                )
                .await
            }
            Err(refusal) => refusal,
        };
    }
    let limit = state.services.config.max_body_bytes;
    let bytes = match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return refuse(
                &state,
                locale,
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                msg!("the request body exceeds {limit} bytes", limit = limit),
            );
        }
    };
    let Ok(mut value) = serde_json::from_slice::<serde_json::Value>(&bytes) else {
        return bad_request(&state, locale, msg!("the body is not valid JSON"));
    };
    if value.is_array() {
        return bad_request(
            &state,
            locale,
            msg!("batched requests are not supported; send one operation per request"),
        );
    }
    // async-graphql would run a missing `query` as an empty document (a parse error);
    // a body without one is malformed like any other, unless it names a persisted one.
    let persisted = value
        .get("extensions")
        .is_some_and(|extensions| extensions.get("persistedQuery").is_some());
    let well_formed = match value.get("query") {
        Some(serde_json::Value::String(_)) => true,
        // Some clients send `"query": null` with a hash alone.
        Some(serde_json::Value::Null) | None if persisted => {
            if let Some(object) = value.as_object_mut() {
                object.remove("query");
            }
            true
        }
        _ => false,
    };
    let gql_request = match serde_json::from_value::<async_graphql::Request>(value) {
        Ok(request) if well_formed => request,
        _ => {
            return bad_request(
                &state,
                locale,
                msg!(
                    "the body must be an object with a string `query` (or `extensions.persistedQuery`), and optional `variables`, `operationName`, `extensions`"
                ),
            );
        }
    };
    execute(
        &state,
        &parts.headers,
        &parts.extensions,
        gql_request,
        media_type,
        Via::Post,
    )
    .await
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let locale = Locale::of_headers(&parts.headers);
    let params: GetParams = match serde_urlencoded::from_str(parts.uri.query().unwrap_or("")) {
        Ok(params) => params,
        Err(_) => {
            return bad_request(&state, locale, msg!("malformed query string"));
        }
    };
    if params.query.is_none() && params.extensions.is_none() {
        if wants_html(&parts.headers) && state.services.config.graphiql {
            return graphiql::page("/graphql");
        }
        return bad_request(&state, locale, msg!("missing `query` parameter"));
    }
    let media_type = match response_media_type(&parts.headers) {
        Some(media_type) => media_type,
        None => return not_acceptable(&state, locale),
    };
    let mut gql_request = async_graphql::Request::new(params.query.unwrap_or_default());
    gql_request.operation_name = params.operation_name;
    if let Some(variables) = params.variables {
        match serde_json::from_str(&variables) {
            Ok(variables) => gql_request.variables = variables,
            Err(_) => {
                return bad_request(&state, locale, msg!("`variables` is not a JSON object"));
            }
        }
    }
    if let Some(extensions) = params.extensions {
        match serde_json::from_str(&extensions) {
            Ok(extensions) => gql_request.extensions = extensions,
            Err(_) => {
                return bad_request(&state, locale, msg!("`extensions` is not a JSON object"));
            }
        }
    }
    if gql_request.query.is_empty() && !gql_request.extensions.contains_key("persistedQuery") {
        return bad_request(&state, locale, msg!("missing `query` parameter"));
    }
    execute(
        &state,
        &parts.headers,
        &parts.extensions,
        gql_request,
        media_type,
        Via::Get,
    )
    .await
}

/// The type of the operation a request would run, if the query parses.
fn operation_type(query: &str, operation_name: Option<&str>) -> Option<OperationType> {
    let doc = async_graphql::parser::parse_query(query).ok()?;
    match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

/// Decides who is calling from the `Authorization` header.
pub(super) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<Caller, crate::error::AppError> {
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(Caller::Anonymous);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim);
    let Some(token) = token else {
        return Ok(Caller::Refused(msg!(
            "use Authorization: Bearer <accessToken>"
        )));
    };
    let claims = match state.services.tokens.decode(token) {
        Ok(claims) => claims,
        Err(crate::auth::token::TokenRejected::Expired) => {
            return Ok(Caller::Refused(msg!("the access token has expired")));
        }
        Err(crate::auth::token::TokenRejected::Invalid) => {
            return Ok(Caller::Refused(msg!("the access token is not valid")));
        }
    };
    let services = &state.services;
    let now = Utc::now();
    match services
        .viewers
        .viewer(services.db.reader(), claims.sub, claims.sid, now)
        .await
    {
        Ok(viewer) => Ok(Caller::User(viewer)),
        Err(crate::error::AppError::Unauthenticated(message)) => Ok(Caller::Refused(message)),
        Err(err) => Err(err),
    }
}

/// The request id set by the request-id layer (or kept from the client).
pub(crate) fn request_id(headers: &HeaderMap) -> String {
    headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned()
}

pub(crate) fn client_addr(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
) -> String {
    if state.services.config.trust_forwarded_for
        && let Some(forwarded) = headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .map(str::trim)
            .filter(|v| !v.is_empty())
    {
        return forwarded.to_owned();
    }
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_owned())
}

/// The method a request came with: GET runs queries only, and its answers may be cached.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Via {
    Get,
    Post,
}

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    mut request: async_graphql::Request,
    media_type: &'static str,
    via: Via,
) -> Response {
    let locale = Locale::of_headers(headers);
    // First, so that every check below sees the text that will run.
    let registration = match state.documents.resolve(&mut request) {
        Ok(registration) => registration,
        Err(refusal) => return refuse_document(state, locale, &refusal),
    };
    if via == Via::Get
        && matches!(
            operation_type(&request.query, request.operation_name.as_deref()),
            Some(OperationType::Mutation | OperationType::Subscription)
        )
    {
        return refuse_get_mutation(state, locale);
    }
    // The cheap test first: only a query naming `subscription` can be one.
    if request.query.contains("subscription")
        && operation_type(&request.query, request.operation_name.as_deref())
            == Some(OperationType::Subscription)
    {
        return bad_request(
            state,
            locale,
            msg!("subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws)"),
        );
    }
    if let Some(registration) = registration {
        state.documents.register(registration);
    }
    let caller = match caller(state, headers).await {
        Ok(caller) => caller,
        Err(err) => {
            tracing::error!(error = ?err, "loading the caller failed");
            return refuse(
                state,
                locale,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                msg!("internal error"),
            );
        }
    };
    let meta = Arc::new(RequestMeta::new(
        request_id(headers),
        client_addr(state, headers, extensions),
    ));
    let actor = match &caller {
        Caller::User(viewer) => Some(viewer.user_id),
        _ => None,
    };
    // The request's own services: its reads and writes in the caller's scope, its reads
    // from the standby if one is configured, the operation is a query and the caller did
    // not write a moment ago (they read what they wrote from the primary).
    let db = &state.services.db;
    let operation = db
        .has_replica()
        .then(|| operation_type(&request.query, request.operation_name.as_deref()))
        .flatten();
    let on_replica = operation == Some(OperationType::Query)
        && !actor.is_some_and(|user| db.recent_writers.wrote_recently(user));
    let services = if on_replica {
        state.services.scoped_on_replica(caller.scope())
    } else {
        state.services.scoped(caller.scope())
    };
    let request = request
        .data(new_request_loader(services.db.clone()))
        .data(services)
        .data(caller)
        .data(PublicBase::of_request(&state.services.config, headers))
        .data(meta.clone());
    let response = state.schema.execute(request).await;
    if let (Some(OperationType::Mutation), Some(user)) = (operation, actor) {
        db.recent_writers.wrote(user);
    }
    let cache_control = caching::cache_control(via == Via::Get, headers, &response, &meta);
    // A response carrying personal data is delivered only once its read is on record.
    if let Err(err) = audit::record_personal_data_read(&state.personal_reads, &meta, actor).await {
        tracing::error!(error = ?err, "recording a personal-data read failed");
        return refuse(
            state,
            locale,
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            msg!("internal error"),
        );
    }
    let mut response = respond(state, locale, response, media_type);
    caching::apply(&mut response, cache_control);
    response
}

/// Answers other methods on `/graphql` with 405.
pub async fn other_method(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let locale = Locale::of_headers(&headers);
    let mut response = refuse(
        &state,
        locale,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        msg!(
            "{method} is not supported; use GET or POST",
            method = method
        ),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}
