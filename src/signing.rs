//! The deployment's signing keys (Ed25519) for what it publishes: each published statement
//! is signed, so a ledger rewritten with the database file alone (every later hash
//! recomputed) no longer matches a signature only the key could make.
//!
//! # Format
//! `JIEDAO_SIGNING_KEY` or the key file beside the SQLite database (`jiedao.signing.key`,
//! mode 0600): comma-separated entries `v<N>:<standard base64 of a 32-byte seed>`, or
//! `v<N>:public:<standard base64 of a 32-byte public key>` for a retired key whose private
//! half is gone. The highest version holding a private key signs; every entry verifies.
//! A key is named by its id, the first 8 bytes of SHA-256 of its public key in hex, so a
//! printed notice can carry it and a reader compare it with the deployment's list.

use std::{collections::BTreeMap, fmt, path::Path};

use base64::{Engine, engine::general_purpose::STANDARD};
pub use ed25519_dalek::VerifyingKey;
use ed25519_dalek::{Signature, Signer, SigningKey};
use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use sha2::{Digest, Sha256};

use crate::crypto::write_private;

/// The bytes of a key id (shown as 16 hex digits).
const KEY_ID_LEN: usize = 8;

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("signing key entry {entry}: expected `v<N>:<base64>` or `v<N>:public:<base64>`")]
    BadEntry { entry: usize },
    #[error("signing key v{version}: expected standard base64 of 32 bytes")]
    BadKey { version: u8 },
    #[error("signing key v{0} is listed more than once")]
    DuplicateVersion(u8),
    #[error("no signing key with its private half: add `v<N>:<base64 of 32 random bytes>`")]
    NoPrivateKey,
    #[error("signing key file {path}: {source}")]
    File {
        path: String,
        source: std::io::Error,
    },
}

/// One public key, as the deployment lists them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    pub version: u8,
    /// 16 lowercase hex digits.
    pub id: String,
    pub key: VerifyingKey,
    /// Whether this key signs new statements.
    pub current: bool,
}

impl PublicKey {
    pub fn hex(&self) -> String {
        hex(self.key.as_bytes())
    }
}

/// The keys: one that signs, all that verify. `Debug` shows ids only.
#[derive(Clone)]
pub struct SigningKeys {
    signer: SigningKey,
    signer_id: String,
    public: Vec<PublicKey>,
}

impl fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKeys")
            .field("signer", &self.signer_id)
            .finish()
    }
}

pub fn key_id(key: &VerifyingKey) -> String {
    hex(&Sha256::digest(key.as_bytes())[..KEY_ID_LEN])
}

