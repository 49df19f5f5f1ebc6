//! Repair funds: contributions and corrections on an append-only, hash-chained ledger;
//! idempotent retries; money validation; who may move money; tampering detected; many
//! concurrent writers leaving a gapless, verifiable chain.

use chrono::{DateTime, Utc};
use entity::role_grant::Role;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code, post_graphql},
    roster::{ROSTER, compound_with_roster},
};

pub const CONTRIBUTE: &str = "mutation($in: RecordContributionInput!) { recordContribution(input: $in) { entry { id seq amount balanceAfter counterparty hash } fund { balance headSeq } } }";
const LEDGER: &str = "query($id: ID!) { fund(id: $id) { balance headSeq ledger(first: 100) { totalCount edges { node { seq kind amount balanceAfter counterpartyId memo occurredAt recordedAt expenseId levyId resolutionId reversesEntryId prevHash hash } } } verifyLedger { ok headSeq firstBadSeq } } }";

pub struct FundSetup {
    pub staff: Caller,
    pub treasurer: Caller,
    pub fund: Value,
    pub compound: Value,
    pub committee: Value,
    /// Resident and household ids by name (of the first hundred residents).
    pub residents: std::collections::HashMap<String, Value>,
    pub households: std::collections::HashMap<String, Value>,
}

/// 和韵小区 with the test roster, a committee whose treasurer is 王秀英 (with a login), and
/// an open fund.
pub async fn fund_setup(app: &TestApp) -> FundSetup {
    fund_setup_with(app, ROSTER, "王秀英").await
}

/// 和韵小区 with `roster`, a committee whose treasurer is the resident named `treasurer`
/// (among the roster's first hundred), and an open fund.
pub async fn fund_setup_with(app: &TestApp, roster: &str, treasurer: &str) -> FundSetup {
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let compound = compound_with_roster(app, &staff, app.tree.a1, "和韵小区", roster).await;
    let body = app
        .gql(
            Some(&staff),
            "{ residents(first: 100) { edges { node { id name householdId } } } }",
            json!({}),
        )
        .await;
    let mut residents = std::collections::HashMap::new();
    let mut households = std::collections::HashMap::new();
    for e in data(&body)["residents"]["edges"].as_array().unwrap() {
        let name = e["node"]["name"].as_str().unwrap().to_owned();
        residents.insert(name.clone(), e["node"]["id"].clone());
        households.insert(name, e["node"]["householdId"].clone());
    }
    let today = Utc::now().date_naive();
    let create = "mutation($c: ID!, $s: Date!, $e: Date!) { createCommittee(input: {compoundId: $c, termStartsOn: $s, termEndsOn: $e}) { committee { id } } }";
    let body = app
        .gql(
            Some(&staff),
            create,
            json!({ "c": compound, "s": today, "e": today + chrono::Duration::days(700) }),
        )
        .await;
    let committee = data(&body)["createCommittee"]["committee"]["id"].clone();
    let open = "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"门禁维修基金\", purpose: \"修理小区门禁道闸\"}) { fund { id balance approvalsRequired } } }";
    let body = app.gql(Some(&staff), open, json!({ "c": compound })).await;
    let fund = data(&body)["openFund"]["fund"]["id"].clone();
    let mut setup = FundSetup {
        treasurer: staff.clone(),
        staff,
        fund,
        compound,
        committee,
        residents,
        households,
    };
    setup.treasurer =
        appoint_with_login(app, &setup, treasurer, "wang.treasurer", "TREASURER").await;
    setup
}

