//! `/metrics` (Prometheus/OpenMetrics) and the middleware that counts every request; the
//! metrics themselves are `telemetry::metrics`.

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use crate::{app::AppState, telemetry::metrics::Readings};

/// Middleware: counts and times every request by its route template (not its raw path,
/// which would let clients create unbounded label values).
pub async fn track(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = request.method().to_string();
    let started = Instant::now();
    let response = next.run(request).await;
    let seconds = started.elapsed().as_secs_f64();
    state
        .metrics
        .count_request(method, route, response.status().as_u16(), seconds);
    response
}

pub async fn render(State(state): State<AppState>) -> Response {
    let services = &state.services;
    // An unreadable backlog leaves the webhook gauges at zero rather than fail the scrape.
    let (webhook_deliveries, webhook_oldest_due_seconds) =
        crate::notifications::dispatcher::backlog(services)
            .await
            .unwrap_or_default();
    let rendered = state.metrics.render(Readings {
        db_statements: services.db.statement_count(),
        db_scopes_entered: services.db.scopes_entered(),
        live_subscribers: services.live.subscribers(),
        webhook_deliveries,
        webhook_oldest_due_seconds,
    });
    let Some(body) = rendered else {
        return StatusCode::INTERNAL_SERVER_ERROR.into_response();
    };
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
