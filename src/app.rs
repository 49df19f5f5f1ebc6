//! The application as the HTTP layer holds it: the services, the schema assembled over
//! them, and the metrics. It sits above every domain (it holds the schema, which holds
//! them all), so nothing below the router may import it; domains reach the services
//! through the GraphQL context instead (`state::Services`).

use std::sync::Arc;

use crate::{
    audit::read_log::ReadLog, graphql::persisted::Documents, schema::AppSchema, state::Services,
    telemetry::metrics::Metrics,
};

/// The router's state.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub schema: AppSchema,
    pub metrics: Arc<Metrics>,
    /// Where responses carrying personal data record it before they are sent.
    pub personal_reads: ReadLog,
    /// Documents requests may name by hash (APQ), or the only ones that run (trusted).
    pub documents: Arc<Documents>,
}