/// Gives the resident named `name` a login and a committee position; returns their session.
pub async fn appoint_with_login(
    app: &TestApp,
    s: &FundSetup,
    name: &str,
    username: &str,
    position: &str,
) -> Caller {
    let account = "mutation($id: ID!, $u: String!) { createResidentAccount(input: {residentId: $id, username: $u, initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&s.staff),
            account,
            json!({ "id": s.residents[name], "u": username }),
        )
        .await;
    let user = Uuid::parse_str(
        data(&body)["createResidentAccount"]["userId"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    app.skip_password_change(user).await;
    let appoint = "mutation($c: ID!, $r: ID!, $p: Position!) { appointCommitteeMember(input: {committeeId: $c, residentId: $r, position: $p}) { positionId } }";
    data(
        &app.gql(
            Some(&s.staff),
            appoint,
            json!({ "c": s.committee, "r": s.residents[name], "p": position }),
        )
        .await,
    );
    app.session(user, username).await
}

pub fn contribution(s: &FundSetup, who: &str, amount: &str, key: &str) -> Value {
    json!({ "in": { "fundId": s.fund, "amount": amount, "householdId": s.households[who], "channel": "WECHAT", "memo": "门禁维修", "idempotencyKey": key } })
}

#[tokio::test]
async fn contributions_build_a_verified_ledger_and_retries_do_not_double_count() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let first = contribution(&s, "王秀英", "50.00", "key-0000-0001");
    let body = app.gql(Some(&s.treasurer), CONTRIBUTE, first.clone()).await;
    let entry = data(&body)["recordContribution"]["entry"].clone();
    assert_eq!(
        (entry["seq"].clone(), entry["amount"].clone()),
        (json!(1), json!("50.00"))
    );
    assert_eq!(
        entry["counterparty"], "3号楼1单元",
        "a household shows as building and unit"
    );
    // The same request again (a flaky network's retry) returns the same entry.
    let again = app.gql(Some(&s.treasurer), CONTRIBUTE, first).await;
    assert_eq!(
        data(&again)["recordContribution"]["entry"]["id"],
        entry["id"]
    );
    // The same key for a different request is a conflict.
    let other = contribution(&s, "王秀英", "60.00", "key-0000-0001");
    let body = app.gql(Some(&s.treasurer), CONTRIBUTE, other).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "李建国", "150.50", "key-0000-0002"),
        )
        .await,
    );
    let donor = json!({ "in": { "fundId": s.fund, "amount": "200.00", "donorName": "赵热心", "channel": "CASH_BOX", "idempotencyKey": "key-0000-0003" } });
    let body = app.gql(Some(&s.treasurer), CONTRIBUTE, donor).await;
    assert_eq!(
        data(&body)["recordContribution"]["entry"]["counterparty"],
        "赵**"
    );

    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    let fund = &data(&body)["fund"];
    assert_eq!(fund["balance"], "400.50");
    assert_eq!(fund["ledger"]["totalCount"], 3);
    assert_eq!(
        fund["verifyLedger"],
        json!({ "ok": true, "headSeq": 3, "firstBadSeq": null })
    );
    let text = body.to_string();
    assert!(!text.contains("赵热心"), "names stay off the public ledger");
}

#[tokio::test]
async fn amounts_are_exact_money_and_anything_else_is_bad_input() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    for (i, bad) in ["1.005", "-3", "abc", "0", "1000000000000.01", "1e3"]
        .iter()
        .enumerate()
    {
        let body = app
            .gql(
                Some(&s.treasurer),
                CONTRIBUTE,
                contribution(&s, "王秀英", bad, &format!("bad-amount-{i:04}")),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{bad}");
        assert!(
            body.to_string().contains("amount"),
            "names the field: {body}"
        );
    }
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    assert_eq!(data(&body)["fund"]["headSeq"], 0);
}

