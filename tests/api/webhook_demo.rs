//! The demo's webhooks, as a person trying them sees them: the demo community's two
//! subscriptions deliver a resident's request to `jiedao receive-webhooks`, which checks
//! the Standard Webhooks signature with the demo secret and shows the WeCom message.

use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use crate::{helpers::data, org::demo_login, webhook_events::app_for_webhooks};

#[tokio::test]
async fn the_demo_community_s_events_arrive_signed_at_the_receiver_in_both_formats() {
    use jiedao::bootstrap::demo_webhooks::DEMO_WEBHOOK_SECRET;
    let app = app_for_webhooks().await;
    let demo = app.seed_demo().await.unwrap();
    let login = |name: &str| demo.logins.iter().find(|l| l.username == name).unwrap();
    let admin = demo_login(&app, login("demo.xingfu.admin")).await;
    let resident = demo_login(&app, login("demo.resident")).await;

    let (tx, mut lines) = mpsc::unbounded_channel();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = jiedao::notifications::receiver::router(vec![DEMO_WEBHOOK_SECRET.into()], tx);
    tokio::spawn(async move { axum::serve(listener, router).await });

    let body = app
        .gql(
            Some(&admin),
            "{ communities(first: 5) { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let community = data(&body)["communities"]["edges"][0]["node"]["id"].clone();
    let list = "query($c: ID!) { webhookSubscriptions(communityId: $c) { id url format enabled } }";
    let subs =
        data(&app.gql(Some(&admin), list, json!({ "c": community })).await)["webhookSubscriptions"]
            .clone();
    assert_eq!(
        subs.as_array()
            .unwrap()
            .iter()
            .map(|s| (s["format"].as_str().unwrap(), s["url"].as_str().unwrap()))
            .collect::<Vec<_>>(),
        [
            ("STANDARD", "http://127.0.0.1:9009/hooks"),
            (
                "WECOM_ROBOT",
                "http://127.0.0.1:9009/cgi-bin/webhook/send?key=…"
            )
        ],
        "the robot's key is not shown"
    );
    // This test's receiver listens elsewhere than the demo's default port.
    let update = "mutation($id: ID!, $u: String!) { updateWebhookSubscription(input: {id: $id, url: $u}) { subscription { url } } }";
    for (s, path) in subs
        .as_array()
        .unwrap()
        .iter()
        .zip(["/hooks", "/cgi-bin/webhook/send?key=demo"])
    {
        let url = format!("http://127.0.0.1:{port}{path}");
        data(
            &app.gql(Some(&admin), update, json!({ "id": s["id"], "u": url }))
                .await,
        );
    }

    let households = "{ households(first: 1) { edges { node { id } } } }";
    let household = data(&app.gql(Some(&resident), households, json!({})).await)["households"]["edges"][0]["node"]["id"].clone();
    let submit = "mutation($h: ID!) { submitRequest(input: {householdId: $h, category: \"repair\", title: \"楼道灯不亮\", description: \"三楼楼道灯坏了\"}) { request { id } } }";
    data(
        &app.gql(Some(&resident), submit, json!({ "h": household }))
            .await,
    );

    jiedao::notifications::dispatcher::start(&app.state.services).unwrap();
    let (mut signed, mut robot) = (None, None);
    while signed.is_none() || robot.is_none() {
        let line = tokio::time::timeout(Duration::from_secs(20), lines.recv())
            .await
            .expect("the request reached the receiver in time")
            .unwrap();
        if line.contains("request.assigned") {
            signed = Some(line);
        } else if line.contains("【新诉求】") {
            robot = Some(line);
        }
    }
    let signed = signed.unwrap();
    assert!(signed.starts_with("✓ signed  request.assigned"), "{signed}");
    assert!(
        signed.contains("【新诉求】1号楼 楼道灯不亮 → 第1网格"),
        "{signed}"
    );
    assert!(
        robot
            .unwrap()
            .starts_with("WeCom robot  **【新诉求】1号楼 楼道灯不亮")
    );

    // The admin sees the delivery and its attempt (recorded once the answer is in).
    let sub = &subs[0]["id"];
    let deliveries = "query($id: ID!) { webhookSubscription(id: $id) { deliveries(first: 50, status: DELIVERED) { edges { node { eventType attempts { outcome responseStatus detail } } } } } }";
    let mut assigned = None;
    for _ in 0..100 {
        let body = app
            .gql(Some(&admin), deliveries, json!({ "id": sub }))
            .await;
        assigned = data(&body)["webhookSubscription"]["deliveries"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["eventType"] == "REQUEST_ASSIGNED")
            .cloned();
        if assigned.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        assigned.expect("the delivery is recorded as delivered")["node"]["attempts"],
        json!([{ "outcome": "OK", "responseStatus": 200, "detail": "{\"errcode\":0,\"errmsg\":\"ok\"}" }])
    );
}
