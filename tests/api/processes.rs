//! Several `jiedao serve` processes on one PostgreSQL database behave as one
//! (ARCHITECTURE.md §9): two real processes of the built binary share the test's database
//! and schema (migrated once by the test, both started with `--no-migrate`), and what one
//! counts, records, revokes or schedules holds at the other. PostgreSQL only: SQLite is one
//! process by design, so without `JIEDAO_TEST_DATABASE_URL` these tests say so and return.

use std::{
    collections::{HashMap, HashSet},
    time::{Duration, Instant},
};

use entity::{
    ledger_entry, notification_event, role_grant::Role, service_request, webhook_delivery,
};
use sea_orm::{ColumnTrait, ConnectionTrait, DbBackend, EntityTrait, QueryFilter, Statement};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    funds::{CONTRIBUTE, contribution, fund_setup},
    helpers::{PASSWORD, Scope, Server, TestApp, data, error_code},
    receiver::{Receiver, Reply},
    webhooks::{RECORD, assigned_building, hooked_app, subscribe},
};

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";
const GRANT: &str = "mutation($in: GrantRoleInput!) { grantRole(input: $in) { grant { id } } }";
const REVOKE: &str =
    "mutation($id: ID!) { revokeRole(input: {grantId: $id}) { grant { revokedAt } } }";
const STAFF_READ: &str = "{ residents { totalCount } }";

/// Whether the tests run on PostgreSQL; says so when they do not.
fn on_postgres() -> bool {
    let set = std::env::var("JIEDAO_TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty());
    if !set {
        eprintln!("skipped: several processes need PostgreSQL (set JIEDAO_TEST_DATABASE_URL)");
    }
    set
}

/// Two processes on the app's database, started side by side.
async fn two_servers(app: &TestApp, env: &[(&str, &str)]) -> (Server, Server) {
    tokio::join!(Server::start(app, env), Server::start(app, env))
}

/// Polls `check` every 20 ms until it gives `Some`, failing after `limit`.
async fn within<T, F: Future<Output = Option<T>>>(
    limit: Duration,
    what: &str,
    mut check: impl FnMut() -> F,
) -> T {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(done) = check().await {
            return done;
        }
        assert!(Instant::now() < deadline, "not within {limit:?}: {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn failed_logins_at_two_processes_add_up_to_one_lockout_at_both() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    app.user("mp.pair", Scope::Community(app.tree.a1)).await;
    app.user("mp.addr", Scope::Community(app.tree.a1)).await;
    // The processes run with the defaults too (failures of one username from one address,
    // and of one address over all usernames; 5 and 30).
    let limits = &app.state.services.config.login_throttle;
    let (pair_limit, address_limit) = (
        usize::try_from(limits.pair_max_failures).unwrap(),
        usize::try_from(limits.address_max_failures).unwrap(),
    );
    let (a, b) = two_servers(&app, &[("JIEDAO_WEBHOOKS", "false")]).await;
    let login = |user: &str, password: &str| json!({ "u": user, "p": password });

    // One account from one address: failures alternate between the processes, so
    // neither sees the limit alone (of five, A sees three and B two).
    let from = "198.51.100.7";
    for i in 0..pair_limit {
        let server = if i % 2 == 0 { &a } else { &b };
        let body = server
            .gql_from(None, from, LOGIN, login("mp.pair", &format!("wrong-{i}")))
            .await;
        assert_eq!(
            error_code(&body),
            Some("UNAUTHENTICATED"),
            "failure {i}: {body}"
        );
    }
    for server in [&a, &b] {
        let body = server
            .gql_from(None, from, LOGIN, login("mp.pair", PASSWORD))
            .await;
        assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
        assert!(body["errors"][0]["extensions"]["retryAfterSeconds"].as_i64() > Some(0));
    }
    // It is that account from that address which is locked: from elsewhere it logs in.
    let body = b
        .gql_from(None, "198.51.100.8", LOGIN, login("mp.pair", PASSWORD))
        .await;
    assert!(data(&body)["login"]["accessToken"].is_string());

    // One address: failures for as many usernames (none reaching its own limit) sent to
    // both processes at once; every one is counted, so the address is then locked at both,
    // even for an account that never failed.
    let from = "198.51.100.9";
    let failures = (0..address_limit).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let user = format!("nobody.{i}");
        async move {
            server
                .gql_from(None, from, LOGIN, login(&user, "wrong password"))
                .await
        }
    });
    for body in futures::future::join_all(failures).await {
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    }
    for server in [&a, &b] {
        let body = server
            .gql_from(None, from, LOGIN, login("mp.addr", PASSWORD))
            .await;
        assert_eq!(error_code(&body), Some("RATE_LIMITED"), "{body}");
    }
    let body = a
        .gql_from(None, "198.51.100.10", LOGIN, login("mp.addr", PASSWORD))
        .await;
    assert!(data(&body)["login"]["accessToken"].is_string());
}

