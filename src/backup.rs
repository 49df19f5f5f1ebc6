//! Backups of the embedded default: one directory holding the database, the key files and
//! the file store, with a manifest of every file's SHA-256.
//!
//! The database is copied with `VACUUM INTO` on a read-only connection: a consistent
//! snapshot of one read transaction, taken while the server keeps writing (WAL lets writers
//! go on), so a backup holds every write acknowledged before it started and none half-done.
//! Files are copied after the snapshot: the store is content-addressed and a file is stored
//! before any row refers to it, so every file the snapshot names is there. The manifest is
//! written last; a directory without one is not a backup (`restore` refuses it).
//!
//! PostgreSQL is backed up with its own tools (`pg_dump`, or continuous archiving for
//! point-in-time recovery; see the README), never by this module.

use std::{
    io,
    path::{Path, PathBuf},
};

use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::{
    config::{Config, KEY_FILES},
    db::Db,
};

/// The manifest's name inside a backup directory.
pub const MANIFEST: &str = "manifest.json";
const DATABASE: &str = "jiedao.db";
const FILES: &str = "files";
const FORMAT: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "backups are for the embedded SQLite database; on PostgreSQL use pg_dump or continuous archiving (README, Backups)"
    )]
    NotSqlite,
    #[error("{0} already exists: back up into a new or empty directory")]
    TargetNotEmpty(PathBuf),
    #[error("{0} already exists: restore only where no database, key or file is in the way")]
    InTheWay(PathBuf),
    #[error(
        "the backup holds stored files but JIEDAO_FILES_URL points at a bucket: restore with a local file store, then copy the files into the bucket"
    )]
    FilesInBucket,
    #[error("{0} is not a jiedao backup (no {MANIFEST}), or an unfinished one")]
    NoManifest(PathBuf),
    #[error("the key files are not in {0}: pass --keys-from with the directory they were kept in")]
    KeysElsewhere(PathBuf),
    #[error("{path} does not match the backup's manifest (its SHA-256 differs)")]
    Corrupt { path: PathBuf },
    #[error("the copied database failed SQLite's check: {0}")]
    CheckFailed(String),
    #[error("{path}: {source}")]
    Io { path: PathBuf, source: io::Error },
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("manifest: {0}")]
    Manifest(#[from] serde_json::Error),
}

fn at(path: &Path) -> impl FnOnce(io::Error) -> BackupError + '_ {
    move |source| BackupError::Io {
        path: path.to_owned(),
        source,
    }
}

/// What a backup holds; every path is relative to the backup directory.
#[derive(Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    pub jiedao_version: String,
    pub created_at: DateTime<Utc>,
    pub database: Entry,
    /// The key files beside the database (a key set in the environment is not a file and is
    /// not here: keep it where you keep the environment).
    pub keys: Vec<Entry>,
    pub files: Vec<Entry>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct Entry {
    pub path: String,
    pub bytes: u64,
    pub sha256: String,
}

/// The embedded default's own files: the database, its key files, its file store.
struct Layout {
    database: PathBuf,
    keys: Vec<(&'static str, PathBuf)>,
    /// None when the files are in a bucket (`JIEDAO_FILES_URL`): back that up on its side.
    files: Option<PathBuf>,
}

fn layout(config: &Config) -> Result<Layout, BackupError> {
    let database = config.sqlite_path().ok_or(BackupError::NotSqlite)?;
    let keys = KEY_FILES
        .iter()
        .map(|name| (*name, database.with_extension(name)))
        .collect();
    let files = config.file_store_dir();
    Ok(Layout {
        database,
        keys,
        files,
    })
}

fn entry(dir: &Path, path: &Path) -> Result<Entry, BackupError> {
    let bytes = std::fs::read(path).map_err(at(path))?;
    let relative = path.strip_prefix(dir).unwrap_or(path);
    Ok(Entry {
        path: relative.to_string_lossy().replace('\\', "/"),
        bytes: bytes.len() as u64,
        sha256: hex(&Sha256::digest(&bytes)),
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every regular file under `dir`, skipping the object store's half-written temporaries
/// (their names hold `#`).
fn files_under(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), BackupError> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(at(dir)(e)),
    };
    for item in entries {
        let path = item.map_err(at(dir))?.path();
        if path.is_dir() {
            files_under(&path, out)?;
        } else if !path.to_string_lossy().contains('#') {
            out.push(path);
        }
    }
    Ok(())
}

/// Backs the embedded database, its key files and its file store up into `to` (created;
/// it must not exist or be empty). `keys_to`, when given, receives the key files instead,
/// so they can be kept apart from the data they unlock.
pub async fn backup(
    config: &Config,
    db: &Db,
    to: &Path,
    keys_to: Option<&Path>,
) -> Result<Manifest, BackupError> {
    let layout = layout(config)?;
    for dir in [Some(to), keys_to].into_iter().flatten() {
        if std::fs::read_dir(dir).is_ok_and(|mut d| d.next().is_some()) {
            return Err(BackupError::TargetNotEmpty(dir.to_owned()));
        }
        std::fs::create_dir_all(dir).map_err(at(dir))?;
    }
    let copy = to.join(DATABASE);
    let quoted = copy.to_string_lossy().replace('\'', "''");
    db.reader()
        .execute_unprepared(&format!("VACUUM INTO '{quoted}'"))
        .await?;
    check(&copy).await?;
    let created_at = Utc::now();

    let to = to.to_owned();
    let keys_dir = keys_to.map_or_else(|| to.join("keys"), Path::to_owned);
    tokio::task::spawn_blocking(move || {
        let mut keys = Vec::new();
        for (name, path) in &layout.keys {
            if path.exists() {
                std::fs::create_dir_all(&keys_dir).map_err(at(&keys_dir))?;
                let text = std::fs::read_to_string(path).map_err(at(path))?;
                let target = keys_dir.join(name);
                crate::crypto::write_private(&target, &text).map_err(at(&target))?;
                keys.push(entry(&keys_dir, &target)?);
            }
        }
        let mut stored = Vec::new();
        if let Some(dir) = &layout.files {
            files_under(dir, &mut stored)?;
        }
        let mut files = Vec::new();
        for path in stored {
            let relative = layout
                .files
                .as_deref()
                .and_then(|dir| path.strip_prefix(dir).ok())
                .unwrap_or(&path);
            let target = to.join(FILES).join(relative);
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(at(parent))?;
            }
            std::fs::copy(&path, &target).map_err(at(&path))?;
            files.push(entry(&to, &target)?);
        }
        let manifest = Manifest {
            format: FORMAT,
            jiedao_version: env!("CARGO_PKG_VERSION").to_owned(),
            created_at,
            database: entry(&to, &to.join(DATABASE))?,
            keys,
            files,
        };
        let path = to.join(MANIFEST);
        std::fs::write(&path, serde_json::to_vec_pretty(&manifest)?).map_err(at(&path))?;
        Ok(manifest)
    })
    .await
    .map_err(|e| at(Path::new(MANIFEST))(io::Error::other(e)))?
}

/// SQLite's own check of a copied database.
async fn check(path: &Path) -> Result<(), BackupError> {
    let url = format!("sqlite://{}?mode=ro", path.display());
    let copy = Database::connect(&url).await?;
    let row = copy
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            "PRAGMA quick_check",
        ))
        .await?;
    let verdict: String = match row {
        Some(row) => row.try_get_by_index(0)?,
        None => String::new(),
    };
    copy.close().await?;
    if verdict == "ok" {
        Ok(())
    } else {
        Err(BackupError::CheckFailed(verdict))
    }
}

