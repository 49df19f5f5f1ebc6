use base64::{Engine, engine::general_purpose::STANDARD};

use super::*;

/// Standard-base64 text of a 32-byte key filled with `byte`.
fn key_text(byte: u8) -> String {
    STANDARD.encode([byte; KEY_LEN])
}

fn keys(text: &str) -> DataKeys {
    DataKeys::parse(text).unwrap()
}

#[test]
fn round_trip() {
    let k = keys(&key_text(7));
    let stored = k.encrypt("resident.phone:42", "13800138000").unwrap();
    assert!(stored.starts_with("v1:"));
    assert!(!stored.contains("13800138000"));
    assert_eq!(
        k.decrypt("resident.phone:42", &stored).unwrap(),
        "13800138000"
    );
    let empty = k.encrypt("c", "").unwrap();
    assert_eq!(k.decrypt("c", &empty).unwrap(), "");
    let unicode = k.encrypt("c", "张三 110101199003077777").unwrap();
    assert_eq!(k.decrypt("c", &unicode).unwrap(), "张三 110101199003077777");
}

#[test]
fn same_plaintext_gives_different_ciphertexts() {
    let k = keys(&key_text(7));
    let a = k.encrypt("c", "110101199003077777").unwrap();
    let b = k.encrypt("c", "110101199003077777").unwrap();
    assert_ne!(a, b);
}

#[test]
fn wrong_context_fails() {
    let k = keys(&key_text(7));
    let stored = k.encrypt("resident.phone:1", "13800138000").unwrap();
    assert!(matches!(
        k.decrypt("resident.phone:2", &stored),
        Err(CryptoError::Decrypt)
    ));
    assert!(matches!(
        k.decrypt("resident.document:1", &stored),
        Err(CryptoError::Decrypt)
    ));
}

#[test]
fn tampered_ciphertext_fails() {
    let k = keys(&key_text(7));
    let stored = k.encrypt("c", "13800138000").unwrap();
    let (prefix, payload) = stored.split_once(':').unwrap();
    let mut blob = URL_SAFE_NO_PAD.decode(payload).unwrap();
    for i in [0, NONCE_LEN, blob.len() - 1] {
        let mut bad = blob.clone();
        bad[i] ^= 1;
        let text = format!("{prefix}:{}", URL_SAFE_NO_PAD.encode(&bad));
        assert!(matches!(k.decrypt("c", &text), Err(CryptoError::Decrypt)));
    }
    blob.truncate(NONCE_LEN + TAG_LEN - 1);
    let short = format!("{prefix}:{}", URL_SAFE_NO_PAD.encode(&blob));
    assert!(matches!(
        k.decrypt("c", &short),
        Err(CryptoError::Malformed)
    ));
    for junk in [
        "",
        "v1",
        "v1:",
        "v1:!!!",
        "x1:abcd",
        "13800138000",
        "v0:abcd",
    ] {
        assert!(k.decrypt("c", junk).is_err(), "{junk:?}");
    }
    // A different key of the same version cannot open it either.
    let other = keys(&key_text(8));
    assert!(matches!(
        other.decrypt("c", &stored),
        Err(CryptoError::Decrypt)
    ));
}

#[test]
fn rotation() {
    let old = keys(&format!("v1:{}", key_text(1)));
    let v1_text = old.encrypt("c", "13800138000").unwrap();
    assert!(v1_text.starts_with("v1:"));

    let rotated = keys(&format!("v1:{}, v2:{}", key_text(1), key_text(2)));
    assert_eq!(rotated.current_version(), 2);
    let v2_text = rotated.encrypt("c", "13900139000").unwrap();
    assert!(v2_text.starts_with("v2:"));
    assert_eq!(rotated.decrypt("c", &v1_text).unwrap(), "13800138000");
    assert_eq!(rotated.decrypt("c", &v2_text).unwrap(), "13900139000");
    assert!(rotated.needs_reencrypt(&v1_text));
    assert!(!rotated.needs_reencrypt(&v2_text));
    assert!(!old.needs_reencrypt(&v1_text));
    assert!(!rotated.needs_reencrypt("garbage"));

    // Order in the text does not matter; the highest version encrypts.
    let reordered = keys(&format!("v2:{},v1:{}", key_text(2), key_text(1)));
    assert_eq!(reordered.current_version(), 2);
    assert_eq!(reordered.decrypt("c", &v2_text).unwrap(), "13900139000");
}

#[test]
fn unknown_version_fails() {
    let k = keys(&format!("v1:{}", key_text(1)));
    let v2 = keys(&format!("v2:{}", key_text(2)));
    let stored = v2.encrypt("c", "x").unwrap();
    assert!(matches!(
        k.decrypt("c", &stored),
        Err(CryptoError::UnknownVersion(2))
    ));
}

