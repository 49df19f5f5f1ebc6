//! Access tokens (JWT, HS256 pinned, short-lived) and refresh tokens (opaque, stored hashed).
//! The access token carries only the user and session ids (ARCHITECTURE.md §3): roles are
//! loaded from the database on every request, so a revoked role stops working at once.

use std::{path::Path, time::Duration};

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

pub const ISSUER: &str = "jiedao";
pub const AUDIENCE: &str = "jiedao-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: Uuid,
    pub sid: Uuid,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
}

/// Signs and checks access tokens with one secret.
#[derive(Clone)]
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &SecretString, access_ttl: Duration) -> Self {
        let bytes = secret.expose_secret().as_bytes();
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 0;
        Self {
            encoding: EncodingKey::from_secret(bytes),
            decoding: DecodingKey::from_secret(bytes),
            validation,
            access_ttl,
        }
    }

    /// Mints an access token for a session; returns it with its expiry.
    pub fn mint(
        &self,
        user: Uuid,
        session: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<(String, DateTime<Utc>)> {
        let expires_at = now + self.access_ttl;
        let claims = Claims {
            sub: user,
            sid: session,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: expires_at.timestamp(),
        };
        let token = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)?;
        Ok((token, expires_at))
    }

    /// Checks signature, algorithm, expiry, issuer and audience.
    pub fn decode(&self, token: &str) -> Result<Claims, TokenRejected> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::ExpiredSignature => TokenRejected::Expired,
                _ => TokenRejected::Invalid,
            })
    }
}

/// Why a bearer token was refused; the client only learns "expired" or "invalid".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenRejected {
    Expired,
    Invalid,
}

impl From<TokenRejected> for AppError {
    fn from(rejected: TokenRejected) -> Self {
        match rejected {
            TokenRejected::Expired => {
                AppError::Unauthenticated(msg!("the access token has expired"))
            }
            TokenRejected::Invalid => {
                AppError::Unauthenticated(msg!("the access token is not valid"))
            }
        }
    }
}

/// A fresh opaque token (a refresh token, a notice's share token): 256 random bits, so a
/// plain SHA-256 is enough to store it.
pub fn new_opaque_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// What is stored of an opaque token: SHA-256, hex.
pub fn opaque_token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The signing secret: from the configuration, or (embedded default only) from a file
/// beside the database, created with mode 0600 on first start.
pub fn load_or_create_secret(path: &Path) -> std::io::Result<(SecretString, bool)> {
    match std::fs::read_to_string(path) {
        Ok(existing) if existing.trim().len() >= 32 => {
            return Ok((SecretString::from(existing.trim().to_owned()), false));
        }
        Ok(_) => {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "{} holds a secret shorter than 32 characters",
                    path.display()
                ),
            ));
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    let mut bytes = [0u8; 48];
    rand::rng().fill_bytes(&mut bytes);
    let secret = URL_SAFE_NO_PAD.encode(bytes);
    match crate::crypto::write_private(path, &secret) {
        Ok(()) => Ok((SecretString::from(secret), true)),
        // Another process created it first, completely (see `write_private`).
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let existing = std::fs::read_to_string(path)?;
            Ok((SecretString::from(existing.trim().to_owned()), false))
        }
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &str) -> TokenKeys {
        TokenKeys::new(
            &SecretString::from(secret.to_owned()),
            Duration::from_secs(900),
        )
    }

    #[test]
    fn round_trip_and_rejections() {
        let keys = keys("a-test-secret-that-is-long-enough-for-hs256");
        let (user, session) = (Uuid::now_v7(), Uuid::now_v7());
        let (token, _) = keys.mint(user, session, Utc::now()).unwrap();
        let claims = keys.decode(&token).unwrap();
        assert_eq!((claims.sub, claims.sid), (user, session));

        let other = self::keys("another-secret-that-is-long-enough-for-hs256");
        assert_eq!(other.decode(&token).unwrap_err(), TokenRejected::Invalid);

        let (old, _) = keys
            .mint(user, session, Utc::now() - chrono::Duration::hours(1))
            .unwrap();
        assert_eq!(keys.decode(&old).unwrap_err(), TokenRejected::Expired);
    }

    #[test]
    fn secret_file_is_private_and_stable() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("jiedao.jwt.key");
        let (first, created) = load_or_create_secret(&path).unwrap();
        assert!(created);
        let (second, created) = load_or_create_secret(&path).unwrap();
        assert!(!created);
        assert_eq!(first.expose_secret(), second.expose_secret());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
