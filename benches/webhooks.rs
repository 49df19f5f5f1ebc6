//! `cargo bench --bench webhooks`: how fast committed events leave as webhooks. A receiver
//! on 127.0.0.1 answers 200 at once (or after `JIEDAO_BENCH_WEBHOOK_ANSWER_MS`); the
//! in-process dispatcher (the one `jiedao serve` starts) fans events out and sends them.
//! Events are `request.assigned`, spread over 10 communities with 2 subscriptions each
//! (`JIEDAO_BENCH_WEBHOOK_COMMUNITIES`, `..._SUBSCRIPTIONS`), staged 10 per commit
//! (`..._PER_COMMIT`) as a write stages them.
//!
//! Two phases: a burst (`JIEDAO_BENCH_WEBHOOK_EVENTS`, default 2,000 events committed as
//! fast as one writer can) gives the throughput; a paced run (`..._PACED`, default 500
//! events at `..._RATE`, default 100 events/s) gives the delay a receiver sees in steady
//! use. The delay is the receiver's clock at arrival minus the event's `timestamp` in the
//! body (when it was staged, just before its commit; millisecond precision).
//!
//! On SQLite (a temporary file) unless `JIEDAO_BENCH_DATABASE_URL` names a PostgreSQL
//! database, where it runs in a schema of its own, dropped at the end.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri},
};
use chrono::{DateTime, Utc};
use entity::{community, street_office, webhook_subscription};
use jiedao::{
    build_state,
    config::Config,
    notifications::{
        delivery::{secret_context, url_context},
        dispatcher, formats,
    },
    outbox::{self, EventType, Notification},
    state::Services,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, DbBackend};
use secrecy::SecretString;
use serde_json::{Value, json};
use uuid::Uuid;

