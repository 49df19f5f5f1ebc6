//! Persisted documents: automatic persisted queries (Apollo's protocol) over POST and GET,
//! the cache's bounds, what GET answers may be cached, and trusted documents.

use axum::{
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use entity::role_grant::Role;
use jiedao::{StartupError, build_state};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    funds::{CONTRIBUTE, contribution, fund_setup},
    helpers::{Caller, Scope, TestApp, data, error_code, test_config},
    statements::{PUBLIC, PUBLISH},
};

/// Anonymous, with variables and an operation name, so GET shows they travel too.
const TYPE_NAME: &str = "query TypeName($name: String!) { __type(name: $name) { name } }";

fn sha256(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

fn persisted(hash: &str) -> Value {
    json!({ "persistedQuery": { "version": 1, "sha256Hash": hash } })
}

async fn post(
    app: &TestApp,
    caller: Option<&Caller>,
    body: Value,
) -> (StatusCode, HeaderMap, Value) {
    let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "application/json");
    if let Some(caller) = caller {
        request = request.header(header::AUTHORIZATION, format!("Bearer {}", caller.token));
    }
    app.send(request.body(Body::from(body.to_string())).unwrap())
        .await
}

/// `GET /graphql` with the hash alone, as Apollo's `useGETForHashedQueries` sends it.
async fn get_hashed(
    app: &TestApp,
    caller: Option<&Caller>,
    hash: &str,
    variables: Value,
    operation_name: Option<&str>,
) -> (StatusCode, HeaderMap, Value) {
    let mut params = vec![
        ("extensions", persisted(hash).to_string()),
        ("variables", variables.to_string()),
    ];
    if let Some(name) = operation_name {
        params.push(("operationName", name.to_owned()));
    }
    let query = serde_urlencoded::to_string(&params).unwrap();
    let mut request = Request::get(format!("/graphql?{query}"));
    if let Some(caller) = caller {
        request = request.header(header::AUTHORIZATION, format!("Bearer {}", caller.token));
    }
    app.send(request.body(Body::empty()).unwrap()).await
}

fn hashed(hash: &str, variables: Value) -> Value {
    json!({ "extensions": persisted(hash), "variables": variables })
}

fn with_text(query: &str, hash: &str, variables: Value) -> Value {
    json!({ "query": query, "extensions": persisted(hash), "variables": variables })
}

#[tokio::test]
async fn a_hash_alone_is_not_found_until_the_text_registers_it_then_served_by_post_and_get() {
    let app = TestApp::new().await;
    let hash = sha256(TYPE_NAME);
    let vars = json!({ "name": "Query" });

    let (status, headers, body) = post(&app, None, hashed(&hash, vars.clone())).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "Apollo clients retry on 200: {body}"
    );
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"));
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
    assert_eq!(
        headers[header::CACHE_CONTROL],
        "private, no-cache, must-revalidate"
    );
    let (status, _, body) = get_hashed(&app, None, &hash, vars.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"));
    // The protocol's words stay as they are for a Chinese client: Apollo matches on them.
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::ACCEPT_LANGUAGE, "zh-CN,zh;q=0.9")
        .body(Body::from(hashed(&hash, vars.clone()).to_string()))
        .unwrap();
    let (_, _, body) = app.send(request).await;
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");

    // The client's retry: text and hash, run and registered.
    let (status, _, body) = post(&app, None, with_text(TYPE_NAME, &hash, vars.clone())).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body)["__type"]["name"], "Query");

    let (_, _, body) = post(&app, None, hashed(&hash, json!({ "name": "Mutation" }))).await;
    assert_eq!(data(&body)["__type"]["name"], "Mutation");
    let (status, _, body) = get_hashed(&app, None, &hash, vars, Some("TypeName")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body)["__type"]["name"], "Query");
    // Some clients send `"query": null` with the hash.
    let body =
        json!({ "query": null, "extensions": persisted(&hash), "variables": { "name": "Query" } });
    let (_, _, body) = post(&app, None, body).await;
    assert_eq!(data(&body)["__type"]["name"], "Query");
    // GraphQL Code Generator names documents `sha256:<hex>`: the same document.
    let (_, _, body) = post(
        &app,
        None,
        hashed(&format!("sha256:{hash}"), json!({ "name": "Query" })),
    )
    .await;
    assert_eq!(data(&body)["__type"]["name"], "Query");
    // Upper-case hex names the same document.
    let (_, _, body) = post(
        &app,
        None,
        hashed(&hash.to_uppercase(), json!({ "name": "Query" })),
    )
    .await;
    assert_eq!(data(&body)["__type"]["name"], "Query");
}

