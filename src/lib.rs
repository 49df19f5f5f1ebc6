//! jiedao: the GraphQL API server for street offices (街道办事处) and their residential
//! communities (社区). `build_state` + `build_router` give the whole server without a
//! socket, which is how the tests drive it.

// async-graphql's MergedObject nests one level per merged domain; with every domain's
// Query and Mutation merged, the compiler's default recursion depth is too shallow.
#![recursion_limit = "256"]

pub mod activities;
pub mod announcements;
pub mod app;
pub mod audit;
pub mod auth;
pub mod backup;
pub mod bootstrap;
pub mod calendar;
pub mod care;
pub mod committees;
pub mod config;
pub mod consultations;
pub mod crypto;
pub mod db;
pub mod error;
pub mod files;
pub mod funds;
pub mod graphql;
pub mod gridwork;
pub mod http;
pub mod idempotency;
pub mod identity;
pub mod live;
pub mod mediation;
pub mod meetings;
pub mod notice;
pub mod notifications;
pub mod org;
pub mod outbox;
pub mod points;
pub mod registry;
pub mod requests;
pub mod schema;
pub mod signing;
pub mod state;
pub mod tabular;
pub mod telemetry;
pub mod tenancy;
pub mod visits;
pub mod wechat_groups;

use std::sync::Arc;

use secrecy::{ExposeSecret, SecretString};

pub use schema::{AppSchema, build_schema, build_schema_bare};

use crate::{
    app::AppState,
    auth::{
        password::PasswordHasher,
        token::{TokenKeys, load_or_create_secret},
    },
    config::Config,
    crypto::DataKeys,
    db::Db,
    files::FileStore,
    signing::SigningKeys,
    state::Services,
};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("JIEDAO_DATABASE_URL: {0}")]
    UnsupportedDatabase(String),
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("JWT secret: {0}")]
    Secret(String),
    #[error("file store: {0}")]
    Files(String),
    #[error("JIEDAO_TRUSTED_DOCUMENTS: {0}")]
    TrustedDocuments(String),
}

/// The access-token secret: `JIEDAO_JWT_SECRET`, or on the embedded SQLite default a
/// secret generated on first start and kept beside the database file (mode 0600).
fn jwt_secret(config: &Config) -> Result<SecretString, StartupError> {
    if let Some(secret) = &config.jwt_secret {
        if secret.expose_secret().len() < 32 {
            return Err(StartupError::Secret(
                "JIEDAO_JWT_SECRET must have at least 32 characters".into(),
            ));
        }
        return Ok(secret.clone());
    }
    let Some(db_path) = config.sqlite_path() else {
        return Err(StartupError::Secret(
            "set JIEDAO_JWT_SECRET (at least 32 random characters) when using PostgreSQL".into(),
        ));
    };
    let path = db_path.with_extension(config::JWT_KEY_FILE);
    let (secret, created) = load_or_create_secret(&path)
        .map_err(|e| StartupError::Secret(format!("{}: {e}", path.display())))?;
    if created {
        tracing::info!(path = %path.display(), "generated a JWT secret (keep this file private and backed up)");
    }
    Ok(secret)
}

/// The keys for residents' personal data: `JIEDAO_DATA_KEY`, or on the embedded default a
/// key file generated beside the database on first start (mode 0600).
fn data_keys(config: &Config) -> Result<DataKeys, StartupError> {
    if let Some(text) = &config.data_key {
        return DataKeys::parse(text.expose_secret())
            .map_err(|e| StartupError::Secret(format!("JIEDAO_DATA_KEY: {e}")));
    }
    let Some(db_path) = config.sqlite_path() else {
        return Err(StartupError::Secret(
            "set JIEDAO_DATA_KEY (v1:<base64 of 32 random bytes>) when using PostgreSQL".into(),
        ));
    };
    let path = db_path.with_extension(config::DATA_KEY_FILE);
    let (keys, created) =
        DataKeys::load_or_create(&path).map_err(|e| StartupError::Secret(e.to_string()))?;
    if created {
        tracing::info!(path = %path.display(), "generated the personal-data key (keep it private, and back it up apart from the database)");
    }
    Ok(keys)
}

/// The keys that sign published statements: `JIEDAO_SIGNING_KEY`, or on the embedded
/// default a key file generated beside the database on first start (mode 0600).
fn signing_keys(config: &Config) -> Result<SigningKeys, StartupError> {
    if let Some(text) = &config.signing_key {
        return SigningKeys::parse(text.expose_secret())
            .map_err(|e| StartupError::Secret(format!("JIEDAO_SIGNING_KEY: {e}")));
    }
    let Some(db_path) = config.sqlite_path() else {
        return Err(StartupError::Secret(
            "set JIEDAO_SIGNING_KEY (v1:<base64 of 32 random bytes>; `jiedao rotate-signing-key` prints one) when using PostgreSQL".into(),
        ));
    };
    let path = db_path.with_extension(config::SIGNING_KEY_FILE);
    let (keys, created) =
        SigningKeys::load_or_create(&path).map_err(|e| StartupError::Secret(e.to_string()))?;
    if created {
        tracing::info!(path = %path.display(), key = keys.signer_id(), "generated the statement signing key (keep it private, and back it up apart from the database)");
    }
    Ok(keys)
}

/// The file store: `JIEDAO_FILES_DIR`, or on the embedded SQLite default a directory beside
/// the database file (`jiedao.files/` next to `jiedao.db`), so one folder holds everything.
fn file_store(config: &Config) -> Result<FileStore, StartupError> {
    if let Some(url) = &config.files_url {
        return FileStore::s3(url)
            .map_err(|e| StartupError::Files(format!("JIEDAO_FILES_URL: {e}")));
    }
    let dir = config.file_store_dir().ok_or_else(|| {
        StartupError::Files(
            "set JIEDAO_FILES_DIR (a directory for receipts and photos) or JIEDAO_FILES_URL \
             (an S3-compatible bucket) when using PostgreSQL"
                .into(),
        )
    })?;
    FileStore::local(&dir).map_err(|e| StartupError::Files(format!("{}: {e}", dir.display())))
}

/// Connects the database and assembles the services; does not migrate.
pub async fn build_state(config: Config) -> Result<AppState, StartupError> {
    config::check_database_url(&config.database_url).map_err(StartupError::UnsupportedDatabase)?;
    let secret = jwt_secret(&config)?;
    let data_keys = data_keys(&config)?;
    let signing = signing_keys(&config)?;
    let files = file_store(&config)?;
    let documents = graphql::persisted::Documents::from_config(&config)
        .map_err(StartupError::TrustedDocuments)?;
    let db = Db::connect(&config).await?;
    let live = live::LiveBus::new(db.clone(), &config);
    // Other processes' access changes reach this one's cache through the bus.
    let viewers = auth::viewer_cache::ViewerCache::default();
    let cache = viewers.clone();
    live.on_remote_event(move |event| state::forget_viewers(&cache, event))
        .await?;
    let services = Services {
        db,
        passwords: PasswordHasher::new(config.password_hash_concurrency),
        tokens: TokenKeys::new(&secret, config.access_token_ttl),
        data_keys,
        signing,
        files,
        live,
        outbox: outbox::Outbox::default(),
        viewers,
        config: Arc::new(config),
    };
    Ok(AppState {
        personal_reads: audit::read_log::ReadLog::start(services.db.clone()),
        documents: Arc::new(documents),
        schema: build_schema(services.clone()),
        services,
        metrics: Arc::new(telemetry::metrics::Metrics::default()),
    })
}

pub fn build_router(state: AppState) -> axum::Router {
    http::router(state)
}
