//! PostgreSQL's own wall around each community (`migration::row_security`): the server's
//! role owns nothing and cannot bypass row-level security, every table with a
//! `community_id` has the policy (a list built from the catalog, so a new table without it
//! fails here), and raw SQL in one community's scope finds nothing of another community in
//! any of those tables, writes nothing there, and a session that entered no scope sees no
//! tenant row at all.

use migration::{
    m20261201_000037_row_level_security::{CALLERS_TABLES, PUBLIC_TABLES},
    row_security::POLICY,
};
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use uuid::Uuid;

use crate::helpers::TestApp;
use jiedao::db::Scope;

fn on_postgres() -> bool {
    let set = std::env::var("JIEDAO_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    if !set {
        eprintln!("row-level security is PostgreSQL's: set JIEDAO_TEST_DATABASE_URL");
    }
    set
}

fn sql(text: impl Into<String>) -> Statement {
    Statement::from_string(DbBackend::Postgres, text)
}

async fn count(conn: &impl ConnectionTrait, text: String) -> i64 {
    conn.query_one_raw(sql(text))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "n")
        .unwrap()
}

/// Tables of this test's schema with a `community_id` column.
async fn community_tables(conn: &impl ConnectionTrait) -> Vec<String> {
    conn.query_all_raw(sql("SELECT c.relname AS name FROM pg_class c \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id' \
         AND NOT a.attisdropped \
         WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace \
         ORDER BY 1"))
        .await
        .unwrap()
        .iter()
        .map(|row| row.try_get("", "name").unwrap())
        .collect()
}

/// Tables with a `community_id` that lack row-level security or the community policy.
async fn unprotected(conn: &impl ConnectionTrait) -> Vec<String> {
    conn.query_all_raw(sql(format!(
        "SELECT c.relname AS name FROM pg_class c \
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'community_id' \
         AND NOT a.attisdropped \
         WHERE c.relkind = 'r' AND c.relnamespace = current_schema()::regnamespace \
         AND NOT (c.relrowsecurity AND EXISTS (SELECT 1 FROM pg_policy p \
                  WHERE p.polrelid = c.oid AND p.polname = '{POLICY}' AND p.polcmd = '*')) \
         ORDER BY 1"
    )))
    .await
    .unwrap()
    .iter()
    .map(|row| row.try_get("", "name").unwrap())
    .collect()
}

#[tokio::test]
async fn on_postgres_the_server_role_is_bound_and_every_tenant_table_has_the_policy() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let server = app.db().reader();
    let role = server
        .query_one_raw(sql(
            "SELECT r.rolsuper AS superuser, r.rolbypassrls AS bypasses, \
             EXISTS (SELECT 1 FROM pg_class c WHERE c.relowner = r.oid \
                     AND c.relnamespace = current_schema()::regnamespace) AS owns \
             FROM pg_roles r WHERE r.rolname = current_user",
        ))
        .await
        .unwrap()
        .unwrap();
    for what in ["superuser", "bypasses", "owns"] {
        assert!(
            !role.try_get::<bool>("", what).unwrap(),
            "the server's role must not be one that row-level security lets through ({what})"
        );
    }
    let tables = community_tables(server).await;
    assert!(tables.len() > 60, "tenant tables: {tables:?}");
    assert_eq!(unprotected(server).await, Vec::<String>::new());

    // The check catches a table that forgot the policy.
    let owner = app.owner().await;
    owner
        .execute_unprepared("CREATE TABLE probe (id uuid PRIMARY KEY, community_id uuid NOT NULL)")
        .await
        .unwrap();
    assert_eq!(unprotected(&owner).await, vec!["probe".to_owned()]);
}

