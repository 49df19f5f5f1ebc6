//! The schema stays shardable by community (`docs/sharding.md`): read from PostgreSQL's
//! catalog, every tenant table (one with a `community_id` column) must be one a distributed
//! PostgreSQL such as Citus can shard by `community_id`:
//! - `community_id` is never null;
//! - its primary key and every unique key include `community_id`;
//! - a foreign key to another tenant table joins on `community_id` as well, so both rows sit
//!   on the same shard;
//! - no table outside the tenant tables points into one (a reference table cannot).
//!
//! The lists are built from the catalog, so a new table that breaks a rule fails here; the
//! exceptions are named below and explained in the doc, which must also place every table.

use std::collections::{BTreeMap, BTreeSet};

use migration::shard_keys::GLOBAL_UNIQUES;
use sea_orm::{ConnectionTrait, DbBackend, Statement};

use crate::helpers::TestApp;

/// Tables with a nullable `community_id`: rows of a street office or the whole deployment
/// live beside a community's. `docs/sharding.md` says how each becomes shardable.
const NULLABLE_COMMUNITY: &[&str] = &["audit_entry", "role_grant"];

/// A primary key, unique constraint or unique index: its table and columns.
struct Key {
    table: String,
    name: String,
    columns: Vec<String>,
}

struct ForeignKey {
    name: String,
    from: String,
    from_columns: Vec<String>,
    to: String,
    to_columns: Vec<String>,
}

struct Catalog {
    tables: BTreeSet<String>,
    /// Tenant tables and whether their `community_id` is NOT NULL.
    tenant: BTreeMap<String, bool>,
    keys: Vec<Key>,
    foreign_keys: Vec<ForeignKey>,
}

fn columns(text: String) -> Vec<String> {
    text.split(',').map(str::to_owned).collect()
}

async fn rows(app: &TestApp, sql: &str) -> Vec<sea_orm::QueryResult> {
    app.db()
        .reader()
        .query_all_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
}

const IN_SCHEMA: &str = "c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace";

async fn catalog(app: &TestApp) -> Catalog {
    let mut catalog = Catalog {
        tables: BTreeSet::new(),
        tenant: BTreeMap::new(),
        keys: Vec::new(),
        foreign_keys: Vec::new(),
    };
    let sql = format!(
        "SELECT c.relname AS name, a.attnotnull AS not_null FROM pg_class c \
         LEFT JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id' \
         AND NOT a.attisdropped WHERE {IN_SCHEMA}"
    );
    for row in rows(app, &sql).await {
        let name: String = row.try_get("", "name").unwrap();
        if let Some(not_null) = row.try_get::<Option<bool>>("", "not_null").unwrap() {
            catalog.tenant.insert(name.clone(), not_null);
        }
        catalog.tables.insert(name);
    }
    // Unique indexes include those behind primary keys and unique constraints.
    let sql = format!(
        "SELECT c.relname AS table_name, i.relname AS name, \
         (SELECT string_agg(a.attname, ',' ORDER BY k.ord) \
            FROM unnest(x.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord) \
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum) AS columns \
         FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid \
         JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indisunique AND {IN_SCHEMA}"
    );
    for row in rows(app, &sql).await {
        catalog.keys.push(Key {
            table: row.try_get("", "table_name").unwrap(),
            name: row.try_get("", "name").unwrap(),
            columns: columns(row.try_get("", "columns").unwrap()),
        });
    }
    let sql = format!(
        "SELECT f.conname AS name, c.relname AS from_table, t.relname AS to_table, \
         (SELECT string_agg(a.attname, ',' ORDER BY k.ord) \
            FROM unnest(f.conkey) WITH ORDINALITY AS k(attnum, ord) \
            JOIN pg_attribute a ON a.attrelid = f.conrelid AND a.attnum = k.attnum) AS from_columns, \
         (SELECT string_agg(a.attname, ',' ORDER BY k.ord) \
            FROM unnest(f.confkey) WITH ORDINALITY AS k(attnum, ord) \
            JOIN pg_attribute a ON a.attrelid = f.confrelid AND a.attnum = k.attnum) AS to_columns \
         FROM pg_constraint f JOIN pg_class c ON c.oid = f.conrelid \
         JOIN pg_class t ON t.oid = f.confrelid WHERE f.contype = 'f' AND {IN_SCHEMA}"
    );
    for row in rows(app, &sql).await {
        catalog.foreign_keys.push(ForeignKey {
            name: row.try_get("", "name").unwrap(),
            from: row.try_get("", "from_table").unwrap(),
            to: row.try_get("", "to_table").unwrap(),
            from_columns: columns(row.try_get("", "from_columns").unwrap()),
            to_columns: columns(row.try_get("", "to_columns").unwrap()),
        });
    }
    catalog
}

