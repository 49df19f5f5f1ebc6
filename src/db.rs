//! Database pools: the same setup serves production and every test.
//!
//! SQLite (the embedded default): WAL, `synchronous=FULL` (an acknowledged write survives a
//! power cut), foreign keys on, a busy timeout, ONE writer connection that starts every write
//! transaction with `BEGIN IMMEDIATE` (writers queue in the pool instead of failing with
//! SQLITE_BUSY), and a pool of read-only connections. PostgreSQL: one pool for both.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use migration::MigratorTrait;
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend,
    DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

use crate::config::Config;

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct Db {
    writer: DatabaseConnection,
    reader: DatabaseConnection,
    statements: Arc<AtomicU64>,
}

impl Db {
    pub async fn connect(config: &Config) -> Result<Self, DbErr> {
        let statements = Arc::new(AtomicU64::new(0));
        let (mut writer, mut reader) = if config.database_url.starts_with("sqlite:") {
            connect_sqlite(&config.database_url).await?
        } else {
            let pool = connect_postgres(config).await?;
            (pool.clone(), pool)
        };
        let is_shared = config.sqlite_path().is_none();
        for conn in [&mut writer, &mut reader] {
            let counter = statements.clone();
            conn.set_metric_callback(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            if is_shared {
                // On PostgreSQL both handles are one pool: count each statement once.
                break;
            }
        }
        if is_shared {
            reader = writer.clone();
        }
        Ok(Self {
            writer,
            reader,
            statements,
        })
    }

    /// Connections for reads outside a write transaction.
    pub fn reader(&self) -> &DatabaseConnection {
        &self.reader
    }

    /// The writer connection, for single autocommitted statements (fixtures, tools).
    /// Anything that writes more than one row goes through [`Db::begin_write`].
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite: the write lock is taken up
    /// front, so a transaction never fails half-way for lack of it).
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        let options = TransactionOptions {
            sqlite_transaction_mode: (self.backend() == DbBackend::Sqlite)
                .then_some(SqliteTransactionMode::Immediate),
            ..Default::default()
        };
        self.writer.begin_with_options(options).await
    }

    pub fn backend(&self) -> DbBackend {
        self.writer.get_database_backend()
    }

    pub async fn migrate(&self) -> Result<(), DbErr> {
        migration::Migrator::up(&self.writer, None).await
    }

    /// Whether unapplied migrations exist (`/readyz` is not ready until they are applied).
    pub async fn pending_migrations(&self) -> Result<usize, DbErr> {
        Ok(migration::Migrator::get_pending_migrations(&self.writer)
            .await?
            .len())
    }

    /// A cheap round trip on both handles, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbErr> {
        self.reader.ping().await?;
        self.writer.ping().await
    }

    /// Statements executed since start: `/metrics` exposes it and tests use it to prove
    /// that lists do not query once per row.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Whether the pools were closed (the server is stopping): background work ends then.
    pub fn is_closed(&self) -> bool {
        match self.writer.get_database_backend() {
            DbBackend::Postgres => self.writer.get_postgres_connection_pool().is_closed(),
            _ => self.writer.get_sqlite_connection_pool().is_closed(),
        }
    }

    pub async fn close(self) -> Result<(), DbErr> {
        self.reader.close_by_ref().await?;
        self.writer.close_by_ref().await
    }

    /// Runs a raw statement on the writer; for administrative setup only.
    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), DbErr> {
        self.writer.execute_unprepared(sql).await.map(|_| ())
    }
}

async fn connect_sqlite(url: &str) -> Result<(DatabaseConnection, DatabaseConnection), DbErr> {
    // Validate the URL once here for a clear error; each pool re-parses it.
    SqliteConnectOptions::from_str(url)
        .map_err(|e| DbErr::Custom(format!("bad SQLite URL: {e}")))?;
    let pragmas = |opts: SqliteConnectOptions| {
        opts.journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
    };
    let mut writer_opts = ConnectOptions::new(url);
    writer_opts
        .max_connections(1)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| pragmas(opts).create_if_missing(true));
    // The writer creates the file and switches it to WAL before any reader opens it.
    let writer = Database::connect(writer_opts).await?;
    let mut reader_opts = ConnectOptions::new(url);
    reader_opts
        .max_connections(4)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |opts| pragmas(opts).read_only(true));
    let reader = Database::connect(reader_opts).await?;
    Ok((writer, reader))
}

async fn connect_postgres(config: &Config) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(config.database_url.clone());
    opts.max_connections(16)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .sqlx_logging(false);
    if let Some(schema) = &config.database_schema {
        opts.set_schema_search_path(schema.clone());
    }
    let conn = Database::connect(opts).await?;
    if let Some(schema) = &config.database_schema {
        let quoted = schema.replace('"', "\"\"");
        conn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{quoted}\""))
            .await?;
    }
    Ok(conn)
}
