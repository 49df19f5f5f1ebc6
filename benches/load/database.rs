//! The databases under test: a SQLite file in the target directory (on disk, not tmpfs,
//! so its fsyncs cost what they cost), or a fresh PostgreSQL database made with the
//! server's URL and dropped afterwards.

use std::{collections::HashMap, path::Path};

use sea_orm::{ConnectionTrait, Database, DatabaseConnection, Statement};

use crate::procfs;

pub enum Db {
    Sqlite {
        url: String,
    },
    Postgres {
        /// Where `CREATE DATABASE` runs (the URL the developer gave).
        admin: DatabaseConnection,
        name: String,
        url: String,
    },
}

impl Db {
    pub fn sqlite(dir: &Path) -> Self {
        Self::Sqlite {
            url: format!("sqlite://{}", dir.join("load.db").display()),
        }
    }

    /// A new database `name` on the server of `admin_url` (any database there the role
    /// may connect to; the role needs CREATEDB).
    pub async fn postgres(admin_url: &str, name: &str) -> Self {
        let admin = Database::connect(admin_url)
            .await
            .unwrap_or_else(|e| panic!("cannot connect to JIEDAO_LOAD_DATABASE_URL: {e}"));
        admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .unwrap();
        admin
            .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|e| panic!("CREATE DATABASE {name}: {e}"));
        Self::Postgres {
            url: plaintext(&with_database(admin_url, name)),
            admin,
            name: name.to_owned(),
        }
    }

    /// PostgreSQL: the URL of a role that owns nothing (created if missing), for the
    /// server, as production runs it (README, "Deployment on PostgreSQL"): row-level
    /// security binds it. Migrations run with [`Db::url`], the owner's.
    pub async fn server_url(&self) -> Option<String> {
        let Self::Postgres { url, admin, .. } = self else {
            return None;
        };
        admin
            .execute_unprepared(&format!(
                "DO $$ BEGIN CREATE ROLE {SERVER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ))
            .await
            .unwrap();
        let mut server = url::Url::parse(url).unwrap();
        server.set_username(SERVER_ROLE).unwrap();
        server.set_password(None).unwrap();
        Some(server.to_string())
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Sqlite { url } | Self::Postgres { url, .. } => url,
        }
    }

    /// What autovacuum does within a minute or two of a bulk load, done now: planner
    /// statistics and the visibility map. Without it a freshly loaded table is planned as
    /// if empty, and both servers are measured on plans production would not keep (some
    /// development servers even run with autovacuum off). SQLite is left as jiedao leaves it.
    pub async fn settle(&self) {
        if let Self::Postgres { url, .. } = self {
            let conn = Database::connect(url.as_str()).await.unwrap();
            conn.execute_unprepared("VACUUM (ANALYZE)").await.unwrap();
            let _ = conn.close().await;
        }
    }

    /// The server's `autovacuum` setting (PostgreSQL).
    pub async fn autovacuum(&self) -> Option<String> {
        let Self::Postgres { admin, .. } = self else {
            return None;
        };
        admin
            .query_one_raw(Statement::from_string(
                admin.get_database_backend(),
                "SHOW autovacuum",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|row| row.try_get::<String>("", "autovacuum").ok())
    }

    pub fn is_postgres(&self) -> bool {
        matches!(self, Self::Postgres { .. })
    }

    /// CPU seconds used so far by each server process of this database (PostgreSQL on
    /// this machine only; SQLite runs inside the server).
    pub async fn backend_cpu(&self) -> HashMap<u32, f64> {
        let Self::Postgres { admin, name, .. } = self else {
            return HashMap::new();
        };
        let rows = admin
            .query_all_raw(Statement::from_string(
                admin.get_database_backend(),
                format!(
                    "SELECT pid FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()"
                ),
            ))
            .await
            .unwrap_or_default();
        rows.iter()
            .filter_map(|row| row.try_get::<i32>("", "pid").ok())
            .filter_map(|pid| u32::try_from(pid).ok())
            // A PostgreSQL in a container has other PIDs: take only our own postgres.
            .filter(|pid| procfs::command_name(*pid).as_deref() == Some("postgres"))
            .filter_map(|pid| Some((pid, procfs::cpu_seconds(pid)?)))
            .collect()
    }

    /// Drops the PostgreSQL database (unless `keep`); the SQLite file goes with its
    /// directory.
    pub async fn drop_database(self, keep: bool) {
        if let Self::Postgres { admin, name, .. } = self {
            if keep {
                eprintln!("  kept database {name}");
                return;
            }
            admin
                .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                .await
                .unwrap();
        }
    }
}

/// CPU seconds the backends used between two snapshots (a backend that appeared in
/// between counts from zero).
pub fn cpu_between(before: &HashMap<u32, f64>, after: &HashMap<u32, f64>) -> Option<f64> {
    if after.is_empty() {
        return None;
    }
    Some(
        after
            .iter()
            .map(|(pid, cpu)| cpu - before.get(pid).copied().unwrap_or(0.0))
            .sum(),
    )
}

/// The role the bench's server connects as on PostgreSQL.
const SERVER_ROLE: &str = "jiedao_server";

/// `url` with its database name replaced by `name`.
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (url, String::new()),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let path_start = base[authority_start..]
        .find('/')
        .map_or(base.len(), |i| authority_start + i);
    format!("{}/{name}{query}", &base[..path_start])
}

/// `url` with `sslmode=disable` unless it sets a mode. sqlx (jiedao) and libpq (pgbench)
/// prefer TLS when the server offers it, node-postgres (PostGraphile) does not: over
/// loopback all three then talk plain TCP, and the comparison is of the servers, not of
/// their encryption (TLS cost jiedao about a fifth of its CPU per point read here).
pub fn plaintext(url: &str) -> String {
    if url.contains("sslmode=") {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}