#[tokio::test]
async fn a_wrong_hash_is_refused_and_nothing_is_kept() {
    let app = TestApp::new().await;
    let wrong = sha256("{ __typename }");
    let vars = json!({ "name": "Query" });
    let (status, _, body) = post(&app, None, with_text(TYPE_NAME, &wrong, vars.clone())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_HASH_MISMATCH"));
    assert_eq!(
        body["errors"][0]["message"],
        "provided sha does not match query"
    );
    assert!(body.get("data").is_none(), "nothing ran: {body}");
    for hash in [wrong, sha256(TYPE_NAME)] {
        let (_, _, body) = post(&app, None, hashed(&hash, vars.clone())).await;
        assert_eq!(
            error_code(&body),
            Some("PERSISTED_QUERY_NOT_FOUND"),
            "{hash}"
        );
    }

    // Extensions without a persisted query are no document.
    let (status, _, body) = app
        .send(
            Request::get("/graphql?extensions=%7B%7D")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(error_code(&body), Some("BAD_REQUEST"));
    // A malformed extension is a bad request, not a miss.
    for extension in [
        json!({ "persistedQuery": { "version": 2, "sha256Hash": sha256(TYPE_NAME) } }),
        json!({ "persistedQuery": { "version": 1, "sha256Hash": "abc" } }),
        json!({ "persistedQuery": "yes" }),
    ] {
        let body = json!({ "query": TYPE_NAME, "variables": vars, "extensions": extension });
        let (status, _, body) = post(&app, None, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{extension}");
        assert_eq!(error_code(&body), Some("BAD_REQUEST"), "{extension}");
    }
}

#[tokio::test]
async fn a_full_cache_forgets_the_least_recently_used_document() {
    let (mut config, dir) = test_config();
    config.apq_cache_entries = 2;
    let app = TestApp::with_config(config, dir).await;
    let documents = [
        "query A { __typename }",
        "query B { __typename }",
        "query C { __typename }",
    ];
    let register = |text: &'static str| {
        let app = &app;
        async move {
            let (_, _, body) = post(app, None, with_text(text, &sha256(text), json!({}))).await;
            assert_eq!(data(&body)["__typename"], "Query");
        }
    };
    let served = |text: &'static str| {
        let app = &app;
        async move {
            let (_, _, body) = post(app, None, hashed(&sha256(text), json!({}))).await;
            error_code(&body).is_none()
        }
    };
    register(documents[0]).await;
    register(documents[1]).await;
    assert!(served(documents[0]).await, "A used after B was registered");
    register(documents[2]).await;
    assert!(!served(documents[1]).await, "B was the least recently used");
    assert!(served(documents[0]).await);
    assert!(served(documents[2]).await);

    // With no entries at all, APQ is off and says so: Apollo clients stop sending hashes.
    let (mut config, dir) = test_config();
    config.apq_cache_entries = 0;
    let off = TestApp::with_config(config, dir).await;
    let text = documents[0];
    let (status, _, body) = post(&off, None, hashed(&sha256(text), json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_SUPPORTED"));
    assert_eq!(body["errors"][0]["message"], "PersistedQueryNotSupported");
}

#[tokio::test]
async fn a_mutation_named_by_hash_is_refused_over_get() {
    let app = TestApp::new().await;
    let mutation = r#"mutation { logout(input: {refreshToken: "x"}) { ok } }"#;
    let hash = sha256(mutation);
    // Registered over POST, where it runs (and fails: no such session).
    let (status, _, _) = post(&app, None, with_text(mutation, &hash, json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    let (status, headers, body) = get_hashed(&app, None, &hash, json!({}), None).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{body}");
    assert_eq!(headers[header::ALLOW], "POST");
    assert_eq!(error_code(&body), Some("METHOD_NOT_ALLOWED"));
    // Text and hash over GET: refused before it is registered or run.
    let other = r#"mutation { logout(input: {refreshToken: "y"}) { ok } }"#;
    let params = serde_urlencoded::to_string([
        ("query", other.to_owned()),
        ("extensions", persisted(&sha256(other)).to_string()),
    ])
    .unwrap();
    let (status, _, _) = app
        .send(
            Request::get(format!("/graphql?{params}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    let (_, _, body) = post(&app, None, hashed(&sha256(other), json!({}))).await;
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_FOUND"));
}

#[tokio::test]
async fn anonymous_public_answers_over_get_may_be_cached_and_authorised_ones_never() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let input = contribution(&s, "王秀英", "50.00", "apq-key-0001");
    data(&app.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
    let body = app
        .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
        .await;
    let token = data(&body)["publishStatement"]["shareToken"].clone();
    let vars = json!({ "t": token });
    let hash = sha256(PUBLIC);
    data(
        &post(&app, None, with_text(PUBLIC, &hash, vars.clone()))
            .await
            .2,
    );

    let (status, headers, body) = get_hashed(&app, None, &hash, vars.clone(), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body)["publicStatement"]["closingBalance"], "50.00");
    assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=60");
    let vary = headers[header::VARY].to_str().unwrap();
    assert!(
        vary.contains("Authorization") && vary.contains("Accept"),
        "{vary}"
    );

    let (status, headers, body) = get_hashed(&app, Some(&s.treasurer), &hash, vars, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body)["publicStatement"]["closingBalance"], "50.00");
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");

    // An error (a wrong share link) is never kept, even anonymous.
    let (_, headers, body) =
        get_hashed(&app, None, &hash, json!({ "t": "no-such-link" }), None).await;
    assert!(body.get("errors").is_some(), "{body}");
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    // POST answers are not cacheable by HTTP's rules and say nothing.
    let (_, headers, _) = post(&app, None, hashed(&hash, json!({ "t": token }))).await;
    assert!(headers.get(header::CACHE_CONTROL).is_none());
}

const ME: &str = "query Me { me { username } }";

/// An app that runs only [`ME`] (and introspection, which follows its own switch).
async fn trusted_app(introspection: bool) -> TestApp {
    let (mut config, dir) = test_config();
    let manifest = dir.path().join("persisted-documents.json");
    std::fs::write(&manifest, json!({ sha256(ME): ME }).to_string()).unwrap();
    config.trusted_documents = Some(manifest);
    config.introspection = introspection;
    TestApp::with_config(config, dir).await
}

#[tokio::test]
async fn trusted_documents_run_only_what_the_manifest_holds() {
    let app = trusted_app(true).await;
    let user = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;

    let (status, _, body) = post(&app, Some(&user), hashed(&sha256(ME), json!({}))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(data(&body)["me"]["username"], user.username);
    let (_, _, body) = post(&app, Some(&user), json!({ "query": ME })).await;
    assert_eq!(
        data(&body)["me"]["username"],
        user.username,
        "registered text runs too"
    );
    let (_, headers, body) = get_hashed(&app, Some(&user), &sha256(ME), json!({}), None).await;
    assert_eq!(data(&body)["me"]["username"], user.username);
    assert_eq!(headers[header::CACHE_CONTROL], "private, no-store");

    let other = "query Me { me { id username } }";
    for request in [
        json!({ "query": other }),
        hashed(&sha256(other), json!({})),
        // Registration is off: text with its hash is refused, and stays unknown.
        with_text(other, &sha256(other), json!({})),
        hashed(&sha256(other), json!({})),
    ] {
        let (status, _, body) = post(&app, Some(&user), request.clone()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{request}");
        assert_eq!(
            error_code(&body),
            Some("PERSISTED_QUERY_NOT_ALLOWED"),
            "{request}"
        );
        assert!(body.get("data").is_none());
    }
    // A multipart request is no way around the list.
    let operations = json!({ "query": other, "variables": {} }).to_string();
    let boundary = "XyZ";
    let multipart = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n{operations}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"map\"\r\n\r\n{{}}\r\n--{boundary}--\r\n"
    );
    let (status, _, body) = app
        .send(
            Request::post("/graphql")
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .header(header::AUTHORIZATION, format!("Bearer {}", user.token))
                .body(Body::from(multipart))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_ALLOWED"));

    // Introspection follows JIEDAO_INTROSPECTION, not the manifest.
    let introspection = "{ __schema { queryType { name } } }";
    let (_, _, body) = post(&app, None, json!({ "query": introspection })).await;
    assert_eq!(data(&body)["__schema"]["queryType"]["name"], "Query");
    let closed = trusted_app(false).await;
    let (status, _, body) = post(&closed, None, json!({ "query": introspection })).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(error_code(&body), Some("PERSISTED_QUERY_NOT_ALLOWED"));
}

#[tokio::test]
async fn a_bad_manifest_refuses_startup_and_says_why() {
    let cases: [(&str, Option<String>, &str); 4] = [
        ("missing", None, "cannot read"),
        ("not json", Some("[1, 2".into()), "not a JSON object"),
        (
            "not a hash",
            Some(json!({ "abc": ME }).to_string()),
            "is not a SHA-256 hash",
        ),
        (
            "wrong hash",
            Some(json!({ sha256("{ __typename }"): ME }).to_string()),
            "does not have that SHA-256 hash",
        ),
    ];
    for (case, contents, expected) in cases {
        let (mut config, dir) = test_config();
        let manifest = dir.path().join("persisted-documents.json");
        if let Some(contents) = contents {
            std::fs::write(&manifest, contents).unwrap();
        }
        config.trusted_documents = Some(manifest.clone());
        let Err(err) = build_state(config).await else {
            panic!("{case}: started with a bad manifest");
        };
        assert!(
            matches!(err, StartupError::TrustedDocuments(_)),
            "{case}: {err}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("JIEDAO_TRUSTED_DOCUMENTS: "),
            "{case}: {message}"
        );
        assert!(
            message.contains(&manifest.display().to_string()),
            "{case}: {message}"
        );
        assert!(message.contains(expected), "{case}: {message}");
    }
}
