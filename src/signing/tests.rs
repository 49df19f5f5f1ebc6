use super::*;

fn one_key() -> SigningKeys {
    SigningKeys::parse(&new_entry(1)).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn the_current_key_signs_and_a_changed_message_or_signature_fails() {
    let keys = one_key();
    let (id, signature) = keys.sign(b"statement");
    assert_eq!(id, keys.signer_id());
    assert_eq!(id.len(), 16);
    assert_eq!(signature.len(), 128);
    assert!(keys.verify(&id, b"statement", &signature));
    assert!(!keys.verify(&id, b"statemenT", &signature));
    let mut flipped = signature.clone().into_bytes();
    flipped[0] = if flipped[0] == b'0' { b'1' } else { b'0' };
    assert!(!keys.verify(&id, b"statement", &String::from_utf8_lossy(&flipped)));
    assert!(!keys.verify("0000000000000000", b"statement", &signature));
    assert!(!keys.verify(&id, b"statement", "not hex"));
}

#[test]
fn after_rotation_old_signatures_verify_and_the_new_key_signs() {
    let old = one_key();
    let (old_id, old_signature) = old.sign(b"first notice");
    // Rotating a real keyring: the old private half becomes a public entry.
    let keyring = format!("v1:{}", STANDARD.encode(old.signer.to_bytes()));
    let text = rotated(&keyring).unwrap_or_else(|e| panic!("{e}"));
    assert!(text.starts_with("v1:public:"), "{text}");
    assert!(!text.contains(&STANDARD.encode(old.signer.to_bytes())));
    let new = SigningKeys::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_ne!(new.signer_id(), old_id);
    assert!(new.verify(&old_id, b"first notice", &old_signature));
    let (new_id, new_signature) = new.sign(b"second notice");
    assert!(new.verify(&new_id, b"second notice", &new_signature));
    assert!(!old.verify(&new_id, b"second notice", &new_signature));
    let listed: Vec<(u8, bool)> = new
        .public_keys()
        .iter()
        .map(|k| (k.version, k.current))
        .collect();
    assert_eq!(listed, vec![(1, false), (2, true)]);
}

#[test]
fn bad_key_text_is_refused_with_its_entry() {
    let error = |text: &str| {
        SigningKeys::parse(text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    };
    assert!(error("").contains("entry 1"));
    assert!(error("v1:abc").contains("v1"));
    let public = STANDARD.encode(one_key().public_keys()[0].key.as_bytes());
    assert!(error(&format!("v1:public:{public}")).contains("no signing key"));
    let entry = new_entry(3);
    assert!(error(&format!("{entry},{entry}")).contains("more than once"));
    assert!(error("x1:AAAA").contains("entry 1"));
}

#[test]
fn key_ids_read_in_groups_of_four() {
    assert_eq!(grouped("1a2b3c4d5e6f7a8b"), "1a2b 3c4d 5e6f 7a8b");
    assert_eq!(unhex("0aff"), Some(vec![10, 255]));
    assert_eq!(unhex("0"), None);
}

#[test]
fn the_key_file_is_made_once_and_read_back() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let path = dir.path().join("jiedao.signing.key");
    let (first, created) = SigningKeys::load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(created);
    let (again, created) = SigningKeys::load_or_create(&path).unwrap_or_else(|e| panic!("{e}"));
    assert!(!created);
    assert_eq!(first.signer_id(), again.signer_id());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .map(|m| m.permissions().mode())
            .unwrap_or(0);
        assert_eq!(mode & 0o777, 0o600);
    }
}
