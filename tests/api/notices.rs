//! Public notice that residents can check: a published statement at its short link as JSON
//! and CSV, signed by the deployment's key over the statement before it; checked with the
//! keys at the well-known URL alone; a history rewritten with the database file (an entry
//! changed, every later hash, the fund head and the statement heads recomputed) caught by
//! `verifyLedger`, by the signatures and by an earlier notice.

use axum::{body::Body, http::Request};
use entity::{fund, ledger_entry, statement};
use jiedao::{
    funds::{chain::GENESIS, ledger::entry_hash, statements::sign_backlog},
    notice::{
        check::{Problem, check, continues},
        statement_document::StatementDocument,
    },
    signing::VerifyingKey,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    funds::{CONTRIBUTE, FundSetup, contribution, fund_setup},
    helpers::{TestApp, data},
    statements::PUBLISH,
};

const VERIFY: &str = "query($id: ID!) { fund(id: $id) { verifyLedger { ok headSeq firstBadSeq statementsChecked firstBadStatementId firstBadStatementProblem } } }";

pub async fn get(app: &TestApp, path: &str) -> (u16, axum::http::HeaderMap, Value) {
    let request = Request::get(path).body(Body::empty()).unwrap();
    let (status, headers, body) = app.send(request).await;
    (status.as_u16(), headers, body)
}

/// The deployment's public keys, from the well-known URL.
pub async fn published_keys(app: &TestApp) -> Vec<VerifyingKey> {
    let (status, _, body) = get(app, "/.well-known/jiedao-signing-keys.json").await;
    assert_eq!(status, 200, "{body}");
    body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let bytes: [u8; 32] = jiedao::signing::unhex(k["publicKey"].as_str().unwrap())
                .unwrap()
                .try_into()
                .unwrap();
            VerifyingKey::from_bytes(&bytes).unwrap()
        })
        .collect()
}

pub async fn document(app: &TestApp, token: &str) -> StatementDocument {
    let (status, headers, body) = get(app, &format!("/s/{token}.json")).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(headers["access-control-allow-origin"], "*");
    serde_json::from_value(body).unwrap()
}

pub async fn contribute(app: &TestApp, s: &FundSetup, who: &str, amount: &str, key: &str) {
    data(
        &app.gql(
            Some(&s.treasurer),
            CONTRIBUTE,
            contribution(s, who, amount, key),
        )
        .await,
    );
}

