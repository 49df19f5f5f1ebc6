//! Live updates at `/graphql/ws`: a grid worker hears of requests assigned to them and
//! nobody else does; connections close when their token expires or their role is revoked;
//! on PostgreSQL, events cross between processes sharing the database.

use std::{net::SocketAddr, time::Duration};

use chrono::Utc;
use entity::role_grant::{self, Role};
use futures::{SinkExt, StreamExt};
use jiedao::{build_router, build_state};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{Message, client::IntoClientRequest},
};

use crate::{
    helpers::{Caller, Scope, TestApp, data},
    requests::grids,
};

const ASSIGNED: &str = "subscription { requestAssigned { id title assigneeId status } }";
const RECORD: &str =
    "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id } } }";
const REASSIGN: &str = "mutation($r: ID!, $a: ID!) { reassignRequest(input: {requestId: $r, assigneeId: $a}) { request { id } } }";
const WAIT: Duration = Duration::from_secs(10);

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Serves the app's router on a local port (WebSockets need a real connection).
pub async fn serve(router: axum::Router) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let service = router.into_make_service_with_connect_info::<SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    addr
}

struct Live {
    socket: Socket,
}

impl Live {
    /// Opens `/graphql/ws` with the graphql-transport-ws subprotocol.
    async fn open(addr: SocketAddr) -> Self {
        Self::open_in(addr, None).await
    }

    /// Opens `/graphql/ws`, the upgrade request with `Accept-Language: language`.
    async fn open_in(addr: SocketAddr, language: Option<&str>) -> Self {
        let mut request = format!("ws://{addr}/graphql/ws")
            .into_client_request()
            .unwrap();
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().unwrap(),
        );
        if let Some(language) = language {
            request
                .headers_mut()
                .insert("accept-language", language.parse().unwrap());
        }

        let (socket, response) = connect_async(request).await.unwrap();
        assert_eq!(
            response.headers()["sec-websocket-protocol"],
            "graphql-transport-ws"
        );
        Self { socket }
    }

    /// Opens a connection and logs in with `token`, expecting the acknowledgement.
    async fn login(addr: SocketAddr, token: &str) -> Self {
        let mut live = Self::open(addr).await;
        live.send(json!({ "type": "connection_init", "payload": { "accessToken": token } }))
            .await;
        assert_eq!(live.next().await["type"], "connection_ack");
        live
    }

    async fn send(&mut self, message: Value) {
        self.socket
            .send(Message::Text(message.to_string().into()))
            .await
            .unwrap();
    }

    async fn subscribe(&mut self, id: &str, query: &str) {
        self.send(json!({ "id": id, "type": "subscribe", "payload": { "query": query } }))
            .await;
    }

    /// The next protocol message (panics on a close or after [`WAIT`]).
    async fn next(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("a message in time")
                .expect("the connection open")
                .unwrap();
            match message {
                Message::Text(text) => return serde_json::from_str(&text).unwrap(),
                Message::Ping(_) | Message::Pong(_) => {}
                other => panic!("expected a message, got {other:?}"),
            }
        }
    }

    /// Waits for the server to close the connection; its code and reason.
    async fn closed(&mut self) -> (u16, String) {
        loop {
            let message = tokio::time::timeout(WAIT, self.socket.next())
                .await
                .expect("the close in time");
            match message {
                Some(Ok(Message::Close(Some(frame)))) => {
                    return (u16::from(frame.code), frame.reason.to_string());
                }
                Some(Ok(Message::Text(text))) => panic!("expected the close, got {text}"),
                Some(Ok(_)) => {}
                other => panic!("expected a close frame, got {other:?}"),
            }
        }
    }

    /// Proves the connection has nothing queued: a ping's pong comes next.
    async fn nothing_pending(&mut self) {
        self.send(json!({ "type": "ping" })).await;
        assert_eq!(self.next().await["type"], "pong");
    }
}

