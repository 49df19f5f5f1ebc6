//! Passwords: argon2id with m=19 MiB, t=2, p=1 (the OWASP minimum), hashed on blocking
//! threads with a bound on how many run at once, so logins cannot starve the async runtime
//! or exhaust memory. Unknown users are verified against a dummy hash: the answer takes the
//! same time whether or not the username exists.
//!
//! Hashing and verifying reuse argon2's 19 MiB of working memory: at most one buffer per permit ever
//! exists, so a login flood costs a bounded amount of memory instead of leaving every
//! blocking thread's allocator arena grown (ARCHITECTURE.md §8).

use std::sync::{Arc, Mutex, PoisonError};

use argon2::{
    Algorithm, Argon2, Block, Params, PasswordHash, PasswordHasher as _, Version,
    password_hash::{Output, ParamsString, SaltString},
};
use tokio::sync::{OnceCell, Semaphore};

use crate::error::{AppError, AppResult, msg};

pub const MEMORY_KIB: u32 = 19 * 1024;
pub const ITERATIONS: u32 = 2;
pub const PARALLELISM: u32 = 1;
const MIN_LENGTH: usize = 10;
const MAX_LENGTH: usize = 1024;

#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    dummy_hash: Arc<OnceCell<String>>,
    memory: Arc<Memory>,
}

/// Argon2 working memory kept between hashes (one buffer per running hash).
#[derive(Default)]
struct Memory(Mutex<Vec<Vec<Block>>>);

impl Memory {
    fn with<T>(&self, blocks: usize, work: impl FnOnce(&mut [Block]) -> T) -> T {
        let kept = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .filter(|buffer| buffer.len() == blocks);
        let mut buffer = kept.unwrap_or_else(|| vec![Block::default(); blocks]);
        let result = work(&mut buffer);
        // Hashes made with other parameters (older ones) get a buffer of their own, not kept.
        if blocks == standard_blocks() {
            self.0
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(buffer);
        }
        result
    }
}

fn standard_blocks() -> usize {
    Params::new(MEMORY_KIB, ITERATIONS, PARALLELISM, None).map_or(0, |p| p.block_count())
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

/// A new PHC string for `password`, computed in `memory` (what `hash_blocking` gives).
fn hash_in(memory: &Memory, password: &str) -> AppResult<String> {
    let broken = |e: &dyn std::fmt::Display| AppError::internal(PasswordError(e.to_string()));
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    let argon2 = argon2()?;
    let params = argon2.params().clone();
    let mut salt_buffer = [0u8; 64];
    let salt_bytes = salt
        .as_salt()
        .decode_b64(&mut salt_buffer)
        .map_err(|e| broken(&e))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory
        .with(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, blocks)
        })
        .map_err(|e| broken(&e))?;
    let hash = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| broken(&e))?,
        salt: Some(salt.as_salt()),
        hash: Some(Output::new(&out).map_err(|e| broken(&e))?),
    };
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`, computed in `memory`; the comparison
/// takes the same time wherever the first difference is.
fn verify_blocking(memory: &Memory, password: &str, hash: &str) -> AppResult<bool> {
    let broken = |e: &dyn std::fmt::Display| AppError::internal(PasswordError(e.to_string()));
    let parsed = PasswordHash::new(hash).map_err(|e| broken(&e))?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Ok(false);
    };
    let params = Params::try_from(&parsed).map_err(|e| broken(&e))?;
    let algorithm = Algorithm::try_from(parsed.algorithm).map_err(|e| broken(&e))?;
    let version = match parsed.version {
        Some(v) => Version::try_from(v).map_err(|e| broken(&e))?,
        None => Version::default(),
    };
    let mut salt_buffer = [0u8; 64];
    let salt = salt.decode_b64(&mut salt_buffer).map_err(|e| broken(&e))?;
    let mut out = vec![0u8; expected.len()];
    let argon2 = Argon2::new(algorithm, version, params.clone());
    memory
        .with(params.block_count(), |blocks| {
            argon2.hash_password_into_with_memory(password.as_bytes(), salt, &mut out, blocks)
        })
        .map_err(|e| broken(&e))?;
    // `Output`'s equality is constant-time.
    Ok(Output::new(&out).map_err(|e| broken(&e))? == expected)
}

impl PasswordHasher {
    pub fn new(concurrency: usize) -> Self {
        Self {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy_hash: Arc::new(OnceCell::new()),
            memory: Arc::default(),
        }
    }

    pub async fn hash(&self, password: String) -> AppResult<String> {
        let memory = self.memory.clone();
        self.run(move || hash_in(&memory, &password)).await
    }

    /// Verifies `password` against `hash`, or against a dummy hash when there is no user.
    pub async fn verify(&self, password: String, hash: Option<String>) -> AppResult<bool> {
        let (hash, known) = match hash {
            Some(hash) => (hash, true),
            None => (self.dummy_hash().await?, false),
        };
        let memory = self.memory.clone();
        let matches = self
            .run(move || verify_blocking(&memory, &password, &hash))
            .await?;
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
        Some(msg!("the password must have at least 10 characters"))
    } else if length > MAX_LENGTH {
        Some(msg!("the password must have at most 1024 characters"))
    } else if password.chars().all(|c| c.is_ascii_digit()) {
        Some(msg!("the password must not be only digits"))
    } else if password.trim().to_lowercase() == username.trim().to_lowercase() {
        Some(msg!("the password must not be the username"))
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

    #[tokio::test]
    async fn older_parameters_verify_and_working_memory_is_reused() {
        let hasher = PasswordHasher::new(2);
        let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let old = Argon2::new(Algorithm::Argon2i, Version::V0x10, params)
            .hash_password(b"an older password", &salt)
            .unwrap()
            .to_string();
        assert!(
            hasher
                .verify("an older password".into(), Some(old.clone()))
                .await
                .unwrap()
        );
        assert!(!hasher.verify("not it".into(), Some(old)).await.unwrap());

        let hash = hasher.hash("correct horse".into()).await.unwrap();
        let attempts = (0..8).map(|_| hasher.verify("correct horse".into(), Some(hash.clone())));
        for matched in futures::future::join_all(attempts).await {
            assert!(matched.unwrap());
        }
        // Eight logins, two at a time: two buffers at most, none for the older hash.
        let kept = hasher.memory.0.lock().unwrap().len();
        assert!((1..=2).contains(&kept), "{kept} buffers kept");
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
