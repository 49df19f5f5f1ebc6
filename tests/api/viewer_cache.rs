//! Who is calling comes from a cache keyed by session (ARCHITECTURE.md §8), and a change of
//! access still takes effect at once: in this process before the write's response goes out,
//! in another process sharing PostgreSQL as soon as the event arrives through `LISTEN`.

use axum::{
    body::Body,
    http::{Request, header},
};
use entity::role_grant::Role;
use http_body_util::BodyExt;
use jiedao::{build_router, build_state};
use serde_json::{Value, json};
use tower::ServiceExt;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

const GRANT: &str = "mutation($in: GrantRoleInput!) { grantRole(input: $in) { grant { id } } }";
const REVOKE: &str =
    "mutation($id: ID!) { revokeRole(input: {grantId: $id}) { grant { revokedAt } } }";
const MY_ROLES: &str = "{ me { grants { scopeName } } }";
const STAFF_READ: &str = "{ residents { totalCount } }";

#[tokio::test]
async fn a_known_session_costs_no_statement_and_access_changes_apply_at_once() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    data(&app.gql(Some(&staff), MY_ROLES, json!({})).await);
    let (body, cost) = app.gql_cost(&staff, "{ __typename }", json!({})).await;
    data(&body);
    assert_eq!(cost, 0, "a cached caller costs no statement");

    // A role given through the API is there on the very next request.
    let input = json!({ "userId": staff.user_id, "role": "COMMUNITY_STAFF", "scopeId": t.a2 });
    let body = app.gql(Some(&admin), GRANT, json!({ "in": input })).await;
    let grant = data(&body)["grantRole"]["grant"]["id"].clone();
    let body = app.gql(Some(&staff), MY_ROLES, json!({})).await;
    let scopes = data(&body)["me"]["grants"].as_array().unwrap().len();
    assert_eq!(scopes, 2, "{body}");

    // A revoked role ends the holder's sessions: the next request is refused, not served
    // from the cache.
    data(&app.gql(Some(&staff), STAFF_READ, json!({})).await);
    data(&app.gql(Some(&admin), REVOKE, json!({ "id": grant })).await);
    let body = app.gql(Some(&staff), STAFF_READ, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

#[tokio::test]
async fn a_password_change_ends_cached_sessions_at_once() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    data(&app.gql(Some(&staff), STAFF_READ, json!({})).await);
    let reset = "mutation($u: ID!) { resetPassword(input: {userId: $u, newPassword: \"Changed-Pass-4821\"}) { user { id } } }";
    data(
        &app.gql(Some(&admin), reset, json!({ "u": staff.user_id }))
            .await,
    );
    let body = app.gql(Some(&staff), STAFF_READ, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{body}");
}

/// Sends a GraphQL request to another process's router.
async fn gql_at(router: &axum::Router, caller: &Caller, query: &str) -> Value {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", caller.token))
        .body(Body::from(json!({ "query": query }).to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

#[tokio::test]
async fn on_postgres_a_role_revoked_in_one_process_stops_working_in_another() {
    let app = TestApp::new().await;
    if app.db().backend() != sea_orm::DbBackend::Postgres {
        // SQLite is one process by design (the test above).
        return;
    }
    let t = &app.tree;
    let admin = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let staff = app.user("cached.staff", Scope::Community(t.a1)).await;
    let staff = {
        let grant = json!({ "userId": staff, "role": "COMMUNITY_STAFF", "scopeId": t.a1 });
        let body = app.gql(Some(&admin), GRANT, json!({ "in": grant })).await;
        let id = data(&body)["grantRole"]["grant"]["id"].clone();
        (app.session(staff, "cached.staff").await, id)
    };
    let config = (*app.state.services.config).clone();
    let second = build_state(config).await.unwrap();
    let router = build_router(second.clone());
    // The second process knows the session now.
    data(&gql_at(&router, &staff.0, STAFF_READ).await);
    assert_eq!(second.services.viewers.len(), 1);

    data(
        &app.gql(Some(&admin), REVOKE, json!({ "id": staff.1 }))
            .await,
    );
    // Well before the cache's own expiry (5 s), the event has reached the other process.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let body = gql_at(&router, &staff.0, STAFF_READ).await;
        if error_code(&body) == Some("UNAUTHENTICATED") {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still served 2 s after the revocation: {body}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(
        second.services.live.subscribers(),
        0,
        "no subscriber was counted"
    );
}