#[tokio::test]
async fn a_correction_is_a_reversal_entry_made_once() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let body = app
        .gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "80.00", "rev-key-0001"),
        )
        .await;
    let wrong = data(&body)["recordContribution"]["entry"]["id"].clone();
    let reverse = "mutation($id: ID!, $k: String!) { reverseLedgerEntry(input: {entryId: $id, reason: \"金额记错, 应为50元\", idempotencyKey: $k}) { entry { id seq kind amount reversesEntryId } fund { balance } } }";
    let body = app
        .gql(
            Some(&s.treasurer),
            reverse,
            json!({ "id": wrong, "k": "rev-key-0002" }),
        )
        .await;
    let payload = &data(&body)["reverseLedgerEntry"];
    assert_eq!(payload["entry"]["kind"], "REVERSAL");
    assert_eq!(payload["entry"]["amount"], "-80.00");
    assert_eq!(payload["entry"]["reversesEntryId"], wrong);
    assert_eq!(payload["fund"]["balance"], "0.00");
    let reversal = payload["entry"]["id"].clone();
    let body = app
        .gql(
            Some(&s.treasurer),
            reverse,
            json!({ "id": wrong, "k": "rev-key-0003" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "at most once");
    let body = app
        .gql(
            Some(&s.treasurer),
            reverse,
            json!({ "id": reversal, "k": "rev-key-0004" }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("CONFLICT"),
        "a reversal is not reversed"
    );
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    assert_eq!(data(&body)["fund"]["verifyLedger"]["ok"], true);
    assert_eq!(data(&body)["fund"]["headSeq"], 2);
}

#[tokio::test]
async fn only_the_treasurer_moves_money_and_other_compounds_see_nothing() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let input = contribution(&s, "王秀英", "10.00", "perm-key-0001");
    // Another compound's treasurer (same community) and another community: NOT_FOUND.
    let other_treasurer = app
        .caller(
            Role::Treasurer,
            Scope::Below(app.tree.a1, app.tree.compound_a1),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    for caller in [&other_treasurer, &outsider] {
        let body = app.gql(Some(caller), CONTRIBUTE, input.clone()).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        let body = app.gql(Some(caller), LEDGER, json!({ "id": s.fund })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
    }
    // A resident of the compound and a street admin read the ledger but record nothing;
    // so do the community's staff (for a compound fund, money is the treasurer's).
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                Uuid::parse_str(s.households["张伟"].as_str().unwrap()).unwrap(),
            ),
        )
        .await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    for caller in [&resident, &street, &s.staff] {
        let body = app.gql(Some(caller), LEDGER, json!({ "id": s.fund })).await;
        assert_eq!(data(&body)["fund"]["verifyLedger"]["ok"], true);
        let body = app.gql(Some(caller), CONTRIBUTE, input.clone()).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
    }
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    assert_eq!(data(&body)["fund"]["headSeq"], 0, "nothing was recorded");
}

#[tokio::test]
async fn the_database_refuses_changes_to_entries_and_verification_finds_tampering() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    for i in 0..3 {
        data(
            &app.gql(
                Some(&s.treasurer),
                CONTRIBUTE,
                contribution(&s, "王秀英", "10.00", &format!("tamper-key-{i:04}")),
            )
            .await,
        );
    }
    let conn = &app.tamperer().await;
    for sql in [
        "UPDATE ledger_entry SET amount_fen = 100000 WHERE seq = 2",
        "DELETE FROM ledger_entry WHERE seq = 3",
    ] {
        assert!(conn.execute_unprepared(sql).await.is_err(), "{sql}");
    }
    // Someone with database access drops the trigger and edits an entry.
    let drop = match conn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "DROP TRIGGER ledger_entry_no_update ON ledger_entry",
        _ => "DROP TRIGGER ledger_entry_no_update",
    };
    conn.execute_unprepared(drop).await.unwrap();
    conn.execute_unprepared("UPDATE ledger_entry SET amount_fen = 100000 WHERE seq = 2")
        .await
        .unwrap();
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    assert_eq!(
        data(&body)["fund"]["verifyLedger"],
        json!({ "ok": false, "headSeq": 3, "firstBadSeq": 2 })
    );
}

