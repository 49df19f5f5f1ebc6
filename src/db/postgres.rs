//! PostgreSQL connections: the pools of one process, the owner's connection migrations run
//! on, and what the owner grants the server's role afterwards.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};

use crate::config::Config;

/// The PostgreSQL pools of one process.
#[derive(Clone, Copy)]
pub(super) enum Pool {
    /// The server's own work: sessions start in the `everything` scope.
    System,
    Reads,
    Writes,
}

pub(super) async fn connect(config: &Config, pool: Pool) -> Result<DatabaseConnection, DbErr> {
    connect_at(&config.database_url, config, pool).await
}

pub(super) async fn connect_at(
    url: &str,
    config: &Config,
    pool: Pool,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    let size = match pool {
        Pool::System => 4,
        Pool::Reads => 12,
        Pool::Writes => 6,
    };
    // A connection used in the last 30 s is handed out without a ping: the ping is a round
    // trip each request would pay (a request's transaction is one checkout), and sqlx
    // pings every connection on its release anyway, closing one that died.
    opts.max_connections(size)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    if let Pool::System = pool {
        opts.map_sqlx_postgres_opts(|opts| opts.options([("jiedao.scope", "everything")]));
    }
    if let Some(schema) = &config.database_schema {
        opts.set_schema_search_path(schema.clone());
    }
    let conn = Database::connect(opts).await?;
    if let (Pool::System, None, Some(schema)) =
        (pool, &config.migrate_database_url, &config.database_schema)
    {
        // Without an owner's URL this role owns the schema (see `connect_owner`).
        create_schema(&conn, schema).await?;
    }
    Ok(conn)
}

/// The owner's connection, for migrations.
pub(super) async fn connect_owner(
    url: &str,
    schema: Option<&str>,
) -> Result<DatabaseConnection, DbErr> {
    let mut opts = ConnectOptions::new(url.to_owned());
    opts.max_connections(1).sqlx_logging(false);
    if let Some(schema) = schema {
        opts.set_schema_search_path(schema.to_owned());
    }
    let conn = Database::connect(opts).await?;
    if let Some(schema) = schema {
        create_schema(&conn, schema).await?;
    }
    Ok(conn)
}

/// Creates the schema unless it exists (a role that may not create one can still use one
/// the owner made).
async fn create_schema(conn: &DatabaseConnection, schema: &str) -> Result<(), DbErr> {
    let exists = conn
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 AS found FROM pg_namespace WHERE nspname = $1",
            [schema.into()],
        ))
        .await?
        .is_some();
    if exists {
        return Ok(());
    }
    let quoted = schema.replace('"', "\"\"");
    conn.execute_unprepared(&format!("CREATE SCHEMA IF NOT EXISTS \"{quoted}\""))
        .await
        .map(|_| ())
}

/// What the server's role may do in the schema, granted by the owner after migrating: use
/// the tables, sequences and the scope functions. It owns nothing, so row-level security
/// binds it (and the ledgers' triggers still refuse it UPDATE and DELETE).
pub(super) async fn grant_server_role(
    owner: &DatabaseConnection,
    server: &DatabaseConnection,
) -> Result<(), DbErr> {
    let role: String = server
        .query_one_raw(sea_orm::Statement::from_string(
            DbBackend::Postgres,
            "SELECT current_user::text AS role",
        ))
        .await?
        .ok_or_else(|| DbErr::Custom("no current_user".into()))?
        .try_get("", "role")?;
    // Quoted as an SQL literal here, and as an identifier by `format('%I')`.
    let role = format!("'{}'", role.replace('\'', "''"));
    owner
        .execute_unprepared(&format!(
            "DO $$ BEGIN \
             EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', current_schema(), {role}); \
             EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO %I', current_schema(), {role}); \
             EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO %I', current_schema(), {role}); \
             EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA %I TO %I', current_schema(), {role}); \
             END $$"
        ))
        .await
        .map(|_| ())
}
