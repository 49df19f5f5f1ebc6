//! Error messages in the client's language: Simplified Chinese when `Accept-Language`
//! prefers it, English otherwise, with the same codes and extensions either way.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::helpers::{Caller, Scope, TestApp, graphql_request};

const CHINESE: &str = "zh-CN,zh;q=0.9,en;q=0.8";
const ENGLISH_FIRST: &str = "en-US,en;q=0.9,zh;q=0.5";

/// POSTs a GraphQL request with an optional `Accept-Language`; the JSON body.
async fn ask(
    app: &TestApp,
    caller: Option<&Caller>,
    language: Option<&str>,
    query: &str,
    variables: Value,
) -> Value {
    let token = caller.map(|caller| caller.token.as_str());
    let mut request = graphql_request("/graphql", token, None, query, variables);
    if let Some(language) = language {
        let value = header::HeaderValue::from_str(language).unwrap();
        request.headers_mut().insert(header::ACCEPT_LANGUAGE, value);
    }
    let (status, _, body) = app.send(request.map(Body::from)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// The first error's message and extensions, asked in each of three languages.
async fn in_each_language(
    app: &TestApp,
    caller: Option<&Caller>,
    query: &str,
    variables: Value,
) -> [(String, Value); 3] {
    let mut answers = Vec::new();
    for language in [Some(CHINESE), None, Some(ENGLISH_FIRST)] {
        let body = ask(app, caller, language, query, variables.clone()).await;
        let error = &body["errors"][0];
        answers.push((
            error["message"].as_str().unwrap_or_default().to_owned(),
            error["extensions"].clone(),
        ));
    }
    answers.try_into().unwrap()
}

/// Chinese for `zh-CN`, English without a header and for a header preferring English; the
/// extensions (code, field …) identical in all three.
async fn assert_localised(
    app: &TestApp,
    caller: Option<&Caller>,
    query: &str,
    variables: Value,
    chinese: &str,
    english: &str,
    code: &str,
) -> Value {
    let [(zh, zh_ext), (none, none_ext), (en, en_ext)] =
        in_each_language(app, caller, query, variables).await;
    assert_eq!(zh, chinese);
    assert_eq!(none, english);
    assert_eq!(en, english);
    assert_eq!(zh_ext["code"], code);
    assert_eq!(zh_ext, none_ext);
    assert_eq!(zh_ext, en_ext);
    zh_ext
}

#[tokio::test]
async fn resolver_errors_come_in_chinese_when_asked_with_the_same_codes() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;

    assert_localised(
        &app,
        Some(&staff),
        "query($id: ID!) { household(id: $id) { id } }",
        json!({ "id": uuid::Uuid::now_v7() }),
        "未找到该住户",
        "household not found",
        "NOT_FOUND",
    )
    .await;

    assert_localised(
        &app,
        Some(&staff),
        "{ users { totalCount } }",
        json!({}),
        "只有管理员可以查看用户列表",
        "only admins list users",
        "FORBIDDEN",
    )
    .await;

    let extensions = assert_localised(
        &app,
        Some(&admin),
        "mutation($in: CreateUserInput!) { createUser(input: $in) { user { id } } }",
        json!({ "in": { "username": "ab", "displayName": "刘洋", "initialPassword": "initial pass 1", "homeCommunityId": t.a1 } }),
        "用户名长度为 3 至 64 个字符",
        "a username has 3 to 64 characters",
        "BAD_USER_INPUT",
    )
    .await;
    assert_eq!(extensions["field"], "input.username");

    // Anonymous callers are told in their language too.
    assert_localised(
        &app,
        None,
        "{ me { id } }",
        json!({}),
        "请先登录",
        "log in first",
        "UNAUTHENTICATED",
    )
    .await;
}

#[tokio::test]
async fn a_rate_limit_is_explained_in_chinese() {
    let app = TestApp::new().await;
    // One password check per request: the second login of the request is refused.
    let twice = r#"mutation {
        a: login(input: {username: "nobody", password: "wrong password"}) { accessToken }
        b: login(input: {username: "nobody", password: "wrong password"}) { accessToken }
    }"#;
    let limited = |body: &Value| {
        body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["extensions"]["code"] == "RATE_LIMITED")
            .cloned()
            .unwrap_or_else(|| panic!("no RATE_LIMITED in {body}"))
    };
    let zh = limited(&ask(&app, None, Some("zh"), twice, json!({})).await);
    let en = limited(&ask(&app, None, None, twice, json!({})).await);
    assert_eq!(zh["message"], "请求过于频繁，请稍后再试");
    assert_eq!(en["message"], "too many attempts, try again later");
    assert_eq!(zh["extensions"], en["extensions"]);
    assert!(zh["extensions"]["retryAfterSeconds"].as_i64().unwrap() > 0);
}

#[tokio::test]
async fn query_limits_of_ours_are_translated_and_library_validation_text_is_not() {
    let app = TestApp::new().await;
    let aliases: String = (0..40).map(|i| format!("a{i}: __typename ")).collect();
    let query = format!("{{ {aliases} }}");
    let body = ask(&app, None, Some("zh-Hans"), &query, json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("查询使用了 40 个别名"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
    // async-graphql's own validation text stays English: it is not ours to translate.
    let body = ask(&app, None, Some("zh-CN"), "{ noSuchField }", json!({})).await;
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("noSuchField"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "GRAPHQL_VALIDATION_FAILED"
    );
}

#[tokio::test]
async fn http_refusals_come_in_chinese_when_asked() {
    let app = TestApp::new().await;
    let refuse = |language: Option<&'static str>| {
        let mut request = Request::post("/graphql").header(header::CONTENT_TYPE, "text/plain");
        if let Some(language) = language {
            request = request.header(header::ACCEPT_LANGUAGE, language);
        }
        request.body(Body::from("{ __typename }")).unwrap()
    };
    let (status, _, zh) = app.send(refuse(Some("zh-CN"))).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (_, _, en) = app.send(refuse(None)).await;
    let (_, _, en_first) = app.send(refuse(Some(ENGLISH_FIRST))).await;
    assert_eq!(
        zh["errors"][0]["message"],
        "请以 application/json 格式发送请求，上传文件请使用 multipart/form-data"
    );
    assert_eq!(
        en["errors"][0]["message"],
        "send the request as application/json, or multipart/form-data to upload files"
    );
    assert_eq!(en_first, en);
    assert_eq!(zh["errors"][0]["extensions"], en["errors"][0]["extensions"]);
    assert_eq!(
        zh["errors"][0]["extensions"]["code"],
        "UNSUPPORTED_MEDIA_TYPE"
    );

    // A mutation over GET: 405, its message in Chinese.
    let request = Request::get("/graphql?query=mutation%20%7B%20logout%20%7D")
        .header(header::ACCEPT_LANGUAGE, "zh")
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["errors"][0]["message"], "变更操作须使用 POST 发送");
}
