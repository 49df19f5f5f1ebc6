//! Database pools: the same setup serves production and every test.
//!
//! SQLite (the embedded default): WAL, `synchronous=FULL` (an acknowledged write survives a
//! power cut), foreign keys on, a busy timeout, ONE writer connection that starts every write
//! transaction with `BEGIN IMMEDIATE` (writers queue in the pool instead of failing with
//! SQLITE_BUSY), and a pool of read-only connections.
//!
//! PostgreSQL: three pools. The server's own work (startup, background jobs, finding who a
//! token belongs to) uses a small pool whose sessions start in the `everything` scope of
//! row-level security. A request's handle ([`Db::scoped`]) reads in one transaction opened
//! in its caller's scope on the read pool, and writes in transactions opened in the same
//! scope on the write pool (`db::scope`, `migration::row_security`). With a streaming
//! standby (`JIEDAO_DATABASE_REPLICA_URL`), a fourth pool reads from it: queries go there,
//! mutations and whatever their author reads right after go to the primary (`db::replica`).

mod postgres;
mod replica;
mod scope;
mod sqlite;

pub use replica::{READ_YOUR_WRITES, RecentWriters};
pub use scope::{Reads, Scope};

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use migration::MigratorTrait;
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};

use crate::config::Config;
use postgres::Pool;

#[derive(Clone)]
pub struct Db {
    writer: DatabaseConnection,
    reader: Reads,
    /// The server's own reads (`reader` of the process-wide handle).
    server_reads: DatabaseConnection,
    /// PostgreSQL: the pools callers' transactions are opened on.
    tenant: Option<TenantPools>,
    /// Set on a request's handle: the scope its transactions enter.
    scope: Option<Scope>,
    statements: Arc<AtomicU64>,
    scopes_entered: Arc<AtomicU64>,
    /// Statements the standby answered (also counted in `statements`).
    replica_statements: Arc<AtomicU64>,
    pub recent_writers: RecentWriters,
    /// PostgreSQL: the owner's URL migrations run with, and the schema they run in.
    migrate_url: Option<String>,
    schema: Option<String>,
}

#[derive(Clone)]
struct TenantPools {
    reads: DatabaseConnection,
    writes: DatabaseConnection,
    /// Reads from the streaming standby, if one is configured.
    replica: Option<DatabaseConnection>,
}

impl Db {
    pub async fn connect(config: &Config) -> Result<Self, DbErr> {
        let statements = Arc::new(AtomicU64::new(0));
        let scopes_entered = Arc::new(AtomicU64::new(0));
        let replica_statements = Arc::new(AtomicU64::new(0));
        let (mut writer, mut reader, mut tenant) = if config.database_url.starts_with("sqlite:") {
            let (writer, reader) = sqlite::connect(&config.database_url).await?;
            (writer, reader, None)
        } else {
            let system = postgres::connect(config, Pool::System).await?;
            let replica = match &config.database_replica_url {
                Some(url) => Some(postgres::connect_at(url, config, Pool::Reads).await?),
                None => None,
            };
            let tenant = TenantPools {
                reads: postgres::connect(config, Pool::Reads).await?,
                writes: postgres::connect(config, Pool::Writes).await?,
                replica,
            };
            (system.clone(), system, Some(tenant))
        };
        let is_shared = config.sqlite_path().is_none();
        let mut handles = vec![&mut writer];
        if !is_shared {
            handles.push(&mut reader);
        }
        if let Some(tenant) = tenant.as_mut() {
            handles.push(&mut tenant.reads);
            handles.push(&mut tenant.writes);
        }
        for conn in handles {
            count_statements(conn, &statements, &scopes_entered, None);
        }
        if let Some(replica) = tenant.as_mut().and_then(|t| t.replica.as_mut()) {
            count_statements(
                replica,
                &statements,
                &scopes_entered,
                Some(&replica_statements),
            );
        }
        if is_shared {
            // On PostgreSQL the server's own reads and writes are one pool: count each
            // statement once.
            reader = writer.clone();
        }
        Ok(Self {
            writer,
            server_reads: reader.clone(),
            reader: Reads::Pool(reader),
            tenant,
            scope: None,
            statements,
            scopes_entered,
            replica_statements,
            recent_writers: RecentWriters::default(),
            migrate_url: config.migrate_database_url.clone(),
            schema: config.database_schema.clone(),
        })
    }

    /// This handle for a caller in `scope`: on PostgreSQL its reads share one transaction
    /// in that scope (until the handle and its clones are dropped), and its writes enter
    /// the scope too. On SQLite, the same handle.
    pub fn scoped(&self, scope: Scope) -> Self {
        self.in_scope(scope, |tenant, scope| {
            Reads::scoped(tenant.reads.clone(), scope)
        })
    }

    /// Like [`Db::scoped`], for a long-lived caller (a WebSocket connection): each read in a
    /// short transaction of its own, so nothing is held between events.
    pub fn scoped_per_statement(&self, scope: Scope) -> Self {
        self.in_scope(scope, |tenant, scope| {
            Reads::EachInScope(tenant.reads.clone(), scope)
        })
    }

    /// Like [`Db::scoped`], but its reads go to the standby if one is configured: for
    /// queries of callers who did not write a moment ago.
    pub fn scoped_on_replica(&self, scope: Scope) -> Self {
        self.in_scope(scope, |tenant, scope| {
            Reads::scoped(
                tenant.replica.as_ref().unwrap_or(&tenant.reads).clone(),
                scope,
            )
        })
    }

    fn in_scope(&self, scope: Scope, reads: impl FnOnce(&TenantPools, Scope) -> Reads) -> Self {
        let Some(tenant) = &self.tenant else {
            return self.clone();
        };
        Self {
            reader: reads(tenant, scope.clone()),
            scope: Some(scope),
            ..self.clone()
        }
    }