pub async fn publish(app: &TestApp, s: &FundSetup) -> String {
    let body = app
        .gql(Some(&s.treasurer), PUBLISH, json!({ "f": s.fund }))
        .await;
    data(&body)["publishStatement"]["shareToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Two statements: entries 1–2, then 3–4.
pub async fn two_statements(app: &TestApp) -> (FundSetup, String, String) {
    let s = fund_setup(app).await;
    contribute(app, &s, "王秀英", "50.00", "notice-key-0001").await;
    contribute(app, &s, "李建国", "30.00", "notice-key-0002").await;
    let first = publish(app, &s).await;
    contribute(app, &s, "张伟", "20.00", "notice-key-0003").await;
    contribute(app, &s, "王秀英", "5.00", "notice-key-0004").await;
    let second = publish(app, &s).await;
    (s, first, second)
}

pub fn fund_id(s: &FundSetup) -> Uuid {
    s.fund.as_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn a_statement_opens_as_json_and_csv_and_checks_with_the_published_keys_alone() {
    let app = TestApp::new().await;
    let (s, first, second) = two_statements(&app).await;
    let keys = published_keys(&app).await;
    assert_eq!(keys.len(), 1);

    let earlier = document(&app, &first).await;
    assert_eq!((earlier.from_seq, earlier.to_seq), (1, 2));
    assert_eq!(earlier.compound_name.as_deref(), Some("和韵小区"));
    assert_eq!(earlier.closing_balance_fen, 8_000);
    let labels: Vec<_> = earlier
        .entries
        .iter()
        .map(|e| e.counterparty.clone())
        .collect();
    assert_eq!(
        labels,
        vec![Some("3号楼1单元".to_owned()), Some("3号楼1单元".to_owned())]
    );
    let checked = check(&earlier, &keys).unwrap();
    assert_eq!((checked.entries, checked.statements), (2, 1));

    let later = document(&app, &second).await;
    assert_eq!((later.from_seq, later.to_seq), (3, 4));
    assert_eq!(later.opening_balance_fen, 8_000);
    assert_eq!(
        later.history.len(),
        2,
        "the later notice carries the earlier one"
    );
    assert_eq!(
        later.history[1].previous_statement_id,
        Some(earlier.statement_id)
    );
    check(&later, &keys).unwrap();
    continues(&earlier, &later).unwrap();
    // Order matters: the earlier notice does not continue the later one.
    assert!(continues(&later, &earlier).is_err());
    // Another deployment's key proves nothing.
    let stranger = jiedao::signing::SigningKeys::parse(&jiedao::signing::new_entry(1)).unwrap();
    let other = [stranger.public_keys()[0].key];
    assert!(matches!(
        check(&later, &other),
        Err(Problem::UnknownKey { .. })
    ));

    let request = Request::get(format!("/s/{second}.csv"))
        .body(Body::empty())
        .unwrap();
    let (status, headers, body) = app.send(request).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    let csv = body.as_str().unwrap();
    assert!(
        csv.contains("第3至4笔") && csv.contains(&later.head_hash),
        "{csv}"
    );
    for secret in ["王秀英", "李建国", "张伟"] {
        assert!(!csv.contains(secret), "{secret} must not be public");
    }

    // The ledger verifies, its two statements and their signatures with it.
    let body = app
        .gql(Some(&s.treasurer), VERIFY, json!({ "id": s.fund }))
        .await;
    assert_eq!(
        data(&body)["fund"]["verifyLedger"],
        json!({ "ok": true, "headSeq": 4, "firstBadSeq": null, "statementsChecked": 2, "firstBadStatementId": null, "firstBadStatementProblem": null })
    );
}

#[tokio::test]
async fn unknown_or_malformed_links_are_not_found() {
    let app = TestApp::new().await;
    for path in [
        "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.json",
        "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.csv",
        "/s/short.json",
        "/s/..%2Fetc%2Fpasswd.json",
        "/s/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.exe",
    ] {
        let (status, _, body) = get(&app, path).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "NOT_FOUND",
            "{path}"
        );
    }
}

/// What someone holding the database file (but not the signing key) can do: change entry
/// `seq`'s amount, recompute every later hash and balance, the fund's head and every
/// statement's head and balances, so that the chain links again.
pub async fn rewrite_history(app: &TestApp, fund: Uuid, seq: i64, amount_fen: i64) {
    let conn = &app.tamperer().await;
    let drop = match conn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "DROP TRIGGER ledger_entry_no_update ON ledger_entry",
        _ => "DROP TRIGGER ledger_entry_no_update",
    };
    conn.execute_unprepared(drop).await.unwrap();
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::FundId.eq(fund))
        .order_by_asc(ledger_entry::Column::Seq)
        .all(conn)
        .await
        .unwrap();
    let (mut prev, mut balance) = (GENESIS.to_owned(), 0);
    let mut rewritten = Vec::new();
    for mut e in entries {
        if e.seq == seq {
            e.amount_fen = amount_fen;
        }
        balance += e.amount_fen;
        e.balance_after_fen = balance;
        e.prev_hash = prev.clone();
        e.hash = entry_hash(&prev, &e).unwrap();
        prev = e.hash.clone();
        let mut row: ledger_entry::ActiveModel = e.clone().into();
        row.amount_fen = Set(e.amount_fen);
        row.balance_after_fen = Set(e.balance_after_fen);
        row.prev_hash = Set(e.prev_hash.clone());
        row.hash = Set(e.hash.clone());
        row.update(conn).await.unwrap();
        rewritten.push(e);
    }
    let head = fund::Entity::find_by_id(fund)
        .one(conn)
        .await
        .unwrap()
        .unwrap();
    let mut head: fund::ActiveModel = head.into();
    head.head_hash = Set(prev);
    head.balance_fen = Set(balance);
    head.update(conn).await.unwrap();
    for st in statement::Entity::find()
        .filter(statement::Column::FundId.eq(fund))
        .all(conn)
        .await
        .unwrap()
    {
        let at = |s: i64| rewritten.iter().find(|e| e.seq == s);
        let opening = at(st.from_seq)
            .map(|e| e.balance_after_fen - e.amount_fen)
            .unwrap();
        let last = at(st.to_seq).unwrap().clone();
        let mut row: statement::ActiveModel = st.into();
        row.head_hash = Set(last.hash);
        row.opening_balance_fen = Set(opening);
        row.closing_balance_fen = Set(last.balance_after_fen);
        row.update(conn).await.unwrap();
    }
}

