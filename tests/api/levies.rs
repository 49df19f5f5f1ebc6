//! Levies: a cost split exactly between households (equally or by floor area), paid by
//! contributions linked to the levy; who has paid and who still owes.

use serde_json::{Value, json};

use crate::{
    funds::{CONTRIBUTE, fund_setup},
    helpers::{Scope, TestApp, data, error_code},
};
use entity::role_grant::Role;

const CREATE: &str = "mutation($in: CreateLevyInput!) { createLevy(input: $in) { levy { id total shares { household share paid outstanding } } } }";
const LEVIES: &str = "query($f: ID!) { fund(id: $f) { balance levies { nodes { purpose shares { household share paid outstanding } } } } }";

#[tokio::test]
async fn a_levy_splits_exactly_and_shows_who_still_owes() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let households: Vec<Value> = ["王秀英", "李建国", "张伟"]
        .iter()
        .map(|n| s.households[*n].clone())
        .collect();
    let input = json!({ "in": { "fundId": s.fund, "purpose": "疏通下水道", "method": "EQUAL", "amount": "100.00", "householdIds": households } });
    let body = app.gql(Some(&s.treasurer), CREATE, input).await;
    let levy = &data(&body)["createLevy"]["levy"];
    let shares: Vec<&str> = levy["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["share"].as_str().unwrap())
        .collect();
    assert_eq!(
        shares,
        vec!["33.34", "33.33", "33.33"],
        "the rounding fen goes to the first"
    );
    let levy_id = levy["id"].clone();

    let by_area = json!({ "in": { "fundId": s.fund, "purpose": "楼顶防水", "method": "AREA", "amount": "100.00", "householdIds": households } });
    let body = app.gql(Some(&s.treasurer), CREATE, by_area).await;
    let shares: Vec<&str> = data(&body)["createLevy"]["levy"]["shares"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["share"].as_str().unwrap())
        .collect();
    assert_eq!(
        shares,
        vec!["33.42", "28.38", "38.20"],
        "89.50, 76.00 and 102.30 m²"
    );

    // 王秀英's household pays its share; a donor cannot pay a household's share.
    let pay = json!({ "in": { "fundId": s.fund, "amount": "33.34", "householdId": households[0], "channel": "WECHAT", "levyId": levy_id, "idempotencyKey": "levy-pay-0001" } });
    data(&app.gql(Some(&s.treasurer), CONTRIBUTE, pay).await);
    let donor = json!({ "in": { "fundId": s.fund, "amount": "10.00", "donorName": "路人", "channel": "CASH_BOX", "levyId": levy_id, "idempotencyKey": "levy-pay-0002" } });
    let body = app.gql(Some(&s.treasurer), CONTRIBUTE, donor).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .gql(Some(&s.treasurer), LEVIES, json!({ "f": s.fund }))
        .await;
    let fund = &data(&body)["fund"];
    assert_eq!(fund["balance"], "33.34");
    assert_eq!(
        fund["levies"]["nodes"][0]["shares"],
        json!([
            { "household": "3号楼1单元", "share": "33.34", "paid": "33.34", "outstanding": "0.00" },
            { "household": "3号楼1单元", "share": "33.33", "paid": "0.00", "outstanding": "33.33" },
            { "household": "5栋2单元", "share": "33.33", "paid": "0.00", "outstanding": "33.33" }
        ])
    );
}

#[tokio::test]
async fn only_the_treasurer_levies_and_only_on_the_compounds_households() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let input = |households: Value| json!({ "in": { "fundId": s.fund, "purpose": "分摊", "method": "PER_HOUSEHOLD", "amount": "50.00", "householdIds": households } });
    let body = app
        .gql(
            Some(&s.treasurer),
            CREATE,
            input(json!([app.tree.household_a1])),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "another compound's household"
    );
    let body = app
        .gql(
            Some(&s.treasurer),
            CREATE,
            input(json!([app.tree.household_b1])),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("NOT_FOUND"),
        "another community's household"
    );
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(
            Some(&outsider),
            CREATE,
            input(json!([s.households["张伟"]])),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&s.staff), CREATE, input(json!([s.households["张伟"]])))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&s.treasurer),
            CREATE,
            input(json!([s.households["张伟"]])),
        )
        .await;
    assert_eq!(data(&body)["createLevy"]["levy"]["total"], "50.00");
}

#[tokio::test]
async fn a_compounds_funds_with_their_levies_cost_the_same_statements_however_many() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let households: Vec<Value> = ["王秀英", "李建国", "张伟"]
        .iter()
        .map(|n| s.households[*n].clone())
        .collect();
    let query = "query($c: ID!) { fundsOfCompound(compoundId: $c) { nodes { name levies { nodes { purpose shares { household paid outstanding } } } } } }";
    let open = "mutation($c: ID!, $n: String!) { openFund(input: {compoundId: $c, name: $n, purpose: \"维修\"}) { fund { id } } }";
    let mut funds = vec![s.fund.clone()];
    let mut costs = Vec::new();
    for (round, more) in [(0, 1), (1, 3)] {
        while funds.len() < round * 2 + 1 {
            let name = format!("楼道维修基金{}", funds.len());
            let body = app
                .gql(Some(&s.staff), open, json!({ "c": s.compound, "n": name }))
                .await;
            funds.push(data(&body)["openFund"]["fund"]["id"].clone());
        }
        for fund in &funds {
            for n in 0..more {
                let input = json!({ "in": { "fundId": fund, "purpose": format!("分摊{round}-{n}"), "method": "EQUAL", "amount": "90.00", "householdIds": households } });
                data(&app.gql(Some(&s.treasurer), CREATE, input).await);
            }
        }
        let before = app.db().statement_count();
        let body = app
            .gql(Some(&s.treasurer), query, json!({ "c": s.compound }))
            .await;
        costs.push(app.db().statement_count() - before);
        let listed = data(&body)["fundsOfCompound"]["nodes"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(listed, funds.len());
    }
    assert_eq!(
        costs[0], costs[1],
        "1 fund with 1 levy and 3 funds with 4 each: {costs:?}"
    );
}
