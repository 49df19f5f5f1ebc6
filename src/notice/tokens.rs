//! Share tokens of public notices: 24 random bytes, base64url; shown once when publishing
//! and kept only as a SHA-256 hash, so a copied database opens no notice page.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use rand::RngCore;
use sha2::{Digest, Sha256};

pub fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of a token: SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    crate::signing::hex(&Sha256::digest(token.trim().as_bytes()))
}
