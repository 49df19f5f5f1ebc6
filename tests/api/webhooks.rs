//! Webhook subscriptions as a community admin meets them: who may manage them, what a
//! test delivery answers, and signatures a receiver checks with the Standard Webhooks
//! reference implementation (also across a secret rotation).
//! URL rules are in `webhook_urls`, delivery guarantees in `webhook_delivery`, a killed
//! server in `webhook_crash`.

use std::time::Duration;

use entity::role_grant::Role;
use jiedao::{
    config::WebhookConfig,
    notifications::dispatcher,
    outbox::{self, EventType, Notification},
};
use serde_json::{Value, json};
use standardwebhooks::Webhook;
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code, test_config},
    receiver::{Receiver, Reply},
};

pub const CREATE: &str = "mutation($in: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $in) { subscription { id url enabled } secret } }";
pub const SUBSCRIPTION: &str = "query($id: ID!) { webhookSubscription(id: $id) { id enabled disabledReason failingSince deliveries(first: 100) { edges { node { id eventId eventType status attemptCount body attempts { outcome responseStatus latencyMs detail } } } } } }";
const SEND_TEST: &str = "mutation($id: ID!) { sendTestWebhook(subscriptionId: $id) { delivery { id status eventType body attempts { outcome responseStatus latencyMs detail } } } }";
pub const REDELIVER: &str =
    "mutation($id: ID!) { redeliverWebhook(deliveryId: $id) { delivery { id status } } }";
const ROTATE: &str = "mutation($id: ID!) { rotateWebhookSecret(id: $id) { subscription { previousSecretValidUntil } secret } }";
pub const RECORD: &str = "mutation($b: ID!, $t: String!) { recordRequest(input: {buildingId: $b, source: PHONE, category: \"repair\", title: $t}) { request { id assigneeId } } }";

/// An app whose deliveries may go to receivers on 127.0.0.1 over http, retried within
/// milliseconds, and `adjust`ed further.
pub async fn hooked_app(adjust: impl FnOnce(&mut WebhookConfig)) -> TestApp {
    let (mut config, dir) = test_config();
    let hooks = &mut config.webhooks;
    hooks.allow_http = true;
    hooks.allow_private = true;
    hooks.retry_base = Duration::from_millis(20);
    hooks.poll = Duration::from_millis(25);
    hooks.timeout = Duration::from_secs(3);
    hooks.schedule_every = Duration::from_secs(3600);
    adjust(hooks);
    TestApp::with_config(config, dir).await
}

/// Starts the app's dispatcher (and scheduler) in this test's runtime.
pub fn dispatch(app: &TestApp) {
    dispatcher::start(&app.state.services).unwrap();
}

pub struct Hook {
    pub id: String,
    pub secret: String,
}

/// A subscription of `community` to `types` (GraphQL names), made by `admin`.
pub async fn subscribe(
    app: &TestApp,
    admin: &Caller,
    community: Uuid,
    url: &str,
    format: &str,
    types: &[&str],
) -> Hook {
    let input = json!({ "in": { "communityId": community, "url": url, "description": "值班群", "format": format, "eventTypes": types } });
    let body = app.gql(Some(admin), CREATE, input).await;
    let created = &data(&body)["createWebhookSubscription"];
    Hook {
        id: created["subscription"]["id"].as_str().unwrap().to_owned(),
        secret: created["secret"].as_str().unwrap().to_owned(),
    }
}

/// Raises `n` `request.assigned` events in `community` as a write does (in a transaction
/// of its own) and wakes the dispatcher.
pub async fn raise(app: &TestApp, community: Uuid, n: usize) {
    let events = (0..n)
        .map(|i| {
            Notification::new(
                EventType::RequestAssigned,
                community,
                json!({ "requestId": Uuid::now_v7(), "title": format!("路灯不亮 {i}") }),
            )
        })
        .collect();
    let txn = app.db().begin_write().await.unwrap();
    outbox::stage(&txn, events).await.unwrap();
    txn.commit().await.unwrap();
    app.state.services.outbox.wake();
}

pub async fn subscription(app: &TestApp, admin: &Caller, id: &str) -> Value {
    let body = app
        .gql(Some(admin), SUBSCRIPTION, json!({ "id": id }))
        .await;
    data(&body)["webhookSubscription"].clone()
}

