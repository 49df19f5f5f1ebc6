//! Logins, tokens, sessions, forced password changes and the login throttle.

use chrono::{Duration, Utc};
use entity::{login_session, role_grant::Role};
use jsonwebtoken::{EncodingKey, Header};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Caller, PASSWORD, SECRET, Scope, TestApp, data, error_code};

const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken refreshToken expiresAt } }";
const REFRESH: &str = "mutation($t: String!) { refreshToken(input: {refreshToken: $t}) { accessToken refreshToken } }";
const ME: &str = "{ me { id username grants { role scopeKind scopeName active } } }";

async fn login(app: &TestApp, username: &str, password: &str) -> Value {
    app.gql(None, LOGIN, json!({ "u": username, "p": password }))
        .await
}

fn bearer(token: &str) -> Caller {
    Caller {
        user_id: Uuid::nil(),
        session_id: Uuid::nil(),
        username: String::new(),
        token: token.to_owned(),
    }
}

#[tokio::test]
async fn login_refresh_rotation_reuse_and_logout() {
    let app = TestApp::new().await;
    let user = app.user("wang.fang", Scope::Community(app.tree.a1)).await;
    app.grant(user, Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;

    let body = login(&app, "Wang.Fang", PASSWORD).await;
    let tokens = &data(&body)["login"];
    let access = tokens["accessToken"].as_str().unwrap();
    let me = app.gql(Some(&bearer(access)), ME, json!({})).await;
    assert_eq!(data(&me)["me"]["username"], "wang.fang");
    assert_eq!(me["data"]["me"]["grants"][0]["scopeName"], "A1社区");

    // Rotation: the new refresh token works once, the old one is dead.
    let first = tokens["refreshToken"].as_str().unwrap().to_owned();
    let body = app.gql(None, REFRESH, json!({ "t": first })).await;
    let second = data(&body)["refreshToken"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let second_access = body["data"]["refreshToken"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(first, second);

    // Reuse of the first token revokes the whole family: the second one and its access
    // token stop working too.
    let reuse = app.gql(None, REFRESH, json!({ "t": first })).await;
    assert_eq!(error_code(&reuse), Some("UNAUTHENTICATED"));
    let after = app.gql(None, REFRESH, json!({ "t": second })).await;
    assert_eq!(error_code(&after), Some("UNAUTHENTICATED"));
    let me = app.gql(Some(&bearer(&second_access)), ME, json!({})).await;
    assert_eq!(error_code(&me), Some("UNAUTHENTICATED"));

    // Logout ends the session: its refresh and access tokens stop working.
    let body = login(&app, "wang.fang", PASSWORD).await;
    let refresh = body["data"]["login"]["refreshToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let access = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let out = app
        .gql(
            None,
            "mutation($t: String!) { logout(input: {refreshToken: $t}) { ok } }",
            json!({ "t": refresh }),
        )
        .await;
    assert_eq!(data(&out)["logout"]["ok"], true);
    assert_eq!(
        error_code(&app.gql(None, REFRESH, json!({ "t": refresh })).await),
        Some("UNAUTHENTICATED")
    );
    assert_eq!(
        error_code(&app.gql(Some(&bearer(&access)), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::new().await;
    app.user("li.na", Scope::Community(app.tree.a1)).await;
    let wrong = login(&app, "li.na", "not the password").await;
    let unknown = login(&app, "nobody.here", "not the password").await;
    assert_eq!(error_code(&wrong), Some("UNAUTHENTICATED"));
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    assert_eq!(
        wrong["errors"][0]["extensions"],
        unknown["errors"][0]["extensions"]
    );
}

#[tokio::test]
async fn forged_expired_and_malformed_tokens_are_unauthenticated() {
    let app = TestApp::new().await;
    let caller = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let now = Utc::now().timestamp();
    let claims = |extra: Value| {
        let mut base = json!({
            "sub": caller.user_id, "sid": caller.session_id,
            "iss": "jiedao", "aud": "jiedao-api", "iat": now, "exp": now + 600,
        });
        for (k, v) in extra.as_object().unwrap() {
            if v.is_null() {
                base.as_object_mut().unwrap().remove(k);
            } else {
                base[k] = v.clone();
            }
        }
        base
    };
    let sign = |claims: &Value, secret: &str| {
        jsonwebtoken::encode(
            &Header::default(),
            claims,
            &EncodingKey::from_secret(secret.as_bytes()),
        )
        .unwrap()
    };
    let valid = sign(&claims(json!({})), SECRET);
    assert!(
        app.gql(Some(&bearer(&valid)), ME, json!({}))
            .await
            .get("errors")
            .is_none()
    );

    let unsigned = {
        use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
        let header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT"}"#);
        let payload = URL_SAFE_NO_PAD.encode(claims(json!({})).to_string());
        format!("{header}.{payload}.")
    };
    let mut tampered = valid.clone();
    tampered.pop();
    tampered.push(if valid.ends_with('A') { 'B' } else { 'A' });
    let cases = [
        (
            "expired",
            sign(
                &claims(json!({ "exp": now - 10, "iat": now - 1000 })),
                SECRET,
            ),
        ),
        (
            "other secret",
            sign(
                &claims(json!({})),
                "another-secret-that-is-long-enough-000000",
            ),
        ),
        ("bad signature", tampered),
        ("alg none", unsigned),
        ("no exp", sign(&claims(json!({ "exp": null })), SECRET)),
        ("no aud", sign(&claims(json!({ "aud": null })), SECRET)),
        ("no iss", sign(&claims(json!({ "iss": null })), SECRET)),
        ("no sub", sign(&claims(json!({ "sub": null })), SECRET)),
        (
            "wrong audience",
            sign(&claims(json!({ "aud": "someone-else" })), SECRET),
        ),
        (
            "wrong issuer",
            sign(&claims(json!({ "iss": "someone-else" })), SECRET),
        ),
        (
            "unknown session",
            sign(&claims(json!({ "sid": Uuid::now_v7() })), SECRET),
        ),
        ("garbage", "not.a.jwt".to_owned()),
    ];
    for (name, token) in cases {
        let body = app.gql(Some(&bearer(&token)), ME, json!({})).await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"), "{name}: {body}");
    }
    // A bad token does not stop a login in the same request.
    let body = app
        .gql(
            Some(&bearer("not.a.jwt")),
            LOGIN,
            json!({ "u": caller.username, "p": PASSWORD }),
        )
        .await;
    assert!(body.get("errors").is_none(), "{body}");
}

#[tokio::test]
async fn a_disabled_user_or_ended_session_stops_working_at_once() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    assert!(
        app.gql(Some(&staff), ME, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    let body = app
        .gql(
            Some(&admin),
            "mutation($id: ID!) { disableUser(input: {userId: $id}) { user { disabledAt } } }",
            json!({ "id": staff.user_id }),
        )
        .await;
    assert!(data(&body)["disableUser"]["user"]["disabledAt"].is_string());
    assert_eq!(
        error_code(&app.gql(Some(&staff), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
    let again = login(&app, &staff.username, PASSWORD).await;
    assert_eq!(error_code(&again), Some("UNAUTHENTICATED"));

    let other = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let session = login_session::Entity::find_by_id(other.session_id)
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap();
    let mut ended: login_session::ActiveModel = session.into();
    ended.expires_at = sea_orm::ActiveValue::Set(Utc::now() - Duration::seconds(1));
    sea_orm::ActiveModelTrait::update(ended, app.db().writer())
        .await
        .unwrap();
    assert_eq!(
        error_code(&app.gql(Some(&other), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn an_initial_password_must_be_changed_before_anything_else() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let created = app
        .gql(
            Some(&admin),
            "mutation($c: ID!) { createUser(input: {username: \"zhao.lei\", displayName: \"赵磊\", initialPassword: \"first-password-1\", homeCommunityId: $c}) { user { id mustChangePassword } } }",
            json!({ "c": app.tree.a1 }),
        )
        .await;
    assert_eq!(
        data(&created)["createUser"]["user"]["mustChangePassword"],
        true
    );

    let body = login(&app, "zhao.lei", "first-password-1").await;
    let access = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let user = bearer(&access);
    let blocked = app
        .gql(Some(&user), "{ communities { totalCount } }", json!({}))
        .await;
    assert_eq!(error_code(&blocked), Some("FORBIDDEN"));
    assert_eq!(
        blocked["errors"][0]["extensions"]["reason"],
        "PASSWORD_CHANGE_REQUIRED"
    );
    assert!(
        app.gql(Some(&user), ME, json!({}))
            .await
            .get("errors")
            .is_none(),
        "me works"
    );

    let change = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { ok } }";
    let weak = app
        .gql(
            Some(&user),
            change,
            json!({ "c": "first-password-1", "n": "12345678901" }),
        )
        .await;
    assert_eq!(error_code(&weak), Some("BAD_USER_INPUT"));
    assert_eq!(
        weak["errors"][0]["extensions"]["field"],
        "input.newPassword"
    );
    let ok = app
        .gql(
            Some(&user),
            change,
            json!({ "c": "first-password-1", "n": "my own secret 42" }),
        )
        .await;
    assert_eq!(data(&ok)["changePassword"]["ok"], true);
    // The new account holds no role yet: it works, and sees nothing.
    let allowed = app
        .gql(Some(&user), "{ communities { totalCount } }", json!({}))
        .await;
    assert_eq!(data(&allowed)["communities"]["totalCount"], 0);
    assert_eq!(
        error_code(&login(&app, "zhao.lei", "first-password-1").await),
        Some("UNAUTHENTICATED")
    );
    assert!(
        login(&app, "zhao.lei", "my own secret 42")
            .await
            .get("errors")
            .is_none()
    );
}

#[tokio::test]
async fn a_wrong_current_password_is_refused_and_other_sessions_end_on_change() {
    let app = TestApp::new().await;
    let caller = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let other = app.session(caller.user_id, &caller.username).await;
    let change = "mutation($c: String!, $n: String!) { changePassword(input: {currentPassword: $c, newPassword: $n}) { ok } }";
    let wrong = app
        .gql(
            Some(&caller),
            change,
            json!({ "c": "wrong password", "n": "a brand new pass" }),
        )
        .await;
    assert_eq!(error_code(&wrong), Some("BAD_USER_INPUT"));
    assert_eq!(
        wrong["errors"][0]["extensions"]["field"],
        "input.currentPassword"
    );
    let ok = app
        .gql(
            Some(&caller),
            change,
            json!({ "c": PASSWORD, "n": "a brand new pass" }),
        )
        .await;
    assert_eq!(data(&ok)["changePassword"]["ok"], true);
    assert!(
        app.gql(Some(&caller), ME, json!({}))
            .await
            .get("errors")
            .is_none()
    );
    assert_eq!(
        error_code(&app.gql(Some(&other), ME, json!({})).await),
        Some("UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn failures_lock_the_pair_and_the_address_for_known_and_unknown_users() {
    let app = TestApp::new().await;
    app.user("chen.jing", Scope::Community(app.tree.a1)).await;
    let attempt = |user: &'static str, password: &'static str, client: &'static str| {
        let app = &app;
        async move {
            app.gql_from(None, client, LOGIN, json!({ "u": user, "p": password }))
                .await
        }
    };
    // Five failures for the pair lock it: even the right password is refused, with a
    // retry hint; the same username from another address still works.
    for _ in 0..5 {
        assert_eq!(
            error_code(&attempt("chen.jing", "wrong-password", "198.51.100.1").await),
            Some("UNAUTHENTICATED")
        );
    }
    let locked = attempt("chen.jing", PASSWORD, "198.51.100.1").await;
    assert_eq!(error_code(&locked), Some("RATE_LIMITED"));
    assert!(
        locked["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_i64()
            .unwrap()
            > 0
    );
    assert!(
        attempt("chen.jing", PASSWORD, "198.51.100.2")
            .await
            .get("errors")
            .is_none()
    );

    // Unknown usernames are counted and locked the same way.
    for _ in 0..5 {
        assert_eq!(
            error_code(&attempt("ghost.user", "whatever-pass", "198.51.100.3").await),
            Some("UNAUTHENTICATED")
        );
    }
    assert_eq!(
        error_code(&attempt("ghost.user", "whatever-pass", "198.51.100.3").await),
        Some("RATE_LIMITED")
    );

    // One address trying many usernames is locked as a whole after 30 failures.
    let names: Vec<String> = (0..30).map(|i| format!("spray{i}")).collect();
    for name in &names {
        let body = app
            .gql_from(
                None,
                "198.51.100.9",
                LOGIN,
                json!({ "u": name, "p": "guess-guess" }),
            )
            .await;
        assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
    }
    let body = app
        .gql_from(
            None,
            "198.51.100.9",
            LOGIN,
            json!({ "u": "chen.jing", "p": PASSWORD }),
        )
        .await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
}

#[tokio::test]
async fn one_password_check_per_request() {
    let app = TestApp::new().await;
    app.user("sun.li", Scope::Community(app.tree.a1)).await;
    let query = format!(
        "mutation {{ a: login(input: {{username: \"sun.li\", password: \"guess-one-1\"}}) {{ accessToken }} b: login(input: {{username: \"sun.li\", password: \"{PASSWORD}\"}}) {{ accessToken }} }}"
    );
    let body = app.gql(None, &query, json!({})).await;
    let codes: Vec<&str> = body["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["extensions"]["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"RATE_LIMITED"), "{body}");
    assert!(
        body["data"].is_null() || body["data"]["b"].is_null(),
        "the second password was not tried: {body}"
    );
}

#[tokio::test]
async fn create_admin_refuses_weak_passwords() {
    let app = TestApp::new().await;
    for weak in ["short", "12345678901234", "root.admin"] {
        let err = jiedao::bootstrap::create_platform_admin(app.db(), "root.admin", weak)
            .await
            .unwrap_err();
        assert_eq!(err.code(), "BAD_USER_INPUT", "{weak}");
    }
    let id =
        jiedao::bootstrap::create_platform_admin(app.db(), "root.admin", "a strong admin password")
            .await
            .unwrap();
    let body = login(&app, "root.admin", "a strong admin password").await;
    let access = body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.gql(Some(&bearer(&access)), ME, json!({})).await;
    assert_eq!(data(&me)["me"]["id"], id.to_string());
    assert_eq!(me["data"]["me"]["grants"][0]["role"], "PLATFORM_ADMIN");
}
