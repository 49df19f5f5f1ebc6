//! A year of a compound's repair fund, end to end through the API: contributions from all
//! 138 households, a levy, a dozen expenses with receipts and approvals, one correction,
//! and a statement each quarter that residents read through a share link without logging
//! in and recompute, hash by hash, with the documented encoding.

use chrono::{Duration, Utc};
use jiedao::bootstrap::demo_roster::{Shape, roster};
use serde_json::{Value, json};

use crate::{
    funds::{CONTRIBUTE, FundSetup, appoint_with_login, documented_hash, fund_setup_with},
    helpers::{Caller, Scope, TestApp, data},
    statements::{PUBLIC, PUBLISH},
};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 photo of a paper receipt";

/// Every household of the compound, paging through `households`.
async fn all_households(app: &TestApp, s: &FundSetup) -> Vec<Value> {
    let query = "query($after: String) { households(first: 100, after: $after) { edges { node { id } } pageInfo { hasNextPage endCursor } } }";
    let (mut ids, mut after) = (Vec::new(), Value::Null);
    loop {
        let body = app
            .gql(Some(&s.staff), query, json!({ "after": after }))
            .await;
        let page = &data(&body)["households"];
        ids.extend(
            page["edges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e["node"]["id"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] != true {
            return ids;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

/// Drafts an expense with a receipt, has it approved by the members and pays it.
async fn spend(
    app: &TestApp,
    s: &FundSetup,
    approvers: &[&Caller],
    (n, amount, paid_at): (usize, &str, chrono::DateTime<Utc>),
) {
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": amount, "purpose": format!("道闸维修第{n}次"), "receipts": [null] } });
    let body = app
        .upload_files(
            &s.treasurer,
            draft,
            input,
            &[("variables.in.receipts.0", "发票.jpg", JPEG)],
        )
        .await;
    let id = data(&body)["draftExpense"]["expense"]["id"].clone();
    let act = |name: &str| {
        format!(
            "mutation($id: ID!) {{ {name}(input: {{expenseId: $id, comment: \"同意\"}}) {{ expense {{ status }} }} }}"
        )
    };
    data(
        &app.gql(
            Some(&s.treasurer),
            &act("submitExpense"),
            json!({ "id": id }),
        )
        .await,
    );
    for approver in approvers {
        data(
            &app.gql(Some(approver), &act("approveExpense"), json!({ "id": id }))
                .await,
        );
    }
    let pay = "mutation($id: ID!, $at: DateTime!, $k: String!) { payExpense(input: {expenseId: $id, paidAt: $at, idempotencyKey: $k}) { expense { status } } }";
    let body = app
        .gql(
            Some(&s.treasurer),
            pay,
            json!({ "id": id, "at": paid_at, "k": format!("year-pay-{n:04}") }),
        )
        .await;
    assert_eq!(data(&body)["payExpense"]["expense"]["status"], "PAID");
}

fn fen(money: &Value) -> i64 {
    let text = money.as_str().unwrap();
    let (whole, frac) = text.trim_start_matches('-').split_once('.').unwrap();
    let value = whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
    if text.starts_with('-') { -value } else { value }
}

#[tokio::test]
async fn a_treasurer_runs_a_fund_for_a_year_and_residents_verify_it_from_the_share_links() {
    let app = TestApp::new().await;
    let shape = Shape {
        buildings: 6,
        units: 2,
        floors: 6,
        rooms: 2,
    };
    let csv = roster(&shape, 138, 310, 7);
    let mut names: Vec<&str> = Vec::new();
    for line in csv.lines().skip(1) {
        let name = line.split(',').next().unwrap();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let s = fund_setup_with(&app, &csv, names[0]).await;
    let director = appoint_with_login(&app, &s, names[1], "director", "DIRECTOR").await;
    let member = appoint_with_login(&app, &s, names[2], "member", "MEMBER").await;
    let body = app
        .gql(
            Some(&s.treasurer),
            "query($f: ID!) { fund(id: $f) { approvalsRequired resolutionThreshold } }",
            json!({ "f": s.fund }),
        )
        .await;
    let settings = data(&body)["fund"].clone();
    let approvers: Vec<&Caller> = [&director, &member]
        .into_iter()
        .take(settings["approvalsRequired"].as_u64().unwrap() as usize)
        .collect();
    let households = all_households(&app, &s).await;
    assert_eq!(households.len(), 138);

    let start = Utc::now() - Duration::days(364);
    let day = |d: i64| start + Duration::days(d) + Duration::hours(2);
    let mut tokens = Vec::new();
    let mut expected_fen = 0i64;
    let mut wrong_entry = Value::Null;
    for quarter in 0..4i64 {
        // Contributions dated within the quarter: every household once in the year.
        for (i, household) in households.iter().enumerate() {
            let d = i as i64 * 360 / 138;
            if d / 91 != quarter {
                continue;
            }
            let amount = format!("{}.00", 50 + (i % 5) * 10);
            expected_fen += fen(&json!(amount));
            let channel = ["WECHAT", "CASH_BOX", "BANK"][i % 3];
            let input = json!({ "in": { "fundId": s.fund, "amount": amount, "householdId": household, "occurredAt": day(d), "channel": channel, "memo": "门禁维修自愿缴纳", "idempotencyKey": format!("year-in-{i:04}") } });
            let body = app.gql(Some(&s.treasurer), CONTRIBUTE, input).await;
            if i == 40 {
                wrong_entry = data(&body)["recordContribution"]["entry"]["id"].clone();
            }
            data(&body);
        }
        // Three expenses a quarter, paid on its last days.
        for k in 0..3 {
            let n = quarter as usize * 3 + k;
            let amount = format!("{}.50", 300 + n * 25);
            expected_fen -= fen(&json!(amount));
            spend(
                &app,
                &s,
                &approvers,
                (n, &amount, day(quarter * 91 + 80 + k as i64)),
            )
            .await;
        }
        if quarter == 1 {
            // Four households upstairs split a 200-yuan drain repair, 50 each.
            let create = "mutation($in: CreateLevyInput!) { createLevy(input: $in) { levy { id shares { householdId share } } } }";
            let input = json!({ "in": { "fundId": s.fund, "purpose": "楼上排水管疏通", "method": "EQUAL", "amount": "200.00", "householdIds": households[0..4] } });
            let body = app.gql(Some(&s.treasurer), create, input).await;
            let levy = data(&body)["createLevy"]["levy"].clone();
            for (i, share) in levy["shares"].as_array().unwrap().iter().enumerate() {
                assert_eq!(share["share"], "50.00");
                let input = json!({ "in": { "fundId": s.fund, "amount": "50.00", "householdId": share["householdId"], "levyId": levy["id"], "occurredAt": day(150), "channel": "WECHAT", "idempotencyKey": format!("year-levy-{i}") } });
                data(&app.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
                expected_fen += 5_000;
            }
        }
        if quarter == 3 {
            // The correction (dated now, as a reversal is: the year's last quarter): household 40 paid 60 yuan, entered as 50. Reverse the entry
            // and record the right amount.
            let reverse = "mutation($id: ID!) { reverseLedgerEntry(input: {entryId: $id, reason: \"金额记错，应为60元\", idempotencyKey: \"year-fix-1\"}) { entry { amount } } }";
            let body = app
                .gql(Some(&s.treasurer), reverse, json!({ "id": wrong_entry }))
                .await;
            assert_eq!(
                data(&body)["reverseLedgerEntry"]["entry"]["amount"],
                "-50.00"
            );
            let input = json!({ "in": { "fundId": s.fund, "amount": "60.00", "householdId": households[40], "occurredAt": day(300), "channel": "WECHAT", "memo": "更正：第40户缴纳60元", "idempotencyKey": "year-fix-2" } });
            data(&app.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
            expected_fen += 1_000;
        }
        let body = app
            .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
            .await;
        tokens.push(data(&body)["publishStatement"]["shareToken"].clone());
    }

    // The fund: every entry in, the chain intact.
    let body = app
        .gql(
            Some(&s.treasurer),
            "query($f: ID!) { fund(id: $f) { balance headSeq verifyLedger { ok headSeq headHash } levies { nodes { shares { outstanding } } } expenses(first: 100) { nodes { status receipts { id } } } } }",
            json!({ "f": s.fund }),
        )
        .await;
    let fund = data(&body)["fund"].clone();
    assert_eq!(fen(&fund["balance"]), expected_fen);
    assert_eq!(fund["headSeq"], 138 + 4 + 12 + 2);
    assert_eq!(fund["verifyLedger"]["ok"], true);
    assert!(
        fund["levies"]["nodes"][0]["shares"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["outstanding"] == "0.00")
    );
    let expenses = fund["expenses"]["nodes"].as_array().unwrap();
    assert_eq!(expenses.len(), 12);
    assert!(
        expenses
            .iter()
            .all(|e| e["status"] == "PAID" && e["receipts"].as_array().unwrap().len() == 1)
    );

    // Residents, without logging in: four statements that join end to start, and whose
    // every hash they recompute from the statement alone.
    let (mut next_seq, mut opening, mut prev) = (1, 0i64, None::<String>);
    for (quarter, token) in tokens.iter().enumerate() {
        let body = app.gql(None, PUBLIC, json!({ "t": token })).await;
        let st = data(&body)["publicStatement"].clone();
        assert_eq!(st["fromSeq"], next_seq, "quarter {quarter}");
        assert_eq!(fen(&st["openingBalance"]), opening);
        // Shown with the days it spans: this quarter's.
        let at = |field: &str| {
            st[field]
                .as_str()
                .unwrap()
                .parse::<chrono::DateTime<Utc>>()
                .unwrap()
        };
        let q = quarter as i64;
        assert!(
            // (Times are kept to the microsecond; `day` has nanoseconds.)
            at("firstOccurredAt") > day(q * 91) - Duration::seconds(1)
                && at("lastOccurredAt") < day(q * 91 + 91),
            "quarter {quarter}: {} .. {}",
            st["firstOccurredAt"],
            st["lastOccurredAt"]
        );
        let mut balance = opening;
        for e in st["entries"].as_array().unwrap() {
            balance += fen(&e["amount"]);
            assert_eq!(fen(&e["balanceAfter"]), balance);
            let prev_hash = prev
                .clone()
                .unwrap_or_else(|| e["prevHash"].as_str().unwrap().to_owned());
            assert_eq!(e["prevHash"].as_str().unwrap(), prev_hash);
            let hash = documented_hash(st["fundId"].as_str().unwrap(), &prev_hash, e);
            assert_eq!(e["hash"].as_str().unwrap(), hash, "seq {}", e["seq"]);
            prev = Some(hash);
        }
        assert_eq!(fen(&st["closingBalance"]), balance);
        assert_eq!(st["headHash"].as_str(), prev.as_deref());
        // Payees and contributors masked; no receipts, phones or ID numbers in public.
        let text = st.to_string();
        assert!(!text.contains("平安门禁维修部"));
        assert!(!text.contains("/files/"));
        for line in csv.lines().skip(1) {
            let fields: Vec<&str> = line.split(',').collect();
            assert!(!text.contains(fields[2]), "an ID number is public");
            if !fields[3].is_empty() {
                assert!(!text.contains(fields[3]), "a phone is public");
            }
        }
        next_seq = st["toSeq"].as_i64().unwrap() + 1;
        opening = balance;
    }
    assert_eq!(prev.as_deref(), fund["verifyLedger"]["headHash"].as_str());
    assert_eq!(opening, expected_fen);

    // A resident of the compound reads the receipts; the public statement never shows them.
    let household = households[7].as_str().unwrap().parse().unwrap();
    let resident = app
        .caller(
            entity::role_grant::Role::Resident,
            Scope::Below(app.tree.a1, household),
        )
        .await;
    let body = app
        .gql(
            Some(&resident),
            "query($f: ID!) { fund(id: $f) { expenses { nodes { receipts { url } } } } }",
            json!({ "f": s.fund }),
        )
        .await;
    let url = data(&body)["fund"]["expenses"]["nodes"][0]["receipts"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _, bytes) = app.download(Some(&resident), &url).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(bytes, JPEG);
}
