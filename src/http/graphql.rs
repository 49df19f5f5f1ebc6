//! `/graphql` over HTTP, following the GraphQL-over-HTTP conventions: JSON bodies, both
//! response media types, 405 for mutations over GET, 415 for other content types, batching
//! refused, bodies bounded. Requests get the caller, request metadata and a DataLoader.

use std::{net::SocketAddr, sync::Arc};

use async_graphql::{
    Response as GqlResponse, ServerError,
    parser::types::{DocumentOperations, OperationType},
};
use axum::{
    body::Body,
    extract::{ConnectInfo, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header},
    response::{IntoResponse, Response},
};
use chrono::Utc;
use serde::Deserialize;
use serde_json::json;

use super::graphiql;
use crate::{
    audit,
    auth::Viewer,
    graphql::{
        Caller, RequestMeta,
        error_codes::{PARSE_FAILED, VALIDATION_FAILED},
        loader::new_request_loader,
    },
    state::AppState,
};

const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";

/// An HTTP-level refusal, in the GraphQL error shape so clients parse one format.
pub(crate) fn refuse(state: &AppState, status: StatusCode, code: &str, message: &str) -> Response {
    state.metrics.count_error(code);
    let body = json!({ "errors": [{ "message": message, "extensions": { "code": code } }] });
    (
        status,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn not_acceptable(state: &AppState) -> Response {
    let message = "accept application/json or application/graphql-response+json";
    refuse(state, StatusCode::NOT_ACCEPTABLE, "NOT_ACCEPTABLE", message)
}

/// Which media type the client accepts for the response, or `None` if neither JSON type.
fn response_media_type(headers: &HeaderMap) -> Option<&'static str> {
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

fn wants_html(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

pub async fn post(State(state): State<AppState>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
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
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UNSUPPORTED_MEDIA_TYPE",
            "send the request as application/json, or multipart/form-data to upload files",
        );
    }
    let media_type = match response_media_type(&parts.headers) {
        Some(media_type) => media_type,
        None => return not_acceptable(&state),
    };
    if multipart {
        return match multipart_request(&state, &parts.headers, body).await {
            Ok(gql_request) => {
                execute(
                    &state,
                    &parts.headers,
                    &parts.extensions,
                    gql_request,
                    media_type,
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
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                &format!("the request body exceeds {limit} bytes"),
            );
        }
    };
    let value: serde_json::Value = match serde_json::from_slice(&bytes) {
        Ok(value) => value,
        Err(_) => {
            return refuse(
                &state,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body is not valid JSON",
            );
        }
    };
    if value.is_array() {
        return refuse(
            &state,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "batched requests are not supported; send one operation per request",
        );
    }
    let gql_request: async_graphql::Request = match serde_json::from_value(value) {
        Ok(request) => request,
        Err(_) => {
            return refuse(
                &state,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "the body must be an object with a string `query`, and optional `variables`, `operationName`, `extensions`",
            );
        }
    };
    execute(
        &state,
        &parts.headers,
        &parts.extensions,
        gql_request,
        media_type,
    )
    .await
}

/// A request in the GraphQL multipart request convention (`operations`, `map`, then the
/// files), for uploads such as rosters and receipts. Bounded by the upload limit, not the
/// JSON body limit. Cross-site forms cannot abuse it: the API authenticates with a bearer
/// header, never a cookie.
async fn multipart_request(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> Result<async_graphql::Request, Response> {
    let limit = state.services.config.max_upload_bytes;
    let bytes = axum::body::to_bytes(body, limit).await.map_err(|_| {
        refuse(
            state,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            &format!("the upload exceeds {limit} bytes"),
        )
    })?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    let options = async_graphql::http::MultipartOptions::default()
        .max_file_size(limit)
        .max_num_files(10);
    let bad = |message: &str| refuse(state, StatusCode::BAD_REQUEST, "BAD_REQUEST", message);
    match async_graphql::http::receive_batch_body(content_type, bytes.as_ref(), options).await {
        Ok(async_graphql::BatchRequest::Single(request)) => Ok(request),
        Ok(async_graphql::BatchRequest::Batch(_)) => Err(bad(
            "batched requests are not supported; send one operation per request",
        )),
        Err(_) => Err(bad(
            "not a GraphQL multipart request: send `operations`, `map`, then the files",
        )),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetParams {
    query: Option<String>,
    operation_name: Option<String>,
    variables: Option<String>,
}

pub async fn get(State(state): State<AppState>, request: Request) -> Response {
    let (parts, _) = request.into_parts();
    let params: GetParams = match serde_urlencoded::from_str(parts.uri.query().unwrap_or("")) {
        Ok(params) => params,
        Err(_) => {
            return refuse(
                &state,
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                "malformed query string",
            );
        }
    };
    let Some(query) = params.query else {
        if wants_html(&parts.headers) && state.services.config.graphiql {
            return graphiql::page("/graphql");
        }
        return refuse(
            &state,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "missing `query` parameter",
        );
    };
    let media_type = match response_media_type(&parts.headers) {
        Some(media_type) => media_type,
        None => return not_acceptable(&state),
    };
    {
        let operation = operation_type(&query, params.operation_name.as_deref());
        if matches!(
            operation,
            Some(OperationType::Mutation | OperationType::Subscription)
        ) {
            let mut response = refuse(
                &state,
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "mutations are sent with POST",
            );
            response
                .headers_mut()
                .insert(header::ALLOW, HeaderValue::from_static("POST"));
            return response;
        }
    }
    let mut gql_request = async_graphql::Request::new(query);
    gql_request.operation_name = params.operation_name;
    if let Some(variables) = params.variables {
        match serde_json::from_str(&variables) {
            Ok(variables) => gql_request.variables = variables,
            Err(_) => {
                return refuse(
                    &state,
                    StatusCode::BAD_REQUEST,
                    "BAD_REQUEST",
                    "`variables` is not a JSON object",
                );
            }
        }
    }
    execute(
        &state,
        &parts.headers,
        &parts.extensions,
        gql_request,
        media_type,
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
        return Ok(Caller::Refused("use Authorization: Bearer <accessToken>"));
    };
    let claims = match state.services.tokens.decode(token) {
        Ok(claims) => claims,
        Err(crate::auth::token::TokenRejected::Expired) => {
            return Ok(Caller::Refused("the access token has expired"));
        }
        Err(crate::auth::token::TokenRejected::Invalid) => {
            return Ok(Caller::Refused("the access token is not valid"));
        }
    };
    match Viewer::load(
        state.services.db.reader(),
        claims.sub,
        claims.sid,
        Utc::now(),
    )
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

async fn execute(
    state: &AppState,
    headers: &HeaderMap,
    extensions: &axum::http::Extensions,
    request: async_graphql::Request,
    media_type: &'static str,
) -> Response {
    // The cheap test first: only a query naming `subscription` can be one.
    if request.query.contains("subscription")
        && operation_type(&request.query, request.operation_name.as_deref())
            == Some(OperationType::Subscription)
    {
        return refuse(
            state,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "subscriptions are served over WebSocket at /graphql/ws (graphql-transport-ws)",
        );
    }
    let caller = match caller(state, headers).await {
        Ok(caller) => caller,
        Err(err) => {
            tracing::error!(error = ?err, "loading the caller failed");
            return refuse(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "internal error",
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
    let request = request
        .data(caller)
        .data(meta.clone())
        .data(new_request_loader(state.services.db.clone()));
    let response = state.schema.execute(request).await;
    // A response carrying personal data is delivered only once its read is on record.
    if let Err(err) = audit::record_personal_data_read(&state.services.db, &meta, actor).await {
        tracing::error!(error = ?err, "recording a personal-data read failed");
        return refuse(
            state,
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_SERVER_ERROR",
            "internal error",
        );
    }
    respond(state, response, media_type)
}

fn is_request_error(err: &ServerError) -> bool {
    err.extensions
        .as_ref()
        .and_then(|ext| ext.get("code"))
        .is_some_and(|code| {
            matches!(code, async_graphql::Value::String(c) if c == PARSE_FAILED || c == VALIDATION_FAILED)
        })
}

fn respond(state: &AppState, response: GqlResponse, media_type: &'static str) -> Response {
    for err in &response.errors {
        let code = match err.extensions.as_ref().and_then(|ext| ext.get("code")) {
            Some(async_graphql::Value::String(code)) => code.clone(),
            _ => "UNKNOWN".to_owned(),
        };
        state.metrics.count_error(&code);
    }
    // Under application/graphql-response+json a request that never executed (parse or
    // validation failure) is a 400; application/json keeps 200 for legacy clients.
    let status = if media_type == GRAPHQL_RESPONSE_JSON
        && !response.errors.is_empty()
        && response.errors.iter().all(is_request_error)
    {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    match serde_json::to_vec(&response) {
        Ok(body) => Response::builder()
            .status(status)
            .header(header::CONTENT_TYPE, media_type)
            .body(Body::from(body))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response()),
        Err(err) => {
            tracing::error!(error = %err, "serialising a response failed");
            refuse(
                state,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                "internal error",
            )
        }
    }
}

/// Answers other methods on `/graphql` with 405.
pub async fn other_method(State(state): State<AppState>, method: Method) -> Response {
    let mut response = refuse(
        &state,
        StatusCode::METHOD_NOT_ALLOWED,
        "METHOD_NOT_ALLOWED",
        &format!("{method} is not supported; use GET or POST"),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}
