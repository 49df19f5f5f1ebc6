//! Closed sets are GraphQL enums, so generated client types name every value: residents,
//! ledger entries and funds answer with SCREAMING_CASE values, an unknown value in an input
//! is refused before anything runs, and a stored value outside its set is an internal error
//! (never a guess, never the stored text).

use entity::{resident, role_grant::Role};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

use crate::{
    funds::{CONTRIBUTE, contribution, fund_setup},
    helpers::{Scope, TestApp, data, error_code},
    residents::{CREATE, ID_NUMBER, household, resident_input},
};

#[tokio::test]
async fn residents_answer_with_enum_values_and_filter_by_them() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let mut input = resident_input(&h, "王秀英", ID_NUMBER, "138 0013 5678");
    input["in"]["tags"] = json!(["VETERAN", "ELDERLY_ALONE"]);
    let body = app.gql(Some(&staff), CREATE, input).await;
    let id = data(&body)["createResident"]["resident"]["id"].clone();

    let read = "query($id: ID!) { resident(id: $id) { gender documentType relation tags } }";
    let body = app.gql(Some(&staff), read, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["resident"],
        json!({ "gender": "FEMALE", "documentType": "MAINLAND_ID_CARD", "relation": "HEAD", "tags": ["ELDERLY_ALONE", "VETERAN"] })
    );

    let by_tag = "query($t: ResidentTag!) { residents(filter: {tag: $t}) { totalCount } }";
    let count = |body: &Value| data(body)["residents"]["totalCount"].clone();
    let veterans = app
        .gql(Some(&staff), by_tag, json!({ "t": "VETERAN" }))
        .await;
    assert_eq!(count(&veterans), 1);
    let disabled = app
        .gql(Some(&staff), by_tag, json!({ "t": "DISABLED" }))
        .await;
    assert_eq!(count(&disabled), 0);

    let dashboard =
        "query($c: ID!) { residentDashboard(communityId: $c) { byTag { tag residents } } }";
    let body = app
        .gql(Some(&staff), dashboard, json!({ "c": app.tree.a1 }))
        .await;
    let by_tag = data(&body)["residentDashboard"]["byTag"]
        .as_array()
        .unwrap();
    assert_eq!(by_tag.len(), 7, "every known tag, carried or not");
    assert!(by_tag.contains(&json!({ "tag": "VETERAN", "residents": 1 })));
    assert!(by_tag.contains(&json!({ "tag": "LOW_INCOME", "residents": 0 })));
}

#[tokio::test]
async fn ledger_entries_and_funds_answer_with_enum_values() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let body = app
        .gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "50.00", "enum-0001"),
        )
        .await;
    let entry = data(&body)["recordContribution"]["entry"]["id"].clone();
    let reverse = "mutation($id: ID!) { reverseLedgerEntry(input: {entryId: $id, reason: \"金额记错, 应为50元\", idempotencyKey: \"enum-0002\"}) { entry { seq } } }";
    data(
        &app.gql(Some(&s.treasurer), reverse, json!({ "id": entry }))
            .await,
    );

    let fund =
        "query($id: ID!) { fund(id: $id) { status ledger(first: 10) { nodes { kind channel } } } }";
    let body = app
        .gql(Some(&s.treasurer), fund, json!({ "id": s.fund }))
        .await;
    assert_eq!(
        data(&body)["fund"],
        json!({ "status": "OPEN", "ledger": { "nodes": [
            { "kind": "CONTRIBUTION", "channel": "WECHAT" },
            { "kind": "REVERSAL", "channel": "WECHAT" },
        ] } })
    );
}

#[tokio::test]
async fn unknown_enum_values_in_inputs_are_refused_before_anything_runs() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let residents = app.count::<resident::Entity>().await;

    // The old lowercase spelling, and a typo, in a variable.
    for tags in [json!(["elderly_alone"]), json!(["ELDERLY_ALONEE"])] {
        let mut input = resident_input(&h, "王秀英", ID_NUMBER, "");
        input["in"]["tags"] = tags.clone();
        let body = app.gql(Some(&staff), CREATE, input).await;
        assert_eq!(
            error_code(&body),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{tags}: {body}"
        );
        assert_eq!(body["data"], Value::Null, "{body}");
    }
    // In the query text: the old spelling, quoted or not.
    for query in [
        "{ residents(filter: {tag: \"veteran\"}) { totalCount } }",
        "{ residents(filter: {tag: veteran}) { totalCount } }",
    ] {
        let body = app.gql(Some(&staff), query, json!({})).await;
        assert_eq!(
            error_code(&body),
            Some("GRAPHQL_VALIDATION_FAILED"),
            "{query}: {body}"
        );
    }
    assert_eq!(
        app.count::<resident::Entity>().await,
        residents,
        "nothing was written"
    );
}

#[tokio::test]
async fn a_stored_value_outside_its_set_is_an_internal_error_not_a_guess() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let body = app
        .gql(
            Some(&staff),
            CREATE,
            resident_input(&h, "王秀英", ID_NUMBER, ""),
        )
        .await;
    let id = data(&body)["createResident"]["resident"]["id"].clone();
    // A hand-edited row, or a value a newer version wrote before a rollback.
    app.db()
        .writer()
        .execute_unprepared("UPDATE resident SET gender = 'nonbinary-typo'")
        .await
        .unwrap();

    let read = "query($id: ID!) { resident(id: $id) { name gender } }";
    let body = app.gql(Some(&staff), read, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("INTERNAL_SERVER_ERROR"), "{body}");
    let text = body["errors"].to_string();
    assert!(
        !text.contains("nonbinary") && !text.contains("Gender"),
        "the stored value stays in the log: {text}"
    );
}