/// Waits until this process has `count` live receivers, so an event sent next is heard.
async fn wait_for_subscribers(app: &TestApp, count: usize) {
    let live = &app.state.services.live;
    tokio::time::timeout(WAIT, async {
        while live.subscribers() < count {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .expect("the subscriptions in time");
}

async fn record_wechat(app: &TestApp, staff: &Caller, household: &Value, title: &str) -> Value {
    let message = json!({ "groupName": "和韵小区业主群", "senderNickname": "住户", "originalText": title, "sentAt": Utc::now() });
    let input = json!({ "in": { "householdId": household, "source": "WECHAT", "wechatMessage": message, "category": "repair", "title": title } });
    let body = app.gql(Some(staff), RECORD, input).await;
    data(&body)["recordRequest"]["request"]["id"].clone()
}

#[tokio::test]
async fn a_grid_worker_hears_of_requests_assigned_to_them_and_nobody_else_does() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let addr = serve(app.router.clone()).await;
    let other = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.b1, app.tree.grid_b1),
        )
        .await;
    let mut worker3 = Live::login(addr, &g.worker3.token).await;
    let mut worker5 = Live::login(addr, &g.worker5.token).await;
    let mut outsider = Live::login(addr, &other.token).await;
    for live in [&mut worker3, &mut worker5, &mut outsider] {
        live.subscribe("1", ASSIGNED).await;
    }
    // Three connections and their three subscriptions.
    wait_for_subscribers(&app, 6).await;

    // 李建国 lives in 3号楼 (第7网格): the request goes to worker3 alone.
    let id = record_wechat(&app, &g.s.staff, &g.s.households["李建国"], "3号楼路灯不亮").await;
    let message = worker3.next().await;
    assert_eq!(message["type"], "next");
    assert_eq!(message["id"], "1");
    let request = &message["payload"]["data"]["requestAssigned"];
    assert_eq!(request["id"], id);
    assert_eq!(request["title"], "3号楼路灯不亮");
    assert_eq!(request["assigneeId"], json!(g.worker3.user_id.to_string()));
    assert_eq!(request["status"], "NEW");

    // Staff hand it to worker5, whose first message is that: the filing never reached them.
    let body = app
        .gql(
            Some(&g.s.staff),
            REASSIGN,
            json!({ "r": id, "a": g.worker5.user_id }),
        )
        .await;
    data(&body);
    let message = worker5.next().await;
    let request = &message["payload"]["data"]["requestAssigned"];
    assert_eq!(request["id"], id);
    assert_eq!(request["assigneeId"], json!(g.worker5.user_id.to_string()));
    worker3.nothing_pending().await;
    outsider.nothing_pending().await;
}

#[tokio::test]
async fn only_grid_workers_subscribe_and_only_with_a_valid_token() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let addr = serve(app.router.clone()).await;

    // A resident and community staff are never assigned requests: FORBIDDEN, as an
    // execution error, and the subscription completes.
    for caller in [&g.resident, &g.s.staff] {
        let mut live = Live::login(addr, &caller.token).await;
        live.subscribe("a", ASSIGNED).await;
        let message = live.next().await;
        assert_eq!(message["type"], "next");
        assert_eq!(message["id"], "a");
        let error = &message["payload"]["errors"][0];
        assert_eq!(error["extensions"]["code"], "FORBIDDEN");
        assert_eq!(live.next().await["type"], "complete");
    }

    // No token, a forged one, one for an ended session: 4403. Nothing before the handshake: 4401.
    let mut live = Live::open(addr).await;
    live.send(json!({ "type": "connection_init" })).await;
    assert_eq!(live.closed().await.0, 4403);
    let mut live = Live::open(addr).await;
    let forged = format!("{}x", g.worker3.token);
    live.send(json!({ "type": "connection_init", "payload": { "accessToken": forged } }))
        .await;
    assert_eq!(
        live.closed().await,
        (4403, "the access token is not valid".into())
    );
    let mut live = Live::open(addr).await;
    live.subscribe("1", ASSIGNED).await;
    assert_eq!(live.closed().await.0, 4401);

    // The token may also come as an Authorization value, as many clients send it.
    let mut live = Live::open(addr).await;
    let bearer = format!("Bearer {}", g.worker3.token);
    live.send(json!({ "type": "connection_init", "payload": { "Authorization": bearer } }))
        .await;
    assert_eq!(live.next().await["type"], "connection_ack");

    // Plain HTTP, or a WebSocket without the subprotocol, is refused with a GraphQL error.
    let request = axum::http::Request::get("/graphql/ws")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
    let request = format!("ws://{addr}/graphql/ws")
        .into_client_request()
        .unwrap();
    assert!(connect_async(request).await.is_err());

    // Subscriptions are not served over HTTP POST.
    let request = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", g.worker3.token))
        .body(axum::body::Body::from(
            json!({ "query": ASSIGNED }).to_string(),
        ))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, 400);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_REQUEST");
}

