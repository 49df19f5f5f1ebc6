//! Configuration from the environment (documented in README.md). `.env` is read by
//! `main` for local runs only.

use std::{net::SocketAddr, path::PathBuf, time::Duration};

use secrecy::SecretString;

pub mod public_base;

/// Everything the server needs to start. Tests build one with [`Config::for_database`].
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://...` or `postgres://...`.
    pub database_url: String,
    /// PostgreSQL schema to use instead of `public` (one per test run, or per deployment).
    pub database_schema: Option<String>,
    /// PostgreSQL: the owner's URL, for migrations (`jiedao migrate`, and `serve` unless
    /// `--no-migrate`), when `database_url` names the server's own role that owns nothing
    /// and is bound by row-level security. The owner grants that role what it needs.
    pub migrate_database_url: Option<String>,
    /// PostgreSQL: a streaming standby that list and dashboard reads may go to.
    pub database_replica_url: Option<String>,
    /// HS256 secret for access tokens; `None` means "generate one beside the SQLite file".
    pub jwt_secret: Option<SecretString>,
    /// Keys for residents' personal data (`v1:<base64>,v2:...`); `None` means "generate one
    /// beside the SQLite file".
    pub data_key: Option<SecretString>,
    /// Ed25519 keys that sign published statements (`v1:<base64 seed>,...`, see
    /// `signing`); `None` means "generate one beside the SQLite file".
    pub signing_key: Option<SecretString>,
    /// The address residents open (`https://jiedao.example.cn`): share links and QR codes
    /// use it; without it, the address the request came to.
    pub public_url: Option<String>,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub introspection: bool,
    pub graphiql: bool,
    pub cors_origins: Vec<String>,
    pub max_body_bytes: usize,
    /// Documents the APQ cache keeps (0: no APQ).
    pub apq_cache_entries: usize,
    /// A manifest of the only documents that run (trusted documents); turns APQ off.
    pub trusted_documents: Option<PathBuf>,
    /// The largest multipart upload (a roster, a receipt).
    pub max_upload_bytes: usize,
    /// The largest single stored file (a receipt, a photo).
    pub max_file_bytes: usize,
    /// The local directory of the file store; `None` means "beside the SQLite file".
    pub files_dir: Option<PathBuf>,
    /// An S3-compatible bucket for the file store instead (`s3://bucket[/prefix]`).
    pub files_url: Option<String>,
    pub request_timeout: Duration,
    pub limits: QueryLimits,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted proxy).
    pub trust_forwarded_for: bool,
    pub log_json: bool,
    /// Concurrent argon2 computations; each takes ~19 MiB and a core for ~30 ms.
    pub password_hash_concurrency: usize,
    pub login_throttle: ThrottleConfig,
    pub webhooks: WebhookConfig,
}

/// Outbound webhooks (README "Notifications").
#[derive(Clone, Debug)]
pub struct WebhookConfig {
    /// Run the dispatcher and the scheduler in this process.
    pub dispatch: bool,
    /// Accept `http://` URLs (tests, intranets); otherwise only `https://`.
    pub allow_http: bool,
    /// Deliver to private, loopback and link-local addresses (tests, intranets).
    pub allow_private: bool,
    /// One attempt's whole time, connecting included.
    pub timeout: Duration,
    /// The first retry's delay; each next one doubles (with jitter) up to an hour.
    pub retry_base: Duration,
    /// Retries stop after this; the delivery is then failed.
    pub retry_for: Duration,
    /// A subscription whose every attempt failed for this long is turned off.
    pub disable_after: Duration,
    /// How often the dispatcher looks for work nobody woke it for (another process's
    /// events, retries that came due).
    pub poll: Duration,
    /// How often the scheduler looks for overdue requests, unread announcements, ...
    pub schedule_every: Duration,
    /// An urgent announcement still unread by households this long after publication
    /// raises `announcement.unread`.
    pub unread_after: Duration,
}

#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    pub depth: usize,
    pub complexity: usize,
    pub directives: usize,
    pub aliases: usize,
    pub recursive_depth: usize,
}

/// Login lockout: after `max_failures` within `window`, the key is locked for `lockout`.
#[derive(Clone, Copy, Debug)]
pub struct ThrottleConfig {
    pub pair_max_failures: i32,
    pub address_max_failures: i32,
    pub window: Duration,
    pub lockout: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("environment variable {name}: {message}")]
