//! Passwords: argon2id with m=19 MiB, t=2, p=1 (the OWASP minimum), hashed on blocking
//! threads with a bound on how many run at once, so logins cannot starve the async runtime
//! or exhaust memory. Unknown users are verified against a dummy hash: the answer takes the
//! same time whether or not the username exists.

use std::sync::Arc;

use argon2::{
    Algorithm, Argon2, Params, PasswordHash, PasswordHasher as _, PasswordVerifier, Version,
    password_hash::SaltString,
};
use tokio::sync::{OnceCell, Semaphore};

use crate::error::{AppError, AppResult};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;
const MIN_LENGTH: usize = 10;
const MAX_LENGTH: usize = 1024;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<OnceCell<String>>,
}

fn argon2() -> AppResult<Argon2<'static>> {
    let params = Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None)
        .map_err(|e| AppError::internal(PasswordError(e.to_string())))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Debug, thiserror::Error)]
#[error("argon2: {0}")]
struct PasswordError(String);

/// Hashes synchronously; for the command line and for test fixtures.
pub fn hash_blocking(password: &str) -> AppResult<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()?
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| AppError::internal(PasswordError(e.to_string())))
}

fn verify_blocking(password: &str, hash: &str) -> AppResult<bool> {
    let parsed =
        PasswordHash::new(hash).map_err(|e| AppError::internal(PasswordError(e.to_string())))?;
    Ok(argon2()?
        .verify_password(password.as_bytes(), &parsed)
        .is_ok())
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(OnceCell::new()),
        }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        self.run(move || hash_blocking(&password)).await
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is no user.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        let (hash, known) = match hash {
            Some(hash) => (hash, true),
            None => (self.dummy_hash().await?, false),
        };
        let matches = self.run(move || verify_blocking(&password, &hash)).await?;
        Ok(matches && known)
    }

    async fn dummy_hash(&self) -> AppResult<String> {
        self.dummy_hash
            .get_or_try_init(|| self.hash("jiedao-dummy-password".to_owned()))
            .await
            .cloned()
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> AppResult<T> + Send + 'static,
    ) -> AppResult<T> {
        let _permit = self.permits.acquire().await.map_err(AppError::internal)?;
        tokio::task::spawn_blocking(work)
            .await
            .map_err(AppError::internal)?
    }
}

/// The password rules: at least 10 characters, not only digits, not the username.
pub fn check_strength(field: &str, username: &str, password: &str) -> AppResult<()> {
    let length = password.chars().count();
    let problem = if length < MIN_LENGTH {
        Some("the password must have at least 10 characters")
    } else if length > MAX_LENGTH {
        Some("the password must have at most 1024 characters")
    } else if password.chars().all(|c| c.is_ascii_digit()) {
        Some("the password must not be only digits")
    } else if password.trim().to_lowercase() == username.trim().to_lowercase() {
        Some("the password must not be the username")
    } else {
        None
    };
    match problem {
        Some(message) => Err(AppError::bad_input(field, message)),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_reject() {
        let hasher = PasswordHasher::new(1);
        let hash = hasher.hash("correct horse".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(
            hasher
                .verify("correct horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("wrong horse".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify("jiedao-dummy-password".into(), None)
                .await
                .unwrap()
        );
    }

    #[test]
    fn weak_passwords_are_refused() {
        for weak in ["short", "1234567890123", "Wang.Fang1", " wang.fang1 "] {
            let err = check_strength("input.password", "wang.fang1", weak).unwrap_err();
            assert_eq!(err.code(), "BAD_USER_INPUT", "{weak}");
        }
        check_strength("input.password", "wang.fang1", "lamp at building 23").unwrap();
    }
}
