//! Introspection as client tools send it: graphql-js's `getIntrospectionQuery()` (GraphiQL,
//! codegen, Apollo and Relay tooling, Postman, Insomnia) passes the depth limit, which
//! still holds for data; introspection has its own depth rule; turned off, it answers an
//! error and validation stops suggesting names.

use axum::http::{Request, StatusCode, header};
use serde_json::{Value, json};

use crate::helpers::{TestApp, data, error_code, test_config};

/// graphql-js 16.11.0's `getIntrospectionQuery()`, exactly; see fixtures/README.md.
const DEFAULT: &str = include_str!("fixtures/introspection-default.graphql");
/// The same with every option on (descriptions, specifiedByUrl, directiveIsRepeatable,
/// schemaDescription, inputValueDeprecation, oneOf).
const ALL_OPTIONS: &str = include_str!("fixtures/introspection-all-options.graphql");

/// POSTs as a client tool does: named operation, the GraphQL response media type.
async fn introspect(app: &TestApp, query: &str) -> (StatusCode, Value) {
    let body = json!({ "query": query, "operationName": "IntrospectionQuery", "variables": {} });
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(
            header::ACCEPT,
            "application/graphql-response+json, application/json;q=0.9",
        )
        .body(body.to_string().into())
        .unwrap();
    let (status, _, body) = app.send(request).await;
    (status, body)
}

fn message(body: &Value) -> &str {
    body["errors"][0]["message"].as_str().unwrap_or("")
}

/// `communities { edges { node { streetOffice { communities ... name } } } }`, `levels`
/// fields deep (at least 4).
fn data_fields(levels: usize) -> String {
    let (mut open, mut close) = (
        "communities { edges { node { ".to_owned(),
        "} } }".to_owned(),
    );
    for level in 4..levels {
        let field = if level % 2 == 0 {
            "streetOffice"
        } else {
            "communities"
        };
        open.push_str(field);
        open.push_str(" { ");
        close.push_str(" }");
    }
    format!("{open}name {close}")
}

#[tokio::test]
async fn graphql_js_introspection_queries_pass_and_data_depth_still_holds() {
    assert!(
        DEFAULT.contains("ofType") && ALL_OPTIONS.contains("isOneOf"),
        "the fixtures are graphql-js introspection queries"
    );
    let app = TestApp::new().await;
    for (name, query) in [("default", DEFAULT), ("all options", ALL_OPTIONS)] {
        let (status, body) = introspect(&app, query).await;
        assert_eq!(status, StatusCode::OK, "{name}: {body}");
        let schema = &data(&body)["__schema"];
        assert_eq!(schema["queryType"]["name"], "Query", "{name}");
        assert_eq!(schema["mutationType"]["name"], "Mutation", "{name}");
        assert_eq!(schema["subscriptionType"]["name"], "Subscription", "{name}");
        let types = schema["types"].as_array().unwrap();
        assert!(
            types.iter().any(|t| t["name"] == "Community"),
            "{name}: the domain types are listed"
        );
    }

    let admin = app.platform_admin().await;
    for levels in [12, 13] {
        let query = format!("{{ {} }}", data_fields(levels));
        let body = app.gql(Some(&admin), &query, json!({})).await;
        if levels == 12 {
            data(&body);
        } else {
            assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
            assert!(message(&body).contains("13 levels"), "{body}");
            assert!(body["data"].is_null());
        }
    }
    // Beside introspection, and hidden in fragments, data is measured all the same.
    let beside = format!(
        "{{ __schema {{ queryType {{ name }} }} {} }}",
        data_fields(13)
    );
    let body = app.gql(Some(&admin), &beside, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    let fragments = "query { ...Top } \
        fragment Top on Query { communities { edges { node { ...Up } } } } \
        fragment Up on Community { streetOffice { communities { ...Down } } } \
        fragment Down on Community { streetOffice { communities { streetOffice { communities { streetOffice { communities { streetOffice { name } } } } } } } }";
    let body = app.gql(Some(&admin), fragments, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
    assert!(message(&body).contains("13 levels"), "{body}");
}

#[tokio::test]
async fn introspection_has_its_own_depth_rule_and_fragment_cycles_end() {
    let app = TestApp::new().await;
    // graphql-js's MaxIntrospectionDepthRule: three nested lists of types are too many.
    let fanout =
        "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }";
    let through_fragments = "query { __type(name: \"Query\") { ...F } } \
        fragment F on __Type { fields { type { ...G } } } \
        fragment G on __Type { interfaces { possibleTypes { name } } }";
    for query in [fanout, through_fragments] {
        let body = app.gql(None, query, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{body}"
        );
        assert!(message(&body).contains("introspection depth"), "{body}");
    }
    let two = "{ __type(name: \"Query\") { fields { type { ofType { fields { name } } } } } }";
    data(&app.gql(None, two, json!({})).await);

    // The walk runs before validation, which is what refuses cycles: it must end.
    let cycle =
        "query { ...A } fragment A on Query { me { id } ...B } fragment B on Query { ...A }";
    let body = app.gql(None, cycle, json!({})).await;
    assert_eq!(
        error_code(&body),
        Some("GRAPHQL_VALIDATION_FAILED"),
        "{body}"
    );
}

#[tokio::test]
async fn without_introspection_it_is_an_error_and_nothing_is_suggested() {
    let app = TestApp::new().await;
    let typo = "{ communitie { totalCount } }";
    let body = app.gql(None, typo, json!({})).await;
    assert!(
        message(&body).contains("Did you mean"),
        "suggestions while introspection is on: {body}"
    );

    let (mut config, dir) = test_config();
    config.introspection = false;
    let app = TestApp::with_config(config, dir).await;
    let body = app.gql(None, typo, json!({})).await;
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
    assert!(!message(&body).contains("Did you mean"), "{body}");
    assert!(!message(&body).contains("communities"), "{body}");

    for query in [
        DEFAULT,
        ALL_OPTIONS,
        "{ __schema { queryType { name } } }",
        "{ __type(name: \"Query\") { name } }",
        "query { ...F } fragment F on Query { __typename __type(name: \"Mutation\") { name } }",
    ] {
        let (status, body) = introspect(&app, query).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
        assert!(
            message(&body).contains("introspection is disabled"),
            "{body}"
        );
    }
    let body = app.gql(None, "{ __typename }", json!({})).await;
    assert_eq!(data(&body)["__typename"], "Query");
}