pub struct ConfigError {
    name: &'static str,
    message: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        let database_url = match std::env::var("JIEDAO_DATABASE_URL") {
            Ok(url) if !url.is_empty() => url,
            _ => "sqlite://./jiedao.db".to_owned(),
        };
        // First: every later complaint (a missing secret "when using PostgreSQL") assumes
        // one of the two databases.
        check_database_url(&database_url).map_err(|message| ConfigError {
            name: "JIEDAO_DATABASE_URL",
            message,
        })?;
        // The owner's URL and the standby's are PostgreSQL's, beside a PostgreSQL database.
        for name in ["JIEDAO_MIGRATE_DATABASE_URL", "JIEDAO_DATABASE_REPLICA_URL"] {
            if let Some(url) = optional(name) {
                let postgres =
                    |u: &str| u.starts_with("postgres://") || u.starts_with("postgresql://");
                if !postgres(&url) || !postgres(&database_url) {
                    return Err(ConfigError {
                        name,
                        message:
                            "set it to a postgres:// URL, beside a postgres:// JIEDAO_DATABASE_URL"
                                .into(),
                    });
                }
            }
        }
        let defaults = Self::for_database(database_url);
        Ok(Self {
            listen: parsed("JIEDAO_LISTEN", defaults.listen)?,
            database_schema: optional("JIEDAO_DATABASE_SCHEMA"),
            migrate_database_url: optional("JIEDAO_MIGRATE_DATABASE_URL"),
            database_replica_url: optional("JIEDAO_DATABASE_REPLICA_URL"),
            jwt_secret: optional("JIEDAO_JWT_SECRET").map(SecretString::from),
            data_key: optional("JIEDAO_DATA_KEY").map(SecretString::from),
            signing_key: optional("JIEDAO_SIGNING_KEY").map(SecretString::from),
            public_url: optional("JIEDAO_PUBLIC_URL")
                .map(|url| check_public_url(&url))
                .transpose()?,
            access_token_ttl: Duration::from_secs(parsed("JIEDAO_ACCESS_TOKEN_TTL_SECS", 900)?),
            refresh_token_ttl: Duration::from_secs(parsed(
                "JIEDAO_REFRESH_TOKEN_TTL_SECS",
                30 * 24 * 3600,
            )?),
            introspection: parsed("JIEDAO_INTROSPECTION", defaults.introspection)?,
            graphiql: parsed("JIEDAO_GRAPHIQL", defaults.graphiql)?,
            cors_origins: optional("JIEDAO_CORS_ORIGINS")
                .map(|s| {
                    s.split(',')
                        .map(str::trim)
                        .filter(|o| !o.is_empty())
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default(),
            max_body_bytes: parsed("JIEDAO_MAX_BODY_BYTES", defaults.max_body_bytes)?,
            max_upload_bytes: parsed("JIEDAO_MAX_UPLOAD_BYTES", defaults.max_upload_bytes)?,
            apq_cache_entries: parsed("JIEDAO_APQ_CACHE_ENTRIES", defaults.apq_cache_entries)?,
            trusted_documents: optional("JIEDAO_TRUSTED_DOCUMENTS").map(PathBuf::from),
            max_file_bytes: parsed("JIEDAO_MAX_FILE_BYTES", defaults.max_file_bytes)?,
            files_dir: optional("JIEDAO_FILES_DIR").map(PathBuf::from),
            files_url: optional("JIEDAO_FILES_URL"),
            request_timeout: Duration::from_secs(parsed("JIEDAO_REQUEST_TIMEOUT_SECS", 30)?),
            limits: QueryLimits {
                depth: parsed("JIEDAO_MAX_DEPTH", defaults.limits.depth)?,
                complexity: parsed("JIEDAO_MAX_COMPLEXITY", defaults.limits.complexity)?,
                directives: parsed("JIEDAO_MAX_DIRECTIVES", defaults.limits.directives)?,
                aliases: parsed("JIEDAO_MAX_ALIASES", defaults.limits.aliases)?,
                recursive_depth: defaults.limits.recursive_depth,
            },
            trust_forwarded_for: parsed("JIEDAO_TRUST_FORWARDED_FOR", false)?,
            log_json: parsed("JIEDAO_LOG_JSON", false)?,
            password_hash_concurrency: parsed(
                "JIEDAO_PASSWORD_HASH_CONCURRENCY",
                defaults.password_hash_concurrency,
            )?,
            webhooks: WebhookConfig {
                dispatch: parsed("JIEDAO_WEBHOOKS", true)?,
                allow_http: parsed("JIEDAO_WEBHOOK_ALLOW_HTTP", false)?,
                allow_private: parsed("JIEDAO_WEBHOOK_ALLOW_PRIVATE", false)?,
                retry_base: Duration::from_millis(parsed("JIEDAO_WEBHOOK_RETRY_BASE_MS", 5_000)?),
                retry_for: Duration::from_secs(parsed("JIEDAO_WEBHOOK_RETRY_SECS", 24 * 3600)?),
                disable_after: Duration::from_secs(parsed(
                    "JIEDAO_WEBHOOK_DISABLE_AFTER_SECS",
                    24 * 3600,
                )?),
                poll: Duration::from_millis(parsed("JIEDAO_WEBHOOK_POLL_MS", 1_000)?),
                schedule_every: Duration::from_secs(parsed("JIEDAO_SCHEDULE_EVERY_SECS", 60)?),
                unread_after: Duration::from_secs(
                    3600 * parsed::<u64>("JIEDAO_URGENT_UNREAD_HOURS", 6)?,
                ),
                ..defaults.webhooks
            },
            ..defaults
        })
    }

    /// Defaults for the given database; what a fresh install runs with.
    pub fn for_database(database_url: impl Into<String>) -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: database_url.into(),
            database_schema: None,
            migrate_database_url: None,
            database_replica_url: None,
            jwt_secret: None,
            data_key: None,
            signing_key: None,
            public_url: None,
            access_token_ttl: Duration::from_secs(900),
            refresh_token_ttl: Duration::from_secs(30 * 24 * 3600),
            introspection: true,
            graphiql: true,
            cors_origins: Vec::new(),
            max_body_bytes: 1024 * 1024,
            apq_cache_entries: 1000,
            trusted_documents: None,
            max_upload_bytes: 20 * 1024 * 1024,
            max_file_bytes: 10 * 1024 * 1024,
            files_dir: None,
            files_url: None,
            request_timeout: Duration::from_secs(30),
            limits: QueryLimits {
                depth: 12,
                complexity: 5_000,
                directives: 10,
                aliases: 30,
                recursive_depth: 32,
            },
            trust_forwarded_for: false,
            log_json: false,
            // Half the cores: a login flood leaves the other half to everyone else's reads.
            password_hash_concurrency: std::thread::available_parallelism()
                .map_or(1, |n| (n.get() / 2).max(1)),
            login_throttle: ThrottleConfig {
                pair_max_failures: 5,
                address_max_failures: 30,
                window: Duration::from_secs(15 * 60),
                lockout: Duration::from_secs(15 * 60),
            },
            webhooks: WebhookConfig {
                dispatch: true,
                allow_http: false,
                allow_private: false,
                timeout: Duration::from_secs(5),
                retry_base: Duration::from_secs(5),
                retry_for: Duration::from_secs(24 * 3600),
                disable_after: Duration::from_secs(24 * 3600),
                poll: Duration::from_secs(1),
                schedule_every: Duration::from_secs(60),
                unread_after: Duration::from_secs(6 * 3600),
            },
        }
    }

    /// The file store's local directory: `JIEDAO_FILES_DIR`, or on the embedded default
    /// the directory beside the database file (`jiedao.files/` next to `jiedao.db`); none
    /// when the files are in a bucket (`JIEDAO_FILES_URL`).
    pub fn file_store_dir(&self) -> Option<PathBuf> {
        if self.files_url.is_some() {
            return None;
        }
        match (&self.files_dir, self.sqlite_path()) {
            (Some(dir), _) => Some(dir.clone()),
            (None, Some(db_path)) => Some(db_path.with_extension("files")),
            (None, None) => None,
        }
    }

    /// The SQLite database file, when the database is SQLite.
    pub fn sqlite_path(&self) -> Option<PathBuf> {
        let rest = self.database_url.strip_prefix("sqlite:")?;
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let path = rest.split('?').next().unwrap_or(rest);
        (!path.is_empty() && path != ":memory:").then(|| PathBuf::from(path))
    }
}

