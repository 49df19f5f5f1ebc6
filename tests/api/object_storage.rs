//! The file store in an S3-compatible bucket (`JIEDAO_FILES_URL`): a receipt is stored in
//! the bucket under its SHA-256, downloads back through `/files/{id}`, and an object nothing
//! uses is collected. CI runs this against moto's S3 server (`.ci/run` sets
//! `JIEDAO_TEST_S3_URL` and the `AWS_*` variables); without a bucket it returns at once.

use futures::TryStreamExt;
use object_store::{ObjectStore, aws::AmazonS3Builder, path::Path};
use serde_json::json;
use uuid::Uuid;

use crate::{
    funds::fund_setup,
    helpers::{TestApp, data, test_config},
};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 receipt photo kept in a bucket";
const DRAFT: &str = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { receipts { sha256 url } } } }";

#[tokio::test]
async fn receipts_are_kept_in_an_s3_compatible_bucket_and_collected_from_it() {
    let Some(bucket) = std::env::var("JIEDAO_TEST_S3_URL")
        .ok()
        .filter(|url| !url.is_empty())
    else {
        return;
    };
    let prefix = format!("t{}", Uuid::now_v7().simple());
    let (mut config, dir) = test_config();
    config.files_url = Some(format!("{bucket}/{prefix}"));
    let local = config.files_dir.clone().unwrap();
    let app = TestApp::with_config(config, dir).await.with_homes().await;
    let s = fund_setup(&app).await;
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": "200.00",
        "purpose": "更换道闸电机", "receipts": [null] } });
    let body = app
        .upload_files(
            &s.treasurer,
            DRAFT,
            input,
            &[("variables.in.receipts.0", "道闸电机.jpg", JPEG)],
        )
        .await;
    let receipt = data(&body)["draftExpense"]["expense"]["receipts"][0].clone();
    let sha256 = receipt["sha256"].as_str().unwrap().to_owned();
    let (status, _, bytes) = app
        .download(Some(&s.treasurer), receipt["url"].as_str().unwrap())
        .await;
    assert_eq!((status.as_u16(), bytes.as_slice()), (200, JPEG));

    // In the bucket under the deployment's prefix, read with a client of our own; nothing
    // on the local disk.
    let raw = AmazonS3Builder::from_env()
        .with_url(&bucket)
        .build()
        .unwrap();
    let listed = || async {
        raw.list(Some(&Path::from(prefix.as_str())))
            .map_ok(|o| o.location.to_string())
            .try_collect::<Vec<_>>()
            .await
            .unwrap()
    };
    assert_eq!(
        listed().await,
        [format!("{prefix}/sha256/{}/{sha256}", &sha256[..2])]
    );
    assert!(!local.exists(), "no local file store: {}", local.display());

    // An object nothing refers to is collected from the bucket; the receipt stays.
    let files = &app.state.services.files;
    files
        .put(bytes::Bytes::from_static(b"%PDF-1.7 rolled back"))
        .await
        .unwrap();
    assert_eq!(listed().await.len(), 2);
    let later = chrono::Utc::now() + chrono::Duration::seconds(1);
    let collected = jiedao::files::collect::collect(app.db(), files, later)
        .await
        .unwrap();
    assert_eq!(collected.objects, 1);
    assert_eq!(listed().await.len(), 1);
    assert_eq!(files.get(&sha256).await.unwrap().as_ref(), JPEG);
}

#[tokio::test]
async fn a_files_url_that_is_not_a_bucket_stops_the_start_and_says_what_is_expected() {
    for url in ["https://oss.example.cn/receipts", "s3://", "not a url"] {
        let (mut config, _dir) = test_config();
        config.files_url = Some(url.to_owned());
        let refused = jiedao::build_state(config).await.err().unwrap().to_string();
        assert!(refused.contains("JIEDAO_FILES_URL: "), "{url}: {refused}");
        assert!(
            refused.contains("expected s3://bucket") || refused.contains("not a URL"),
            "{url}: {refused}"
        );
    }
}