#[tokio::test]
async fn the_connection_closes_when_the_token_expires_or_the_role_is_revoked() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let addr = serve(app.router.clone()).await;

    // A token minted 898 s ago (they live 900 s) expires two seconds from now.
    let tokens = &app.state.services.tokens;
    let issued = Utc::now() - chrono::Duration::seconds(898);
    let (token, _) = tokens
        .mint(g.worker3.user_id, g.worker3.session_id, issued)
        .unwrap();
    let mut expiring = Live::login(addr, &token).await;
    expiring.subscribe("1", ASSIGNED).await;
    assert_eq!(
        expiring.closed().await,
        (4401, "the access token has expired".into())
    );

    // Revoking worker5's role closes their connection at once, and only theirs.
    let mut worker5 = Live::login(addr, &g.worker5.token).await;
    let mut worker3 = Live::login(addr, &g.worker3.token).await;
    worker5.subscribe("1", ASSIGNED).await;
    worker3.subscribe("1", ASSIGNED).await;
    wait_for_subscribers(&app, 4).await;
    let grant = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(g.worker5.user_id))
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap();
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let revoke = "mutation($id: ID!) { revokeRole(input: {grantId: $id}) { grant { revokedAt } } }";
    data(
        &app.gql(Some(&admin), revoke, json!({ "id": grant.id }))
            .await,
    );
    let (code, _) = worker5.closed().await;
    assert_eq!(code, 4403);
    worker3.nothing_pending().await;

    // Logging out closes the connections of that session.
    let login = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken refreshToken } }";
    let body = app
        .gql(
            None,
            login,
            json!({ "u": g.worker3.username, "p": crate::helpers::PASSWORD }),
        )
        .await;
    let tokens = data(&body)["login"].clone();
    let mut session = Live::login(addr, tokens["accessToken"].as_str().unwrap()).await;
    wait_for_subscribers(&app, 3).await;
    let logout = "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }";
    data(
        &app.gql(None, logout, json!({ "t": tokens["refreshToken"] }))
            .await,
    );
    assert_eq!(
        session.closed().await,
        (4403, "the session has ended; log in again".into())
    );
    worker3.nothing_pending().await;

    // A resident who moves out loses their account's reach, and their connection with it.
    let li = crate::funds::appoint_with_login(&app, &g.s, "李建国", "li.member", "MEMBER").await;
    let mut resident = Live::login(addr, &li.token).await;
    wait_for_subscribers(&app, 3).await;
    let out = "mutation($id: ID!) { moveOutResident(input: {id: $id}) { resident { id } } }";
    let moved = json!({ "id": g.s.residents["李建国"] });
    data(&app.gql(Some(&g.s.staff), out, moved).await);
    assert_eq!(resident.closed().await.0, 4403);
    worker3.nothing_pending().await;
}

