//! Row-level security: PostgreSQL's own wall around each community's rows, behind the
//! server's filters (`tenancy`). The server connects as a role that owns nothing, so the
//! policies bind it; each transaction it opens for a caller first runs
//! `SELECT jiedao_enter(scope, street_offices, communities)`, which sets, for that
//! transaction only (`set_config(…, true)`):
//!
//! - `jiedao.scope`: `everything` (the server's own work, a platform admin), `communities`
//!   (a caller with grants), or `public` (an anonymous request);
//! - `jiedao.street_offices` and `jiedao.communities`: the street offices (with all their
//!   communities, looked up in each statement, so one created a moment ago is covered) and
//!   the single communities reached.
//!
//! A session that never entered a scope sees no tenant row at all. PostgreSQL only, like
//! `shard_keys`; a test over the catalog (`tests/api/row_security.rs`) checks that every
//! table with a `community_id` has the policy, so a new tenant table must call [`protect`].

use sea_orm_migration::{
    prelude::*,
    sea_orm::{ConnectionTrait, DbBackend, Statement},
};

/// The policy every tenant table gets (also the test's and the doc's name for it).
pub const POLICY: &str = "in_reach";
/// The policy of tables readers of a published statement need (read only).
pub const PUBLIC_POLICY: &str = "public_read";
/// The policy of tables every logged-in caller reads whole (read only).
pub const CALLERS_POLICY: &str = "callers_read";

/// The functions the policies call, in sub-selects, so each statement evaluates them once,
/// not once per row.
pub const FUNCTIONS: &str = r#"
CREATE OR REPLACE FUNCTION jiedao_scope() RETURNS text
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(current_setting('jiedao.scope', true), '') $$;

CREATE OR REPLACE FUNCTION jiedao_communities() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('jiedao.communities', true), ''), '{}')::uuid[] $$;

CREATE OR REPLACE FUNCTION jiedao_street_offices() RETURNS uuid[]
    LANGUAGE sql STABLE PARALLEL SAFE
    AS $$ SELECT coalesce(nullif(current_setting('jiedao.street_offices', true), ''), '{}')::uuid[] $$;

CREATE OR REPLACE FUNCTION jiedao_enter(scope text, street_offices uuid[], communities uuid[])
    RETURNS void LANGUAGE plpgsql
    AS $$
BEGIN
    IF scope NOT IN ('everything', 'communities', 'public') THEN
        RAISE EXCEPTION 'unknown scope %', scope;
    END IF;
    PERFORM set_config('jiedao.scope', scope, true);
    PERFORM set_config('jiedao.street_offices', coalesce(street_offices, '{}')::text, true);
    PERFORM set_config('jiedao.communities', coalesce(communities, '{}')::text, true);
END $$;
"#;

/// Tables with a `community_id` column, and whether it may be null (rows of a street office
/// or of the deployment).
const COMMUNITY_TABLES: &str = "\
SELECT c.relname AS name, NOT a.attnotnull AS nullable FROM pg_class c \
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id' AND NOT a.attisdropped \
WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace \
ORDER BY c.relname";

/// Creates the functions and protects every table that has a `community_id` now.
pub async fn protect_all(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    let db = manager.get_connection();
    db.execute_unprepared(FUNCTIONS).await?;
    let tables = db
        .query_all_raw(Statement::from_string(
            DbBackend::Postgres,
            COMMUNITY_TABLES,
        ))
        .await?;
    for row in tables {
        let name: String = row.try_get("", "name")?;
        let nullable: bool = row.try_get("", "nullable")?;
        protect(manager, &name, nullable).await?;
    }
    Ok(())
}

/// Turns on row-level security for one table keyed by its `community_id`: rows of the
/// communities in the transaction's scope, for reading and writing. Rows with no community
/// (`nullable`: a street office's or the deployment's) stay visible to every scope; the
/// server's filters decide who reads them. PostgreSQL only.
pub async fn protect(
    manager: &SchemaManager<'_>,
    table: &str,
    nullable: bool,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    // A street office's communities are looked up in the statement (a hashed sub-plan,
    // run once), so a community created in this very transaction is covered.
    let in_reach = "((SELECT jiedao_scope()) = 'everything' \
                    OR community_id = ANY ((SELECT jiedao_communities())::uuid[]) \
                    OR community_id IN (SELECT c.id FROM community c \
                        WHERE c.street_office_id = ANY ((SELECT jiedao_street_offices())::uuid[])))";
    let condition = if nullable {
        format!("(community_id IS NULL OR {in_reach})")
    } else {
        in_reach.to_owned()
    };
    let db = manager.get_connection();
    db.execute_unprepared(&format!(
        "ALTER TABLE \"{table}\" ENABLE ROW LEVEL SECURITY; \
         DROP POLICY IF EXISTS {POLICY} ON \"{table}\"; \
         CREATE POLICY {POLICY} ON \"{table}\" USING {condition} WITH CHECK {condition}"
    ))
    .await?;
    Ok(())
}

/// Lets whoever holds a statement's share link read `table`, with or without a login
/// (scopes `public` and `communities`; a link opens in another community's app too), and
/// nothing more: the server finds the statement by its share token and reads only what
/// the statement covers. PostgreSQL only.
pub async fn open_to_public(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    open_for_reading(manager, table, PUBLIC_POLICY, "'public', 'communities'").await
}

/// Lets every logged-in caller (scopes `communities` and `everything`) read all of
/// `table`, while writes stay in reach: for rows that checks must see whole to refuse, such
/// as a user's grants (you manage a user only if every role they hold lies in your reach,
/// so the roles outside it must be visible to be counted). PostgreSQL only.
pub async fn open_to_callers(manager: &SchemaManager<'_>, table: &str) -> Result<(), DbErr> {
    open_for_reading(
        manager,
        table,
        CALLERS_POLICY,
        "'communities', 'everything'",
    )
    .await
}

/// A SELECT-only `policy` on `table` for transactions in one of `scopes` (SQL literals).
async fn open_for_reading(
    manager: &SchemaManager<'_>,
    table: &str,
    policy: &str,
    scopes: &str,
) -> Result<(), DbErr> {
    if manager.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    manager
        .get_connection()
        .execute_unprepared(&format!(
            "DROP POLICY IF EXISTS {policy} ON \"{table}\"; \
             CREATE POLICY {policy} ON \"{table}\" FOR SELECT \
             USING ((SELECT jiedao_scope()) IN ({scopes}))"
        ))
        .await?;
    Ok(())
}
