//! Content-addressed bytes in an object store. The key is the SHA-256 of the content, so
//! an upload is written once however often it is attached, a write is idempotent (a
//! retried request or a rolled-back transaction leaves at worst an unreferenced object),
//! and a read can be checked against its key.

use std::{path::Path as FsPath, sync::Arc};

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::TryStreamExt;
use object_store::{
    ObjectStore, ObjectStoreExt, PutPayload, aws::AmazonS3Builder, local::LocalFileSystem,
    path::Path, prefix::PrefixStore,
};
use sha2::{Digest, Sha256};

use crate::error::{AppError, AppResult};

#[derive(Clone, Debug)]
pub struct FileStore {
    objects: Arc<dyn ObjectStore>,
}

/// Why `JIEDAO_FILES_URL` names no bucket jiedao can use; told to the operator at start,
/// never to a client.
#[derive(Debug, thiserror::Error)]
pub enum BucketUrlError {
    #[error("not a URL: {0}")]
    NotAUrl(#[from] url::ParseError),
    #[error("expected s3://bucket or s3://bucket/prefix")]
    NotS3,
    #[error("{0}")]
    Store(#[from] object_store::Error),
}

#[derive(Debug, thiserror::Error)]
#[error("stored object {key} does not match its SHA-256")]
struct CorruptObject {
    key: String,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256/ab/abcdef…`: two-character fan-out keeps directories small on a local disk.
fn key(sha256: &str) -> Path {
    Path::from(format!("sha256/{}/{sha256}", &sha256[..2]))
}

impl FileStore {
    /// A store in a local directory, created if missing.
    pub fn local(dir: &FsPath) -> std::io::Result<Self> {
        std::fs::create_dir_all(dir)?;
        let objects = LocalFileSystem::new_with_prefix(dir).map_err(std::io::Error::other)?;
        Ok(Self::new(Arc::new(objects)))
    }

    /// A store in an S3-compatible bucket, `s3://bucket[/prefix]`. Credentials, region and
    /// endpoint come from the standard `AWS_*` variables (`AWS_ENDPOINT` for MinIO and other
    /// S3-compatible services, `AWS_ALLOW_HTTP=true` for plain http inside an intranet).
    pub fn s3(url: &str) -> Result<Self, BucketUrlError> {
        let parsed = url::Url::parse(url)?;
        if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
            return Err(BucketUrlError::NotS3);
        }
        let bucket = AmazonS3Builder::from_env().with_url(url).build()?;
        let prefix = parsed.path().trim_matches('/');
        Ok(if prefix.is_empty() {
            Self::new(Arc::new(bucket))
        } else {
            Self::new(Arc::new(PrefixStore::new(bucket, prefix)))
        })
    }

    /// Any object store.
    pub fn new(objects: Arc<dyn ObjectStore>) -> Self {
        Self { objects }
    }

    /// Stores the bytes and returns their SHA-256 (lowercase hex).
    pub async fn put(&self, bytes: Bytes) -> AppResult<String> {
        let sha256 = sha256_hex(&bytes);
        self.objects
            .put(&key(&sha256), PutPayload::from(bytes))
            .await
            .map_err(AppError::internal)?;
        Ok(sha256)
    }

    /// The bytes stored under `sha256`, checked against it: a corrupted or swapped object
    /// is an internal error, never served.
    pub async fn get(&self, sha256: &str) -> AppResult<Bytes> {
        let bytes = self
            .objects
            .get(&key(sha256))
            .await
            .map_err(AppError::internal)?
            .bytes()
            .await
            .map_err(AppError::internal)?;
        if sha256_hex(&bytes) != sha256 {
            return Err(AppError::internal(CorruptObject {
                key: sha256.to_owned(),
            }));
        }
        Ok(bytes)
    }

    /// Every stored object: its SHA-256, when it was written, and its size.
    pub async fn list(&self) -> AppResult<Vec<StoredObject>> {
        let objects: Vec<_> = self
            .objects
            .list(Some(&Path::from("sha256")))
            .try_collect()
            .await
            .map_err(AppError::internal)?;
        Ok(objects
            .into_iter()
            .filter_map(|meta| {
                // Only our own keys; anything else in the directory is left alone.
                let sha256 = meta.location.filename()?.to_owned();
                let ours = sha256.len() == 64
                    && sha256
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !ours {
                    return None;
                }
                Some(StoredObject {
                    sha256,
                    written_at: meta.last_modified,
                    size_bytes: meta.size,
                })
            })
            .collect())
    }

    pub async fn delete(&self, sha256: &str) -> AppResult<()> {
        self.objects
            .delete(&key(sha256))
            .await
            .map_err(AppError::internal)
    }
}

pub struct StoredObject {
    pub sha256: String,
    pub written_at: DateTime<Utc>,
    pub size_bytes: u64,
}