#[tokio::test]
async fn a_history_rewritten_with_the_database_file_is_caught_by_signatures_and_earlier_notices() {
    let app = TestApp::new().await;
    let (s, first, second) = two_statements(&app).await;
    let keys = published_keys(&app).await;
    // What residents kept: the two notices as published (printed, saved from the page).
    let (kept_first, kept_second) = (document(&app, &first).await, document(&app, &second).await);

    // Entry 2 was 30.00; the rewrite makes it 3.00 and everything after chains again.
    rewrite_history(&app, fund_id(&s), 2, 300).await;
    let body = app
        .gql(Some(&s.treasurer), VERIFY, json!({ "id": s.fund }))
        .await;
    let verification = &data(&body)["fund"]["verifyLedger"];
    assert_eq!(verification["ok"], false, "{verification}");
    assert_eq!(
        verification["firstBadSeq"],
        Value::Null,
        "the entries chain again"
    );
    assert_eq!(
        verification["firstBadStatementId"],
        json!(kept_first.statement_id)
    );
    assert_eq!(verification["firstBadStatementProblem"], "SIGNATURE");

    // The rewritten notices are served, but their signatures no longer hold.
    let now_first = document(&app, &first).await;
    assert_eq!(now_first.entries[1].amount_fen, 300);
    assert_eq!(
        check(&now_first, &keys),
        Err(Problem::Signature {
            statement: kept_first.statement_id
        })
    );
    let now_second = document(&app, &second).await;
    assert!(check(&now_second, &keys).is_err());
    // And a notice kept from before contradicts them.
    assert!(continues(&kept_first, &now_second).is_err());
    assert!(continues(&kept_second, &now_second).is_err());
    assert!(
        check(&kept_second, &keys).is_ok(),
        "what was published still verifies"
    );
}

#[tokio::test]
async fn statements_published_before_signing_are_signed_at_start_and_verify() {
    let app = TestApp::new().await;
    let (s, first, _second) = two_statements(&app).await;
    // As an older version left them: no signature, no link.
    app.db()
        .writer()
        .execute_unprepared(
            "UPDATE statement SET signature = NULL, key_id = NULL, prev_statement_id = NULL, signed_at = NULL",
        )
        .await
        .unwrap();
    let body = app
        .gql(Some(&s.treasurer), VERIFY, json!({ "id": s.fund }))
        .await;
    assert_eq!(
        data(&body)["fund"]["verifyLedger"]["ok"],
        false,
        "unsigned is not verified"
    );

    let signing = &app.state.services.signing;
    assert_eq!(sign_backlog(app.db(), signing).await.unwrap(), 2);
    assert_eq!(sign_backlog(app.db(), signing).await.unwrap(), 0, "once");
    let body = app
        .gql(Some(&s.treasurer), VERIFY, json!({ "id": s.fund }))
        .await;
    assert_eq!(data(&body)["fund"]["verifyLedger"]["ok"], true);
    let doc = document(&app, &first).await;
    check(&doc, &published_keys(&app).await).unwrap();
    assert!(doc.history[0].signed_at.is_some());
}

