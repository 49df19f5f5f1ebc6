//! `jiedao backup` / `jiedao restore` for the embedded default: a backup taken while a
//! treasurer keeps recording holds every entry acknowledged before it began, restores into a
//! working deployment whose ledger verifies, and a restore never overwrites a database or
//! accepts a damaged backup.

use std::collections::BTreeSet;

use jiedao::backup::{self, BackupError};
use serde_json::{Value, json};

use crate::{
    funds::{CONTRIBUTE, contribution, fund_setup},
    helpers::{TestApp, data, post_graphql, test_config},
};

const LEDGER: &str = "query($id: ID!) { fund(id: $id) { headSeq verifyLedger { ok } \
                      ledger(first: 100) { edges { node { amount } } } } }";

#[tokio::test]
async fn a_backup_under_write_load_restores_every_acknowledged_entry_and_a_verifying_chain() {
    let app = TestApp::new().await;
    if app.db().backend() != sea_orm::DbBackend::Sqlite {
        // PostgreSQL is backed up with pg_dump or continuous archiving (README).
        return;
    }
    let s = fund_setup(&app).await;
    let acknowledged = std::sync::Arc::new(std::sync::Mutex::new(BTreeSet::new()));
    let mut writers = Vec::new();
    for writer in 0..2 {
        let (app_router, token) = (app.router.clone(), s.treasurer.token.clone());
        let acknowledged = acknowledged.clone();
        let inputs: Vec<(String, Value)> = (1..=15)
            .map(|i| {
                let amount = format!("{}.{i:02}", writer + 1);
                let key = format!("backup-{writer}-{i}");
                let input = contribution(&s, "王秀英", &amount, &key);
                (amount, input)
            })
            .collect();
        writers.push(tokio::spawn(async move {
            for (amount, input) in inputs {
                let body = post_graphql(app_router.clone(), &token, CONTRIBUTE, input).await;
                assert!(body.get("errors").is_none(), "{body}");
                acknowledged.lock().unwrap().insert(amount);
                tokio::task::yield_now().await;
            }
        }));
    }
    while acknowledged.lock().unwrap().len() < 6 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let before_backup = acknowledged.lock().unwrap().clone();
    let backup_dir = tempfile::tempdir().unwrap();
    let to = backup_dir.path().join("backup");
    let config = app.state.services.config.clone();
    let manifest = backup::backup(&config, app.db(), &to, None).await.unwrap();
    for writer in writers {
        writer.await.unwrap();
    }
    assert_eq!(
        acknowledged.lock().unwrap().len(),
        30,
        "every write went on"
    );
    assert!(
        manifest.keys.iter().any(|k| k.path == "signing.key"),
        "the signing key file is in the backup: {manifest:?}"
    );

    // Restored where a new deployment keeps its database, with the same secrets.
    let (mut restored, restored_dir) = test_config();
    restored.database_url = format!(
        "sqlite://{}",
        restored_dir.path().join("jiedao.db").display()
    );
    backup::restore(&restored, &to, None).unwrap();
    let again = backup::restore(&restored, &to, None);
    assert!(
        matches!(again, Err(BackupError::InTheWay(_))),
        "a restore never overwrites: {again:?}"
    );
    let state = jiedao::build_state(restored).await.unwrap();
    state.services.db.migrate().await.unwrap();
    let router = jiedao::build_router(state.clone());
    // The treasurer's session came back with the database.
    let body = post_graphql(router, &s.treasurer.token, LEDGER, json!({ "id": s.fund })).await;
    let fund = &data(&body)["fund"];
    assert_eq!(fund["verifyLedger"]["ok"], true, "{body}");
    let amounts: BTreeSet<String> = fund["ledger"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["amount"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        before_backup.is_subset(&amounts),
        "acknowledged before the backup: {before_backup:?}, restored: {amounts:?}"
    );
    assert_eq!(fund["headSeq"], amounts.len(), "a gapless chain");

    // A damaged backup is refused before anything is written.
    let database = to.join("jiedao.db");
    let mut bytes = std::fs::read(&database).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&database, bytes).unwrap();
    let (elsewhere, elsewhere_dir) = test_config();
    let damaged = backup::restore(&elsewhere, &to, None);
    assert!(
        matches!(damaged, Err(BackupError::Corrupt { .. })),
        "{damaged:?}"
    );
    assert!(!elsewhere_dir.path().join("jiedao.db").exists());
    drop(restored_dir);
}