/// What keeps the schema from being sharded by `community_id`, one line per problem.
fn problems(catalog: &Catalog) -> Vec<String> {
    let distributed =
        |table: &str| catalog.tenant.contains_key(table) && !NULLABLE_COMMUNITY.contains(&table);
    let mut found = Vec::new();
    for (table, not_null) in &catalog.tenant {
        if !not_null && distributed(table) {
            found.push(format!("{table}.community_id may be null"));
        }
    }
    for key in &catalog.keys {
        if distributed(&key.table)
            && !key.columns.iter().any(|c| c == "community_id")
            && !GLOBAL_UNIQUES.contains(&key.name.as_str())
        {
            found.push(format!(
                "{}: unique key {} lacks community_id",
                key.table, key.name
            ));
        }
    }
    for fk in &catalog.foreign_keys {
        match (distributed(&fk.from), distributed(&fk.to)) {
            (true, true) => {
                let at = |columns: &[String]| columns.iter().position(|c| c == "community_id");
                if at(&fk.from_columns).is_none() || at(&fk.from_columns) != at(&fk.to_columns) {
                    found.push(format!(
                        "{}: foreign key {} to {} does not join on community_id",
                        fk.from, fk.name, fk.to
                    ));
                }
            }
            (false, true) => found.push(format!(
                "{}: foreign key {} points into the tenant table {}",
                fk.from, fk.name, fk.to
            )),
            _ => {}
        }
    }
    found
}

#[tokio::test]
async fn on_postgres_every_tenant_table_can_be_sharded_by_community() {
    let app = TestApp::new().await;
    if app.db().backend() != DbBackend::Postgres {
        // SQLite is the one-machine default and is never distributed.
        return;
    }
    let catalog = catalog(&app).await;
    assert!(
        catalog.tenant.len() > 50,
        "tenant tables: {:?}",
        catalog.tenant
    );
    assert_eq!(problems(&catalog), Vec::<String>::new());

    // The doc places every table and explains every exception.
    let doc = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/sharding.md"),
    )
    .unwrap();
    let named = |name: &str| doc.contains(&format!("`{name}`"));
    let unplaced: Vec<_> = catalog
        .tables
        .iter()
        .filter(|t| t.as_str() != "seaql_migrations" && !named(t))
        .collect();
    assert!(
        unplaced.is_empty(),
        "docs/sharding.md does not place {unplaced:?}"
    );
    for name in GLOBAL_UNIQUES {
        assert!(named(name), "docs/sharding.md does not explain {name}");
    }

    // A table added without the rules is caught, rule by rule (made by the owner: the
    // server's role creates nothing).
    app.owner()
        .await
        .execute_unprepared(
            "CREATE TABLE probe_target (id uuid PRIMARY KEY, community_id uuid NOT NULL); \
             CREATE TABLE probe (id uuid PRIMARY KEY, community_id uuid, token text UNIQUE, \
             target_id uuid REFERENCES probe_target (id)); \
             CREATE TABLE probe_reference (id uuid PRIMARY KEY, household_id uuid, \
             household_community uuid, FOREIGN KEY (household_id, household_community) \
             REFERENCES household (id, community_id))",
        )
        .await
        .unwrap();
    let found = problems(&catalog_of_probes(&app).await).join("\n");
    for expected in [
        "probe.community_id may be null",
        "probe: unique key probe_pkey lacks community_id",
        "probe: unique key probe_token_key lacks community_id",
        "probe: foreign key probe_target_id_fkey to probe_target does not join on community_id",
        "probe_reference: foreign key probe_reference_household_id_household_community_fkey \
         points into the tenant table household",
    ] {
        assert!(found.contains(expected), "{expected} not in:\n{found}");
    }
}

/// The catalog with only the probes' problems: what the rules say about the probe tables.
async fn catalog_of_probes(app: &TestApp) -> Catalog {
    let mut catalog = catalog(app).await;
    let probe = |table: &str| table.starts_with("probe");
    catalog.keys.retain(|k| probe(&k.table));
    catalog.foreign_keys.retain(|f| probe(&f.from));
    catalog.tenant.retain(|t, _| probe(t) || t == "household");
    catalog
}
