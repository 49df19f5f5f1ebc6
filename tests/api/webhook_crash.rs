//! A server killed with SIGKILL loses no notification: the built `jiedao serve` records a
//! request (its `request.assigned` event committed with it) and is killed before sending
//! it, or while sending it; the next start delivers the event, and exactly one attempt
//! succeeds.

use std::{
    net::SocketAddr,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use entity::{notification_event, role_grant::Role};
use sea_orm::{ColumnTrait, DbBackend, EntityTrait, QueryFilter};
use secrecy::ExposeSecret;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, DATA_KEY, SECRET, Scope, TestApp},
    receiver::{Receiver, Reply},
    webhooks::{
        RECORD, assigned_building, deliveries, hooked_app, outcomes, subscribe, wait_until,
    },
};

/// `jiedao serve` on the test's database, in a process of its own.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    /// Starts the server (sending webhooks or not) and waits until it is ready.
    async fn start(app: &TestApp, dispatch: bool) -> Self {
        let config = &app.state.services.config;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_jiedao"));
        command
            .arg("serve")
            .env_clear()
            .env("RUST_LOG", "warn")
            .env("JIEDAO_LISTEN", addr.to_string())
            .env("JIEDAO_DATABASE_URL", &config.database_url)
            .env("JIEDAO_JWT_SECRET", SECRET)
            .env("JIEDAO_DATA_KEY", DATA_KEY)
            .env("JIEDAO_FILES_DIR", app.files_dir())
            .env("JIEDAO_WEBHOOKS", dispatch.to_string())
            .env("JIEDAO_WEBHOOK_ALLOW_HTTP", "true")
            .env("JIEDAO_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("JIEDAO_WEBHOOK_RETRY_BASE_MS", "50")
            .env("JIEDAO_WEBHOOK_POLL_MS", "50")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(schema) = &config.database_schema {
            command.env("JIEDAO_DATABASE_SCHEMA", schema);
        }
        if let Some(key) = &config.signing_key {
            command.env("JIEDAO_SIGNING_KEY", key.expose_secret());
        }
        let mut server = Self {
            child: command.spawn().unwrap(),
            addr,
        };
        let client = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = client
                .get(format!("http://{addr}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return server;
            }
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "jiedao serve stopped"
            );
            assert!(Instant::now() < deadline, "jiedao serve did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// A GraphQL request over HTTP as `caller`.
    async fn gql(&self, caller: &Caller, query: &str, variables: Value) -> Value {
        let answer = reqwest::Client::new()
            .post(format!("http://{}/graphql", self.addr))
            .header("content-type", "application/json")
            .header("authorization", format!("Bearer {}", caller.token))
            .body(json!({ "query": query, "variables": variables }).to_string())
            .send()
            .await
            .unwrap();
        serde_json::from_str(&answer.text().await.unwrap()).unwrap()
    }

    /// SIGKILL: no shutdown, nothing flushed.
    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
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
    let server = Server::start(&app, false).await;
    let body = server
        .gql(&staff, RECORD, json!({ "b": building, "t": "楼道灯不亮" }))
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
        let server = Server::start(&app, true).await;
        receiver.wait_for(1).await;
        server.kill();
        receiver.answer(Reply::Status(200));
        2
    } else {
        1
    };

    let server = Server::start(&app, true).await;
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
