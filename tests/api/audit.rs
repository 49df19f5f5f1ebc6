//! The audit log: every mutation recorded, failures after rollback, secrets redacted,
//! entries scoped like the data they describe.

use entity::{audit_entry, community, role_grant::Role};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::helpers::{PASSWORD, Scope, TestApp, data, error_code};

async fn entries(app: &TestApp) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Id)
        .all(app.db().reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn successes_and_failures_are_recorded_with_secrets_redacted() {
    let app = TestApp::new().await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    let create = "mutation($n: String!) { createCommunity(input: {streetOfficeId: \"%S\", name: $n}) { community { id } } }".replace("%S", &app.tree.a.to_string());
    data(
        &app.gql(Some(&street), &create, json!({ "n": "东风社区" }))
            .await,
    );
    let duplicate = app
        .gql(Some(&street), &create, json!({ "n": "东风社区" }))
        .await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
    assert_eq!(
        app.count::<community::Entity>().await,
        4,
        "the failed creation left nothing"
    );

    let log = entries(&app).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].action.as_str(), log[0].outcome.as_str()),
        ("createCommunity", "ok")
    );
    assert_eq!(log[0].actor_user_id, Some(street.user_id));
    assert_eq!(log[0].street_office_id, Some(app.tree.a));
    assert!(log[0].community_id.is_some());
    assert_eq!(
        (log[1].outcome.as_str(), log[1].error_code.as_deref()),
        ("failed", Some("CONFLICT"))
    );
    assert!(!log[1].request_id.is_empty());

    app.gql(None, "mutation { login(input: {username: \"nobody\", password: \"super secret words\"}) { accessToken } }", json!({})).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    app.gql(Some(&admin), "mutation($c: ID!) { createUser(input: {username: \"he.ping\", displayName: \"何平\", initialPassword: \"another secret 9\", homeCommunityId: $c}) { user { id } } }", json!({ "c": app.tree.a1 })).await;
    let text = serde_json::to_string(
        &entries(&app)
            .await
            .iter()
            .map(|e| e.input.clone())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(
        !text.contains("super secret words")
            && !text.contains("another secret 9")
            && !text.contains(PASSWORD),
        "{text}"
    );
    assert!(text.contains("[redacted]") && text.contains("he.ping"));
}

#[tokio::test]
async fn admins_read_the_audit_entries_of_their_scope_only() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin_a1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let admin_b1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.b1))
        .await;
    let create = "mutation($c: ID!, $u: String!) { createUser(input: {username: $u, displayName: \"居民\", initialPassword: \"initial pass 1\", homeCommunityId: $c}) { user { id } } }";
    data(
        &app.gql(Some(&admin_a1), create, json!({ "c": t.a1, "u": "in.a1" }))
            .await,
    );
    data(
        &app.gql(Some(&admin_b1), create, json!({ "c": t.b1, "u": "in.b1" }))
            .await,
    );

    let query =
        "{ auditEntries { totalCount edges { node { action outcome communityId input } } } }";
    let body = app.gql(Some(&admin_a1), query, json!({})).await;
    let list = &data(&body)["auditEntries"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["edges"][0]["node"]["communityId"], t.a1.to_string());
    assert_eq!(list["edges"][0]["node"]["input"]["username"], "in.a1");

    let street_a = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let body = app.gql(Some(&street_a), query, json!({})).await;
    assert_eq!(data(&body)["auditEntries"]["totalCount"], 1);
    let platform = app.platform_admin().await;
    let body = app.gql(Some(&platform), query, json!({})).await;
    assert_eq!(data(&body)["auditEntries"]["totalCount"], 2);
}
