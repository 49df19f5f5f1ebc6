//! GraphQL over HTTP: media types, methods, batching, body limits, query limits, error
//! codes, request ids, health and metrics.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use serde_json::json;

use crate::helpers::{TestApp, error_code, test_config};

fn post(content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post("/graphql")
        .header(header::CONTENT_TYPE, content_type)
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn content_types_other_than_json_are_refused_with_415() {
    let app = TestApp::new().await;
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/graphql",
    ] {
        let (status, _, body) = app.send(post(content_type, "{ me { id } }")).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{content_type}");
        assert_eq!(error_code(&body), Some("UNSUPPORTED_MEDIA_TYPE"));
    }
    let (status, _, body) = app
        .send(post(
            "application/json; charset=utf-8",
            r#"{"query":"{ __typename }"}"#,
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["__typename"], "Query");
}

#[tokio::test]
async fn graphql_response_json_gives_400_for_request_errors_and_json_keeps_200() {
    let app = TestApp::new().await;
    let cases = [
        ("{ me { id ", "GRAPHQL_PARSE_FAILED"),
        ("{ noSuchField }", "GRAPHQL_VALIDATION_FAILED"),
        (
            "query($n: Int!) { users(first: $n) { totalCount } }",
            "GRAPHQL_VALIDATION_FAILED",
        ),
    ];
    for (query, code) in cases {
        let body = json!({ "query": query }).to_string();
        let mut request = post("application/json", body.clone());
        request.headers_mut().insert(
            header::ACCEPT,
            "application/graphql-response+json".parse().unwrap(),
        );
        let (status, headers, response) = app.send(request).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(
            headers[header::CONTENT_TYPE],
            "application/graphql-response+json"
        );
        assert_eq!(error_code(&response), Some(code), "{query}");
        assert!(
            response.get("data").is_none(),
            "nothing executed, so no `data` at all: {response}"
        );

        let (status, _, response) = app.send(post("application/json", body)).await;
        assert_eq!(status, StatusCode::OK, "{query}");
        assert_eq!(error_code(&response), Some(code), "{query}");
        assert_eq!(response.get("data"), Some(&serde_json::Value::Null));
    }
    // An execution error is not a request error: 200 under both media types.
    let mut request = post(
        "application/json",
        json!({ "query": "{ me { id } }" }).to_string(),
    );
    request.headers_mut().insert(
        header::ACCEPT,
        "application/graphql-response+json".parse().unwrap(),
    );
    let (status, _, response) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&response), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn batching_bad_json_and_huge_bodies_are_refused() {
    let app = TestApp::new().await;
    let batch = json!([{ "query": "{ __typename }" }, { "query": "{ __typename }" }]).to_string();
    let (status, _, body) = app.send(post("application/json", batch)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("batch")
    );

    for bad in [
        "{not json",
        r#"{"query": 42}"#,
        r#""just a string""#,
        "{}",
        r#"{"query": null}"#,
        r#"{"variables": {}, "operationName": "Q"}"#,
        r#"{"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "abc"}}}"#,
    ] {
        for accept in ["application/json", "application/graphql-response+json"] {
            let mut request = post("application/json", bad);
            request
                .headers_mut()
                .insert(header::ACCEPT, accept.parse().unwrap());
            let (status, _, body) = app.send(request).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{bad} {accept}: {body}");
            assert_eq!(error_code(&body), Some("BAD_REQUEST"));
        }
    }

    let huge = format!(
        r#"{{"query":"{{ __typename }}","variables":{{"x":"{}"}}}}"#,
        "x".repeat(2 * 1024 * 1024)
    );
    let (status, _, body) = app.send(post("application/json", huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));
}

#[tokio::test]
async fn get_runs_queries_and_refuses_mutations() {
    let app = TestApp::new().await;
    let get = |query: &str, accept: &str| {
        let encoded: String = url_encode(query);
        Request::get(format!("/graphql?query={encoded}"))
            .header(header::ACCEPT, accept)
            .body(Body::empty())
            .unwrap()
    };
    let (status, _, body) = app.send(get("{ __typename }", "application/json")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["data"]["__typename"], "Query");

    let mutation = r#"mutation { logout(input: {refreshToken: "x"}) { ok } }"#;
    let (status, headers, body) = app.send(get(mutation, "application/json")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "POST");
    assert_eq!(error_code(&body), Some("METHOD_NOT_ALLOWED"));

    let (status, headers, _) = app
        .send(Request::put("/graphql").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(headers[header::ALLOW], "GET, POST");
}

/// A browser at `/graphql` gets GraphiQL when the binary has it built in (the `graphiql`
/// feature with npm at build time), otherwise a page that says how to get it. CI runs this
/// both ways.
#[tokio::test]
async fn a_browser_gets_graphiql_or_how_to_get_it() {
    let app = TestApp::new().await;
    let (status, headers, body) = app
        .send(
            Request::get("/graphql")
                .header(header::ACCEPT, "text/html,application/xhtml+xml")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert!(csp.starts_with("default-src 'none'"), "{csp}");
    let page = body.as_str().unwrap();
    assert!(
        !page.contains("https://") && !page.contains("http://"),
        "nothing from another host: {page}"
    );
    let asset = Request::get("/graphiql/graphiql.js")
        .body(Body::empty())
        .unwrap();
    let (asset_status, asset_headers, _) = app.send(asset).await;
    if cfg!(graphiql_assets) {
        assert!(
            page.contains(r#"<script src="/graphiql/graphiql.js">"#),
            "{page}"
        );
        assert_eq!(asset_status, StatusCode::OK);
        assert!(
            asset_headers[header::CONTENT_TYPE]
                .to_str()
                .unwrap()
                .contains("javascript")
        );
    } else {
        assert!(
            page.contains("GraphiQL was not built into this binary"),
            "{page}"
        );
        assert!(page.contains("Node.js and npm"), "{page}");
        assert!(page.contains("cargo build"), "{page}");
        assert!(
            page.contains("POST /graphql"),
            "any client works against this URL: {page}"
        );
        assert!(!page.contains("<script"), "{page}");
        assert_eq!(asset_status, StatusCode::NOT_FOUND);
    }
    assert_eq!(jiedao::http::graphiql::BUILT_IN, cfg!(graphiql_assets));
}

fn url_encode(raw: &str) -> String {
    raw.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A wide selection over three lists; its complexity grows with `first`.
const COMPLEX: &str = "{
  users(first: $N) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node {
    id username displayName mustChangePassword disabledAt createdAt homeStreetOfficeId homeCommunityId
    grants { id role scopeKind scopeId streetOfficeId communityId validFrom validUntil source createdAt revokedAt active scopeName permissions { canRevoke } }
    permissions { canManage } } } }
  auditEntries(first: $N) { totalCount edges { cursor node { id occurredAt requestId actorUserId action outcome errorCode streetOfficeId communityId targetId input clientAddr } } }
  communities(first: $N) { totalCount edges { cursor node { id name createdAt streetOffice { id name divisionCode createdAt communities { id name createdAt } } } } }
}";

#[tokio::test]
async fn query_limits_answer_validation_failed() {
    let app = TestApp::new().await;
    let admin = app.platform_admin().await;
    let aliases: String = (0..31).map(|i| format!("a{i}: __typename ")).collect();
    let deep = "{ communities { edges { node { streetOffice { communities { streetOffice { communities { streetOffice { communities { streetOffice { communities { streetOffice { name } } } } } } } } } } } } }";
    let directives = format!("{{ __typename {} }}", "@include(if: true) ".repeat(11));
    let complex = COMPLEX.replace("$N", "100");
    for (name, query) in [
        ("aliases", format!("{{ {aliases} }}")),
        ("depth", deep.to_owned()),
        ("directives", directives),
        ("complexity", complex),
    ] {
        let body = app.gql(Some(&admin), &query, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{name}: {body}"
        );
        assert!(body["data"].is_null(), "{name}");
    }
    let body = app
        .gql(Some(&admin), &COMPLEX.replace("$N", "20"), json!({}))
        .await;
    assert!(
        body.get("errors").is_none(),
        "the same selection of 20 items is fine: {body}"
    );
    let thirty: String = (0..30).map(|i| format!("a{i}: __typename ")).collect();
    let body = app
        .gql(Some(&admin), &format!("{{ {thirty} }}"), json!({}))
        .await;
    assert!(
        body.get("errors").is_none(),
        "30 aliases are allowed: {body}"
    );
}

#[tokio::test]
async fn bad_arguments_are_bad_user_input_with_the_field() {
    let app = TestApp::new().await;
    let admin = app.platform_admin().await;
    let body = app
        .gql(
            Some(&admin),
            "{ communities(first: 1000) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "first");
    let body = app
        .gql(
            Some(&admin),
            r#"{ community(id: "not-a-uuid") { name } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .gql(
            Some(&admin),
            r#"{ communities(after: "???") { totalCount } }"#,
            json!({}),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "after");
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::new().await;
    let request = Request::get("/healthz")
        .header("x-request-id", "req-from-client-42")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = app.send(request).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers["x-request-id"], "req-from-client-42");
    let (_, headers, _) = app
        .send(Request::get("/healthz").body(Body::empty()).unwrap())
        .await;
    let generated = headers["x-request-id"].to_str().unwrap();
    assert_eq!(generated.len(), 36, "a UUID: {generated}");
    // Ids that would pollute logs are replaced.
    for junk in ["has spaces and \"quotes\"".to_owned(), "x".repeat(200)] {
        let request = Request::get("/healthz")
            .header("x-request-id", junk.as_str())
            .body(Body::empty())
            .unwrap();
        let (_, headers, _) = app.send(request).await;
        assert_eq!(headers["x-request-id"].len(), 36, "{junk}");
    }
}

#[tokio::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let (status, _, body) = app
        .send(Request::get("/readyz").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["status"], "ready");

    app.send(post("text/plain", "x")).await;
    app.gql(None, "{ me { id } }", json!({})).await;
    let (status, headers, body) = app
        .send(Request::get("/metrics").body(Body::empty()).unwrap())
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("openmetrics")
    );
    let text = body.as_str().unwrap();
    assert!(
        text.contains(
            r#"jiedao_http_requests_total{method="POST",route="/graphql",status="415"} 1"#
        ),
        "{text}"
    );
    assert!(text.contains("jiedao_http_request_duration_seconds_bucket"));
    assert!(
        text.contains(r#"jiedao_graphql_errors_total{code="UNAUTHENTICATED"} 1"#),
        "{text}"
    );
    assert!(
        text.contains(r#"jiedao_graphql_errors_total{code="UNSUPPORTED_MEDIA_TYPE"} 1"#),
        "{text}"
    );
}

#[tokio::test]
async fn readiness_waits_for_migrations() {
    let (config, _dir) = test_config();
    let state = jiedao::build_state(config).await.unwrap();
    let router = jiedao::build_router(state.clone());
    use tower::ServiceExt;
    let response = router
        .clone()
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    state.services.db.migrate().await.unwrap();
    assert_eq!(state.services.db.pending_migrations().await.unwrap(), 0);
    let response = router
        .oneshot(Request::get("/readyz").body(Body::empty()).unwrap())
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
}

#[tokio::test]
async fn introspection_and_graphiql_can_be_turned_off() {
    let (mut config, dir) = test_config();
    config.introspection = false;
    config.graphiql = false;
    let app = TestApp::with_config(config, dir).await;
    let body = app
        .gql(None, "{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    let (status, _, _) = app
        .send(
            Request::get("/graphql")
                .header(header::ACCEPT, "text/html")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _, _) = app
        .send(
            Request::get("/graphiql/graphiql.js")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[test]
fn a_caught_panic_is_a_bland_internal_error() {
    let response = jiedao::http::panic_response(Box::new("secret database text".to_owned()));
    assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
    let body: serde_json::Value = serde_json::from_str(response.body()).unwrap();
    assert_eq!(error_code(&body), Some("INTERNAL_SERVER_ERROR"));
    assert!(!response.body().contains("secret"));
}

#[tokio::test]
async fn unacceptable_response_types_get_406() {
    let app = TestApp::new().await;
    let mut request = post("application/json", r#"{"query":"{ __typename }"}"#);
    request
        .headers_mut()
        .insert(header::ACCEPT, "text/plain".parse().unwrap());
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::NOT_ACCEPTABLE);
    assert_eq!(error_code(&body), Some("NOT_ACCEPTABLE"));
}

#[tokio::test]
async fn cors_allows_only_configured_origins() {
    let (mut config, dir) = test_config();
    config.cors_origins = vec!["https://mini.example.cn".to_owned()];
    let app = TestApp::with_config(config, dir).await;
    let preflight = |origin: &str| {
        Request::options("/graphql")
            .header(header::ORIGIN, origin)
            .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
            .header(
                header::ACCESS_CONTROL_REQUEST_HEADERS,
                "authorization, content-type",
            )
            .body(Body::empty())
            .unwrap()
    };
    let (_, headers, _) = app.send(preflight("https://mini.example.cn")).await;
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://mini.example.cn"
    );
    let (_, headers, _) = app.send(preflight("https://evil.example.com")).await;
    assert!(headers.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

/// The GraphQL spec's rule for a failing nullable field: `null` in its place and the error
/// beside it (async-graphql by itself leaves the field out), so a client's cache sees a
/// value, and the other fields still come back.
#[tokio::test]
async fn a_failing_nullable_field_answers_null_beside_its_error() {
    let app = TestApp::new().await;
    let staff = app
        .caller(
            entity::role_grant::Role::CommunityStaff,
            crate::helpers::Scope::Community(app.tree.a1),
        )
        .await;
    let query = "query($c: ID!) { me { username } committee(compoundId: $c) { id } }";
    let vars = json!({ "c": uuid::Uuid::now_v7() });
    let body = app.gql(Some(&staff), query, vars).await;
    assert_eq!(body["data"]["me"]["username"], staff.username.as_str());
    assert_eq!(body["data"].get("committee"), Some(&json!(null)), "{body}");
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    assert_eq!(body["errors"][0]["path"], json!(["committee"]));
}
