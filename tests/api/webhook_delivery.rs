//! The delivery guarantees: retried until a receiver answers, exactly one success per
//! delivery, failed when retries run out (and sent again on request), a subscription
//! failing too long turned off with its community told, each scheduled occasion raised
//! once, and two processes on one PostgreSQL database sending each event once.

use std::{collections::HashMap, time::Duration};

use chrono::Utc;
use entity::{notification_event, role_grant::Role, service_request};
use jiedao::{build_state, notifications::scheduler};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, DbBackend, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde_json::json;
use standardwebhooks::Webhook;
use uuid::Uuid;

use crate::{
    helpers::{Scope, data},
    receiver::{Receiver, Reply},
    webhooks::{
        RECORD, REDELIVER, assigned_building, deliveries, dispatch, hooked_app, outcomes, raise,
        subscribe, subscription, wait_until,
    },
};

fn delivered(s: &serde_json::Value) -> bool {
    deliveries(s)
        .first()
        .is_some_and(|d| d["status"] == "DELIVERED")
}

#[tokio::test]
async fn a_receiver_failing_five_times_gets_one_delivery_after_six_attempts() {
    let app = hooked_app(|_| {}).await;
    let receiver = Receiver::start(Reply::Status(200)).await;
    receiver.script([Reply::Status(500); 5]);
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
    dispatch(&app);
    raise(&app, app.tree.a1, 1).await;
    let s = wait_until(&app, &admin, &hook.id, delivered).await;
    let delivery = &deliveries(&s)[0];
    assert_eq!(delivery["attemptCount"], 6);
    let mut expected = vec!["HTTP_ERROR"; 5];
    expected.push("OK");
    assert_eq!(outcomes(delivery), expected, "{delivery}");
    let statuses: Vec<_> = delivery["attempts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["responseStatus"].as_i64().unwrap())
        .collect();
    assert_eq!(statuses, [500, 500, 500, 500, 500, 200]);
    assert_eq!(delivery["attempts"][0]["detail"], "answered 500");
    // Nothing is sent after the success.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 6);
    let id = delivery["eventId"].as_str().unwrap();
    let webhook = Webhook::new(&hook.secret).unwrap();
    for (i, request) in seen.iter().enumerate() {
        assert_eq!(request.header("webhook-id"), id);
        assert_eq!(
            &request.body[..],
            delivery["body"].as_str().unwrap().as_bytes()
        );
        webhook.verify(&request.body, &request.headers).unwrap();
        // Retries back off: each waits longer than the first retry's least wait (10 ms).
        if i > 0 {
            assert!(request.at - seen[i - 1].at >= chrono::Duration::milliseconds(10));
        }
    }
    let s = subscription(&app, &admin, &hook.id).await;
    assert!(s["failingSince"].is_null(), "a success clears it: {s}");
}

#[tokio::test]
async fn retries_run_out_and_a_redelivery_sends_it_again() {
    let app = hooked_app(|h| h.retry_for = Duration::from_millis(300)).await;
    let receiver = Receiver::start(Reply::Status(503)).await;
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
    dispatch(&app);
    raise(&app, app.tree.a1, 1).await;
    let s = wait_until(&app, &admin, &hook.id, |s| {
        deliveries(s)
            .first()
            .is_some_and(|d| d["status"] == "FAILED")
    })
    .await;
    let failed = deliveries(&s)[0].clone();
    let tries = outcomes(&failed).len();
    assert!(tries >= 2, "{failed}");
    assert!(outcomes(&failed).iter().all(|o| *o == "HTTP_ERROR"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(receiver.seen().len(), tries, "no attempt after failing");

    receiver.answer(Reply::Status(200));
    let body = app
        .gql(Some(&admin), REDELIVER, json!({ "id": failed["id"] }))
        .await;
    assert_eq!(
        data(&body)["redeliverWebhook"]["delivery"]["status"],
        "PENDING"
    );
    let s = wait_until(&app, &admin, &hook.id, delivered).await;
    let delivery = &deliveries(&s)[0];
    assert_eq!(delivery["id"], failed["id"]);
    assert_eq!(outcomes(delivery).len(), tries + 1);
    assert_eq!(outcomes(delivery).last(), Some(&"OK"));
    let seen = receiver.seen();
    assert_eq!(seen.len(), tries + 1);
    assert!(
        seen.iter()
            .all(|r| r.header("webhook-id") == failed["eventId"])
    );
}

#[tokio::test]
async fn a_subscription_failing_too_long_is_turned_off_and_its_community_told() {
    let app = hooked_app(|h| h.disable_after = Duration::from_millis(150)).await;
    let broken = Receiver::start(Reply::Status(500)).await;
    let watcher = Receiver::start(Reply::Status(200)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let (a1, b1) = (app.tree.a1, app.tree.b1);
    let failing = subscribe(
        &app,
        &admin,
        a1,
        &broken.url(),
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    let told = subscribe(
        &app,
        &admin,
        a1,
        &watcher.url(),
        "STANDARD",
        &["WEBHOOK_DISABLED"],
    )
    .await;
    // Another community's subscription to the same event hears nothing of it.
    let b_admin = app.caller(Role::CommunityAdmin, Scope::Community(b1)).await;
    let elsewhere = Receiver::start(Reply::Status(200)).await;
    subscribe(
        &app,
        &b_admin,
        b1,
        &elsewhere.url(),
        "STANDARD",
        &["WEBHOOK_DISABLED"],
    )
    .await;
    dispatch(&app);
    raise(&app, a1, 1).await;

    let s = wait_until(&app, &admin, &failing.id, |s| s["enabled"] == false).await;
    assert_eq!(s["disabledReason"], "FAILING");
    let attempts = outcomes(&deliveries(&s)[0]).len();
    assert!(attempts >= 2, "{s}");
    let seen = watcher.wait_for(1).await;
    Webhook::new(&told.secret)
        .unwrap()
        .verify(&seen[0].body, &seen[0].headers)
        .unwrap();
    let event = seen[0].json();
    assert_eq!(event["type"], "webhook.disabled");
    assert_eq!(event["data"]["subscriptionId"], failing.id.as_str());
    assert_eq!(event["data"]["ownerId"], admin.user_id.to_string());
    assert_eq!(
        event["data"]["labels"]["owner"],
        format!("{} 显示名", admin.username)
    );
    assert!(event["data"]["failingSince"].is_string(), "{event}");
    // Turned off: its pending delivery waits.
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(broken.seen().len(), attempts);
    assert_eq!(deliveries(&s)[0]["status"], "PENDING");

    // Turned back on by its admin, with the receiver mended: the delivery goes out.
    broken.answer(Reply::Status(200));
    let on = "mutation($id: ID!) { updateWebhookSubscription(input: {id: $id, enabled: true}) { subscription { enabled disabledReason failingSince } } }";
    let body = app.gql(Some(&admin), on, json!({ "id": failing.id })).await;
    assert_eq!(
        data(&body)["updateWebhookSubscription"]["subscription"],
        json!({ "enabled": true, "disabledReason": null, "failingSince": null })
    );
    wait_until(&app, &admin, &failing.id, delivered).await;
    assert_eq!(watcher.seen().len(), 1);
    assert!(elsewhere.seen().is_empty());
}

#[tokio::test]
async fn the_scheduler_raises_one_overdue_event_per_request_however_often_it_looks() {
    let app = hooked_app(|_| {}).await;
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
        &["REQUEST_FIRST_RESPONSE_OVERDUE"],
    )
    .await;
    let (staff, building, _) = assigned_building(&app).await;
    let body = app
        .gql(
            Some(&staff),
            RECORD,
            json!({ "b": building, "t": "电梯困人" }),
        )
        .await;
    let id: Uuid = data(&body)["recordRequest"]["request"]["id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let request = service_request::Entity::find_by_id(id)
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap();
    let mut overdue = request.into_active_model();
    overdue.first_response_due_at = Set(Utc::now() - chrono::Duration::minutes(5));
    overdue.update(app.db().writer()).await.unwrap();

    // Two looks at once (two processes' schedulers), then another.
    let services = &app.state.services;
    let (one, two) = tokio::join!(
        scheduler::run_once(services, Utc::now()),
        scheduler::run_once(services, Utc::now())
    );
    let again = scheduler::run_once(services, Utc::now()).await.unwrap();
    assert_eq!(one.unwrap() + two.unwrap() + again, 1);
    let raised = notification_event::Entity::find()
        .filter(notification_event::Column::EventType.eq("request.first_response_overdue"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(raised.len(), 1);
    assert_eq!(raised[0].facts["requestId"], id.to_string());

    // The dispatcher's own scheduler looks at start too; still one delivery.
    dispatch(&app);
    wait_until(&app, &admin, &hook.id, delivered).await;
    scheduler::run_once(services, Utc::now()).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let seen = receiver.seen();
    assert_eq!(seen.len(), 1);
    let event = seen[0].json();
    assert_eq!(event["type"], "request.first_response_overdue");
    assert_eq!(event["data"]["requestId"], id.to_string());
    assert_eq!(
        deliveries(&subscription(&app, &admin, &hook.id).await).len(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_on_one_postgres_database_send_each_event_once() {
    let app = hooked_app(|_| {}).await;
    if app.db().backend() != DbBackend::Postgres {
        return; // One process owns an SQLite file.
    }
    let receiver = Receiver::start(Reply::Status(200)).await;
    let mut hooks = Vec::new();
    for community in [app.tree.a1, app.tree.a2, app.tree.b1] {
        let admin = app
            .caller(Role::CommunityAdmin, Scope::Community(community))
            .await;
        subscribe(
            &app,
            &admin,
            community,
            &receiver.url(),
            "STANDARD",
            &["REQUEST_ASSIGNED"],
        )
        .await;
        hooks.push(community);
    }
    // A second process: its own pools, dispatcher and scheduler on the same schema.
    let other = build_state((*app.state.services.config).clone())
        .await
        .unwrap();
    dispatch(&app);
    jiedao::notifications::dispatcher::start(&other.services).unwrap();
    for round in 0..10 {
        raise(&app, hooks[round % 3], 5).await;
        other.services.outbox.wake();
    }
    let seen = receiver.wait_for(50).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let seen_after = receiver.seen();
    let mut times: HashMap<String, usize> = HashMap::new();
    for request in &seen_after {
        *times
            .entry(request.header("webhook-id").to_owned())
            .or_default() += 1;
    }
    let twice: Vec<_> = times.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(seen_after.len(), 50, "{} at first", seen.len());
    let events = notification_event::Entity::find()
        .filter(notification_event::Column::FannedOutAt.is_null())
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(events.is_empty());
    let delivered = entity::webhook_delivery::Entity::find()
        .filter(entity::webhook_delivery::Column::Status.eq("delivered"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(delivered.len(), 50);
    let attempts = entity::webhook_attempt::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(attempts.len(), 50, "one attempt each");
}

#[tokio::test]
async fn a_hanging_receiver_does_not_hold_back_another_communitys() {
    let app = hooked_app(|h| h.timeout = Duration::from_secs(5)).await;
    let stuck = Receiver::start(Reply::Hang).await;
    let fine = Receiver::start(Reply::Status(200)).await;
    let (a1, b1) = (app.tree.a1, app.tree.b1);
    let a_admin = app.caller(Role::CommunityAdmin, Scope::Community(a1)).await;
    let b_admin = app.caller(Role::CommunityAdmin, Scope::Community(b1)).await;
    let types = ["REQUEST_ASSIGNED"];
    subscribe(&app, &a_admin, a1, &stuck.url(), "STANDARD", &types).await;
    subscribe(&app, &b_admin, b1, &fine.url(), "STANDARD", &types).await;
    dispatch(&app);
    // A flood for the hanging receiver first, then a few events of B1.
    raise(&app, a1, 100).await;
    stuck.wait_for(1).await;
    let started = std::time::Instant::now();
    raise(&app, b1, 5).await;
    fine.wait_for(5).await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "B1 waited {:?} behind A1's hanging receiver",
        started.elapsed()
    );
    // The hanging receiver holds a few deliveries at a time, not all of them.
    assert!(stuck.seen().len() <= 4, "{}", stuck.seen().len());
}