#[tokio::test]
async fn an_idempotency_key_records_once_whichever_process_gets_it() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let (a, b) = two_servers(&app, &[("JIEDAO_WEBHOOKS", "false")]).await;
    let entry = |body: &Value| data(body)["recordContribution"]["entry"].clone();

    // A retry that reaches the other process replays the first answer.
    let input = contribution(&s, "王秀英", "50.00", "mp-retry-0001");
    let first = entry(&a.gql(Some(&s.treasurer), CONTRIBUTE, input.clone()).await);
    let again = entry(&b.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
    assert_eq!(first, again);
    assert_eq!(first["seq"], 1);
    // The same key with other input is refused there too.
    let other = contribution(&s, "王秀英", "60.00", "mp-retry-0001");
    let body = b.gql(Some(&s.treasurer), CONTRIBUTE, other).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");

    // Sent to both at once, several times over: one entry per key, the same in both
    // answers.
    for round in 0..5 {
        let input = contribution(&s, "李建国", "10.00", &format!("mp-concurrent-{round:04}"));
        let (at_a, at_b) = tokio::join!(
            a.gql(Some(&s.treasurer), CONTRIBUTE, input.clone()),
            b.gql(Some(&s.treasurer), CONTRIBUTE, input),
        );
        assert_eq!(entry(&at_a), entry(&at_b), "round {round}");
        assert_eq!(entry(&at_a)["seq"], round + 2);
    }

    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::FundId.eq(s.fund.as_str().unwrap().parse::<Uuid>().unwrap()))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(entries.len(), 6, "one entry per key");
    let body = app
        .gql(
            Some(&s.treasurer),
            "query($id: ID!) { fund(id: $id) { balance verifyLedger { ok headSeq } } }",
            json!({ "id": s.fund }),
        )
        .await;
    assert_eq!(
        data(&body)["fund"],
        json!({ "balance": "100.00", "verifyLedger": { "ok": true, "headSeq": 6 } })
    );
}

