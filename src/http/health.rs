//! Liveness (`/healthz`: the process answers) and readiness (`/readyz`: the database
//! answers and every migration is applied).

use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use crate::app::AppState;

pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    let db = &state.services.db;
    let (status, body) = match (db.ping().await, db.pending_migrations().await) {
        (Ok(()), Ok(0)) => (StatusCode::OK, json!({ "status": "ready" })),
        (Ok(()), Ok(pending)) => (
            StatusCode::SERVICE_UNAVAILABLE,
            json!({ "status": "migrations pending", "pendingMigrations": pending }),
        ),
        (Err(err), _) | (_, Err(err)) => {
            tracing::warn!(error = %err, "readiness check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                json!({ "status": "database unavailable" }),
            )
        }
    };
    (status, Json(body))
}
