//! Accounts: creation, who may manage whom, the users list and its query count.

use entity::{app_user, role_grant::Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use crate::helpers::{Scope, TestApp, data, error_code};

const RESET: &str = "mutation($id: ID!) { resetPassword(input: {userId: $id, newPassword: \"a fresh start 2026\"}) { user { mustChangePassword } } }";

#[tokio::test]
async fn who_may_manage_whom() {
    let app = TestApp::new().await;
    let t = &app.tree;
    // Targets, each a user with the listed grants.
    let plain = app.user("plain.a1", Scope::Community(t.a1)).await;
    let admin_a1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await
        .user_id;
    let staff_a1 = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await
        .user_id;
    let street_a = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await
        .user_id;
    let user_b1 = app
        .caller(Role::CommunityStaff, Scope::Community(t.b1))
        .await
        .user_id;
    let two_places = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await
        .user_id;
    app.grant(
        two_places,
        Role::Resident,
        Scope::Below(t.b1, uuid::Uuid::now_v7()),
    )
    .await;
    let targets = [
        ("plain", plain),
        ("admin_a1", admin_a1),
        ("staff_a1", staff_a1),
        ("street_a", street_a),
        ("user_b1", user_b1),
        ("a1_and_b1", two_places),
    ];
    let ok = None;
    let forbidden = Some("FORBIDDEN");
    let not_found = Some("NOT_FOUND");
    let table = [
        (
            Role::PlatformAdmin,
            Scope::Deployment,
            [ok, ok, ok, ok, ok, ok],
        ),
        (
            Role::StreetAdmin,
            Scope::StreetOffice(t.a),
            [ok, ok, ok, forbidden, not_found, forbidden],
        ),
        (
            Role::CommunityAdmin,
            Scope::Community(t.a1),
            [ok, forbidden, ok, not_found, not_found, forbidden],
        ),
        (Role::CommunityStaff, Scope::Community(t.a1), [not_found; 6]),
    ];
    for (role, scope, expected) in table {
        let manager = app.caller(role, scope).await;
        for ((name, target), want) in targets.iter().zip(expected) {
            let body = app
                .gql(Some(&manager), RESET, json!({ "id": target }))
                .await;
            assert_eq!(error_code(&body), want, "{role:?} resetting {name}: {body}");
            if want.is_none() {
                assert_eq!(
                    body["data"]["resetPassword"]["user"]["mustChangePassword"],
                    true
                );
            }
        }
    }
}

#[tokio::test]
async fn create_user_checks_input_and_home() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let create = "mutation($in: CreateUserInput!) { createUser(input: $in) { user { id username homeCommunityId permissions { canManage } } } }";
    let input = |username: &str, password: &str, community: uuid::Uuid| json!({ "in": { "username": username, "displayName": "刘洋", "initialPassword": password, "homeCommunityId": community } });
    let body = app
        .gql(
            Some(&admin),
            create,
            input("liu.yang", "initial pass 1", t.a1),
        )
        .await;
    let user = &data(&body)["createUser"]["user"];
    assert_eq!(user["homeCommunityId"], t.a1.to_string());
    assert_eq!(user["permissions"]["canManage"], true);

    let cases = [
        (
            input("LIU.YANG", "initial pass 1", t.a1),
            Some("CONFLICT"),
            None,
        ),
        (
            input("x", "initial pass 1", t.a1),
            Some("BAD_USER_INPUT"),
            Some("input.username"),
        ),
        (
            input("has space", "initial pass 1", t.a1),
            Some("BAD_USER_INPUT"),
            Some("input.username"),
        ),
        (
            input("wu.min", "short", t.a1),
            Some("BAD_USER_INPUT"),
            Some("input.initialPassword"),
        ),
        (
            input("wu.min", "wu.min", t.a1),
            Some("BAD_USER_INPUT"),
            Some("input.initialPassword"),
        ),
        (
            input("wu.min", "initial pass 1", t.a2),
            Some("NOT_FOUND"),
            None,
        ),
        (
            input("wu.min", "initial pass 1", t.b1),
            Some("NOT_FOUND"),
            None,
        ),
    ];
    for (variables, code, field) in cases {
        let body = app.gql(Some(&admin), create, variables.clone()).await;
        assert_eq!(error_code(&body), code, "{variables}: {body}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["extensions"]["field"], field);
        }
    }
    let count = app_user::Entity::find()
        .filter(app_user::Column::UsernameKey.eq("wu.min"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(count.is_empty(), "failed creations left nothing behind");

    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let body = app
        .gql(
            Some(&staff),
            create,
            input("wu.min", "initial pass 1", t.a1),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn users_lists_only_manageable_users_with_search() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    app.user("zhang.wei", Scope::Community(t.a1)).await;
    app.user("zhang.min", Scope::Community(t.a1)).await;
    let peer = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    app.user("zhang.b1", Scope::Community(t.b1)).await;
    let body = app
        .gql(
            Some(&admin),
            "{ users(filter: {search: \"ZHANG\"}) { totalCount edges { node { username } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = data(&body)["users"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["username"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["zhang.wei", "zhang.min"]);
    let all = app
        .gql(
            Some(&admin),
            "{ users(first: 100) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let text = all.to_string();
    assert!(
        !text.contains(&peer.user_id.to_string()),
        "a peer admin is not manageable"
    );
    assert!(
        !text.contains(&admin.user_id.to_string()),
        "nor is the caller"
    );
    let underscore = app
        .gql(
            Some(&admin),
            "{ users(filter: {search: \"_\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(
        underscore["data"]["users"]["totalCount"], 0,
        "LIKE wildcards are escaped"
    );
}

#[tokio::test]
async fn users_pages_are_keyset_and_do_not_query_per_row() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let query = "query($first: Int, $after: String) { users(first: $first, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { username grants { role scopeName permissions { canRevoke } } permissions { canManage } } } } }";
    let mut statements = Vec::new();
    for round in 0..2 {
        for i in 0..if round == 0 { 3 } else { 40 } {
            let user = app
                .user(&format!("r{round}.user{i}"), Scope::Community(t.a1))
                .await;
            app.grant(
                user,
                Role::CommunityStaff,
                Scope::Community(if i % 2 == 0 { t.a1 } else { t.a2 }),
            )
            .await;
        }
        let (body, cost) = app.gql_cost(&admin, query, json!({ "first": 100 })).await;
        statements.push(cost);
        let edges = data(&body)["users"]["edges"].as_array().unwrap();
        assert!(
            edges
                .iter()
                .all(|e| e["node"]["grants"][0]["scopeName"].is_string())
        );
    }
    assert_eq!(
        statements[0], statements[1],
        "3 users and 43 users cost the same statements"
    );
    assert!(statements[1] <= 10, "{statements:?}");

    // Walk the 43 users in pages of 10: every user once, in order.
    let mut after: Option<String> = None;
    let mut seen = Vec::new();
    loop {
        let body = app
            .gql(Some(&admin), query, json!({ "first": 10, "after": after }))
            .await;
        let users = &data(&body)["users"];
        assert_eq!(users["totalCount"], 43);
        for edge in users["edges"].as_array().unwrap() {
            seen.push(edge["node"]["username"].as_str().unwrap().to_owned());
        }
        if users["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = users["pageInfo"]["endCursor"].as_str().map(str::to_owned);
    }
    assert_eq!(seen.len(), 43);
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), 43);
}

#[tokio::test]
async fn disable_and_enable_need_a_manager_of_the_user() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let foreign_admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.b1))
        .await;
    let target = app
        .caller(Role::Resident, Scope::Below(t.a1, uuid::Uuid::now_v7()))
        .await;
    let disable =
        "mutation($id: ID!) { disableUser(input: {userId: $id}) { user { disabledAt } } }";
    let enable = "mutation($id: ID!) { enableUser(input: {userId: $id}) { user { disabledAt } } }";
    let show = "query($id: ID!) { user(id: $id) { username } }";
    for outsider in [&staff, &foreign_admin] {
        for query in [disable, enable, show] {
            let body = app
                .gql(Some(outsider), query, json!({ "id": target.user_id }))
                .await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        }
    }
    let body = app
        .gql(Some(&admin), disable, json!({ "id": target.user_id }))
        .await;
    assert!(data(&body)["disableUser"]["user"]["disabledAt"].is_string());
    let login = "mutation($u: String!) { login(input: {username: $u, password: \"correct horse battery\"}) { accessToken } }";
    assert_eq!(
        error_code(&app.gql(None, login, json!({ "u": target.username })).await),
        Some("UNAUTHENTICATED")
    );
    let body = app
        .gql(Some(&admin), enable, json!({ "id": target.user_id }))
        .await;
    assert!(data(&body)["enableUser"]["user"]["disabledAt"].is_null());
    assert!(
        app.gql(None, login, json!({ "u": target.username }))
            .await
            .get("errors")
            .is_none()
    );
    // Nobody manages their own account through these mutations.
    let body = app
        .gql(Some(&admin), disable, json!({ "id": admin.user_id }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}
