//! Keys ready for a PostgreSQL sharded by `community_id` (`docs/sharding.md`): every tenant
//! table's primary key and unique keys gain `community_id` (last, so lookups keep their
//! index), and the one foreign key between tenant tables that did not carry it — a request's
//! follow-up pointing at its visit — now does, so the database refuses a follow-up whose
//! visit is in another community, as it already did for its request. PostgreSQL only; see
//! `shard_keys`.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

use crate::shard_keys::make_shardable;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The unique keys upserts name (`ON CONFLICT (…)`), on SQLite: its old narrower keys stay.
const UPSERT_KEYS: [(&str, &str, &str); 3] = [
    (
        "ux_ballot_motion_voter_community",
        "ballot",
        "motion_id, voter_id",
    ),
    (
        "ux_notification_event_dedupe_community",
        "notification_event",
        "dedupe_key",
    ),
    (
        "ux_webhook_delivery_subscription_event_community",
        "webhook_delivery",
        "subscription_id, event_id",
    ),
];

/// Tables with a non-null `community_id`: the tenant tables.
const TENANT_TABLES: &str = "\
SELECT c.relname AS name FROM pg_class c \
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id' AND a.attnotnull \
WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace \
ORDER BY c.relname";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() != DbBackend::Postgres {
            // Upserts name their unique key, so both databases need one with the same
            // columns: PostgreSQL gets it below by widening the old key.
            for (index, table, columns) in UPSERT_KEYS {
                db.execute_unprepared(&format!(
                    "CREATE UNIQUE INDEX {index} ON {table} ({columns}, community_id)"
                ))
                .await?;
            }
            return Ok(());
        }
        // The old key points at visit's single-column primary key, which is about to change.
        db.execute_unprepared(
            "ALTER TABLE request_follow_up DROP CONSTRAINT request_follow_up_visit_id_fkey",
        )
        .await?;
        let tables = db
            .query_all_raw(Statement::from_string(DbBackend::Postgres, TENANT_TABLES))
            .await?;
        for row in tables {
            let table: String = row.try_get("", "name")?;
            make_shardable(manager, &table).await?;
        }
        db.execute_unprepared(
            "ALTER TABLE request_follow_up ADD CONSTRAINT request_follow_up_visit_id_fkey \
             FOREIGN KEY (community_id, visit_id) REFERENCES visit (community_id, id)",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Wider keys refuse nothing the narrow ones allowed; putting them back would only
        // make the schema unshardable again.
        Ok(())
    }
}
