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

/// Logs a demo account in; its access token.
async fn login(router: &Router, username: &str, password: &str) -> String {
    let query = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";
    let body = post(router, None, query, json!({ "u": username, "p": password })).await;
    body["data"]["login"]["accessToken"]
        .as_str()
        .expect("the demo login works")
        .to_owned()
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
    // JIEDAO_BENCH_DATABASE_URL runs the same bench on an empty PostgreSQL database.
    let url = std::env::var("JIEDAO_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| format!("sqlite://{}", dir.path().join("bench.db").display()));
    println!("database: {}", url.split(':').next().unwrap_or_default());
    let mut config = Config::for_database(url);
    config.files_dir = Some(dir.path().join("files"));
    config.data_key = Some(SecretString::from(
        "v1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=".to_owned(),
    ));
    config.jwt_secret = Some(SecretString::from(
        "bench-secret-0123456789abcdef0123456789".to_owned(),
    ));
    let state = build_state(config).await.unwrap();
    state.services.db.migrate().await.unwrap();
    jiedao::bootstrap::seed_demo(&state.services).await.unwrap();
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

    let samples = time(30, |_| async {
        login(&router, "demo.street", "demo-street-2026").await;
    })
    .await;
    report("login mutation, end to end", samples);
    let token = login(&router, "demo.street", "demo-street-2026").await;

    let me = "{ me { id username grants { role scopeName } } }";
    report(
        "me (viewer load + point read + grants)",
        time(2000, |_| async {
            post(&router, Some(&token), me, json!({})).await;
        })
        .await,
    );

    // 300 users with a grant each, listed 100 at a time with their grants.
    let admin = login(&router, "demo.platform", "demo-platform-2026").await;
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

    // Residents: a page of 100 with their homes, then a 10,000-row roster in and out.
    let staff = login(&router, "demo.xingfu.staff", "demo-staff-2026").await;
    let residents = "{ residents(first: 100) { totalCount edges { node { name documentNumber phone household { careLevel dwelling { room building { number compound { name } grid { name } } } } } } } }";
    let before = state.services.db.statement_count();
    report(
        "residents(first: 100) with their homes",
        time(200, |_| async {
            let body = post(&router, Some(&staff), residents, json!({})).await;
            assert!(body.get("errors").is_none(), "{body}");
        })
        .await,
    );
    println!(
        "  statements per residents page: {}",
        (state.services.db.statement_count() - before) / 200
    );
    let created = post(&router, Some(&staff), "mutation($c: ID!) { createCompound(input: {communityId: $c, name: \"万户小区\"}) { compound { id } } }", json!({ "c": community })).await;
    let compound = created["data"]["createCompound"]["compound"]["id"].clone();
    let shape = jiedao::bootstrap::demo_roster::Shape {
        buildings: 50,
        units: 4,
        floors: 18,
        rooms: 3,
    };
    let roster = jiedao::bootstrap::demo_roster::roster(&shape, 4_400, 10_000, 3);
    let before = state.services.db.statement_count();
    let start = Instant::now();
    let body = upload(&router, &staff, &compound, roster.as_bytes()).await;
    let elapsed = start.elapsed();
    assert_eq!(
        body["data"]["importResidents"]["residentsCreated"], 10_000,
        "{body}"
    );
    report("importResidents, 10,000-row CSV", vec![elapsed]);
    println!(
        "  statements for the import: {}",
        state.services.db.statement_count() - before
    );
    let export = "mutation { exportResidents(input: {format: XLSX}) { residents contentBase64 } }";
    let samples = time(3, |_| async {
        let body = post(&router, Some(&staff), export, json!({})).await;
        assert!(body.get("errors").is_none(), "{body}");
    })
    .await;
    report("exportResidents, XLSX of the community", samples);

    // Ledger throughput: one fund, contributions recorded one after another, then by 8
    // concurrent writers (each append locks the fund: this is the serialised path).
    let treasurer = login(&router, "demo.treasurer", "demo-treasurer-2026").await;
    let me = post(
        &router,
        Some(&treasurer),
        "{ me { grants { role scopeId } } }",
        json!({}),
    )
    .await;
    let compound = me["data"]["me"]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "TREASURER")
        .unwrap()["scopeId"]
        .clone();
    let opened = post(&router, Some(&staff), "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"压测基金\", purpose: \"吞吐量测量\"}) { fund { id } } }", json!({ "c": compound })).await;
    let fund = opened["data"]["openFund"]["fund"]["id"].clone();
    let contribute = "mutation($in: RecordContributionInput!) { recordContribution(input: $in) { entry { seq } } }";
    let input = |fund: &Value, i: usize| json!({ "in": { "fundId": fund, "amount": "10.00", "donorName": "压测", "channel": "CASH_BOX", "idempotencyKey": format!("bench-entry-{i:08}") } });
    let n = 500;
    let start = Instant::now();
    for i in 0..n {
        let body = post(&router, Some(&treasurer), contribute, input(&fund, i)).await;
        assert!(body.get("errors").is_none(), "{body}");
    }
    let sequential = start.elapsed();
    println!(
        "{:<44} {:>8.0} entries/s ({n} entries, one writer)",
        "recordContribution, one fund",
        n as f64 / sequential.as_secs_f64()
    );
    let start = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (router, treasurer, fund) = (router.clone(), treasurer.clone(), fund.clone());
        tasks.push(tokio::spawn(async move {
            for i in 0..(n / 8) {
                let body = post(
                    &router,
                    Some(&treasurer),
                    contribute,
                    input(&fund, n + worker * n + i),
                )
                .await;
                assert!(body.get("errors").is_none(), "{body}");
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let concurrent = start.elapsed();
    println!(
        "{:<44} {:>8.0} entries/s ({} entries, 8 writers)",
        "recordContribution, one fund",
        (n / 8 * 8) as f64 / concurrent.as_secs_f64(),
        n / 8 * 8
    );
    let verify = "query($f: ID!) { fund(id: $f) { verifyLedger { ok headSeq } } }";
    let start = Instant::now();
    let body = post(&router, Some(&treasurer), verify, json!({ "f": fund })).await;
    assert_eq!(body["data"]["fund"]["verifyLedger"]["ok"], true, "{body}");
    report("verifyLedger, 1,000 entries", vec![start.elapsed()]);

    grid_work(&router, &staff).await;
}

/// Grid work: the visit plan and the dashboard as the demo leaves them, then requests
/// recorded one after another while 第1网格's worker listens on `/graphql/ws`: how long
/// from sending the mutation until the assignment arrives, and how long after the
/// mutation's own response.
async fn grid_work(router: &Router, staff: &str) {
    use futures::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

    let worker = login(router, "demo.grid1", "demo-grid1-2026").await;
    let grids = post(
        router,
        Some(&worker),
        "{ grids { edges { node { id name } } } me { grants { communityId } } }",
        json!({}),
    )
    .await;
    let grid = grids["data"]["grids"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "第1网格")
        .unwrap()["node"]["id"]
        .clone();
    let plan =
        "query($g: ID!) { visitPlan(gridId: $g) { overdue households { householdId status } } }";
    report(
        "visitPlan, 72 households",
        time(200, |_| async {
            post(router, Some(&worker), plan, json!({ "g": grid })).await;
        })
        .await,
    );
    let body = post(router, Some(&worker), plan, json!({ "g": grid })).await;
    let households: Vec<Value> = body["data"]["visitPlan"]["households"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["householdId"].clone())
        .collect();

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = router
        .clone()
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    let mut request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
    let send = |v: Value| Message::Text(v.to_string().into());
    socket
        .send(send(
            json!({ "type": "connection_init", "payload": { "accessToken": worker } }),
        ))
        .await
        .unwrap();
    socket.next().await.unwrap().unwrap();
    let subscribe = json!({ "id": "1", "type": "subscribe", "payload": { "query": "subscription { requestAssigned { id } }" } });
    socket.send(send(subscribe)).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let record =
        "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id } } }";
    let (mut end_to_end, mut after_response) = (Vec::new(), Vec::new());
    for i in 0..200 {
        let input = json!({ "in": { "householdId": households[i % households.len()], "source": "PHONE", "category": "repair", "title": format!("压测诉求{i}") } });
        let start = Instant::now();
        let body = post(router, Some(staff), record, input).await;
        assert!(body.get("errors").is_none(), "{body}");
        let responded = Instant::now();
        let message = socket.next().await.unwrap().unwrap();
        assert!(message.to_text().unwrap().contains("requestAssigned"));
        end_to_end.push(start.elapsed());
        after_response.push(responded.elapsed());
    }
    report("recordRequest -> requestAssigned over ws", end_to_end);
    report("  of which after the mutation's response", after_response);

    let community = grids["data"]["me"]["grants"][0]["communityId"].clone();
    let dashboard = "query($c: ID!, $from: DateTime!, $to: DateTime!) { requestDashboard(communityId: $c, from: $from, to: $to) { byGrid { key open } medianFirstResponseMinutes visitCoverage { visited } urgentNotices { householdsRead } } }";
    let vars =
        json!({ "c": community, "from": "2020-01-01T00:00:00Z", "to": "2100-01-01T00:00:00Z" });
    report(
        "requestDashboard, 205 requests, 3 grids",
        time(50, |_| async {
            let body = post(router, Some(staff), dashboard, vars.clone()).await;
            assert!(body.get("errors").is_none(), "{body}");
        })
        .await,
    );
}

/// A roster upload in the GraphQL multipart request convention.
async fn upload(router: &Router, token: &str, compound: &Value, csv: &[u8]) -> Value {
    let boundary = "bench-boundary-5f2c";
    let query = "mutation($in: ImportResidentsInput!) { importResidents(input: $in) { residentsCreated problems { row message } } }";
    let operations =
        json!({ "query": query, "variables": { "in": { "compoundId": compound, "file": null } } });
    let mut body = Vec::new();
    for (name, value) in [
        ("operations", operations.to_string()),
        ("map", json!({ "0": ["variables.in.file"] }).to_string()),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"roster.csv\"\r\n\r\n").as_bytes());
    body.extend_from_slice(csv);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    let request = Request::post("/graphql")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}
