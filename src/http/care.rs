//! `POST /care/intake`: events from the alarm buttons, door sensors and gateways of
//! watched homes (`crate::care::intake`). The device authenticates with its bearer token
//! (401 for an unknown or revoked one); the body is small JSON (413 past
//! `MAX_BODY_BYTES`, 400 when malformed); a device sending too often gets 429. Answers
//! are JSON: `{"checkInId", "requestId", "repeatedAlarm"}`, or an error in the GraphQL
//! error shape like every other refusal.

use axum::{
    body::Body,
    http::{HeaderValue, Request, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use super::{client_addr, refuse, request_id};
use crate::{
    app::AppState,
    care::intake::{self, MAX_BODY_BYTES},
    error::{AppError, Locale, msg},
    graphql::RequestMeta,
};

pub async fn intake(
    axum::extract::State(state): axum::extract::State<AppState>,
    request: Request<Body>,
) -> Response {
    let (parts, body) = request.into_parts();
    let locale = Locale::of_headers(&parts.headers);
    let authorization = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let device = match intake::authenticate(state.services.db.reader(), authorization).await {
        Ok(device) => device,
        Err(err) => return failure(&state, locale, err),
    };
    let Ok(bytes) = axum::body::to_bytes(body, MAX_BODY_BYTES).await else {
        return refuse(
            &state,
            locale,
            StatusCode::PAYLOAD_TOO_LARGE,
            "PAYLOAD_TOO_LARGE",
            msg!(
                "the request body exceeds {limit} bytes",
                limit = MAX_BODY_BYTES
            ),
        );
    };
    let (event, at) = match intake::parse(&bytes) {
        Ok(parsed) => parsed,
        Err(message) => {
            return refuse(
                &state,
                locale,
                StatusCode::BAD_REQUEST,
                "BAD_USER_INPUT",
                message,
            );
        }
    };
    let meta = RequestMeta::new(
        request_id(&parts.headers),
        client_addr(&state, &parts.headers, &parts.extensions),
    );
    match intake::receive(&state.services, &meta, device, event, at).await {
        Ok(outcome) => (
            StatusCode::OK,
            axum::Json(json!({
                "checkInId": outcome.check_in,
                "requestId": outcome.request,
                "repeatedAlarm": outcome.repeated_alarm,
            })),
        )
            .into_response(),
        Err(err) => failure(&state, locale, err),
    }
}

fn failure(state: &AppState, locale: Locale, err: AppError) -> Response {
    let status = match &err {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
        AppError::BadUserInput { .. } => StatusCode::BAD_REQUEST,
        AppError::NotFound(_) => StatusCode::NOT_FOUND,
        _ => {
            tracing::error!(error = %err.describe(), "a care device event failed");
            return refuse(
                state,
                locale,
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_SERVER_ERROR",
                msg!("internal error"),
            );
        }
    };
    let mut response = refuse(state, locale, status, err.code(), err.msg());
    if let AppError::RateLimited { retry_after_secs } = err
        && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
    {
        response.headers_mut().insert(header::RETRY_AFTER, value);
    }
    response
}