#[tokio::test]
async fn after_a_key_rotation_old_statements_verify_and_new_ones_chain_on_with_the_new_key() {
    let app = TestApp::new().await;
    let (s, _first, second) = two_statements(&app).await;
    let old = app.state.services.signing.clone();
    let old_id = old.signer_id().to_owned();
    // The deployment rotates: the old key stays as a public entry only.
    let old_text = format!("v1:public:{}", {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD.encode(old.public_keys()[0].key.as_bytes())
    });
    let rotated = jiedao::signing::SigningKeys::parse(&format!(
        "{old_text},{}",
        jiedao::signing::new_entry(2)
    ))
    .unwrap();
    assert_ne!(rotated.signer_id(), old_id);
    let fund = fund::Entity::find_by_id(fund_id(&s))
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap();
    let v = jiedao::funds::ledger::verify(app.db().reader(), &rotated, &fund)
        .await
        .unwrap();
    assert!(v.ok, "old statements verify with the retired public key");

    // A statement signed with the new key chains on the last one signed with the old.
    let txn = app.db().begin_write().await.unwrap();
    let treasurer = jiedao::auth::Viewer::load(
        &txn,
        s.treasurer.user_id,
        s.treasurer.session_id,
        chrono::Utc::now(),
    )
    .await
    .unwrap();
    let _ = jiedao::funds::statements::publish(
        &txn,
        &rotated,
        &treasurer,
        fund.id,
        Some(1),
        Some(4),
        &jiedao::config::public_base::PublicBase("http://localhost".into()),
    )
    .await
    .unwrap();
    txn.commit().await.unwrap();
    let all = jiedao::funds::statement_signature::in_publication_order(app.db().reader(), fund.id)
        .await
        .unwrap();
    assert_eq!(all[2].key_id.as_deref(), Some(rotated.signer_id()));
    assert_eq!(all[2].prev_statement_id, Some(all[1].id));
    let v = jiedao::funds::ledger::verify(app.db().reader(), &rotated, &fund)
        .await
        .unwrap();
    assert!(v.ok);
    // Without the retired key, the old statements no longer verify.
    let new_only = jiedao::signing::SigningKeys::parse(&jiedao::signing::new_entry(1)).unwrap();
    let v = jiedao::funds::ledger::verify(app.db().reader(), &new_only, &fund)
        .await
        .unwrap();
    assert!(!v.ok);
    let doc = document(&app, &second).await;
    assert_eq!(
        doc.history.len(),
        2,
        "a notice carries the statements up to itself only"
    );
}

#[tokio::test]
async fn publishing_a_statement_answers_its_link_and_key() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    contribute(&app, &s, "王秀英", "50.00", "notice-key-0101").await;
    let publish =
        "mutation($f: ID!) { publishStatement(input: {fundId: $f}) { shareToken link keyId } }";
    let request = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {}", s.treasurer.token))
        .header("host", "jiedao.example.cn")
        .header("x-forwarded-proto", "https")
        .body(Body::from(
            json!({ "query": publish, "variables": { "f": s.fund } }).to_string(),
        ))
        .unwrap();
    let (_, _, body) = app.send(request).await;
    let payload = &data(&body)["publishStatement"];
    let token = payload["shareToken"].as_str().unwrap();
    assert_eq!(
        payload["link"],
        json!(format!("https://jiedao.example.cn/s/{token}"))
    );
    assert_eq!(
        payload["keyId"],
        json!(app.state.services.signing.signer_id())
    );
    let public = "query($t: String!) { publicStatement(shareToken: $t) { keyId signature } }";
    let body = app.gql(None, public, json!({ "t": token })).await;
    let doc = document(&app, token).await;
    assert_eq!(
        data(&body)["publicStatement"]["signature"],
        json!(doc.history[0].signature)
    );
}

#[tokio::test]
async fn a_statement_document_costs_the_same_statements_however_many_entries_and_contributors() {
    let app = TestApp::new().await;
    let (s, first, _) = two_statements(&app).await;
    let cost = |token: String| {
        let app = &app;
        async move {
            let before = app.db().statement_count();
            document(app, &token).await;
            app.db().statement_count() - before
        }
    };
    let small = cost(first).await;
    let mut names: Vec<&String> = s.residents.keys().collect();
    names.sort();
    // Households and named donors, each a counterparty of its own.
    for i in 0..24 {
        let key = format!("notice-many-{i:04}");
        if i % 2 == 0 {
            contribute(&app, &s, names[i % names.len()], "1.00", &key).await;
        } else {
            let donor = json!({ "in": { "fundId": s.fund, "amount": "2.00", "donorName": format!("捐赠人{i}"), "channel": "CASH_BOX", "idempotencyKey": key } });
            data(&app.gql(Some(&s.treasurer), CONTRIBUTE, donor).await);
        }
    }
    let large_token = publish(&app, &s).await;
    let large = cost(large_token.clone()).await;
    assert_eq!(document(&app, &large_token).await.entries.len(), 24);
    assert_eq!(small, large, "no statement per entry or contributor");
    assert_eq!(large, 4, "history, entries, names and counterparties");
}
