//! Expense receipts: uploaded with the multipart convention into the content-addressed
//! file store, typed by their bytes, downloadable at `/files/{id}` only by who reads the
//! expense (the compound's residents and officials), and locked once submitted.

use axum::http::{StatusCode, header};
use entity::{expense_receipt, role_grant::Role, stored_file};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{Scope, TestApp, data, error_code},
};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 receipt photo of the motor invoice";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
const HTML: &[u8] = b"<html><script>alert(document.cookie)</script></html>";

const DRAFT: &str = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id receipts { id fileName contentType sizeBytes sha256 url } } } }";
const ATTACH: &str = "mutation($in: AttachExpenseReceiptsInput!) { attachExpenseReceipts(input: $in) { expense { receipts { id fileName } } } }";
const REMOVE: &str = "mutation($id: ID!) { removeExpenseReceipt(input: {receiptId: $id}) { expense { receipts { id } } } }";

fn draft_input(s: &FundSetup, receipts: usize) -> Value {
    json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": "200.00", "purpose": "更换道闸电机", "receipts": vec![Value::Null; receipts] } })
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn drafted(app: &TestApp, s: &FundSetup) -> Value {
    let body = app.gql(Some(&s.treasurer), DRAFT, draft_input(s, 0)).await;
    data(&body)["draftExpense"]["expense"]["id"].clone()
}

#[tokio::test]
async fn receipts_are_typed_by_their_bytes_and_downloaded_only_by_the_compounds_readers() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let body = app
        .upload_files(
            &s.treasurer,
            DRAFT,
            draft_input(&s, 2),
            &[
                ("variables.in.receipts.0", "道闸电机.jpg", JPEG),
                // A PDF invoice whose name claims otherwise keeps its real type.
                ("variables.in.receipts.1", "C:\\发票\\invoice.png", PDF),
            ],
        )
        .await;
    let receipts = data(&body)["draftExpense"]["expense"]["receipts"].clone();
    assert_eq!(receipts[0]["fileName"], "道闸电机.jpg");
    assert_eq!(receipts[0]["contentType"], "image/jpeg");
    assert_eq!(receipts[0]["sizeBytes"], JPEG.len());
    assert_eq!(receipts[0]["sha256"], hex(JPEG));
    assert_eq!(receipts[1]["fileName"], "invoice.png");
    assert_eq!(receipts[1]["contentType"], "application/pdf");
    let photo = receipts[0]["url"].as_str().unwrap().to_owned();
    let invoice = receipts[1]["url"].as_str().unwrap().to_owned();

    let (status, headers, bytes) = app.download(Some(&s.treasurer), &photo).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(bytes, JPEG);
    assert_eq!(headers[header::CONTENT_TYPE], "image/jpeg");
    assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
    let (_, headers, bytes) = app.download(Some(&s.treasurer), &invoice).await;
    assert_eq!(bytes, PDF);
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );

    // A resident of the compound and the street office read them.
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                s.households["张伟"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    for reader in [&resident, &street] {
        let (status, _, bytes) = app.download(Some(reader), &photo).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(bytes, JPEG);
    }
    // A resident of another compound, another community's staff: as if it did not exist.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for stranger in [&neighbour, &outsider] {
        let (status, _, bytes) = app.download(Some(stranger), &photo).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(!bytes.windows(4).any(|w| w == b"JFIF"));
    }
    let (status, _, _) = app.download(None, &photo).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _, _) = app.download(Some(&s.treasurer), "/files/not-an-id").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_bad_receipt_is_refused_whole_and_receipts_lock_once_submitted() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let id = drafted(&app, &s).await;
    let attach = |n: usize| json!({ "in": { "expenseId": id, "files": vec![Value::Null; n] } });

    // A web page named like a photo: refused, naming the file; the good one beside it is
    // not kept either.
    let body = app
        .upload_files(
            &s.treasurer,
            ATTACH,
            attach(2),
            &[
                ("variables.in.files.0", "ok.jpg", JPEG),
                ("variables.in.files.1", "receipt.jpg", HTML),
            ],
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.files.1");
    let body = app
        .upload_files(
            &s.treasurer,
            ATTACH,
            attach(1),
            &[("variables.in.files.0", "empty.jpg", b"")],
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(app.count::<expense_receipt::Entity>().await, 0);
    assert_eq!(app.count::<stored_file::Entity>().await, 0);

    // Only the treasurer attaches: a resident is refused, another community sees nothing.
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                s.households["张伟"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let one = [("variables.in.files.0", "a.jpg", JPEG)];
    let body = app.upload_files(&resident, ATTACH, attach(1), &one).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.upload_files(&outsider, ATTACH, attach(1), &one).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Ten per request, twenty per expense.
    let ten: Vec<(String, String)> = (0..10)
        .map(|i| (format!("variables.in.files.{i}"), format!("{i}.jpg")))
        .collect();
    let files: Vec<(&str, &str, &[u8])> = ten
        .iter()
        .map(|(p, n)| (p.as_str(), n.as_str(), JPEG))
        .collect();
    for _ in 0..2 {
        let body = app
            .upload_files(&s.treasurer, ATTACH, attach(10), &files)
            .await;
        data(&body);
    }
    let body = app
        .upload_files(&s.treasurer, ATTACH, attach(1), &one)
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // Twenty attachments of the same photo are one object in the store.
    assert_eq!(app.count::<stored_file::Entity>().await, 20);
    let objects = walk(&app.files_dir());
    assert_eq!(
        objects, 1,
        "content-addressed: one object for identical bytes"
    );

    // A draft's receipts can be removed; a submitted expense's cannot, but more can come.
    let body = app
        .gql(
            Some(&s.treasurer),
            "query($id: ID!) { expense(id: $id) { receipts { id } } }",
            json!({ "id": id }),
        )
        .await;
    let first = data(&body)["expense"]["receipts"][0]["id"].clone();
    let second = data(&body)["expense"]["receipts"][1]["id"].clone();
    let body = app
        .gql(Some(&resident), REMOVE, json!({ "id": first }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&outsider), REMOVE, json!({ "id": first }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&s.treasurer), REMOVE, json!({ "id": first }))
        .await;
    assert_eq!(
        data(&body)["removeExpenseReceipt"]["expense"]["receipts"]
            .as_array()
            .unwrap()
            .len(),
        19
    );
    let submit = "mutation($id: ID!) { submitExpense(input: {expenseId: $id}) { expense { status permissions { canAttachReceipts canRemoveReceipts } } } }";
    let body = app
        .gql(Some(&s.treasurer), submit, json!({ "id": id }))
        .await;
    assert_eq!(
        data(&body)["submitExpense"]["expense"]["permissions"],
        json!({ "canAttachReceipts": true, "canRemoveReceipts": false })
    );
    let body = app
        .gql(Some(&s.treasurer), REMOVE, json!({ "id": second }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .upload_files(&s.treasurer, ATTACH, attach(1), &one)
        .await;
    assert_eq!(
        data(&body)["attachExpenseReceipts"]["expense"]["receipts"]
            .as_array()
            .unwrap()
            .len(),
        20
    );
}

/// Files below a directory.
fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { walk(&p) } else { 1 })
        .sum()
}

#[tokio::test]
async fn a_funds_expense_list_costs_the_same_statements_whatever_its_length() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let query = "query($id: ID!) { fund(id: $id) { expenses { nodes { payeeName decisions { decision } receipts { fileName } permissions { canSubmit canApprove } } } } }";
    let mut costs = Vec::new();
    for count in [2, 8] {
        while data(
            &app.gql(Some(&s.treasurer), query, json!({ "id": s.fund }))
                .await,
        )["fund"]["expenses"]["nodes"]
            .as_array()
            .unwrap()
            .len()
            < count
        {
            let body = app
                .upload_files(
                    &s.treasurer,
                    DRAFT,
                    draft_input(&s, 1),
                    &[("variables.in.receipts.0", "r.jpg", JPEG)],
                )
                .await;
            data(&body);
        }
        let before = app.db().statement_count();
        data(
            &app.gql(Some(&s.treasurer), query, json!({ "id": s.fund }))
                .await,
        );
        costs.push(app.db().statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}

#[tokio::test]
async fn collecting_files_deletes_removed_receipts_and_stray_objects_but_nothing_in_use() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let files = &app.state.services.files;
    let collect = |before| jiedao::files::collect::collect(app.db(), files, before);
    // A draft with a photo and a PDF; the PDF is removed again.
    let body = app
        .upload_files(
            &s.treasurer,
            DRAFT,
            draft_input(&s, 2),
            &[
                ("variables.in.receipts.0", "发票.jpg", JPEG),
                ("variables.in.receipts.1", "报价单.pdf", PDF),
            ],
        )
        .await;
    let receipts = data(&body)["draftExpense"]["expense"]["receipts"].clone();
    let (kept, removed) = (receipts[0].clone(), receipts[1].clone());
    data(
        &app.gql(Some(&s.treasurer), REMOVE, json!({ "id": removed["id"] }))
            .await,
    );
    // An upload whose transaction rolled back leaves its bytes behind.
    let stray = files
        .put(bytes::Bytes::from_static(b"%PDF-1.7 rolled back"))
        .await
        .unwrap();
    assert_eq!(walk(&app.files_dir()), 3);

    // Within the grace period nothing goes: uploads in flight are that young.
    let within_grace = collect(chrono::Utc::now() - chrono::Duration::hours(1))
        .await
        .unwrap();
    assert_eq!(within_grace, jiedao::files::collect::Collected::default());
    assert_eq!(walk(&app.files_dir()), 3);

    let collected = collect(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!((collected.records, collected.objects), (1, 2));
    assert_eq!(
        collected.bytes,
        (PDF.len() + b"%PDF-1.7 rolled back".len()) as u64
    );
    assert_eq!(walk(&app.files_dir()), 1);
    assert!(files.get(&stray).await.is_err());
    // The receipt still attached is untouched and still downloads.
    let url = kept["url"].as_str().unwrap();
    let (status, _, bytes) = app.download(Some(&s.treasurer), url).await;
    assert_eq!((status.as_u16(), bytes.as_slice()), (200, JPEG));
    assert_eq!(kept["sha256"], hex(JPEG));
    // Nothing is left to collect.
    let again = collect(chrono::Utc::now() + chrono::Duration::seconds(1))
        .await
        .unwrap();
    assert_eq!(again, jiedao::files::collect::Collected::default());
}
