//! The embedded default's two pools: one writer, several read-only readers.

use std::{str::FromStr, time::Duration};

use sea_orm::{
    ConnectOptions, Database, DatabaseConnection, DbErr,
    sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous},
};

const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn connect(url: &str) -> Result<(DatabaseConnection, DatabaseConnection), DbErr> {
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
