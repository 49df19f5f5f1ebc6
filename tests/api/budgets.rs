//! Statement budgets per request in steady state (ARCHITECTURE.md §8), on SQLite and on
//! PostgreSQL: what the load benchmark's reads and ledger appends cost, whatever the size of
//! what they return. The caller is already known (a cached session costs nothing); a
//! response carrying personal data adds its audit row, which concurrent requests share.

use serde_json::{Value, json};

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{TestApp, data},
};

const POINT: &str = "query($id: ID!) { resident(id: $id) { id name gender birthDate documentType relation registered movedInOn } }";
const PAGE: &str = "query($c: ID!) { community(id: $c) { id name } residents(first: 20) { edges { node { id name gender birthDate relation household { id tenure careLevel dwelling { id unit room floorArea } } } } } }";
const NESTED: &str = "{ households(first: 50) { edges { node { id tenure careLevel dwelling { id unit room floorArea } members { id name relation } } } } }";
const BALANCE: &str = "query($f: ID!) { fund(id: $f) { balance headSeq } }";
const DONATE: &str =
    "mutation($in: RecordContributionInput!) { recordContribution(input: $in) { entry { seq } } }";

/// The audit row of a response carrying personal data.
const AUDIT_ROW: u64 = 1;

async fn cost(app: &TestApp, s: &FundSetup, query: &str, variables: Value) -> u64 {
    let (body, cost) = app.gql_cost(&s.staff, query, variables).await;
    data(&body);
    cost
}

#[tokio::test]
async fn reads_keep_to_their_statement_budgets() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let resident = s.residents.values().next().unwrap().clone();
    let point = cost(&app, &s, POINT, json!({ "id": resident })).await;
    let page = cost(&app, &s, PAGE, json!({ "c": app.tree.a1 })).await;
    let nested = cost(&app, &s, NESTED, json!({})).await;
    let balance = cost(&app, &s, BALANCE, json!({ "f": s.fund })).await;
    assert!(point <= 1 + AUDIT_ROW, "a point read: {point}");
    assert!(page <= 4 + AUDIT_ROW, "a page: {page}");
    assert!(nested <= 4 + AUDIT_ROW, "a nested list: {nested}");
    assert!(balance <= 1, "a balance: {balance}");
}

#[tokio::test]
async fn a_ledger_append_keeps_to_its_statement_budget() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let mut costs = Vec::new();
    for i in 0..3 {
        let input = json!({ "in": { "fundId": s.fund, "amount": "1.00", "donorName": "热心人",
                                    "channel": "CASH_BOX", "idempotencyKey": format!("budget-{i:04}") } });
        let (body, cost) = app.gql_cost(&s.treasurer, DONATE, input).await;
        assert_eq!(
            data(&body)["recordContribution"]["entry"]["seq"],
            json!(i + 1)
        );
        costs.push(cost);
    }
    // Before the fund's lock: the fund, the key's claim, the donor; under it: the lock, the
    // entry, the head, the audit row (≤ 5 is the budget).
    assert!(costs.iter().all(|c| *c <= 3 + 4), "{costs:?}");
}
