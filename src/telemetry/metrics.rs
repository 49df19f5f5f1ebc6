//! The server's Prometheus metrics: requests by route and status, a latency histogram,
//! GraphQL errors by `extensions.code`, SQL statements and live subscribers. Served at
//! `/metrics` by `http::metrics`.

use prometheus_client::{
    encoding::{EncodeLabelSet, text::encode},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    route: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    code: String,
}

type LatencyFamily = Family<RouteLabels, Histogram, fn() -> Histogram>;

pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    errors: Family<ErrorLabels, Counter>,
    db_statements: Gauge,
    db_scopes_entered: Gauge,
    live_subscribers: Gauge,
    webhook_deliveries: Family<StatusLabels, Gauge>,
    webhook_oldest_due: Gauge,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: String,
}

/// What `/metrics` reads from elsewhere at each scrape.
pub struct Readings {
    pub db_statements: u64,
    /// Transactions that entered a caller's row-level-security scope (PostgreSQL).
    pub db_scopes_entered: u64,
    pub live_subscribers: usize,
    /// Webhook deliveries still to send and those that failed for good, by status.
    pub webhook_deliveries: Vec<(String, i64)>,
    /// How long the oldest due delivery has waited (0 when none is due).
    pub webhook_oldest_due_seconds: i64,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to ~16 s.
    Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
        0.0005, 2.0, 16,
    ))
}

impl Default for Metrics {
    fn default() -> Self {
        let mut registry = Registry::with_prefix("jiedao");
        let requests = Family::<RequestLabels, Counter>::default();
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        let errors = Family::<ErrorLabels, Counter>::default();
        let db_statements = Gauge::default();
        let db_scopes_entered = Gauge::default();
        let live_subscribers = Gauge::default();
        let webhook_deliveries = Family::<StatusLabels, Gauge>::default();
        let webhook_oldest_due = Gauge::default();
        registry.register(
            "webhook_deliveries",
            "Webhook deliveries pending or failed, by status",
            webhook_deliveries.clone(),
        );
        registry.register(
            "webhook_oldest_due_seconds",
            "How long the oldest due webhook delivery has waited",
            webhook_oldest_due.clone(),
        );
        registry.register(
            "http_requests",
            "HTTP requests by route and status",
            requests.clone(),
        );
        registry.register(
            "http_request_duration_seconds",
            "HTTP request latency by route",
            latency.clone(),
        );
        registry.register(
            "graphql_errors",
            "GraphQL errors by extensions.code",
            errors.clone(),
        );
        registry.register(
            "db_statements",
            "SQL statements executed since start",
            db_statements.clone(),
        );
        registry.register(
            "db_scopes_entered",
            "Transactions that entered a caller's row-level-security scope (PostgreSQL; one statement each, not in db_statements)",
            db_scopes_entered.clone(),
        );
        registry.register(
            "live_subscribers",
            "Open live-event receivers: WebSocket connections and their subscriptions",
            live_subscribers.clone(),
        );
        Self {
            registry,
            requests,
            latency,
            errors,
            db_statements,
            db_scopes_entered,
            live_subscribers,
            webhook_deliveries,
            webhook_oldest_due,
        }
    }
}

impl Metrics {
    pub fn count_error(&self, code: &str) {
        self.errors
            .get_or_create(&ErrorLabels {
                code: code.to_owned(),
            })
            .inc();
    }

    /// One HTTP request by its route template, with its status and latency.
    pub fn count_request(&self, method: String, route: String, status: u16, seconds: f64) {
        self.latency
            .get_or_create(&RouteLabels {
                route: route.clone(),
            })
            .observe(seconds);
        self.requests
            .get_or_create(&RequestLabels {
                method,
                route,
                status,
            })
            .inc();
    }

    /// The OpenMetrics text, with the gauges read just now.
    pub fn render(&self, readings: Readings) -> Option<String> {
        self.db_statements
            .set(i64::try_from(readings.db_statements).unwrap_or(i64::MAX));
        self.db_scopes_entered
            .set(i64::try_from(readings.db_scopes_entered).unwrap_or(i64::MAX));
        self.live_subscribers
            .set(i64::try_from(readings.live_subscribers).unwrap_or(i64::MAX));
        for status in ["pending", "failed"] {
            let count = readings
                .webhook_deliveries
                .iter()
                .find(|(s, _)| s == status)
                .map_or(0, |(_, n)| *n);
            self.webhook_deliveries
                .get_or_create(&StatusLabels {
                    status: status.to_owned(),
                })
                .set(count);
        }
        self.webhook_oldest_due
            .set(readings.webhook_oldest_due_seconds);
        let mut body = String::new();
        encode(&mut body, &self.registry).ok()?;
        Some(body)
    }
}