/// Recomputes an entry's hash from docs/ledger-hash.md, independently of the server.
pub fn documented_hash(fund: &str, prev: &str, e: &Value) -> String {
    let optional = |bytes: &mut Vec<u8>, v: &Value| match v.as_str() {
        Some(id) => {
            bytes.push(1);
            bytes.extend_from_slice(Uuid::parse_str(id).unwrap().as_bytes());
        }
        None => bytes.push(0),
    };
    let fen = |v: &Value| -> i64 {
        let text = v.as_str().unwrap();
        let negative = text.starts_with('-');
        let (whole, frac) = text.trim_start_matches('-').split_once('.').unwrap();
        let value = whole.parse::<i64>().unwrap() * 100 + frac.parse::<i64>().unwrap();
        if negative { -value } else { value }
    };
    let micros = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .timestamp_micros()
    };
    let mut bytes = vec![1u8];
    bytes.extend_from_slice(Uuid::parse_str(fund).unwrap().as_bytes());
    bytes.extend_from_slice(&e["seq"].as_i64().unwrap().to_be_bytes());
    bytes.push(match e["kind"].as_str().unwrap() {
        "CONTRIBUTION" => 1,
        "EXPENSE" => 2,
        _ => 3,
    });
    bytes.extend_from_slice(&fen(&e["amount"]).to_be_bytes());
    bytes.extend_from_slice(&micros(&e["occurredAt"]).to_be_bytes());
    bytes.extend_from_slice(&micros(&e["recordedAt"]).to_be_bytes());
    optional(&mut bytes, &e["counterpartyId"]);
    bytes.extend_from_slice(&Sha256::digest(e["memo"].as_str().unwrap().as_bytes()));
    for link in ["expenseId", "levyId", "resolutionId", "reversesEntryId"] {
        optional(&mut bytes, &e[link]);
    }
    let prev: Vec<u8> = (0..64)
        .step_by(2)
        .map(|i| u8::from_str_radix(&prev[i..i + 2], 16).unwrap())
        .collect();
    let mut digest = Sha256::new();
    digest.update(&prev);
    digest.update(&bytes);
    digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[tokio::test]
async fn hashes_can_be_recomputed_from_the_api_alone() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let body = app
        .gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "王秀英", "88.88", "recompute-0001"),
        )
        .await;
    let entry = data(&body)["recordContribution"]["entry"]["id"].clone();
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(&s, "李建国", "12.34", "recompute-0002"),
        )
        .await,
    );
    let reverse = "mutation($id: ID!) { reverseLedgerEntry(input: {entryId: $id, reason: \"重复记账\", idempotencyKey: \"recompute-0003\"}) { entry { id } } }";
    data(
        &app.gql(Some(&s.treasurer), reverse, json!({ "id": entry }))
            .await,
    );
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    let mut prev = "0".repeat(64);
    for edge in data(&body)["fund"]["ledger"]["edges"].as_array().unwrap() {
        let e = &edge["node"];
        assert_eq!(e["prevHash"], json!(prev));
        let recomputed = documented_hash(s.fund.as_str().unwrap(), &prev, e);
        assert_eq!(e["hash"], json!(recomputed), "seq {}", e["seq"]);
        prev = recomputed;
    }
}

#[tokio::test]
async fn many_concurrent_writers_with_retries_leave_one_gapless_verified_chain() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let mut tasks = Vec::new();
    for task in 0..16 {
        for _attempt in 0..3 {
            // Each request is sent three times (two retries), all at once.
            let router = app.router.clone();
            let token = s.treasurer.token.clone();
            let input = contribution(
                &s,
                if task % 2 == 0 {
                    "王秀英"
                } else {
                    "李建国"
                },
                &format!("{}.00", task + 1),
                &format!("concurrent-{task:04}"),
            );
            tasks.push(tokio::spawn(async move {
                post_graphql(router, &token, CONTRIBUTE, input).await
            }));
        }
    }
    for task in tasks {
        let body = task.await.unwrap();
        assert!(body.get("errors").is_none(), "{body}");
    }
    let body = app
        .gql(Some(&s.treasurer), LEDGER, json!({ "id": s.fund }))
        .await;
    let fund = &data(&body)["fund"];
    assert_eq!(
        fund["ledger"]["totalCount"], 16,
        "one entry per idempotency key"
    );
    let seqs: Vec<i64> = fund["ledger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["seq"].as_i64().unwrap())
        .collect();
    let mut sorted = seqs.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=16).collect::<Vec<_>>());
    assert_eq!(fund["balance"], "136.00", "1 + 2 + ... + 16 yuan");
    assert_eq!(fund["verifyLedger"]["ok"], true);
}
