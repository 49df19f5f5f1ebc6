//! Field-level protection for residents' personal data (PIPL 个人信息保护法): identity-document
//! numbers and phone numbers are stored encrypted with AES-256-GCM, and exact-match lookups go
//! through keyed hashes (HMAC-SHA256) so the database never needs the plaintext to find a row.
//!
//! # Threat model
//!
//! This protects a *stolen or leaked database file or backup* (a copied SQLite file, a
//! `pg_dump`, a backup tape): without the key, the encrypted columns reveal nothing and the
//! lookup hashes cannot be brute-forced offline (an unkeyed hash of an 18-digit ID number or an
//! 11-digit phone number could be, trivially). It does **not** protect against an attacker who
//! controls the running server or can read its key material (environment, key file, memory):
//! such an attacker can decrypt everything the server can. Keep the key out of database
//! backups, or backups protected separately.
//!
//! Each ciphertext is bound to a caller-chosen *context* (AES-GCM associated data), e.g.
//! `"resident.phone:<resident id>"`, so a ciphertext copied into another row or column fails to
//! decrypt instead of silently showing someone else's number.
//!
//! # Formats
//!
//! * Key text (`JIEDAO_DATA_KEY` or the key file): comma-separated entries `v<N>:<key>`, N in
//!   1..=255, key = standard base64 *with padding* of 32 random bytes. A bare key means `v1`.
//!   The highest version encrypts; every listed version can decrypt.
//! * Stored ciphertext: `v<N>:` + URL-safe base64 *without padding* (RFC 4648 §5) of
//!   `nonce (12 random bytes) || ciphertext || tag (16 bytes)`. The version prefix says which
//!   key decrypts it, so keys can rotate: add `v2`, re-encrypt rows for which
//!   [`DataKeys::needs_reencrypt`] is true, then drop `v1` (see the caveat on lookup hashes).
//! * Lookup hash: lowercase hex of HMAC-SHA256 (64 characters).
//!
//! # Lookup hashes and rotation
//!
//! Lookup hashes must stay stable while encryption keys rotate, otherwise every stored hash
//! would have to be recomputed (which needs the plaintext) at each rotation. So the lookup key is
//! derived once, as `HMAC-SHA256(key = lowest configured version's key, "jiedao lookup key v1")`,
//! and adding newer versions does not change it. **Consequence: keep the lowest version in the
//! key text for as long as lookup hashes made with it exist** (even after all ciphertexts were
//! re-encrypted under newer versions). A separate `JIEDAO_LOOKUP_KEY` may lift this later.

use std::{collections::BTreeMap, fmt, io, path::Path, path::PathBuf};

use aes_gcm::{
    Aes256Gcm, KeyInit,
    aead::{Aead, Payload},
};
use base64::{
    Engine,
    engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD},
};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::zeroize::Zeroizing;
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;
/// Domain-separation label for deriving the lookup key from the lowest encryption key.
const LOOKUP_KEY_LABEL: &[u8] = b"jiedao lookup key v1";

/// Errors from key parsing, key files, encryption and decryption. No variant ever carries key
/// bytes or plaintext; at most a version number, an entry position or a length.
#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("no data key configured")]
    NoKeys,
    #[error("data key entry {entry}: expected `v<N>:<base64>` with N from 1 to 255")]
    BadVersion { entry: usize },
    #[error("data key v{version}: not valid standard base64")]
    BadBase64 { version: u8 },
    #[error("data key v{version}: decodes to {len} bytes, expected 32")]
    BadKeyLength { version: u8, len: usize },
    #[error("data key v{0} is listed more than once")]
    DuplicateVersion(u8),
    #[error("data key file {}: {source}", path.display())]
    KeyFile { path: PathBuf, source: io::Error },
    #[error("data key file {}: {source}", path.display())]
    KeyFileContents {
        path: PathBuf,
        source: Box<CryptoError>,
    },
    #[error("encryption failed")]
    Encrypt,
    #[error("stored value is not in the `v<N>:<base64>` encrypted format")]
    Malformed,
    #[error("stored value uses data key v{0}, which is not configured")]
    UnknownVersion(u8),
    #[error("decryption failed (tampered value, wrong context or wrong key)")]
    Decrypt,
}

/// Key material for personal data: versioned AES-256-GCM keys, the newest used to encrypt.
///
/// `Debug` prints only the configured version numbers, never key bytes.
#[derive(Clone)]
pub struct DataKeys {
    /// Non-empty; the last entry (highest version) encrypts.
    ciphers: BTreeMap<u8, Aes256Gcm>,
    /// HMAC-SHA256 already keyed with the derived lookup key; cloned per hash.
    lookup: HmacSha256,
}

