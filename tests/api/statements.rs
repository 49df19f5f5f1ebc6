//! Publication (公示): statements of a range of the ledger, read through a share link by
//! anyone without logging in, counterparties masked, hashes recomputable from the
//! statement alone; unpublished entries never public.

use entity::role_grant::Role;
use serde_json::json;
use uuid::Uuid;

use crate::{
    funds::{CONTRIBUTE, contribution, documented_hash, fund_setup},
    helpers::{Scope, TestApp, data, error_code},
};

pub const PUBLISH: &str =
    "mutation($f: ID!) { publishStatement(input: {fundId: $f}) { shareToken fromSeq toSeq } }";
pub const PUBLIC: &str = "query($t: String!) { publicStatement(shareToken: $t) { fundId fundName compoundName fromSeq toSeq firstOccurredAt lastOccurredAt openingBalance closingBalance headHash csv entries { seq kind amount balanceAfter counterparty counterpartyId memo occurredAt recordedAt expenseId levyId resolutionId reversesEntryId prevHash hash } } }";

#[tokio::test]
async fn anyone_with_the_link_reads_a_statement_and_can_recompute_its_hashes() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    for (i, who) in ["王秀英", "李建国"].iter().enumerate() {
        data(
            &app.gql(
                Some(&s.treasurer),
                CONTRIBUTE,
                contribution(&s, who, "50.00", &format!("stmt-key-{i:04}")),
            )
            .await,
        );
    }
    let donor = json!({ "in": { "fundId": s.fund, "amount": "100.00", "donorName": "赵热心", "channel": "CASH_BOX", "idempotencyKey": "stmt-key-0009" } });
    data(&app.gql(Some(&s.treasurer), CONTRIBUTE, donor).await);
    let body = app
        .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
        .await;
    let published = &data(&body)["publishStatement"];
    assert_eq!(
        (published["fromSeq"].clone(), published["toSeq"].clone()),
        (json!(1), json!(3))
    );
    let token = published["shareToken"].as_str().unwrap().to_owned();
    // A later entry is not in the published statement.
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "张伟", "20.00", "stmt-key-0010"),
        )
        .await,
    );

    let body = app.gql(None, PUBLIC, json!({ "t": token })).await;
    let statement = &data(&body)["publicStatement"];
    assert_eq!(statement["compoundName"], "和韵小区");
    assert_eq!(
        (
            statement["openingBalance"].clone(),
            statement["closingBalance"].clone()
        ),
        (json!("0.00"), json!("200.00"))
    );
    let entries = statement["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let labels: Vec<&str> = entries
        .iter()
        .map(|e| e["counterparty"].as_str().unwrap())
        .collect();
    assert_eq!(labels, vec!["3号楼1单元", "3号楼1单元", "赵**"]);
    let text = body.to_string();
    for secret in ["赵热心", "王秀英", "13800135678", "11010519491231002X"] {
        assert!(!text.contains(secret), "{secret} must not be public");
    }
    assert!(statement["csv"].as_str().unwrap().contains("赵**"));
    // A logged-in reader opens the link too (a mini-program sends its token with every
    // request), from another community or from this one, and sees the same statement.
    for scope in [Scope::Community(app.tree.b1), Scope::Community(app.tree.a1)] {
        let reader = app.caller(Role::CommunityAdmin, scope).await;
        let again = app.gql(Some(&reader), PUBLIC, json!({ "t": token })).await;
        assert_eq!(data(&again)["publicStatement"], *statement);
    }
    // The chain recomputes from the statement alone, up to its head hash.
    let mut prev = "0".repeat(64);
    for e in entries {
        assert_eq!(e["prevHash"], json!(prev));
        prev = documented_hash(statement["fundId"].as_str().unwrap(), &prev, e);
        assert_eq!(e["hash"], json!(prev));
    }
    assert_eq!(statement["headHash"], json!(prev));

    // The next statement starts where this one ended.
    let body = app
        .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
        .await;
    assert_eq!(data(&body)["publishStatement"]["fromSeq"], 4);
    let body = app
        .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "nothing new to publish"
    );
    let body = app.gql(None, PUBLIC, json!({ "t": "not-a-token" })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn only_the_treasurer_publishes() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "5.00", "pub-perm-0001"),
        )
        .await,
    );
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                Uuid::parse_str(s.households["张伟"].as_str().unwrap()).unwrap(),
            ),
        )
        .await;
    let body = app
        .gql(Some(&resident), PUBLISH, json!({ "f": s.fund }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let other = app
        .caller(
            Role::Treasurer,
            Scope::Below(app.tree.a1, app.tree.compound_a1),
        )
        .await;
    let body = app.gql(Some(&other), PUBLISH, json!({ "f": s.fund })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&outsider), PUBLISH, json!({ "f": s.fund }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn readers_list_statements_and_only_an_empty_fund_closes() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "5.00", "close-key-0001"),
        )
        .await,
    );
    data(
        &app.gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
            .await,
    );
    let list = "query($f: ID!) { fund(id: $f) { status statements { nodes { fromSeq toSeq closingBalance } } } }";
    let body = app.gql(Some(&s.staff), list, json!({ "f": s.fund })).await;
    assert_eq!(
        data(&body)["fund"]["statements"]["nodes"],
        json!([{ "fromSeq": 1, "toSeq": 1, "closingBalance": "5.00" }])
    );
    let close = "mutation($f: ID!) { closeFund(fundId: $f) { fund { status } } }";
    let body = app
        .gql(Some(&s.treasurer), close, json!({ "f": s.fund }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "the treasurer does not close funds"
    );
    let body = app.gql(Some(&s.staff), close, json!({ "f": s.fund })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "money is still in it");
    let first_entry = "query($f: ID!) { fund(id: $f) { ledger { edges { node { id } } } } }";
    let body = app
        .gql(Some(&s.treasurer), first_entry, json!({ "f": s.fund }))
        .await;
    let entry = data(&body)["fund"]["ledger"]["edges"][0]["node"]["id"].clone();
    let undo = "mutation($id: ID!) { reverseLedgerEntry(input: {entryId: $id, reason: \"退还捐款\", idempotencyKey: \"close-key-0002\"}) { fund { balance } } }";
    data(
        &app.gql(Some(&s.treasurer), undo, json!({ "id": entry }))
            .await,
    );
    let body = app.gql(Some(&s.staff), close, json!({ "f": s.fund })).await;
    assert_eq!(data(&body)["closeFund"]["fund"]["status"], "CLOSED");
    let body = app
        .gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "5.00", "close-key-0003"),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a closed fund takes no entries"
    );
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&outsider), close, json!({ "f": s.fund }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}
