//! A streaming standby takes the reads of queries (`JIEDAO_DATABASE_REPLICA_URL`), while
//! mutations, and what a caller reads right after their own write, go to the primary. Runs
//! when `JIEDAO_TEST_REPLICA_URL` names a real standby of the test database's cluster
//! (`.ci/standby` starts one with `pg_basebackup -R`; `.ci/run` sets the variable).

use std::time::Duration;

use entity::role_grant::Role;
use sea_orm::{ConnectionTrait, DbBackend, Statement};
use serde_json::{Value, json};

use crate::helpers::{
    Caller, Scope, TestApp, data, server_database_url, test_config, test_replica_url,
};

fn replica_url() -> Option<String> {
    let url = test_replica_url();
    if url.is_none() {
        eprintln!("no standby: set JIEDAO_TEST_REPLICA_URL (and JIEDAO_TEST_DATABASE_URL)");
    }
    url
}

async fn one_value(conn: &impl ConnectionTrait, sql: &str) -> String {
    conn.query_one_raw(Statement::from_string(DbBackend::Postgres, sql))
        .await
        .unwrap()
        .unwrap()
        .try_get_by_index::<String>(0)
        .unwrap()
}

/// Waits until the standby has replayed everything the primary wrote so far.
async fn wait_for_replay(app: &TestApp, standby: &sea_orm::DatabaseConnection) {
    let owner = app.owner().await;
    let written = one_value(&owner, "SELECT pg_current_wal_lsn()::text").await;
    for _ in 0..200 {
        let caught_up = one_value(
            standby,
            &format!("SELECT (pg_last_wal_replay_lsn() >= '{written}'::pg_lsn)::text"),
        )
        .await;
        if caught_up == "true" {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the standby did not replay the primary's writes in 10 s");
}

const GRIDS: &str = "query($c: ID!) { grids(communityId: $c) { nodes { name } } }";

fn grid_names(body: &Value) -> Vec<String> {
    data(body)["grids"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap().to_owned())
        .collect()
}

async fn names_seen(app: &TestApp, caller: &Caller) -> Vec<String> {
    grid_names(
        &app.gql(Some(caller), GRIDS, json!({ "c": app.tree.a1 }))
            .await,
    )
}

#[tokio::test]
async fn queries_read_from_the_standby_and_writers_read_their_own_writes_from_the_primary() {
    let Some(replica) = replica_url() else {
        return;
    };
    let (mut config, dir) = test_config();
    config.database_replica_url = Some(server_database_url(&replica));
    let app = TestApp::with_config(config, dir).await;
    let standby = sea_orm::Database::connect(replica.clone()).await.unwrap();
    assert_eq!(
        one_value(&standby, "SELECT pg_is_in_recovery()::text").await,
        "true",
        "JIEDAO_TEST_REPLICA_URL is not a standby"
    );
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let colleague = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    wait_for_replay(&app, &standby).await;

    // A query: the standby answers.
    let db = app.db();
    let before = db.replica_statement_count();
    assert_eq!(names_seen(&app, &colleague).await, vec!["第1网格"]);
    assert!(
        db.replica_statement_count() > before,
        "the query did not reach the standby"
    );

    // A mutation, and its payload's fields, run on the primary.
    let before = db.replica_statement_count();
    let body = app
        .gql(
            Some(&admin),
            "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"第2网格\"}) { grid { name } } }",
            json!({ "c": app.tree.a1 }),
        )
        .await;
    assert_eq!(data(&body)["createGrid"]["grid"]["name"], "第2网格");
    // Its author reads it back at once, from the primary.
    let seen = names_seen(&app, &admin).await;
    assert!(seen.contains(&"第2网格".to_owned()), "{seen:?}");
    assert_eq!(
        db.replica_statement_count(),
        before,
        "a writer read from the standby"
    );

    // Others read from the standby, and see the grid once it is replayed there.
    wait_for_replay(&app, &standby).await;
    let seen = names_seen(&app, &colleague).await;
    assert!(seen.contains(&"第2网格".to_owned()), "{seen:?}");
    assert!(db.replica_statement_count() > before);
}