    /// The server's own handle, in the `everything` scope: for the few requests whose right
    /// comes from a secret the caller shows (a binding code, a password at login), not from
    /// grants they hold. Its reads take a pool connection per statement.
    pub fn as_server(&self) -> Self {
        Self {
            reader: Reads::Pool(self.server_reads.clone()),
            scope: None,
            ..self.clone()
        }
    }

    /// Whether a streaming standby takes reads.
    pub fn has_replica(&self) -> bool {
        self.tenant.as_ref().is_some_and(|t| t.replica.is_some())
    }

    /// Reads outside a write transaction.
    pub fn reader(&self) -> &Reads {
        &self.reader
    }

    /// The server's own writer connection, for single autocommitted statements (fixtures,
    /// tools, background work). Anything that writes more than one row goes through
    /// [`Db::begin_write`].
    pub fn writer(&self) -> &DatabaseConnection {
        &self.writer
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite: the write lock is taken up
    /// front, so a transaction never fails half-way for lack of it). A request's handle
    /// opens it in the caller's scope, after its read transaction (always in that order).
    pub async fn begin_write(&self) -> Result<DatabaseTransaction, DbErr> {
        if let (Some(tenant), Some(scope)) = (&self.tenant, &self.scope) {
            self.reader.open().await?;
            return scope::begin_in(&tenant.writes, scope).await;
        }
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

    /// Applies pending migrations: as the owner when `JIEDAO_MIGRATE_DATABASE_URL` is set,
    /// who then grants this server's role what it needs (and nothing it could bypass
    /// row-level security with).
    pub async fn migrate(&self) -> Result<(), DbErr> {
        let Some(url) = &self.migrate_url else {
            return migration::Migrator::up(&self.writer, None).await;
        };
        let owner = postgres::connect_owner(url, self.schema.as_deref()).await?;
        let applied = migration::Migrator::up(&owner, None).await;
        let granted = match applied {
            Ok(()) => postgres::grant_server_role(&owner, &self.writer).await,
            Err(err) => Err(err),
        };
        owner.close().await?;
        granted
    }

    /// How many migrations are not applied yet (`/readyz` is not ready until they are).
    /// On PostgreSQL the server's role may only read the migrations table (sea-orm's own
    /// check would create it), so it reads the table; a missing table or schema means none
    /// is applied.
    pub async fn pending_migrations(&self) -> Result<usize, DbErr> {
        if self.tenant.is_none() {
            return Ok(migration::Migrator::get_pending_migrations(&self.writer)
                .await?
                .len());
        }
        let applied: std::collections::HashSet<String> = self
            .writer
            .query_all_raw(sea_orm::Statement::from_string(
                DbBackend::Postgres,
                "SELECT version FROM seaql_migrations",
            ))
            .await
            .map(|rows| {
                rows.iter()
                    .filter_map(|row| row.try_get::<String>("", "version").ok())
                    .collect()
            })
            .unwrap_or_default();
        Ok(migration::Migrator::migrations()
            .iter()
            .filter(|m| !applied.contains(m.name()))
            .count())
    }

    /// A cheap round trip on both handles, for `/readyz`.
    pub async fn ping(&self) -> Result<(), DbErr> {
        if let Some(replica) = self.tenant.as_ref().and_then(|t| t.replica.as_ref()) {
            replica.ping().await?;
        }
        self.reader.pool().ping().await?;
        self.writer.ping().await
    }

    /// Statements executed since start: `/metrics` exposes it and tests use it to prove
    /// that lists do not query once per row.
    pub fn statement_count(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Transactions that entered a caller's scope (PostgreSQL): each is one round trip
    /// beside the statements counted above.
    pub fn scopes_entered(&self) -> u64 {
        self.scopes_entered.load(Ordering::Relaxed)
    }

    /// Statements the standby answered.
    pub fn replica_statement_count(&self) -> u64 {
        self.replica_statements.load(Ordering::Relaxed)
    }

    /// Whether the pools were closed (the server is stopping): background work ends then.
    pub fn is_closed(&self) -> bool {
        match self.writer.get_database_backend() {
            DbBackend::Postgres => self.writer.get_postgres_connection_pool().is_closed(),
            _ => self.writer.get_sqlite_connection_pool().is_closed(),
        }
    }

    pub async fn close(self) -> Result<(), DbErr> {
        if let Some(tenant) = &self.tenant {
            tenant.reads.close_by_ref().await?;
            tenant.writes.close_by_ref().await?;
            if let Some(replica) = &tenant.replica {
                replica.close_by_ref().await?;
            }
        }
        self.reader.pool().close_by_ref().await?;
        self.writer.close_by_ref().await
    }

    /// Runs a raw statement on the writer; for administrative setup only.
    pub async fn execute_unprepared(&self, sql: &str) -> Result<(), DbErr> {
        self.writer.execute_unprepared(sql).await.map(|_| ())
    }
}

/// Counts a pool's statements; the statements that enter a scope apart (`scope::ENTER`).
fn count_statements(
    conn: &mut DatabaseConnection,
    statements: &Arc<AtomicU64>,
    scopes_entered: &Arc<AtomicU64>,
    also: Option<&Arc<AtomicU64>>,
) {
    let counter = statements.clone();
    let scopes = scopes_entered.clone();
    let also = also.cloned();
    conn.set_metric_callback(move |info| {
        if info.statement.sql == scope::ENTER {
            scopes.fetch_add(1, Ordering::Relaxed);
            return;
        }
        counter.fetch_add(1, Ordering::Relaxed);
        if let Some(also) = &also {
            also.fetch_add(1, Ordering::Relaxed);
        }
    });
}