/// A key id as people read it off paper: `1a2b 3c4d 5e6f 7a8b`.
pub fn grouped(id: &str) -> String {
    id.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn decode32(text: &str, version: u8) -> Result<[u8; 32], SigningKeyError> {
    let bytes = Zeroizing::new(
        STANDARD
            .decode(text.trim())
            .map_err(|_| SigningKeyError::BadKey { version })?,
    );
    <[u8; 32]>::try_from(bytes.as_slice()).map_err(|_| SigningKeyError::BadKey { version })
}

impl SigningKeys {
    pub fn parse(text: &str) -> Result<Self, SigningKeyError> {
        let mut private: BTreeMap<u8, SigningKey> = BTreeMap::new();
        let mut public: BTreeMap<u8, VerifyingKey> = BTreeMap::new();
        for (index, entry) in text.split(',').map(str::trim).enumerate() {
            let bad = SigningKeyError::BadEntry { entry: index + 1 };
            let (prefix, rest) = entry.split_once(':').ok_or(bad)?;
            let version = prefix
                .strip_prefix('v')
                .and_then(|d| d.parse::<u8>().ok())
                .filter(|v| *v != 0)
                .ok_or(SigningKeyError::BadEntry { entry: index + 1 })?;
            let key = match rest.strip_prefix("public:") {
                Some(encoded) => VerifyingKey::from_bytes(&decode32(encoded, version)?)
                    .map_err(|_| SigningKeyError::BadKey { version })?,
                None => {
                    let signer = SigningKey::from_bytes(&decode32(rest, version)?);
                    let key = signer.verifying_key();
                    private.insert(version, signer);
                    key
                }
            };
            if public.insert(version, key).is_some() {
                return Err(SigningKeyError::DuplicateVersion(version));
            }
        }
        let (&current, signer) = private
            .last_key_value()
            .ok_or(SigningKeyError::NoPrivateKey)?;
        let public = public
            .into_iter()
            .map(|(version, key)| PublicKey {
                version,
                id: key_id(&key),
                key,
                current: version == current,
            })
            .collect();
        Ok(Self {
            signer_id: key_id(&signer.verifying_key()),
            signer: signer.clone(),
            public,
        })
    }

    /// The key file beside the SQLite database, created on first start; `true` if created.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), SigningKeyError> {
        let file_error = |source| SigningKeyError::File {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read_to_string(path) {
            Ok(text) => return Ok((Self::parse(&Zeroizing::new(text))?, false)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(file_error(e)),
        }
        let text = format!("{}\n", new_entry(1));
        match write_private(path, &text) {
            Ok(()) => Ok((Self::parse(&text)?, true)),
            // Another process created it first; its file is complete (see `write_private`).
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let text = Zeroizing::new(std::fs::read_to_string(path).map_err(file_error)?);
                Ok((Self::parse(&text)?, false))
            }
            Err(e) => Err(file_error(e)),
        }
    }

    /// The id of the key that signs.
    pub fn signer_id(&self) -> &str {
        &self.signer_id
    }

    /// Signs with the current key: `(key id, 128 hex digits)`.
    pub fn sign(&self, message: &[u8]) -> (String, String) {
        let signature = self.signer.sign(message);
        (self.signer_id.clone(), hex(&signature.to_bytes()))
    }

    /// Every key, oldest version first.
    pub fn public_keys(&self) -> &[PublicKey] {
        &self.public
    }

    /// Whether `signature` (hex) is a valid signature of `message` by the key `id`.
    pub fn verify(&self, id: &str, message: &[u8], signature: &str) -> bool {
        self.public
            .iter()
            .find(|k| k.id == id)
            .is_some_and(|k| verify_with(&k.key, message, signature))
    }
}

/// Strict Ed25519 verification (no malleable or small-order signatures).
pub fn verify_with(key: &VerifyingKey, message: &[u8], signature: &str) -> bool {
    let Some(bytes) = unhex(signature).and_then(|b| <[u8; 64]>::try_from(b).ok()) else {
        return false;
    };
    key.verify_strict(message, &Signature::from_bytes(&bytes))
        .is_ok()
}

/// Replaces the key file with `contents` (mode 0600), whole or not at all.
pub fn replace_key_file(path: &Path, contents: &str) -> std::io::Result<()> {
    let next = path.with_extension("key.next");
    match std::fs::remove_file(&next) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    write_private(&next, contents)?;
    std::fs::rename(&next, path)
}

/// A fresh private entry `v<N>:<base64 seed>`.
pub fn new_entry(version: u8) -> String {
    let mut seed = Zeroizing::new([0u8; 32]);
    rand::rng().fill_bytes(seed.as_mut());
    format!("v{version}:{}", STANDARD.encode(seed.as_ref()))
}

/// The key text after a rotation: a new key signs, older keys stay as public entries only
/// (their private halves are dropped, so a leaked old key file cannot sign again).
pub fn rotated(text: &str) -> Result<String, SigningKeyError> {
    let keys = SigningKeys::parse(text)?;
    let next = keys
        .public
        .iter()
        .map(|k| k.version)
        .max()
        .unwrap_or(0)
        .checked_add(1)
        .ok_or(SigningKeyError::BadEntry {
            entry: keys.public.len(),
        })?;
    let mut entries: Vec<String> = keys
        .public
        .iter()
        .map(|k| {
            format!(
                "v{}:public:{}",
                k.version,
                STANDARD.encode(k.key.as_bytes())
            )
        })
        .collect();
    entries.push(new_entry(next));
    Ok(entries.join(","))
}

#[cfg(test)]
mod tests;