/// The subscription's deliveries, newest first.
pub fn deliveries(subscription: &Value) -> Vec<Value> {
    subscription["deliveries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

/// Polls the subscription until `done` holds (at most 20 s).
pub async fn wait_until(
    app: &TestApp,
    admin: &Caller,
    id: &str,
    done: impl Fn(&Value) -> bool,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let s = subscription(app, admin, id).await;
        if done(&s) {
            return s;
        }
        assert!(std::time::Instant::now() < deadline, "gave up waiting: {s}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub fn outcomes(delivery: &Value) -> Vec<&str> {
    delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["outcome"].as_str().unwrap())
        .collect()
}

/// A building of A1 in the grid `grid_a1`, with a grid worker: a request recorded there
/// (`RECORD`) is assigned to them and raises `request.assigned`. Returns community staff
/// who may record, the building and the worker.
pub async fn assigned_building(app: &TestApp) -> (Caller, Uuid, Caller) {
    let a1 = app.tree.a1;
    let staff = app.caller(Role::CommunityStaff, Scope::Community(a1)).await;
    let admin = app.caller(Role::CommunityAdmin, Scope::Community(a1)).await;
    let building = app.compound_with_building(&staff, a1, "和韵小区").await;
    let assign = "mutation($g: ID!, $b: ID!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: [$b]}) { grid { id } } }";
    let vars = json!({ "g": app.tree.grid_a1, "b": building });
    data(&app.gql(Some(&admin), assign, vars).await);
    let worker = app
        .caller(Role::GridWorker, Scope::Below(a1, app.tree.grid_a1))
        .await;
    (staff, building, worker)
}

#[tokio::test]
async fn deliveries_verify_with_the_reference_implementation_also_across_a_rotation() {
    let app = hooked_app(|_| {}).await;
    let receiver = Receiver::start(Reply::Status(204)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let hook = subscribe(
        &app,
        &admin,
        app.tree.a1,
        &receiver.url(),
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    assert!(hook.secret.starts_with("whsec_"), "{}", hook.secret);
    dispatch(&app);
    // A real event: staff record a request in a grid with a worker.
    let (staff, building, worker) = assigned_building(&app).await;
    let vars = json!({ "b": building, "t": "3号楼路灯不亮" });
    let body = app.gql(Some(&staff), RECORD, vars).await;
    let request = data(&body)["recordRequest"]["request"].clone();
    assert_eq!(request["assigneeId"], json!(worker.user_id.to_string()));

    let seen = receiver.wait_for(1).await;
    let first = &seen[0];
    let old = Webhook::new(&hook.secret).unwrap();
    old.verify(&first.body, &first.headers).unwrap();
    assert_eq!(first.header("content-type"), "application/json");
    let sent = first.json();
    assert_eq!(sent["type"], "request.assigned");
    assert_eq!(sent["data"]["requestId"], request["id"]);
    assert_eq!(sent["data"]["title"], "3号楼路灯不亮");
    assert_eq!(sent["data"]["labels"]["grid"], "第1网格");
    assert_eq!(sent["data"]["labels"]["community"], "A1社区");
    // One changed byte and the signature no longer holds.
    let mut forged = first.body.to_vec();
    forged[2] ^= 1;
    assert!(old.verify(&forged, &first.headers).is_err());
    let delivered = wait_until(&app, &admin, &hook.id, |s| {
        deliveries(s)
            .first()
            .is_some_and(|d| d["status"] == "DELIVERED")
    })
    .await;
    let delivery = &deliveries(&delivered)[0];
    assert_eq!(
        first.header("webhook-id"),
        delivery["eventId"].as_str().unwrap()
    );
    assert_eq!(
        delivery["body"].as_str().unwrap().as_bytes(),
        &first.body[..]
    );

    // Rotated: for a day, deliveries carry both signatures.
    let body = app
        .gql(Some(&admin), ROTATE, json!({ "id": hook.id }))
        .await;
    let rotated = &data(&body)["rotateWebhookSecret"];
    let new_secret = rotated["secret"].as_str().unwrap();
    assert_ne!(new_secret, hook.secret);
    assert!(rotated["subscription"]["previousSecretValidUntil"].is_string());
    raise(&app, app.tree.a1, 1).await;
    let second = receiver.wait_for(2).await[1].clone();
    Webhook::new(new_secret)
        .unwrap()
        .verify(&second.body, &second.headers)
        .unwrap();
    old.verify(&second.body, &second.headers).unwrap();
    assert_eq!(second.header("webhook-signature").split(' ').count(), 2);
}

#[tokio::test]
async fn webhooks_are_managed_by_admins_of_their_community_only() {
    let app = hooked_app(|_| {}).await;
    let (a1, b1) = (app.tree.a1, app.tree.b1);
    let admin = app.caller(Role::CommunityAdmin, Scope::Community(a1)).await;
    let a_receiver = Receiver::start(Reply::Status(200)).await;
    let b_receiver = Receiver::start(Reply::Status(200)).await;
    let types = ["REQUEST_ASSIGNED", "WEBHOOK_DISABLED"];
    let hook = subscribe(&app, &admin, a1, &a_receiver.url(), "STANDARD", &types).await;
    let b_admin = app.caller(Role::CommunityAdmin, Scope::Community(b1)).await;
    let b_hook = subscribe(&app, &b_admin, b1, &b_receiver.url(), "STANDARD", &types).await;
    dispatch(&app);
    raise(&app, a1, 1).await;
    let delivered = wait_until(&app, &admin, &hook.id, |s| {
        deliveries(s)
            .first()
            .is_some_and(|d| d["status"] == "DELIVERED")
    })
    .await;
    let delivery = deliveries(&delivered)[0]["id"].as_str().unwrap().to_owned();
    // A1's event went to A1's subscription and nowhere else.
    assert!(b_receiver.seen().is_empty());
    assert!(deliveries(&subscription(&app, &b_admin, &b_hook.id).await).is_empty());
    assert_eq!(a_receiver.seen().len(), 1);

    let create = json!({ "in": { "communityId": a1, "url": a_receiver.url(), "description": "x", "format": "STANDARD", "eventTypes": ["REQUEST_ASSIGNED"] } });
    let list = "query($c: ID!) { webhookSubscriptions(communityId: $c) { id } }";
    let update = "mutation($id: ID!) { updateWebhookSubscription(input: {id: $id, enabled: false}) { subscription { enabled } } }";
    let one = "query($id: ID!) { webhookDelivery(id: $id) { id status attempts { outcome } } }";
    let by_id = json!({ "id": hook.id });
    let by_delivery = json!({ "id": delivery });
    // Every operation, and the code each kind of caller gets from it.
    let operations: [(&str, &str, Value); 8] = [
        ("create", CREATE, create),
        ("list", list, json!({ "c": a1 })),
        ("read", SUBSCRIPTION, by_id.clone()),
        ("update", update, by_id.clone()),
        ("rotate", ROTATE, by_id.clone()),
        ("test", SEND_TEST, by_id),
        ("delivery", one, by_delivery.clone()),
        ("redeliver", REDELIVER, by_delivery),
    ];
    let staff = app.caller(Role::CommunityStaff, Scope::Community(a1)).await;
    let worker = app
        .caller(Role::GridWorker, Scope::Below(a1, app.tree.grid_a1))
        .await;
    let other_street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.b))
        .await;
    // Inside the community without the role: FORBIDDEN where the community is named,
    // NOT_FOUND for a subscription or delivery they cannot see.
    for (who, caller) in [("staff", &staff), ("grid worker", &worker)] {
        for (name, query, vars) in &operations {
            let expected = if ["create", "list"].contains(name) {
                "FORBIDDEN"
            } else {
                "NOT_FOUND"
            };
            let body = app.gql(Some(caller), query, vars.clone()).await;
            assert_eq!(error_code(&body), Some(expected), "{who} {name}: {body}");
        }
    }
    for (who, caller) in [
        ("B1's admin", &b_admin),
        ("B's street admin", &other_street),
    ] {
        for (name, query, vars) in &operations {
            let body = app.gql(Some(caller), query, vars.clone()).await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{who} {name}: {body}");
        }
    }
    let body = app.gql(None, list, json!({ "c": a1 })).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
    // A's street admin and a platform admin manage A1's webhooks.
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    let platform = app.platform_admin().await;
    for caller in [&street, &platform, &admin] {
        let (_, query, vars) = &operations[6];
        data(&app.gql(Some(caller), query, vars.clone()).await);
        let (_, query, vars) = &operations[1];
        let body = app.gql(Some(caller), query, vars.clone()).await;
        assert_eq!(
            data(&body)["webhookSubscriptions"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
    assert!(b_receiver.seen().is_empty());
}

#[tokio::test]
async fn a_test_delivery_answers_at_once_and_redirects_and_hangs_are_not_followed() {
    let app = hooked_app(|h| h.timeout = Duration::from_millis(300)).await;
    let receiver = Receiver::start(Reply::Status(200)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let hook = subscribe(
        &app,
        &admin,
        app.tree.a1,
        &receiver.url(),
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    let test = |expect: &'static str| {
        let (app, admin, id) = (&app, &admin, hook.id.clone());
        async move {
            let body = app.gql(Some(admin), SEND_TEST, json!({ "id": id })).await;
            let delivery = data(&body)["sendTestWebhook"]["delivery"].clone();
            assert_eq!(
                delivery["attempts"].as_array().unwrap().len(),
                1,
                "{delivery}"
            );
            let attempt = delivery["attempts"][0].clone();
            assert_eq!(attempt["outcome"], expect, "{delivery}");
            (delivery, attempt)
        }
    };
    let (delivery, attempt) = test("OK").await;
    assert_eq!(delivery["status"], "DELIVERED");
    assert_eq!(delivery["eventType"], "WEBHOOK_TEST");
    assert_eq!(attempt["responseStatus"], 200);
    assert_eq!(attempt["detail"], "answered 200");
    assert!(attempt["latencyMs"].as_i64().unwrap() >= 0);
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].json()["type"], "webhook.test");
    Webhook::new(&hook.secret)
        .unwrap()
        .verify(&seen[0].body, &seen[0].headers)
        .unwrap();

    // A redirect is an answer, not a new destination.
    receiver.script([Reply::Redirect("/elsewhere")]);
    let (delivery, attempt) = test("HTTP_ERROR").await;
    assert_eq!(attempt["responseStatus"], 302);
    assert_eq!(delivery["status"], "FAILED", "a test is not retried");
    // A receiver that never answers.
    receiver.script([Reply::Hang]);
    let (_, attempt) = test("TIMEOUT").await;
    assert!(attempt["responseStatus"].is_null());
    let waited = attempt["latencyMs"].as_i64().unwrap();
    assert!((250..3000).contains(&waited), "{waited} ms");
    let paths: Vec<String> = receiver.seen().iter().map(|s| s.path.clone()).collect();
    assert_eq!(paths, ["/hook", "/hook", "/hook"]);
}

#[tokio::test]
async fn wecom_robots_get_markdown_and_their_error_codes_count_as_rejections() {
    let app = hooked_app(|_| {}).await;
    let robot = Receiver::start(Reply::Json(r#"{"errcode":0,"errmsg":"ok"}"#)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let url = format!("{}?key=693a91f6-7xxx", robot.url());
    let hook = subscribe(
        &app,
        &admin,
        app.tree.a1,
        &url,
        "WECOM_ROBOT",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    let body = app
        .gql(Some(&admin), SEND_TEST, json!({ "id": hook.id }))
        .await;
    let attempt = &data(&body)["sendTestWebhook"]["delivery"]["attempts"][0];
    assert_eq!(attempt["outcome"], "OK", "{body}");
    assert_eq!(attempt["detail"], r#"{"errcode":0,"errmsg":"ok"}"#);
    dispatch(&app);
    raise(&app, app.tree.a1, 1).await;
    let seen = robot.wait_for(2).await;
    let message = seen[1].json();
    assert_eq!(message["msgtype"], "markdown", "{message}");
    assert_eq!(message.as_object().unwrap().len(), 2, "{message}");
    let content = message["markdown"]["content"].as_str().unwrap();
    assert!(
        content.contains("【新诉求】") && content.contains("路灯不亮 0"),
        "{content}"
    );
    assert!(
        seen[1].header("webhook-signature").is_empty(),
        "robots are not signed"
    );

    // The robot answers 200 with an error code when it does not post the message.
    robot.answer(Reply::Json(
        r#"{"errcode":45009,"errmsg":"api freq out of limit"}"#,
    ));
    let body = app
        .gql(Some(&admin), SEND_TEST, json!({ "id": hook.id }))
        .await;
    let delivery = &data(&body)["sendTestWebhook"]["delivery"];
    assert_eq!(delivery["attempts"][0]["outcome"], "REJECTED", "{body}");
    assert_eq!(delivery["attempts"][0]["responseStatus"], 200);
    assert!(
        delivery["attempts"][0]["detail"]
            .as_str()
            .unwrap()
            .contains("45009")
    );
}
