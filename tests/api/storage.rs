//! The embedded SQLite default is set up for durability and concurrency (ARCHITECTURE.md
//! §8): WAL, synchronous=FULL, foreign keys on, a read-only read pool.

use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::TestApp;

async fn pragma(conn: &impl ConnectionTrait, name: &str) -> String {
    let row = conn
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            format!("PRAGMA {name}"),
        ))
        .await
        .unwrap()
        .unwrap();
    row.try_get_by_index::<i64>(0)
        .map(|v| v.to_string())
        .or_else(|_| row.try_get_by_index::<String>(0))
        .unwrap()
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_full_sync_and_foreign_keys() {
    let app = TestApp::new().await;
    if app.db().backend() != DbBackend::Sqlite {
        return; // PostgreSQL: nothing SQLite-specific to check.
    }
    for conn in [app.db().writer(), app.db().reader().pool()] {
        assert_eq!(pragma(conn, "journal_mode").await, "wal");
        assert_eq!(pragma(conn, "synchronous").await, "2", "FULL");
        assert_eq!(pragma(conn, "foreign_keys").await, "1");
    }
    let write = app
        .db()
        .reader()
        .execute_unprepared("DELETE FROM street_office")
        .await;
    assert!(write.is_err(), "the read pool is read-only");
    // The database refuses a community of a street office that does not exist.
    let orphan = app
        .db()
        .writer()
        .execute_unprepared(
            "INSERT INTO community (id, street_office_id, name, created_at) VALUES \
             ('01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002', 'x', '2026-01-01')",
        )
        .await;
    assert!(orphan.is_err());
}
