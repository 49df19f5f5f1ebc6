//! Multipart requests: at most ten files a request, refused with 413 before anything runs
//! (nothing stored), and `operations` without a query is a malformed body.

use axum::http::StatusCode;
use entity::{expense, expense_receipt, request_photo, service_request, stored_file};
use serde_json::{Value, json};

use crate::{
    funds::fund_setup,
    helpers::{TestApp, data, error_code},
    requests::grids,
};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 one of many photos";

/// What a refused upload must not have left behind.
async fn stored(app: &TestApp) -> [u64; 5] {
    [
        app.count::<stored_file::Entity>().await,
        app.count::<service_request::Entity>().await,
        app.count::<request_photo::Entity>().await,
        app.count::<expense::Entity>().await,
        app.count::<expense_receipt::Entity>().await,
    ]
}

fn objects(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .map(|e| e.unwrap().path())
                .map(|p| if p.is_dir() { objects(&p) } else { 1 })
                .sum()
        })
        .unwrap_or(0)
}

/// `count` files at `variables.in.<list>.0..count`, each different.
fn files(list: &str, count: usize) -> Vec<(String, String, Vec<u8>)> {
    (0..count)
        .map(|i| {
            let mut bytes = JPEG.to_vec();
            bytes.extend_from_slice(i.to_string().as_bytes());
            (
                format!("variables.in.{list}.{i}"),
                format!("{i}.jpg"),
                bytes,
            )
        })
        .collect()
}

fn borrowed(files: &[(String, String, Vec<u8>)]) -> Vec<(&str, &str, &[u8])> {
    files
        .iter()
        .map(|(p, n, b)| (p.as_str(), n.as_str(), b.as_slice()))
        .collect()
}

#[tokio::test]
async fn more_than_ten_files_are_refused_before_anything_is_stored() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let before = (stored(&app).await, objects(&app.files_dir()));

    let submit = "mutation($in: SubmitRequestInput!) { submitRequest(input: $in) { request { id photos { url } } } }";
    let photos = files("photos", 11);
    let operations = json!({ "query": submit, "variables": { "in": {
        "householdId": g.s.households["王秀英"], "category": "repair", "title": "楼道灯坏了",
        "description": "十一张照片", "photos": vec![Value::Null; 11] } } });
    let (status, body) = app
        .multipart(&g.resident, operations, &borrowed(&photos))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 10 files"),
        "{body}"
    );

    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id receipts { id } } } }";
    let receipts = files("receipts", 12);
    let operations = json!({ "query": draft, "variables": { "in": {
        "fundId": g.s.fund, "payeeName": "平安门禁维修部", "amount": "200.00",
        "purpose": "更换道闸电机", "receipts": vec![Value::Null; 12] } } });
    let (status, body) = app
        .multipart(&g.s.treasurer, operations, &borrowed(&receipts))
        .await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(error_code(&body), Some("PAYLOAD_TOO_LARGE"));

    assert_eq!(
        (stored(&app).await, objects(&app.files_dir())),
        before,
        "nothing stored"
    );

    // Ten is the limit, not one less.
    let ten = files("receipts", 10);
    let body = app
        .upload_files(
            &g.s.treasurer,
            draft,
            json!({ "in": { "fundId": g.s.fund, "payeeName": "平安门禁维修部", "amount": "200.00",
                "purpose": "更换道闸电机", "receipts": vec![Value::Null; 10] } }),
            &borrowed(&ten),
        )
        .await;
    let receipts = &data(&body)["draftExpense"]["expense"]["receipts"];
    assert_eq!(receipts.as_array().unwrap().len(), 10);
}

#[tokio::test]
async fn operations_without_a_query_are_a_bad_request() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let photo = files("file", 1);
    for operations in [
        json!({ "variables": { "in": { "file": null } } }),
        json!({ "query": "", "variables": {} }),
    ] {
        let (status, body) = app
            .multipart(&s.treasurer, operations.clone(), &borrowed(&photo))
            .await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{operations}: {body}");
        assert_eq!(error_code(&body), Some("BAD_REQUEST"));
    }
}
