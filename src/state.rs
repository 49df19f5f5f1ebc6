//! The services every resolver reaches through the GraphQL context: one set per process,
//! put into the schema's data once. The router's own state (services, schema, metrics) is
//! `app::AppState`, above the domains.

use std::sync::Arc;

use crate::{
    auth::{password::PasswordHasher, token::TokenKeys},
    config::Config,
    crypto::DataKeys,
    db::Db,
    files::FileStore,
    live::LiveBus,
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
