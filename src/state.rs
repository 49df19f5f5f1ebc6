//! Shared state: the services every resolver reaches through the GraphQL context, and the
//! HTTP-level state around the schema.

use std::sync::Arc;

use crate::{
    auth::{password::PasswordHasher, token::TokenKeys},
    config::Config,
    crypto::DataKeys,
    db::Db,
    files::FileStore,
    http::metrics::Metrics,
    live::LiveBus,
    schema::AppSchema,
};

/// What services need: put into the schema's data once, shared by every request.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub config: Arc<Config>,
    pub passwords: PasswordHasher,
    pub tokens: TokenKeys,
    pub data_keys: DataKeys,
    pub files: FileStore,
    pub live: LiveBus,
}

/// The router's state.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub schema: AppSchema,
    pub metrics: Arc<Metrics>,
}
