//! Keys a distributed PostgreSQL (Citus) can shard by `community_id`: a distributed table's
//! primary key and every unique constraint must include the distribution column, or the
//! database cannot check them on one shard. `community_id` goes **last**, so each index
//! still serves the lookups it served before (`WHERE id = $1`, `WHERE fund_id = $1 AND seq
//! …`); tenancy's composite foreign keys keep pointing at `UNIQUE (community_id, id)`.
//!
//! PostgreSQL only: SQLite is the one-machine default and is never distributed, and it cannot
//! change a table's keys without rebuilding it. `docs/sharding.md` says which tables are
//! distributed and why the few exceptions below stay as they are; a test over the catalog
//! (`tests/api/sharding.rs`) checks every tenant table, so a new one must call
//! [`make_shardable`] in its migration.

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

/// Unique keys that stay global on purpose (constraint or index names); `docs/sharding.md`
/// says why and what replaces them under Citus.
pub const GLOBAL_UNIQUES: &[&str] = &["resident_account_user_id_key", "ux_family_contact_user"];

/// A key of a table as the catalog holds it.
struct Key {
    name: String,
    /// Quoted column list (or index expressions), in key order.
    columns: String,
    /// `p` primary key, `u` unique constraint, `i` unique index without a constraint.
    kind: String,
    /// A partial index's predicate.
    predicate: Option<String>,
    has_tenant: bool,
}

const KEYS_OF_TABLE: &str = "\
SELECT c.conname AS name, c.contype::text AS kind, NULL::text AS predicate, \
       string_agg(quote_ident(a.attname), ', ' ORDER BY k.ord) AS columns, \
       bool_or(a.attname = 'community_id') AS has_tenant \
FROM pg_constraint c \
CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
WHERE c.conrelid = to_regclass($1) AND c.contype IN ('p', 'u') \
GROUP BY c.conname, c.contype \
UNION ALL \
SELECT i.relname, 'i', pg_get_expr(x.indpred, x.indrelid), \
       (SELECT string_agg(pg_get_indexdef(x.indexrelid, n, true), ', ' ORDER BY n) \
          FROM generate_series(1, x.indnkeyatts) AS n), \
       EXISTS (SELECT 1 FROM unnest(x.indkey::int2[]) AS k(attnum) \
               JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum \
               WHERE a.attname = 'community_id') \
FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid \
WHERE x.indrelid = to_regclass($1) AND x.indisunique \
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)";

async fn keys_of(db: &SchemaManagerConnection<'_>, table: &str) -> Result<Vec<Key>, DbErr> {
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            KEYS_OF_TABLE,
            [table.into()],
        ))
        .await?;
    rows.iter()
        .map(|row| {
            Ok(Key {
                name: row.try_get("", "name")?,
                kind: row.try_get("", "kind")?,
                predicate: row.try_get("", "predicate")?,
                columns: row.try_get("", "columns")?,
                has_tenant: row.try_get("", "has_tenant")?,
            })
        })
        .collect()
}

/// Gives a tenant table's primary key and unique keys `community_id` (last), on
/// PostgreSQL; does nothing on SQLite or when the keys already have it. A foreign key that
/// points at the old single-column primary key makes this fail: tenant tables point at
/// each other through `(community_id, id)`, and that is what must be fixed first.
pub async fn make_shardable(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    for key in keys_of(db, table).await? {
        if key.has_tenant || GLOBAL_UNIQUES.contains(&key.name.as_str()) {
            continue;
        }
        let (name, columns) = (&key.name, &key.columns);
        let sql = match key.kind.as_str() {
            "p" => format!(
                "ALTER TABLE {table} DROP CONSTRAINT {name}, \
                 ADD CONSTRAINT {name} PRIMARY KEY ({columns}, community_id)"
            ),
            "u" => format!(
                "ALTER TABLE {table} DROP CONSTRAINT {name}, \
                 ADD CONSTRAINT {name} UNIQUE ({columns}, community_id)"
            ),
            _ => {
                let predicate = key
                    .predicate
                    .as_ref()
                    .map(|p| format!(" WHERE {p}"))
                    .unwrap_or_default();
                format!(
                    "DROP INDEX {name}; \
                     CREATE UNIQUE INDEX {name} ON {table} ({columns}, community_id){predicate}"
                )
            }
        };
        db.execute_unprepared(&sql).await?;
    }
    Ok(())
}