impl fmt::Debug for DataKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let versions: Vec<u8> = self.ciphers.keys().copied().collect();
        f.debug_struct("DataKeys")
            .field("versions", &versions)
            .finish()
    }
}

impl DataKeys {
    /// Parses `JIEDAO_DATA_KEY`-style text: one or more entries separated by commas, each
    /// `v<N>:<standard base64 of 32 bytes>` (N = 1..=255); a bare base64 key means version 1.
    /// Whitespace around entries is ignored. The newest (highest) version encrypts; all decrypt.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(CryptoError::NoKeys);
        }
        let mut keys: BTreeMap<u8, Zeroizing<Vec<u8>>> = BTreeMap::new();
        for (index, entry) in text.split(',').enumerate() {
            let entry_no = index + 1;
            // The base64 alphabet has no ':', so a colon always means a version prefix.
            let (version, encoded) = match entry.trim().split_once(':') {
                Some((prefix, encoded)) => (parse_version(prefix.trim(), entry_no)?, encoded),
                None => (1, entry.trim()),
            };
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(encoded.trim())
                    .map_err(|_| CryptoError::BadBase64 { version })?,
            );
            if bytes.len() != KEY_LEN {
                return Err(CryptoError::BadKeyLength {
                    version,
                    len: bytes.len(),
                });
            }
            if keys.insert(version, bytes).is_some() {
                return Err(CryptoError::DuplicateVersion(version));
            }
        }
        let Some(lowest) = keys.values().next() else {
            return Err(CryptoError::NoKeys);
        };
        let lookup_key = Zeroizing::new(
            hmac_with(lowest)?
                .chain_update(LOOKUP_KEY_LABEL)
                .finalize()
                .into_bytes()
                .to_vec(),
        );
        let lookup = hmac_with(&lookup_key)?;
        let mut ciphers = BTreeMap::new();
        for (version, bytes) in &keys {
            let cipher =
                Aes256Gcm::new_from_slice(bytes).map_err(|_| CryptoError::BadKeyLength {
                    version: *version,
                    len: bytes.len(),
                })?;
            ciphers.insert(*version, cipher);
        }
        Ok(Self { ciphers, lookup })
    }

    /// The embedded default: reads the key file, or creates it with a fresh random v1 key
    /// (mode 0600 on unix; `create_new`, so two processes starting at once cannot overwrite
    /// each other's key — the loser reads the winner's file). Returns `(keys, created)`.
    /// The file uses the same text format as [`DataKeys::parse`], so more versions can be
    /// added to it by hand for rotation.
    pub fn load_or_create(path: &Path) -> Result<(Self, bool), CryptoError> {
        match read_key_file(path) {
            Ok(keys) => return Ok((keys, false)),
            Err(CryptoError::KeyFile { source, .. })
                if source.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rng().fill_bytes(key.as_mut());
        let text = Zeroizing::new(format!("v1:{}\n", STANDARD.encode(key.as_ref())));
        match write_private(path, &text) {
            Ok(()) => Ok((parse_key_file(path, &text)?, true)),
            // Another process created it first; its file is complete (see `write_private`).
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Ok((read_key_file(path)?, false)),
            Err(source) => Err(CryptoError::KeyFile {
                path: path.to_owned(),
                source,
            }),
        }
    }

    /// Encrypts under the current (highest) version: `"v<N>:" + base64url-nopad(nonce ||
    /// ciphertext+tag)`, with `context` as associated data (e.g. `"resident.phone:<id>"`).
    pub fn encrypt(&self, context: &str, plaintext: &str) -> Result<String, CryptoError> {
        let (version, cipher) = self.ciphers.last_key_value().ok_or(CryptoError::NoKeys)?;
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        let sealed = cipher
            .encrypt(
                (&nonce).into(),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Encrypt)?;
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        Ok(format!("v{version}:{}", URL_SAFE_NO_PAD.encode(blob)))
    }

    /// Reverses [`DataKeys::encrypt`]; `context` must be the one used to encrypt. Unknown
    /// version, malformed text, tampering or a wrong context are errors, never panics.
    pub fn decrypt(&self, context: &str, stored: &str) -> Result<String, CryptoError> {
        let (version, encoded) = split_stored(stored).ok_or(CryptoError::Malformed)?;
        let cipher = self
            .ciphers
            .get(&version)
            .ok_or(CryptoError::UnknownVersion(version))?;
        let blob = URL_SAFE_NO_PAD
            .decode(encoded)
            .map_err(|_| CryptoError::Malformed)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Malformed);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce: &[u8; NONCE_LEN] = nonce.try_into().map_err(|_| CryptoError::Malformed)?;
        let plain = cipher
            .decrypt(
                nonce.into(),
                Payload {
                    msg: sealed,
                    aad: context.as_bytes(),
                },
            )
            .map_err(|_| CryptoError::Decrypt)?;
        // Authenticated, so this only fails if the encrypting side was not this module.
        String::from_utf8(plain).map_err(|_| CryptoError::Malformed)
    }

    /// Keyed hash for exact lookup: lowercase hex HMAC-SHA256 under the lookup key (derived
    /// from the lowest configured version; stable across rotation, see the module docs).
    /// `purpose` (e.g. `"document"`, `"phone"`, `"phone-last4"`) is length-prefixed into the
    /// MAC input, so hashes for different purposes never collide. `value` is trimmed; callers
    /// normalise further (case, separators) before hashing.
    pub fn lookup_hash(&self, purpose: &str, value: &str) -> String {
        let tag = self
            .lookup
            .clone()
            .chain_update((purpose.len() as u64).to_be_bytes())
            .chain_update(purpose.as_bytes())
            .chain_update(value.trim().as_bytes())
            .finalize()
            .into_bytes();
        tag.iter().fold(String::with_capacity(64), |mut hex, byte| {
            use fmt::Write;
            let _ = write!(hex, "{byte:02x}");
            hex
        })
    }

    /// The version new ciphertexts are written under (the highest configured).
    pub fn current_version(&self) -> u8 {
        self.ciphers.last_key_value().map_or(0, |(v, _)| *v)
    }

    /// True if `stored` was encrypted under an older version than the current one (whether or
    /// not that version is still configured). False for current-version or malformed text.
    pub fn needs_reencrypt(&self, stored: &str) -> bool {
        split_stored(stored).is_some_and(|(version, _)| version < self.current_version())
    }
}

