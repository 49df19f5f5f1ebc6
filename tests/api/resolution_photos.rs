//! Photo proof: a repair reported fixed "with a photo twenty minutes later". The handler
//! resolves with photos (the same upload rules as any), and the reporter sees them with the
//! resolution; nobody outside the request does.

use entity::role_grant::Role;
use serde_json::json;

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    requests::{MOVE, grids},
};

const LAMP_DARK: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 photo of the dark street lamp";
const LAMP_LIT: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 photo of the lamp lit again";
const RESOLVE: &str = "mutation($id: ID!, $p: [Upload!]!) { moveRequest(input: {requestId: $id, action: RESOLVE, message: \"已更换灯泡\", photos: $p}) { request { status } } }";
const PHOTOS: &str = "query($id: ID!) { request(id: $id) { status photos { stage fileName url } proof: photos(stage: RESOLUTION) { fileName } } }";

#[tokio::test]
async fn a_repair_resolved_with_a_photo_shows_it_to_the_reporter_and_nobody_outside() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let submit =
        "mutation($in: SubmitRequestInput!) { submitRequest(input: $in) { request { id } } }";
    let input = json!({ "in": { "householdId": g.s.households["王秀英"], "category": "repair", "title": "楼下路灯不亮", "description": "晚上不亮", "photos": [null] } });
    let body = app
        .upload_files(
            &g.resident,
            submit,
            input,
            &[("variables.in.photos.0", "路灯.jpg", LAMP_DARK)],
        )
        .await;
    let id = data(&body)["submitRequest"]["request"]["id"].clone();
    data(
        &app.gql(
            Some(&g.worker3),
            MOVE,
            json!({ "id": id, "a": "ACKNOWLEDGE", "m": "马上去看" }),
        )
        .await,
    );

    // Photos go with a resolution only.
    let acknowledge = "mutation($id: ID!, $p: [Upload!]!) { moveRequest(input: {requestId: $id, action: START, photos: $p}) { request { status } } }";
    let body = app
        .upload_files(
            &g.worker3,
            acknowledge,
            json!({ "id": id, "p": [null] }),
            &[("variables.p.0", "灯.jpg", LAMP_LIT)],
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.photos");
    // The upload rules hold: text is not a photo, and the request stays as it was.
    let body = app
        .upload_files(
            &g.worker3,
            RESOLVE,
            json!({ "id": id, "p": [null] }),
            &[("variables.p.0", "灯.jpg", b"not a picture")],
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.photos.0");
    let body = app
        .gql(Some(&g.resident), PHOTOS, json!({ "id": id }))
        .await;
    assert_eq!(data(&body)["request"]["status"], "ACKNOWLEDGED");

    // Only the request's handlers resolve it: not the other grid's worker.
    let body = app
        .upload_files(
            &g.worker5,
            RESOLVE,
            json!({ "id": id, "p": [null] }),
            &[("variables.p.0", "灯.jpg", LAMP_LIT)],
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .upload_files(
            &g.worker3,
            RESOLVE,
            json!({ "id": id, "p": [null] }),
            &[("variables.p.0", "路灯已修好.jpg", LAMP_LIT)],
        )
        .await;
    assert_eq!(data(&body)["moveRequest"]["request"]["status"], "RESOLVED");

    // The reporter sees the proof with the resolution and downloads it.
    let body = app
        .gql(Some(&g.resident), PHOTOS, json!({ "id": id }))
        .await;
    let request = &data(&body)["request"];
    let stages: Vec<_> = request["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["stage"].as_str().unwrap(),
                p["fileName"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        stages,
        [("REPORT", "路灯.jpg"), ("RESOLUTION", "路灯已修好.jpg")]
    );
    assert_eq!(request["proof"], json!([{ "fileName": "路灯已修好.jpg" }]));
    let url = request["photos"][1]["url"].as_str().unwrap().to_owned();
    let (status, _, bytes) = app.download(Some(&g.resident), &url).await;
    assert_eq!(status, axum::http::StatusCode::OK);
    assert_eq!(bytes.as_slice(), LAMP_LIT);
    // Nobody outside: the other grid's worker, another community's admin.
    assert_eq!(
        app.download(Some(&g.worker5), &url).await.0,
        axum::http::StatusCode::NOT_FOUND
    );
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    assert_eq!(
        app.download(Some(&outsider), &url).await.0,
        axum::http::StatusCode::NOT_FOUND
    );
    assert_eq!(
        error_code(&app.gql(Some(&outsider), PHOTOS, json!({ "id": id })).await),
        Some("NOT_FOUND")
    );
}