#[tokio::test]
async fn a_role_revoked_at_one_process_is_refused_at_the_other_that_cached_the_caller() {
    if !on_postgres() {
        return;
    }
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let user = app.user("mp.staff", Scope::Community(t.a1)).await;
    let grant = json!({ "userId": user, "role": "COMMUNITY_STAFF", "scopeId": t.a1 });
    let body = app.gql(Some(&admin), GRANT, json!({ "in": grant })).await;
    let grant = data(&body)["grantRole"]["grant"]["id"].clone();
    let staff = app.session(user, "mp.staff").await;
    let (a, b) = two_servers(&app, &[("JIEDAO_WEBHOOKS", "false")]).await;

    // B knows the session now, and serves it from its cache: a request costs B no
    // statement beyond what reading /metrics costs anyway.
    data(&b.gql(Some(&staff), STAFF_READ, json!({})).await);
    let before = b.statements().await;
    let scrape = b.statements().await - before;
    let before = b.statements().await;
    data(&b.gql(Some(&staff), "{ __typename }", json!({})).await);
    assert_eq!(
        b.statements().await - before,
        scrape,
        "B answered from its cached caller"
    );

    // Revoked through A; A refuses at once, B as soon as the event has come through
    // LISTEN: well before the cache's own bound (5 s), so the event is what did it.
    data(&a.gql(Some(&admin), REVOKE, json!({ "id": grant })).await);
    let revoked = Instant::now();
    let body = a.gql(Some(&staff), STAFF_READ, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    let mut tries = 0;
    let body = within(
        Duration::from_secs(2),
        "B refuses the revoked caller",
        || {
            tries += 1;
            let b = &b;
            let staff = &staff;
            async move {
                let body = b.gql(Some(staff), STAFF_READ, json!({})).await;
                (error_code(&body) == Some("UNAUTHENTICATED")).then_some(body)
            }
        },
    )
    .await;
    eprintln!(
        "B refused the revoked caller on try {tries}, {:?} after A answered",
        revoked.elapsed()
    );
    assert!(body["data"].is_null(), "{body}");
}

/// With two processes each running the scheduler and the dispatcher, every notification is
/// raised once and every webhook delivery is sent once: requests recorded at either
/// process (`request.assigned`, fanned out `SKIP LOCKED`) and requests past their
/// first-response time (`request.first_response_overdue`, raised by the scheduler under
/// its advisory lock, with a dedupe key).
#[tokio::test]
async fn scheduled_and_fanned_out_work_is_done_once_by_two_processes() {
    if !on_postgres() {
        return;
    }
    let app = hooked_app(|_| {}).await;
    let receiver = Receiver::start(Reply::Status(200)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    subscribe(
        &app,
        &admin,
        app.tree.a1,
        &receiver.url(),
        "STANDARD",
        &["REQUEST_ASSIGNED", "REQUEST_FIRST_RESPONSE_OVERDUE"],
    )
    .await;
    let (staff, building, _worker) = assigned_building(&app).await;
    // Three requests already past their first-response time when the processes start,
    // so both schedulers find them on their first look.
    const OVERDUE: usize = 3;
    let mut overdue = Vec::new();
    for i in 0..OVERDUE {
        let vars = json!({ "b": building, "t": format!("楼道灯不亮 {i}") });
        let body = app.gql(Some(&staff), RECORD, vars).await;
        overdue.push(data(&body)["recordRequest"]["request"]["id"].clone());
    }
    let past = app
        .db()
        .writer()
        .execute_raw(Statement::from_string(
            DbBackend::Postgres,
            "UPDATE service_request SET first_response_due_at = now() - interval '1 minute'",
        ))
        .await
        .unwrap();
    assert_eq!(past.rows_affected(), OVERDUE as u64);

    let every = Duration::from_secs(1);
    let (a, b) = two_servers(
        &app,
        &[
            ("JIEDAO_WEBHOOKS", "true"),
            ("JIEDAO_SCHEDULE_EVERY_SECS", &every.as_secs().to_string()),
        ],
    )
    .await;
    // More requests, recorded at both processes at once.
    const RECORDED: usize = 8;
    let records = (0..RECORDED).map(|i| {
        let server = if i % 2 == 0 { &a } else { &b };
        let vars = json!({ "b": building, "t": format!("电梯异响 {i}") });
        let staff = &staff;
        async move { server.gql(Some(staff), RECORD, vars).await }
    });
    for body in futures::future::join_all(records).await {
        data(&body);
    }

    let expected = OVERDUE + RECORDED + OVERDUE;
    let delivered = within(Duration::from_secs(20), "every delivery delivered", || {
        let db = app.db().reader();
        async move {
            let all = webhook_delivery::Entity::find().all(db).await.unwrap();
            (all.len() == expected && all.iter().all(|d| d.status == "delivered")).then_some(all)
        }
    })
    .await;
    // Both schedulers looked at least twice after the requests fell due (once at start, once
    // a period later); a second raise or send of anything would have shown by now.
    tokio::time::sleep(every * 2).await;

    let events = notification_event::Entity::find()
        .filter(notification_event::Column::CommunityId.eq(app.tree.a1))
        .all(app.db().reader())
        .await
        .unwrap();
    let mut by_type: HashMap<&str, usize> = HashMap::new();
    for e in &events {
        *by_type.entry(e.event_type.as_str()).or_default() += 1;
    }
    assert_eq!(
        by_type,
        HashMap::from([
            ("request.assigned", OVERDUE + RECORDED),
            ("request.first_response_overdue", OVERDUE),
        ])
    );
    let overdue_of: HashSet<String> = events
        .iter()
        .filter(|e| e.event_type == "request.first_response_overdue")
        .map(|e| e.facts["requestId"].as_str().unwrap().to_owned())
        .collect();
    let overdue: HashSet<String> = overdue
        .iter()
        .map(|id| id.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        overdue_of, overdue,
        "one overdue notice per overdue request"
    );
    let requests = service_request::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(requests.len(), OVERDUE + RECORDED);

    // One delivery per event, each claimed (and sent) once, nothing left to send.
    let deliveries = webhook_delivery::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(deliveries.len(), delivered.len());
    let mut per_event: HashMap<Uuid, usize> = HashMap::new();
    for d in &deliveries {
        assert_eq!(d.status, "delivered");
        assert_eq!(d.attempt_count, 1, "claimed once: {d:?}");
        *per_event.entry(d.event_id).or_default() += 1;
    }
    let event_ids: HashSet<Uuid> = events.iter().map(|e| e.id).collect();
    assert_eq!(per_event.keys().copied().collect::<HashSet<_>>(), event_ids);
    assert!(per_event.values().all(|n| *n == 1), "{per_event:?}");
    // The receiver got each exactly once (Standard Webhooks' `webhook-id` is the event).
    let seen = receiver.seen();
    assert_eq!(seen.len(), expected);
    let ids: HashSet<Uuid> = seen
        .iter()
        .map(|r| r.header("webhook-id").parse().unwrap())
        .collect();
    assert_eq!(ids, event_ids);
}
