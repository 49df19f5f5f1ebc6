//! The notice commands as a resident's helper and an operator run them: the built
//! `jiedao verify-statement` against a served deployment and saved notices, and
//! `jiedao rotate-signing-key` on a key file.

use jiedao::funds::statements::sign_backlog;
use sea_orm::ConnectionTrait;

use crate::{
    helpers::TestApp,
    notices::{document, fund_id, rewrite_history, two_statements},
};

/// Runs the built `jiedao` with `args`: (exit code, stdout, stderr).
async fn jiedao(args: Vec<String>, env: Vec<(&'static str, String)>) -> (i32, String, String) {
    tokio::task::spawn_blocking(move || {
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_jiedao"))
            .args(&args)
            .env_remove("JIEDAO_SIGNING_KEY")
            .env_remove("JIEDAO_DATABASE_URL")
            .envs(env)
            .output()
            .unwrap();
        (
            output.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn verify_statement_checks_links_and_saved_notices_and_catches_a_rewritten_history() {
    let app = TestApp::new().await;
    let (s, first, second) = two_statements(&app).await;
    let addr = crate::live::serve(app.router.clone()).await;
    let link = |token: &str| format!("http://{addr}/s/{token}");
    let dir = tempfile::tempdir().unwrap();
    let saved = |name: &str| dir.path().join(name).display().to_string();
    // A resident saved both notices when they were published.
    for (token, name) in [(&first, "first.json"), (&second, "second.json")] {
        let doc = document(&app, token).await;
        std::fs::write(saved(name), serde_json::to_string(&doc).unwrap()).unwrap();
    }
    let key = app.state.services.signing.public_keys()[0].hex();

    let (code, out, err) = jiedao(
        vec!["verify-statement".into(), link(&second), link(&first)],
        vec![],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ok: 和韵小区 "), "{out}");
    assert!(
        out.contains("entries 3 to 4") && out.contains("continues the 1 earlier"),
        "{out}"
    );
    let fingerprint = jiedao::signing::grouped(app.state.services.signing.signer_id());
    assert!(
        out.contains(&fingerprint),
        "the key as printed on the notice: {out}"
    );

    // Saved files need a key: the printed one, or none at all.
    let (code, _, err) = jiedao(
        vec!["verify-statement".into(), saved("second.json")],
        vec![],
    )
    .await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--key"), "{err}");
    let args = vec![
        "verify-statement".into(),
        saved("first.json"),
        saved("second.json"),
        "--key".into(),
        key.clone(),
    ];
    assert_eq!(jiedao(args, vec![]).await.0, 0);

    rewrite_history(&app, fund_id(&s), 2, 300).await;
    let (code, out, _) = jiedao(vec!["verify-statement".into(), link(&second)], vec![]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("FAILED: ") && out.contains("no valid signature"),
        "{out}"
    );
    // Whoever also holds the key re-signs the rewritten statements: each verifies alone,
    // but the notice a resident saved before contradicts the new one.
    app.db()
        .writer()
        .execute_unprepared("UPDATE statement SET signature = NULL")
        .await
        .unwrap();
    sign_backlog(app.db(), &app.state.services.signing)
        .await
        .unwrap();
    let (code, out, _) = jiedao(vec!["verify-statement".into(), link(&second)], vec![]).await;
    assert_eq!(code, 0, "re-signed with the stolen key: {out}");
    let (code, out, _) = jiedao(
        vec![
            "verify-statement".into(),
            saved("first.json"),
            link(&second),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.starts_with("FAILED: ") && out.contains("history was rewritten"),
        "{out}"
    );
    let (code, _, err) = jiedao(
        vec![
            "verify-statement".into(),
            format!("http://{addr}/s/AAAAAAAAAAAAAAAAAAAAAAAA"),
        ],
        vec![],
    )
    .await;
    assert_eq!(code, 2);
    assert!(err.contains("404"), "{err}");
}

#[tokio::test]
async fn rotate_signing_key_keeps_the_old_public_key_and_signs_with_a_new_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jiedao.signing.key");
    let (before, _) = jiedao::signing::SigningKeys::load_or_create(&path).unwrap();
    let (signed_id, signature) = before.sign(b"an old notice");
    let url = format!("sqlite://{}", dir.path().join("jiedao.db").display());
    let (code, out, err) = jiedao(
        vec!["rotate-signing-key".into()],
        vec![("JIEDAO_DATABASE_URL", url)],
    )
    .await;
    assert_eq!(code, 0, "{out}{err}");
    let (after, _) = jiedao::signing::SigningKeys::load_or_create(&path).unwrap();
    assert_ne!(after.signer_id(), before.signer_id());
    assert!(
        out.contains(&jiedao::signing::grouped(after.signer_id())),
        "{out}"
    );
    assert!(after.verify(&signed_id, b"an old notice", &signature));
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        text.starts_with("v1:public:"),
        "the old private half is gone: {text}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
}

#[tokio::test]
async fn verify_statement_refuses_a_file_larger_than_any_statement_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("huge.json");
    // Sparse: 65 MiB declared, nothing written.
    std::fs::File::create(&path)
        .unwrap()
        .set_len(65 << 20)
        .unwrap();
    let args = vec![
        "verify-statement".into(),
        path.display().to_string(),
        "--key".into(),
        "00".repeat(32),
    ];
    let (code, _, err) = jiedao(args, vec![]).await;
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("larger than 64 MiB"), "{err}");
}