/// `v<N>` with N in 1..=255 (no sign, no leading `+`).
fn parse_version(prefix: &str, entry: usize) -> Result<u8, CryptoError> {
    prefix
        .strip_prefix('v')
        .filter(|digits| !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|digits| digits.parse::<u8>().ok())
        .filter(|v| *v != 0)
        .ok_or(CryptoError::BadVersion { entry })
}

/// Splits `v<N>:<payload>` into (N, payload).
fn split_stored(stored: &str) -> Option<(u8, &str)> {
    let (prefix, payload) = stored.trim().split_once(':')?;
    Some((parse_version(prefix, 1).ok()?, payload))
}

fn hmac_with(key: &[u8]) -> Result<HmacSha256, CryptoError> {
    // HMAC accepts keys of any length; this cannot fail, but no panics either way.
    <HmacSha256 as Mac>::new_from_slice(key).map_err(|_| CryptoError::NoKeys)
}

fn read_key_file(path: &Path) -> Result<DataKeys, CryptoError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_key_file(path, &Zeroizing::new(text)),
        Err(source) => Err(CryptoError::KeyFile {
            path: path.to_owned(),
            source,
        }),
    }
}

fn parse_key_file(path: &Path, text: &str) -> Result<DataKeys, CryptoError> {
    DataKeys::parse(text).map_err(|e| CryptoError::KeyFileContents {
        path: path.to_owned(),
        source: Box::new(e),
    })
}

/// Creates `path` (failing with `AlreadyExists` if it exists) readable by the owner only,
/// holding `contents`. The key is written to a private temporary file first and then
/// hard-linked into place, so `path` never exists half-written: a process that loses the
/// race to create it reads the winner's complete key.
pub(crate) fn write_private(path: &Path, contents: &str) -> io::Result<()> {
    use std::io::Write;
    let mut suffix = [0u8; 8];
    rand::rng().fill_bytes(&mut suffix);
    let tmp = path.with_extension(format!("tmp-{}", URL_SAFE_NO_PAD.encode(suffix)));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let result = options.open(&tmp).and_then(|mut file| {
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
        std::fs::hard_link(&tmp, path)
    });
    // The temporary name goes in every case; `path` stays if the link was made.
    let _ = std::fs::remove_file(&tmp);
    result
}

#[cfg(test)]
mod tests;