#[tokio::test]
async fn on_postgres_one_communitys_scope_finds_and_changes_nothing_of_another_in_any_table() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    // The demo fills a community of its own; the fixture tree's B1 holds a grid.
    app.seed_demo().await.unwrap();
    let b1 = app.tree.b1;
    let system = app.db().reader();
    let scoped = app.db().scoped(Scope::Within {
        street_offices: Vec::new(),
        communities: vec![b1],
    });
    let tables = community_tables(system).await;
    let mut with_rows_elsewhere = Vec::new();
    for table in &tables {
        if CALLERS_TABLES.contains(&table.as_str()) || PUBLIC_TABLES.contains(&table.as_str()) {
            continue; // read whole on purpose; their writes are checked below
        }
        let elsewhere = format!(
            "SELECT count(*) AS n FROM \"{table}\" WHERE community_id IS DISTINCT FROM '{b1}' AND community_id IS NOT NULL"
        );
        if count(system, elsewhere.clone()).await > 0 {
            with_rows_elsewhere.push(table.clone());
        }
        assert_eq!(
            count(scoped.reader(), elsewhere).await,
            0,
            "{table}: B1's scope reads another community's rows"
        );
    }
    // The demo leaves rows in most tables, so the zeros above are the wall's, not emptiness.
    for table in [
        "resident",
        "household",
        "ledger_entry",
        "service_request",
        "points_entry",
    ] {
        assert!(
            with_rows_elsewhere.contains(&table.to_owned()),
            "{table} has no demo rows"
        );
    }
    eprintln!(
        "{} of {} tables hold rows of other communities",
        with_rows_elsewhere.len(),
        tables.len()
    );
    assert!(
        with_rows_elsewhere.len() > tables.len() / 2,
        "{with_rows_elsewhere:?}"
    );
    // B1's own grid is there.
    let own = format!("SELECT count(*) AS n FROM grid WHERE community_id = '{b1}'");
    assert_eq!(count(scoped.reader(), own).await, 1);

    // Writes: another community's rows cannot be changed or made.
    let write = app.db().scoped(Scope::Within {
        street_offices: Vec::new(),
        communities: vec![b1],
    });
    let transaction = write.begin_write().await.unwrap();
    let renamed = transaction
        .execute_unprepared(&format!(
            "UPDATE grid SET name = 'taken' WHERE community_id <> '{b1}'"
        ))
        .await
        .unwrap();
    assert_eq!(renamed.rows_affected(), 0);
    let foreign = app.tree.a1;
    let made = transaction
        .execute_unprepared(&format!(
            "INSERT INTO grid (id, community_id, name, created_at) \
             VALUES ('{}', '{foreign}', 'planted', now())",
            Uuid::now_v7()
        ))
        .await;
    assert!(made.is_err(), "a row of A1 was written in B1's scope");
    drop(transaction);
    // Grants (read whole, to judge who may manage whom) and statements (read by whoever
    // holds a link) are written only in reach.
    for update in [
        "UPDATE role_grant SET revoked_at = now()",
        "UPDATE statement SET share_token_hash = share_token_hash",
    ] {
        let transaction = write.begin_write().await.unwrap();
        let changed = transaction
            .execute_unprepared(&format!("{update} WHERE community_id <> '{b1}'"))
            .await
            .unwrap();
        assert_eq!(changed.rows_affected(), 0, "{update}");
    }
}

#[tokio::test]
async fn on_postgres_no_scope_sees_nothing_and_the_public_scope_sees_only_statements() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    app.seed_demo().await.unwrap();
    let config = &app.state.services.config;
    // The server's role on a plain connection that never entered a scope.
    let mut options = sea_orm::ConnectOptions::new(config.database_url.clone());
    options.max_connections(1).sqlx_logging(false);
    options.set_schema_search_path(config.database_schema.clone().unwrap());
    let bare = sea_orm::Database::connect(options).await.unwrap();
    for table in community_tables(app.db().reader()).await {
        let all = format!("SELECT count(*) AS n FROM \"{table}\" WHERE community_id IS NOT NULL");
        assert_eq!(count(&bare, all).await, 0, "{table} without a scope");
    }

    // Published statements, to be found by their share tokens; nothing else until a token
    // opens its statement's community.
    let public = app.db().scoped(Scope::Public);
    let statements = "SELECT count(*) AS n FROM statement".to_owned();
    assert!(count(public.reader(), statements).await > 0);
    for table in ["ledger_entry", "fund", "resident"] {
        let rows = format!("SELECT count(*) AS n FROM {table}");
        assert_eq!(count(public.reader(), rows).await, 0, "{table} in public");
    }
    let transaction = public.begin_write().await.unwrap();
    let changed = transaction
        .execute_unprepared("UPDATE statement SET share_token_hash = share_token_hash")
        .await
        .unwrap();
    assert_eq!(changed.rows_affected(), 0, "the public scope only reads");
}

#[tokio::test]
async fn on_postgres_a_request_enters_its_scope_once_for_all_its_reads_and_a_login_none() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let admin = app
        .caller(
            entity::role_grant::Role::CommunityAdmin,
            crate::helpers::Scope::Community(app.tree.a1),
        )
        .await;
    let db = app.db();
    // A query of several statements (the grids, their buildings, the community): one
    // transaction, one scope.
    let (scopes, statements) = (db.scopes_entered(), db.statement_count());
    let body = app
        .gql(
            Some(&admin),
            "query($c: ID!) { community(id: $c) { name } grids(communityId: $c) { totalCount nodes { name } } }",
            serde_json::json!({ "c": app.tree.a1 }),
        )
        .await;
    crate::helpers::data(&body);
    assert!(db.statement_count() - statements >= 3);
    assert_eq!(db.scopes_entered() - scopes, 1);
    // A mutation: its reads' transaction and its write's, each entered once.
    let scopes = db.scopes_entered();
    let body = app
        .gql(
            Some(&admin),
            "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"第2网格\"}) { grid { name } } }",
            serde_json::json!({ "c": app.tree.a1 }),
        )
        .await;
    crate::helpers::data(&body);
    assert_eq!(db.scopes_entered() - scopes, 2);
    // A login has no caller yet: it runs on the server's own pool, a statement at a time,
    // and holds none of the callers' connections while it waits its turn for argon2 (a
    // flood of logins starved every reader of connections when it did).
    let scopes = db.scopes_entered();
    let body = app
        .gql(
            None,
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
            serde_json::json!({ "u": admin.username, "p": crate::helpers::PASSWORD }),
        )
        .await;
    assert!(crate::helpers::data(&body)["login"]["accessToken"].is_string());
    assert_eq!(
        db.scopes_entered() - scopes,
        0,
        "a login entered a caller's scope"
    );
}