fn knob(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// What the receiver saw: each request's subscription and `webhook-id`, and its delay
/// since the event.
#[derive(Default)]
struct Seen {
    ids: Vec<String>,
    delays: Vec<Duration>,
}

struct Receiver {
    seen: Mutex<Seen>,
    answer_after: Duration,
}

async fn receive(
    State(r): State<Arc<Receiver>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> StatusCode {
    let now = Utc::now();
    if !r.answer_after.is_zero() {
        tokio::time::sleep(r.answer_after).await;
    }
    let body: Value = serde_json::from_slice(&body).unwrap();
    let at: DateTime<Utc> = body["timestamp"].as_str().unwrap().parse().unwrap();
    // One path per subscription: an event goes to each with the same `webhook-id`.
    let id = format!("{}#{}", uri.path(), headers["webhook-id"].to_str().unwrap());
    let mut seen = r.seen.lock().unwrap();
    seen.ids.push(id);
    seen.delays.push((now - at).to_std().unwrap_or_default());
    StatusCode::NO_CONTENT
}

async fn setup_tenants(
    services: &Services,
    url: &str,
    communities: u64,
    per_community: u64,
) -> Vec<Uuid> {
    let db = services.db.writer();
    let now = Utc::now();
    let office = Uuid::now_v7();
    street_office::ActiveModel {
        id: Set(office),
        name: Set("压测街道".into()),
        division_code: Set(None),
        created_at: Set(now),
    }
    .insert(db)
    .await
    .unwrap();
    let mut ids = Vec::new();
    for c in 0..communities {
        let id = Uuid::now_v7();
        community::ActiveModel {
            id: Set(id),
            street_office_id: Set(office),
            name: Set(format!("压测{c}社区")),
            created_at: Set(now),
            ..Default::default()
        }
        .insert(db)
        .await
        .unwrap();
        for s in 0..per_community {
            let sid = Uuid::now_v7();
            let keys = &services.data_keys;
            webhook_subscription::ActiveModel {
                id: Set(sid),
                community_id: Set(id),
                compound_id: Set(None),
                grid_id: Set(None),
                url: Set(keys
                    .encrypt(&url_context(sid), &format!("{url}/{sid}"))
                    .unwrap()),
                url_label: Set(url.to_owned()),
                description: Set(format!("订阅{s}")),
                format: Set("standard".into()),
                event_types: Set(json!(["request.assigned"])),
                enabled: Set(true),
                secret: Set(keys
                    .encrypt(&secret_context(sid), &formats::new_secret())
                    .unwrap()),
                previous_secret: Set(None),
                previous_secret_until: Set(None),
                failing_since: Set(None),
                disabled_at: Set(None),
                disabled_reason: Set(None),
                created_by: Set(Uuid::now_v7()),
                created_at: Set(now),
                updated_at: Set(now),
            }
            .insert(db)
            .await
            .unwrap();
        }
        ids.push(id);
    }
    ids
}

/// Commits `n` events, `per_commit` at a time, round the communities; at `rate` events/s
/// when given. Returns when the last commit is done.
async fn raise(
    services: &Services,
    communities: &[Uuid],
    n: u64,
    per_commit: u64,
    rate: Option<u64>,
) {
    let start = Instant::now();
    let mut raised = 0;
    while raised < n {
        let count = per_commit.min(n - raised);
        let events = (raised..raised + count)
            .map(|i| {
                let community = communities[i as usize % communities.len()];
                Notification::new(
                    EventType::RequestAssigned,
                    community,
                    json!({ "requestId": Uuid::now_v7(), "title": format!("压测诉求 {i}") }),
                )
            })
            .collect();
        let txn = services.db.begin_write().await.unwrap();
        outbox::stage(&txn, events).await.unwrap();
        txn.commit().await.unwrap();
        services.outbox.wake();
        raised += count;
        if let Some(rate) = rate {
            let due = start + Duration::from_secs_f64(raised as f64 / rate as f64);
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// Waits until the receiver has `total` requests (or 5 minutes); the time it took.
async fn wait_for(receiver: &Receiver, total: usize, since: Instant) -> Duration {
    let deadline = since + Duration::from_secs(300);
    loop {
        let got = receiver.seen.lock().unwrap().ids.len();
        if got >= total {
            return since.elapsed();
        }
        if Instant::now() > deadline {
            println!("gave up: {got} of {total} delivered");
            return since.elapsed();
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

fn report(name: &str, events: u64, deliveries: usize, took: Duration, receiver: &Receiver) {
    let mut seen = receiver.seen.lock().unwrap();
    let Seen { ids, delays } = std::mem::take(&mut *seen);
    let unique: HashSet<&String> = ids.iter().collect();
    let mut delays = delays;
    delays.sort();
    let at = |q: f64| delays[((delays.len() as f64 * q) as usize).min(delays.len() - 1)];
    println!(
        "{name:<8} {events:>5} events -> {deliveries:>5} deliveries in {took:>8.2?}: {:>7.0} events/s, {:>7.0} deliveries/s; delay p50 {:>8.2?} p99 {:>8.2?} max {:>8.2?}; sent twice: {}",
        events as f64 / took.as_secs_f64(),
        deliveries as f64 / took.as_secs_f64(),
        at(0.5),
        at(0.99),
        delays[delays.len() - 1],
        ids.len() - unique.len(),
    );
}

#[tokio::main]
async fn main() {
    let events = knob("JIEDAO_BENCH_WEBHOOK_EVENTS", 2_000);
    let paced = knob("JIEDAO_BENCH_WEBHOOK_PACED", 500);
    let rate = knob("JIEDAO_BENCH_WEBHOOK_RATE", 100);
    let communities = knob("JIEDAO_BENCH_WEBHOOK_COMMUNITIES", 10);
    let per_community = knob("JIEDAO_BENCH_WEBHOOK_SUBSCRIPTIONS", 2);
    let per_commit = knob("JIEDAO_BENCH_WEBHOOK_PER_COMMIT", 10);
    let answer_after = Duration::from_millis(knob("JIEDAO_BENCH_WEBHOOK_ANSWER_MS", 0));

    let dir = tempfile::tempdir().unwrap();
    let postgres = std::env::var("JIEDAO_BENCH_DATABASE_URL").ok();
    let url = postgres
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}", dir.path().join("bench.db").display()));
    let mut config = Config::for_database(url);
    if postgres.is_some() {
        config.database_schema = Some(format!("bench_webhooks_{}", Uuid::now_v7().simple()));
        config.signing_key = Some(SecretString::from(jiedao::signing::new_entry(1)));
    }
    config.files_dir = Some(dir.path().join("files"));
    config.data_key = Some(SecretString::from(
        "v1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=".to_owned(),
    ));
    config.jwt_secret = Some(SecretString::from(
        "bench-secret-0123456789abcdef0123456789".to_owned(),
    ));
    config.webhooks.allow_http = true;
    config.webhooks.allow_private = true;
    let state = build_state(config).await.unwrap();
    let services = state.services.clone();
    services.db.migrate().await.unwrap();

    let receiver = Arc::new(Receiver {
        seen: Mutex::default(),
        answer_after,
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook = format!("http://{}/hook", listener.local_addr().unwrap());
    let app = Router::new().fallback(receive).with_state(receiver.clone());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let tenants = setup_tenants(&services, &hook, communities, per_community).await;
    println!(
        "database: {}; {communities} communities x {per_community} subscriptions; {per_commit} events per commit; receiver answers after {answer_after:?}",
        if postgres.is_some() {
            "postgres"
        } else {
            "sqlite"
        },
    );
    dispatcher::start(&services).unwrap();

    let fan = per_community as usize;
    let since = Instant::now();
    raise(&services, &tenants, events, per_commit, None).await;
    let committed = since.elapsed();
    let took = wait_for(&receiver, events as usize * fan, since).await;
    println!("burst: {events} events committed in {committed:.2?}");
    report("burst", events, events as usize * fan, took, &receiver);

    let since = Instant::now();
    raise(&services, &tenants, paced, per_commit, Some(rate)).await;
    let took = wait_for(&receiver, paced as usize * fan, since).await;
    report(
        &format!("{rate}/s"),
        paced,
        paced as usize * fan,
        took,
        &receiver,
    );

    if let Some(schema) = &services.config.database_schema
        && services.db.backend() == DbBackend::Postgres
    {
        services
            .db
            .writer()
            .execute_unprepared(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .await
            .unwrap();
    }
}