/// Key files the embedded default keeps beside its database (`jiedao.db` →
/// `jiedao.jwt.key`), each used unless its variable (`JIEDAO_JWT_SECRET`,
/// `JIEDAO_DATA_KEY`, `JIEDAO_SIGNING_KEY`) is set.
pub const JWT_KEY_FILE: &str = "jwt.key";
pub const DATA_KEY_FILE: &str = "data.key";
pub const SIGNING_KEY_FILE: &str = "signing.key";
pub const KEY_FILES: [&str; 3] = [JWT_KEY_FILE, DATA_KEY_FILE, SIGNING_KEY_FILE];

/// `JIEDAO_PUBLIC_URL`: an http(s) origin, maybe with a path prefix; kept without the
/// trailing slash so links are `{public_url}/s/...`.
fn check_public_url(url: &str) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['?', '#', ' ']) => Ok(trimmed.to_owned()),
        _ => Err(ConfigError {
            name: "JIEDAO_PUBLIC_URL",
            message: "expected the address residents open, e.g. https://jiedao.example.cn".into(),
        }),
    }
}

/// Refuses a database URL that is neither SQLite nor PostgreSQL. The message shows only
/// the scheme: the rest of a URL may hold a password.
pub fn check_database_url(url: &str) -> Result<(), String> {
    if ["sqlite:", "postgres://", "postgresql://"]
        .iter()
        .any(|prefix| url.starts_with(prefix))
    {
        return Ok(());
    }
    let got = match url.split_once("://") {
        Some((scheme, _))
            if scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+') =>
        {
            format!("{scheme}://…")
        }
        _ => "a value without a scheme".to_owned(),
    };
    Err(format!(
        "unsupported database URL (sqlite:// or postgres://), got {got}"
    ))
}

fn optional(name: &'static str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

fn parsed<T: std::str::FromStr>(name: &'static str, default: T) -> Result<T, ConfigError>
where
    T::Err: std::fmt::Display,
{
    match optional(name) {
        None => Ok(default),
        Some(raw) => raw.parse().map_err(|e: T::Err| ConfigError {
            name,
            message: format!("cannot parse {raw:?}: {e}"),
        }),
    }
}