/// Puts a backup back where `config` keeps the embedded database: the database, the key
/// files (from `keys_from` when they were kept apart) and the file store. Every file is
/// checked against the manifest before anything is written, and nothing that exists is
/// overwritten. Migrations run on the next start, so a backup of an older version restores.
pub fn restore(
    config: &Config,
    from: &Path,
    keys_from: Option<&Path>,
) -> Result<Manifest, BackupError> {
    let layout = layout(config)?;
    let path = from.join(MANIFEST);
    let text = std::fs::read(&path).map_err(|_| BackupError::NoManifest(from.to_owned()))?;
    let manifest: Manifest = serde_json::from_slice(&text)?;
    let named_here = |e: &Entry, allowed: &dyn Fn(&Path) -> bool| {
        let path = Path::new(&e.path);
        let plain = path
            .components()
            .all(|c| matches!(c, std::path::Component::Normal(_)));
        if plain && allowed(path) {
            Ok(())
        } else {
            Err(BackupError::NoManifest(from.to_owned()))
        }
    };
    // A manifest names only files inside the backup, and only the known key files.
    named_here(&manifest.database, &|p| p == Path::new(DATABASE))?;
    for key in &manifest.keys {
        named_here(key, &|p| KEY_FILES.iter().any(|k| p == Path::new(k)))?;
    }
    for file in &manifest.files {
        named_here(file, &|p| p.starts_with(FILES))?;
    }
    let keys_dir = keys_from.map_or_else(|| from.join("keys"), Path::to_owned);
    let key_source = |e: &Entry| keys_dir.join(&e.path);
    if manifest.keys.iter().any(|e| !key_source(e).exists()) {
        return Err(BackupError::KeysElsewhere(keys_dir));
    }
    let sources = std::iter::once((from.join(&manifest.database.path), &manifest.database))
        .chain(manifest.keys.iter().map(|e| (key_source(e), e)))
        .chain(manifest.files.iter().map(|e| (from.join(&e.path), e)));
    for (source, expected) in sources {
        if entry(Path::new(""), &source)?.sha256 != expected.sha256 {
            return Err(BackupError::Corrupt { path: source });
        }
    }
    let files_dir = match (&layout.files, manifest.files.is_empty()) {
        (Some(dir), _) => dir.clone(),
        (None, true) => PathBuf::new(),
        (None, false) => return Err(BackupError::FilesInBucket),
    };
    let wal = PathBuf::from(format!("{}-wal", layout.database.display()));
    for existing in [&layout.database, &wal] {
        if existing.exists() {
            return Err(BackupError::InTheWay(existing.clone()));
        }
    }
    for key in &manifest.keys {
        let target = layout.database.with_extension(&key.path);
        if target.exists() {
            return Err(BackupError::InTheWay(target));
        }
    }
    if let Some(parent) = layout.database.parent() {
        std::fs::create_dir_all(parent).map_err(at(parent))?;
    }
    for key in &manifest.keys {
        let target = layout.database.with_extension(&key.path);
        let text = std::fs::read_to_string(key_source(key)).map_err(at(&target))?;
        crate::crypto::write_private(&target, &text).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => BackupError::InTheWay(target.clone()),
            _ => at(&target)(e),
        })?;
    }
    for file in &manifest.files {
        let relative = Path::new(&file.path)
            .strip_prefix(FILES)
            .unwrap_or(Path::new(""));
        let target = files_dir.join(relative);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(at(parent))?;
        }
        // Content-addressed: a file already there under this name holds the same bytes.
        if !target.exists() {
            std::fs::copy(from.join(&file.path), &target).map_err(at(&target))?;
        }
    }
    // Last, so an interrupted restore leaves no database that looks complete.
    std::fs::copy(from.join(&manifest.database.path), &layout.database)
        .map_err(at(&layout.database))?;
    Ok(manifest)
}
