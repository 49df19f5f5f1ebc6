//! The services every resolver reaches through the GraphQL context: one set per process,
//! put into the schema's data once. The router's own state (services, schema, metrics) is
//! `app::AppState`, above the domains.

use std::sync::Arc;

use crate::{
    auth::{password::PasswordHasher, token::TokenKeys, viewer_cache::ViewerCache},
    config::Config,
    crypto::DataKeys,
    db::Db,
    files::FileStore,
    live::{LiveBus, LiveEvent},
    outbox::Outbox,
    signing::SigningKeys,
};

/// What services need: put into the schema's data once, shared by every request.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub config: Arc<Config>,
    pub passwords: PasswordHasher,
    pub tokens: TokenKeys,
    pub data_keys: DataKeys,
    /// Signs published statements.
    pub signing: SigningKeys,
    pub files: FileStore,
    pub live: LiveBus,
    /// Wakes the notification dispatcher after a write raised events.
    pub outbox: Outbox,
    /// Who is calling, by session, while nothing has changed it.
    pub viewers: ViewerCache,
}

impl Services {
    /// These services for one caller: the database handle reads and writes in `scope`.
    pub fn scoped(&self, scope: crate::db::Scope) -> Self {
        Self {
            db: self.db.scoped(scope),
            ..self.clone()
        }
    }

    /// Like [`Services::scoped`], for a WebSocket connection: each read in a short
    /// transaction of its own.
    pub fn scoped_per_statement(&self, scope: crate::db::Scope) -> Self {
        Self {
            db: self.db.scoped_per_statement(scope),
            ..self.clone()
        }
    }

    /// Like [`Services::scoped`], with reads from the standby if one is configured.
    pub fn scoped_on_replica(&self, scope: crate::db::Scope) -> Self {
        Self {
            db: self.db.scoped_on_replica(scope),
            ..self.clone()
        }
    }

    /// Forgets the cached callers that committed events change: called with a write's
    /// events before its response goes out, and with events other processes published.
    pub fn forget_viewers(&self, events: &[LiveEvent]) {
        for event in events {
            forget_viewers(&self.viewers, event);
        }
    }
}

pub fn forget_viewers(viewers: &ViewerCache, event: &LiveEvent) {
    match event {
        LiveEvent::AccessChanged { user_id } => viewers.forget_user(*user_id),
        LiveEvent::Resync => viewers.clear(),
        LiveEvent::RequestAssigned { .. } => {}
    }
}
