//! `cargo bench`: end-to-end timings through the in-process router on the embedded SQLite
//! default, on this machine. Prints a small table; no assertions (tests assert, benches
//! measure).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::{
    Router,
    body::Body,
    http::{Request, header},
};
use http_body_util::BodyExt;
use jiedao::{auth::password, build_router, build_state, config::Config};
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn post(router: &Router, token: Option<&str>, query: &str, variables: Value) -> Value {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    let response = router
        .clone()
        .oneshot(request.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

fn report(name: &str, mut samples: Vec<Duration>) {
    samples.sort();
    let mean = samples.iter().sum::<Duration>() / samples.len() as u32;
    let p50 = samples[samples.len() / 2];
    let p99 = samples[samples.len() * 99 / 100];
    println!(
        "{name:<44} n={:<6} mean={mean:>10.2?} p50={p50:>10.2?} p99={p99:>10.2?}",
        samples.len()
    );
}

async fn time<F, Fut>(n: usize, mut f: F) -> Vec<Duration>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut samples = Vec::with_capacity(n);
    for i in 0..n {
        let start = Instant::now();
        f(i).await;
        samples.push(start.elapsed());
    }
    samples
}

#[tokio::main]
async fn main() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_database(format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ));
    config.jwt_secret = Some(SecretString::from(
        "bench-secret-0123456789abcdef0123456789".to_owned(),
    ));
    let state = build_state(config).await.unwrap();
    state.services.db.migrate().await.unwrap();
    jiedao::bootstrap::seed_demo(&state.services.db)
        .await
        .unwrap();
    let router = build_router(state.clone());
    println!(
        "argon2id m={} KiB t={} p={}",
        password::MEMORY_KIB,
        password::ITERATIONS,
        password::PARALLELISM
    );

    report(
        "argon2id hash (blocking, one core)",
        time(20, |_| async {
            password::hash_blocking("correct horse battery").unwrap();
        })
        .await,
    );

    let login = "mutation { login(input: {username: \"demo.street\", password: \"demo-street-2026\"}) { accessToken } }";
    let samples = time(30, |_| async {
        let body = post(&router, None, login, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
    })
    .await;
    report("login mutation, end to end", samples);

    let body = post(&router, None, login, json!({})).await;
    let token = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();

    let me = "{ me { id username grants { role scopeName } } }";
    report(
        "me (viewer load + point read + grants)",
        time(2000, |_| async {
            post(&router, Some(&token), me, json!({})).await;
        })
        .await,
    );

    // 300 users with a grant each, listed 100 at a time with their grants.
    let admin = post(&router, None, "mutation { login(input: {username: \"demo.platform\", password: \"demo-platform-2026\"}) { accessToken } }", json!({})).await;
    let admin = admin["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let communities = post(
        &router,
        Some(&admin),
        "{ communities { edges { node { id } } } }",
        json!({}),
    )
    .await;
    let community = communities["data"]["communities"]["edges"][0]["node"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..300 {
        let created = post(&router, Some(&admin), "mutation($u: String!, $c: ID!) { createUser(input: {username: $u, displayName: \"居民\", initialPassword: \"bench password 1\", homeCommunityId: $c}) { user { id } } }", json!({ "u": format!("bench{i}"), "c": community })).await;
        let id = created["data"]["createUser"]["user"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        post(&router, Some(&admin), "mutation($id: ID!, $c: ID!) { grantRole(input: {userId: $id, role: COMMUNITY_STAFF, scopeId: $c}) { grant { id } } }", json!({ "id": id, "c": community })).await;
    }
    let page = "{ users(first: 100) { totalCount edges { node { username grants { role scopeName } permissions { canManage } } } } }";
    let before = state.services.db.statement_count();
    report(
        "users(first: 100) with grants",
        time(200, |_| async {
            post(&router, Some(&admin), page, json!({})).await;
        })
        .await,
    );
    println!(
        "  statements per users page: {}",
        (state.services.db.statement_count() - before) / 200
    );
}
