//! Where webhooks may point (SSRF): URLs refused when stored, names of private addresses
//! refused by the delivery client's resolver, and a process not allowed private
//! destinations sending nothing to one stored where they were allowed.

use std::sync::Arc;

use entity::role_grant::Role;
use jiedao::notifications::dispatcher;
use serde_json::json;

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    receiver::{Receiver, Reply},
    webhooks::{CREATE, deliveries, hooked_app, outcomes, raise, subscribe, wait_until},
};

#[tokio::test]
async fn private_local_and_plain_http_urls_are_refused_where_not_allowed() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    for url in [
        "http://example.com/hook",
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://localhost/hook",
        "https://LOCALHOST./hook",
        "https://printer.local/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://10.0.0.8/hook",
        "https://192.168.1.1/hook",
        "https://100.64.0.1/hook",
        "https://0.0.0.0/hook",
        "https://2130706433/hook",
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
        "not a url",
    ] {
        let input = json!({ "in": { "communityId": app.tree.a1, "url": url, "description": "x", "format": "STANDARD", "eventTypes": ["REQUEST_ASSIGNED"] } });
        let body = app.gql(Some(&admin), CREATE, input).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{url}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "input.url",
            "{url}"
        );
    }
    let hook = subscribe(
        &app,
        &admin,
        app.tree.a1,
        "https://hooks.example.com/jiedao?token=s3cret",
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    // Query values are not shown back (they may be a key).
    let listed = "query($c: ID!) { webhookSubscriptions(communityId: $c) { url } }";
    let body = app
        .gql(Some(&admin), listed, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        data(&body)["webhookSubscriptions"][0]["url"],
        "https://hooks.example.com/jiedao?token=…"
    );
    let update = "mutation($id: ID!, $u: String!) { updateWebhookSubscription(input: {id: $id, url: $u}) { subscription { url } } }";
    let body = app
        .gql(
            Some(&admin),
            update,
            json!({ "id": hook.id, "u": "https://127.0.0.1:8080/" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.url");
}

#[tokio::test]
async fn the_delivery_resolver_refuses_names_of_private_addresses() {
    use reqwest::dns::Resolve;
    let guarded = jiedao::notifications::address::GuardedResolver {
        allow_private: false,
    };
    let err = match guarded.resolve("localhost".parse().unwrap()).await {
        Err(err) => err,
        Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
    };
    assert!(
        err.downcast_ref::<jiedao::notifications::address::Refused>()
            .is_some(),
        "{err}"
    );
    let open = jiedao::notifications::address::GuardedResolver {
        allow_private: true,
    };
    let found: Vec<_> = open
        .resolve("localhost".parse().unwrap())
        .await
        .unwrap()
        .collect();
    assert!(found.iter().all(|a| a.ip().is_loopback()), "{found:?}");
}

#[tokio::test]
async fn a_dispatcher_not_allowed_private_addresses_sends_nothing_there() {
    // Made where 127.0.0.1 was allowed, delivered by a process where it is not.
    let app = hooked_app(|_| {}).await;
    let receiver = Receiver::start(Reply::Status(200)).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let url = format!("http://localhost:{}/hook", receiver.addr.port());
    let by_ip = subscribe(
        &app,
        &admin,
        app.tree.a1,
        &receiver.url(),
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    let by_name = subscribe(
        &app,
        &admin,
        app.tree.a1,
        &url,
        "STANDARD",
        &["REQUEST_ASSIGNED"],
    )
    .await;
    let mut strict = app.state.services.clone();
    let mut config = (*strict.config).clone();
    config.webhooks.allow_private = false;
    strict.config = Arc::new(config);
    dispatcher::start(&strict).unwrap();
    raise(&app, app.tree.a1, 1).await;
    for hook in [&by_ip, &by_name] {
        let s = wait_until(&app, &admin, &hook.id, |s| {
            deliveries(s)
                .first()
                // Retries come fast here: a slow poll may see a later one. Wait for the
                // attempts themselves, not the count kept beside them.
                .is_some_and(|d| outcomes(d).len() >= 2)
        })
        .await;
        let delivery = &deliveries(&s)[0];
        assert_eq!(
            outcomes(delivery)[..2],
            ["REFUSED", "REFUSED"],
            "{delivery}"
        );
        assert_eq!(delivery["status"], "PENDING");
    }
    assert!(receiver.seen().is_empty());
}
