//! Startup errors as a person starting `jiedao` sees them: the binary's own messages say
//! what to fix.

use std::{
    net::TcpListener,
    process::{Command, Output, Stdio},
    time::{Duration, Instant},
};

/// Runs `jiedao` with only the given environment and returns its output; fails the test
/// if it is still running after a minute (it started serving instead of refusing).
fn jiedao(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiedao"))
        .args(args)
        .env_clear()
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            child.kill().unwrap();
            panic!(
                "jiedao {args:?} did not stop: {:?}",
                child.wait_with_output()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn an_unsupported_database_url_is_named_before_anything_else() {
    let dir = tempfile::tempdir().unwrap();
    let listen = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    for command in ["serve", "migrate"] {
        let out = jiedao(
            &[command],
            &[
                (
                    "JIEDAO_DATABASE_URL",
                    "mysql://root:hunter2-secret@db.internal/jiedao",
                ),
                ("JIEDAO_LISTEN", &listen.to_string()),
                ("HOME", dir.path().to_str().unwrap()),
            ],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{command}: {stderr}");
        assert!(
            stderr.contains("unsupported database URL (sqlite:// or postgres://)"),
            "{command}: {stderr}"
        );
        assert!(stderr.contains("mysql://"), "{command}: {stderr}");
        assert!(!stderr.contains("JWT"), "{command}: {stderr}");
        assert!(!stderr.contains("hunter2"), "no password echoed: {stderr}");
    }
}

#[test]
fn a_busy_listen_address_is_named_with_the_variable_to_set() {
    let dir = tempfile::tempdir().unwrap();
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let address = taken.local_addr().unwrap().to_string();
    let db = dir.path().join("jiedao.db");
    let out = jiedao(
        &["serve"],
        &[
            ("JIEDAO_LISTEN", &address),
            ("JIEDAO_DATABASE_URL", &format!("sqlite://{}", db.display())),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains(&address), "{stderr}");
    assert!(stderr.contains("JIEDAO_LISTEN"), "{stderr}");
    assert!(
        !db.exists(),
        "refused before it created, migrated or seeded a database"
    );
    drop(taken);
}

#[test]
fn a_trusted_documents_manifest_that_does_not_load_is_named_and_nothing_serves() {
    let dir = tempfile::tempdir().unwrap();
    let listen = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .to_string();
    let manifest = dir.path().join("persisted-documents.json");
    std::fs::write(&manifest, r#"{"0123": "{ me { id } }"}"#).unwrap();
    let db = dir.path().join("jiedao.db");
    let out = jiedao(
        &["serve"],
        &[
            ("JIEDAO_LISTEN", &listen),
            ("JIEDAO_DATABASE_URL", &format!("sqlite://{}", db.display())),
            ("JIEDAO_TRUSTED_DOCUMENTS", manifest.to_str().unwrap()),
        ],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(stderr.contains("JIEDAO_TRUSTED_DOCUMENTS"), "{stderr}");
    assert!(stderr.contains(manifest.to_str().unwrap()), "{stderr}");
    assert!(
        stderr.contains("\"0123\" is not a SHA-256 hash"),
        "{stderr}"
    );
}
