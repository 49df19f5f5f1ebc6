//! Public notice over plain HTTP, no login: `/s/{token}` as a page (see `pages`) and its
//! `.json` and `.csv`, `/r/{token}` and its `.json`, and the deployment's signing keys at
//! a well-known URL. Anyone may fetch them from anywhere (CORS `*`), and shared caches may
//! keep them a minute, as `publicStatement`.

mod pages;

use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use serde_json::json;

use super::graphql::refuse;
use crate::{
    app::AppState,
    config::public_base::KEYS_PATH,
    error::{AppError, Locale, Msg, msg},
    notice::{csv, page::VERIFY_JS_PATH, resolution_document, statement_document},
};

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/s/{name}", get(statement))
        .route("/s/{token}/{file}", get(statement_file))
        .route(VERIFY_JS_PATH, get(pages::verify_js))
        .route("/r/{name}", get(resolution))
        .route("/r/{token}/{file}", get(resolution_file))
        .route(KEYS_PATH, get(signing_keys))
}

/// `/s/{token}` (the page), `/s/{token}.json` and `/s/{token}.csv`.
async fn statement(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    let Some((token, extension)) = name.rsplit_once('.') else {
        return pages::statement(&state, &headers, &name).await;
    };
    let locale = Locale::of_headers(&headers);
    if !plausible_token(token) || !matches!(extension, "json" | "csv") {
        return not_found(&state, locale, msg!("statement not found"));
    }
    let doc = match statement_document::load(state.services.db.reader(), token).await {
        Ok(doc) => doc,
        Err(err) => return app_error(&state, locale, err),
    };
    let response = if extension == "json" {
        Json(&doc).into_response()
    } else {
        match csv::of_document(&doc) {
            Ok(bytes) => {
                let filename = format!("attachment; filename=\"statement-{}.csv\"", doc.to_seq);
                let mut response =
                    ([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], bytes).into_response();
                if let Ok(value) = HeaderValue::from_str(&filename) {
                    response
                        .headers_mut()
                        .insert(header::CONTENT_DISPOSITION, value);
                }
                response
            }
            Err(err) => return app_error(&state, locale, err),
        }
    };
    public(response)
}

/// `/s/{token}/print`, `/s/{token}/qr.svg`, `/s/{token}/qr.png`.
async fn statement_file(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    pages::statement_file(&state, &headers, &token, &file).await
}

/// `/r/{token}` (the page) and `/r/{token}.json`: a resolution on notice.
async fn resolution(
    State(state): State<AppState>,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    if !name.contains('.') {
        return pages::resolution(&state, &headers, &name).await;
    }
    let locale = Locale::of_headers(&headers);
    let Some(token) = name.strip_suffix(".json").filter(|t| plausible_token(t)) else {
        return not_found(&state, locale, msg!("motion not found"));
    };
    match resolution_document::load(state.services.db.reader(), token).await {
        Ok(doc) => public(Json(&doc).into_response()),
        Err(err) => app_error(&state, locale, err),
    }
}

/// `/r/{token}/print`, `/r/{token}/qr.svg`, `/r/{token}/qr.png`.
async fn resolution_file(
    State(state): State<AppState>,
    Path((token, file)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    pages::resolution_file(&state, &headers, &token, &file).await
}

/// The public keys that sign statements, current and retired.
async fn signing_keys(State(state): State<AppState>) -> Response {
    let keys: Vec<_> = state
        .services
        .signing
        .public_keys()
        .iter()
        .map(|k| {
            json!({
                "keyId": k.id,
                "algorithm": "ed25519",
                "publicKey": k.hex(),
                "current": k.current,
            })
        })
        .collect();
    public(Json(json!({ "keys": keys })).into_response())
}

/// Open to every origin and to shared caches for a minute.
pub(crate) fn public(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60"),
    );
    headers.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

pub(crate) fn not_found(state: &AppState, locale: Locale, what: Msg) -> Response {
    refuse(state, locale, StatusCode::NOT_FOUND, "NOT_FOUND", what)
}

/// An error as JSON with its code; a tampered ledger is 409, an outage a bland 500.
pub(crate) fn app_error(state: &AppState, locale: Locale, err: AppError) -> Response {
    let status = match &err {
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        AppError::LedgerTampered { .. } => StatusCode::CONFLICT,
        AppError::Internal(cause) => {
            tracing::error!(error = %cause, "serving a public notice failed");
            StatusCode::INTERNAL_SERVER_ERROR
        }
        _ => StatusCode::BAD_REQUEST,
    };
    let code = err.code();
    refuse(state, locale, status, code, err.msg())
}

/// Whether `token` looks like a share token (base64url): anything else is not looked up.
pub fn plausible_token(token: &str) -> bool {
    (16..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}