#[tokio::test]
async fn on_postgres_assignments_reach_a_worker_connected_to_another_process() {
    let app = TestApp::new().await.with_homes().await;
    if app.db().backend() != sea_orm::DbBackend::Postgres {
        // SQLite is one process by design: delivery is in process (the tests above).
        return;
    }
    let g = grids(&app).await;
    // A second jiedao process on the same database and schema.
    let config = (*app.state.services.config).clone();
    let second = build_state(config).await.unwrap();
    let addr = serve(build_router(second.clone())).await;
    let mut worker3 = Live::login(addr, &g.worker3.token).await;
    worker3.subscribe("1", ASSIGNED).await;
    tokio::time::timeout(WAIT, async {
        while second.services.live.subscribers() < 2 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await
    .unwrap();
    // Filed through the first process, heard through the second.
    let id = record_wechat(
        &app,
        &g.s.staff,
        &g.s.households["李建国"],
        "3号楼楼道灯坏了",
    )
    .await;
    let message = worker3.next().await;
    assert_eq!(message["payload"]["data"]["requestAssigned"]["id"], id);
}

#[tokio::test]
async fn a_connection_runs_at_most_twenty_subscriptions_each_under_its_own_id() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let addr = serve(app.router.clone()).await;
    let mut live = Live::login(addr, &g.worker3.token).await;
    for n in 0..20 {
        live.subscribe(&n.to_string(), ASSIGNED).await;
    }
    // One connection and its twenty subscriptions; completing one frees its place.
    wait_for_subscribers(&app, 21).await;
    live.send(json!({ "id": "0", "type": "complete" })).await;
    assert_eq!(live.next().await, json!({ "id": "0", "type": "complete" }));
    live.subscribe("20", ASSIGNED).await;
    live.nothing_pending().await;
    live.subscribe("21", ASSIGNED).await;
    assert_eq!(
        live.closed().await,
        (4429, "at most 20 subscriptions on one connection".into())
    );

    // An id already running closes the connection, as the protocol asks.
    let mut live = Live::login(addr, &g.worker3.token).await;
    live.subscribe("a", ASSIGNED).await;
    live.subscribe("a", ASSIGNED).await;
    assert_eq!(live.closed().await.0, 4409);
}

#[tokio::test]
async fn subscription_errors_come_in_the_language_of_the_connection() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let addr = serve(app.router.clone()).await;
    let refusal = |message: &Value| {
        assert_eq!(message["type"], "next", "{message}");
        let error = &message["payload"]["errors"][0];
        assert_eq!(error["extensions"]["code"], "FORBIDDEN");
        error["message"].as_str().unwrap().to_owned()
    };
    let init = |payload: Value| json!({ "type": "connection_init", "payload": payload });

    // The upgrade request's Accept-Language.
    let mut live = Live::open_in(addr, Some("zh-CN,zh;q=0.9")).await;
    live.send(init(json!({ "accessToken": g.resident.token })))
        .await;
    assert_eq!(live.next().await["type"], "connection_ack");
    live.subscribe("a", ASSIGNED).await;
    let chinese = refusal(&live.next().await);
    assert_eq!(chinese, "诉求只能分派给网格员");

    // A `locale` in the connection_init payload wins over the header, either way.
    let mut live = Live::open_in(addr, Some("zh-CN")).await;
    live.send(init(
        json!({ "accessToken": g.resident.token, "locale": "en" }),
    ))
    .await;
    assert_eq!(live.next().await["type"], "connection_ack");
    live.subscribe("a", ASSIGNED).await;
    assert_eq!(
        refusal(&live.next().await),
        "only grid workers are assigned requests"
    );

    let mut live = Live::open(addr).await;
    live.send(init(
        json!({ "accessToken": g.resident.token, "acceptLanguage": "zh" }),
    ))
    .await;
    assert_eq!(live.next().await["type"], "connection_ack");
    live.subscribe("a", ASSIGNED).await;
    assert_eq!(refusal(&live.next().await), chinese);
}

/// With trusted documents the WebSocket runs only registered documents too: a registered
/// subscription named by hash alone runs (here to its FORBIDDEN: staff are never assigned
/// requests), an unregistered one closes the connection.
#[tokio::test]
async fn trusted_documents_hold_on_the_websocket_too() {
    let (mut config, dir) = crate::helpers::test_config();
    let manifest = dir.path().join("persisted-documents.json");
    let hash = jiedao::graphql::persisted::sha256_hex(ASSIGNED);
    std::fs::write(&manifest, json!({ &hash: ASSIGNED }).to_string()).unwrap();
    config.trusted_documents = Some(manifest);
    let app = TestApp::with_config(config, dir).await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let addr = serve(app.router.clone()).await;

    let mut live = Live::login(addr, &staff.token).await;
    let persisted = json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } });
    live.send(json!({ "id": "1", "type": "subscribe", "payload": { "extensions": persisted } }))
        .await;
    let message = live.next().await;
    assert_eq!(message["id"], "1");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "FORBIDDEN",
        "{message}"
    );
    assert_eq!(live.next().await["type"], "complete");

    live.subscribe("2", "subscription { requestAssigned { id } }")
        .await;
    assert_eq!(
        live.closed().await,
        (4400, "PERSISTED_QUERY_NOT_ALLOWED".into())
    );
}
