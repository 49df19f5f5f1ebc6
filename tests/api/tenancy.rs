//! Isolation between street offices and between communities: out-of-reach IDs are
//! NOT_FOUND, lists leave them out.

use entity::role_grant::Role;
use serde_json::json;

use crate::helpers::{Scope, TestApp, data, error_code};

#[tokio::test]
async fn a_street_admin_of_a_sees_nothing_of_b() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let street_a = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let b_user = app
        .caller(Role::CommunityStaff, Scope::Community(t.b1))
        .await;

    let body = app.gql(Some(&street_a), "{ streetOffices { totalCount edges { node { name communities { name } } } } communities { totalCount } }", json!({})).await;
    let d = data(&body);
    assert_eq!(d["streetOffices"]["totalCount"], 1);
    assert_eq!(d["streetOffices"]["edges"][0]["node"]["name"], "A街道");
    assert_eq!(
        d["streetOffices"]["edges"][0]["node"]["communities"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(d["communities"]["totalCount"], 2);

    for (query, id) in [
        ("query($id: ID!) { streetOffice(id: $id) { name } }", t.b),
        ("query($id: ID!) { community(id: $id) { name } }", t.b1),
        (
            "query($id: ID!) { user(id: $id) { username } }",
            b_user.user_id,
        ),
    ] {
        let body = app.gql(Some(&street_a), query, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    let body = app
        .gql(Some(&street_a), "mutation($s: ID!) { createCommunity(input: {streetOfficeId: $s, name: \"偷建社区\"}) { community { id } } }", json!({ "s": t.b }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    for mutation in [
        "mutation($id: ID!) { disableUser(input: {userId: $id}) { user { id } } }",
        "mutation($id: ID!) { resetPassword(input: {userId: $id, newPassword: \"a long new password\"}) { user { id } } }",
    ] {
        let body = app
            .gql(Some(&street_a), mutation, json!({ "id": b_user.user_id }))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{mutation}");
    }
    let users = app
        .gql(
            Some(&street_a),
            "{ users { edges { node { id } } } }",
            json!({}),
        )
        .await;
    assert!(!users.to_string().contains(&b_user.user_id.to_string()));
}

#[tokio::test]
async fn a_community_admin_of_a1_sees_nothing_of_a2() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let a2_staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a2))
        .await;
    let body = app.gql(Some(&admin), "{ communities { totalCount edges { node { name streetOffice { name } } } } streetOffices { edges { node { communities { name } permissions { canCreateCommunity } } } } }", json!({})).await;
    let d = data(&body);
    assert_eq!(d["communities"]["totalCount"], 1);
    assert_eq!(d["communities"]["edges"][0]["node"]["name"], "A1社区");
    assert_eq!(
        d["communities"]["edges"][0]["node"]["streetOffice"]["name"],
        "A街道"
    );
    // The street office above is visible by name, with only A1 under it.
    assert_eq!(
        d["streetOffices"]["edges"][0]["node"]["communities"],
        json!([{ "name": "A1社区" }])
    );
    assert_eq!(
        d["streetOffices"]["edges"][0]["node"]["permissions"]["canCreateCommunity"],
        false
    );

    let body = app
        .gql(
            Some(&admin),
            "query($id: ID!) { community(id: $id) { name } }",
            json!({ "id": t.a2 }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&admin),
            "query($id: ID!) { user(id: $id) { username } }",
            json!({ "id": a2_staff.user_id }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&admin), "mutation($s: ID!) { createCommunity(input: {streetOfficeId: $s, name: \"新社区\"}) { community { id } } }", json!({ "s": t.a }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn lower_roles_see_only_their_community_and_no_accounts() {
    let app = TestApp::new().await;
    let t = &app.tree;
    for role in [
        Role::CommunityStaff,
        Role::GridWorker,
        Role::Treasurer,
        Role::Resident,
    ] {
        let scope = match role {
            Role::CommunityStaff => Scope::Community(t.a1),
            _ => Scope::Below(t.a1, uuid::Uuid::now_v7()),
        };
        let caller = app.caller(role, scope).await;
        let body = app
            .gql(
                Some(&caller),
                "{ communities { edges { node { name } } } }",
                json!({}),
            )
            .await;
        assert_eq!(
            data(&body)["communities"]["edges"],
            json!([{ "node": { "name": "A1社区" } }]),
            "{role:?}"
        );
        for query in [
            "{ users { totalCount } }",
            "{ auditEntries { totalCount } }",
        ] {
            let body = app.gql(Some(&caller), query, json!({})).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{role:?} {query}");
        }
    }
    let anonymous = app
        .gql(None, "{ communities { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&anonymous), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn me_reports_the_callers_reach_and_nobody_elses() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    app.caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let body = app
        .gql(Some(&street), "{ me { reach { capability everything streetOfficeIds communityIds } } users { edges { node { reach { capability } } } } }", json!({}))
        .await;
    let reach = data(&body)["me"]["reach"].as_array().unwrap().clone();
    let names: Vec<&str> = reach
        .iter()
        .map(|r| r["capability"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "READ_ORG",
            "CREATE_COMMUNITY",
            "MANAGE_USERS",
            "READ_AUDIT",
            "MANAGE_WEBHOOKS"
        ]
    );
    assert!(
        reach
            .iter()
            .all(|r| r["streetOfficeIds"] == json!([t.a.to_string()]) && r["everything"] == false)
    );
    let others = &body["data"]["users"]["edges"];
    assert!(!others.as_array().unwrap().is_empty());
    assert!(
        others
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["reach"] == json!([]))
    );

    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let body = app
        .gql(
            Some(&staff),
            "{ me { reach { capability communityIds } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["reach"],
        json!([
            { "capability": "READ_ORG", "communityIds": [t.a1.to_string()] },
            { "capability": "MANAGE_REGISTRY", "communityIds": [t.a1.to_string()] },
        ])
    );
}