#[test]
fn lookup_hash_is_stable_across_rotation() {
    let one = keys(&format!("v1:{}", key_text(1)));
    let two = keys(&format!("v1:{},v2:{}", key_text(1), key_text(2)));
    let h = one.lookup_hash("phone", "13800138000");
    assert_eq!(h.len(), 64);
    assert!(
        h.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    );
    assert_eq!(h, two.lookup_hash("phone", "13800138000"));
    assert_eq!(h, one.lookup_hash("phone", "  13800138000\n"));
    // Bare key == v1.
    assert_eq!(h, keys(&key_text(1)).lookup_hash("phone", "13800138000"));
}

#[test]
fn lookup_hash_differs_by_purpose_value_and_key() {
    let k = keys(&key_text(1));
    let h = k.lookup_hash("phone", "13800138000");
    assert_ne!(h, k.lookup_hash("document", "13800138000"));
    assert_ne!(h, k.lookup_hash("phone", "13800138001"));
    assert_ne!(h, keys(&key_text(9)).lookup_hash("phone", "13800138000"));
    // The purpose/value boundary is unambiguous.
    assert_ne!(
        k.lookup_hash("phone", "-last4"),
        k.lookup_hash("phone-last4", "")
    );
    assert_ne!(k.lookup_hash("ab", "c"), k.lookup_hash("a", "bc"));
}

/// Predicate on the error a bad key text must produce.
type Expect = fn(&CryptoError) -> bool;

#[test]
fn parse_errors() {
    let good = key_text(1);
    let cases: Vec<(String, Expect)> = vec![
        (String::new(), |e| matches!(e, CryptoError::NoKeys)),
        ("   ".into(), |e| matches!(e, CryptoError::NoKeys)),
        ("not*base64".into(), |e| {
            matches!(e, CryptoError::BadBase64 { version: 1 })
        }),
        (STANDARD.encode([0u8; 16]), |e| {
            matches!(
                e,
                CryptoError::BadKeyLength {
                    version: 1,
                    len: 16
                }
            )
        }),
        (format!("v0:{good}"), |e| {
            matches!(e, CryptoError::BadVersion { entry: 1 })
        }),
        (format!("v1:{good},v256:{good}"), |e| {
            matches!(e, CryptoError::BadVersion { entry: 2 })
        }),
        (format!("1:{good}"), |e| {
            matches!(e, CryptoError::BadVersion { .. })
        }),
        (format!("v+1:{good}"), |e| {
            matches!(e, CryptoError::BadVersion { .. })
        }),
        (format!("v1:{good},v1:{}", key_text(2)), |e| {
            matches!(e, CryptoError::DuplicateVersion(1))
        }),
        (format!("{good},v1:{}", key_text(2)), |e| {
            matches!(e, CryptoError::DuplicateVersion(1))
        }),
        (format!("v1:{good},"), |e| {
            matches!(e, CryptoError::BadKeyLength { version: 1, len: 0 })
        }),
    ];
    for (text, expected) in cases {
        let err = DataKeys::parse(&text).unwrap_err();
        assert!(expected(&err), "{text:?} gave {err:?}");
        assert!(!err.to_string().contains(&good));
    }
    // Whitespace and a trailing newline (key files) are fine; v255 is the maximum.
    let k = keys(&format!(" v1:{good} ,\tv255:{}\n", key_text(2)));
    assert_eq!(k.current_version(), 255);
}

#[test]
fn debug_shows_versions_not_key_bytes() {
    let (a, b) = (key_text(0xab), key_text(0xcd));
    let k = keys(&format!("v1:{a},v3:{b}"));
    let debug = format!("{k:?}");
    assert_eq!(debug, "DataKeys { versions: [1, 3] }");
    assert!(!debug.contains(&a) && !debug.contains(&b));
    let alt = format!("{k:#?}");
    assert!(!alt.contains(&a) && !alt.contains(&b));
}

#[test]
fn load_or_create_writes_private_file_and_reads_it_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("jiedao.data.key");
    let (first, created) = DataKeys::load_or_create(&path).unwrap();
    assert!(created);
    assert_eq!(first.current_version(), 1);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.starts_with("v1:"));

    let (second, created) = DataKeys::load_or_create(&path).unwrap();
    assert!(!created);
    let stored = first.encrypt("c", "13800138000").unwrap();
    assert_eq!(second.decrypt("c", &stored).unwrap(), "13800138000");
    assert_eq!(
        first.lookup_hash("phone", "1"),
        second.lookup_hash("phone", "1")
    );
    assert_eq!(
        first.lookup_hash("phone", "1"),
        keys(&text).lookup_hash("phone", "1")
    );
}

#[test]
fn load_or_create_rejects_a_corrupt_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.key");
    std::fs::write(&path, "v1:tooshort").unwrap();
    let err = DataKeys::load_or_create(&path).unwrap_err();
    assert!(
        matches!(err, CryptoError::KeyFileContents { .. }),
        "{err:?}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "v1:tooshort");
}

#[test]
fn load_or_create_race_yields_one_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("race.key");
    let results: Vec<(DataKeys, bool)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| DataKeys::load_or_create(&path).unwrap()))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(results.iter().filter(|(_, created)| *created).count(), 1);
    let expected = results[0].0.lookup_hash("phone", "1");
    assert!(
        results
            .iter()
            .all(|(k, _)| k.lookup_hash("phone", "1") == expected)
    );
}
