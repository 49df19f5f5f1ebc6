//! A server killed with SIGKILL loses no notification: the built `jiedao serve` records a
//! request (its `request.assigned` event committed with it) and is killed before sending
//! it, or while sending it; the next start delivers the event, and exactly one attempt
//! succeeds.

use std::time::Duration;

use entity::{notification_event, role_grant::Role};
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use crate::{
    helpers::{Scope, Server, TestApp},
    receiver::{Receiver, Reply},
    webhooks::{
        RECORD, assigned_building, deliveries, hooked_app, outcomes, subscribe, wait_until,
    },
};

/// `jiedao serve` on the test's database, sending webhooks or not.
async fn start_server(app: &TestApp, dispatch: bool) -> Server {
    Server::start(app, &[("JIEDAO_WEBHOOKS", &dispatch.to_string())]).await
}

#[tokio::test]
async fn a_killed_server_loses_no_notification_and_the_next_one_sends_it_once() {
    let app = hooked_app(|_| {}).await;
    let sqlite = app.db().backend() == DbBackend::Sqlite;
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
    let (staff, building, worker) = assigned_building(&app).await;

    // Recorded by a server that does not send webhooks, which is then killed.
    let server = start_server(&app, false).await;
    let body = server
        .gql(
            Some(&staff),
            RECORD,
            json!({ "b": building, "t": "楼道灯不亮" }),
        )
        .await;
    let request = body["data"]["recordRequest"]["request"].clone();
    assert_eq!(
        request["assigneeId"],
        json!(worker.user_id.to_string()),
        "{body}"
    );
    server.kill();
    let raised = notification_event::Entity::find()
        .filter(notification_event::Column::EventType.eq("request.assigned"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(raised.len(), 1, "committed with the request");
    assert!(receiver.seen().is_empty());

    let sends = if sqlite {
        // Killed again mid-delivery: the receiver got the request but never answered.
        // (On PostgreSQL the killed process's claim would hold for its timeout + 10 s.)
        receiver.answer(Reply::Hang);
        let server = start_server(&app, true).await;
        receiver.wait_for(1).await;
        server.kill();
        receiver.answer(Reply::Status(200));
        2
    } else {
        1
    };

    let server = start_server(&app, true).await;
    let s = wait_until(&app, &admin, &hook.id, |s| {
        deliveries(s)
            .first()
            .is_some_and(|d| d["status"] == "DELIVERED")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    server.kill();
    let all = deliveries(&s);
    assert_eq!(all.len(), 1);
    let delivery = &all[0];
    // The killed attempt left no record but its count; the one that answered did.
    assert_eq!(outcomes(delivery), ["OK"], "{delivery}");
    assert_eq!(delivery["attemptCount"], sends);
    let seen = receiver.seen();
    assert_eq!(seen.len(), sends as usize);
    let event: Uuid = delivery["eventId"].as_str().unwrap().parse().unwrap();
    assert_eq!(event, raised[0].id);
    for request in &seen {
        assert_eq!(request.header("webhook-id"), event.to_string());
        assert_eq!(
            &request.body[..],
            delivery["body"].as_str().unwrap().as_bytes()
        );
    }
    assert_eq!(seen[0].json()["data"]["requestId"], request["id"]);
}
