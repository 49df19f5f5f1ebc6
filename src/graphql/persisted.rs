//! Persisted documents: a request may name its document by SHA-256 instead of sending
//! its text (`extensions.persistedQuery = {version: 1, sha256Hash}`, Apollo's protocol).
//!
//! Two modes. Automatic persisted queries (APQ): clients register a document by sending
//! text and hash together, later requests send the hash alone; the cache is per process,
//! bounded in entries, in each document's size and in total size, so a miss is always
//! possible (another process, an eviction) and clients answer it by sending the text
//! again. Trusted documents: only the documents of a manifest loaded at startup run,
//! whether named by hash or sent as text; nothing registers.
//!
//! Resolving happens before anything else looks at the query (the GET mutation check,
//! the query limits, the audit), so they all see the text that will run.

use std::{
    collections::{BTreeMap, HashMap},
    sync::{Arc, Mutex},
};

use async_graphql::parser::types::{DocumentOperations, Selection};
use serde::Deserialize;
use sha2::{Digest, Sha256};

use crate::{
    config::Config,
    error::{Locale, Msg, msg},
};

/// The extension's key in a request's `extensions`.
const EXTENSION: &str = "persistedQuery";

/// Total query text the APQ cache keeps, whatever its entry count: a client registering
/// many large documents evicts older ones instead of growing the process.
pub const APQ_CACHE_MAX_BYTES: usize = 32 * 1024 * 1024;

/// Why a request's document is refused; `code` is its stable `extensions.code`.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// A hash the APQ cache does not hold: send the text with it (Apollo clients do).
    NotFound,
    /// A hash sent to a server that runs no APQ (`JIEDAO_APQ_CACHE_ENTRIES=0`).
    NotSupported,
    /// The text's SHA-256 is not the hash sent with it.
    HashMismatch,
    /// Trusted documents are on and this document is not one of them.
    NotAllowed,
    /// The extension is malformed.
    Malformed(Msg),
}

impl Refusal {
    pub fn code(&self) -> &'static str {
        match self {
            Self::NotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::NotSupported => "PERSISTED_QUERY_NOT_SUPPORTED",
            Self::HashMismatch => "PERSISTED_QUERY_HASH_MISMATCH",
            Self::NotAllowed => "PERSISTED_QUERY_NOT_ALLOWED",
            Self::Malformed(_) => "BAD_REQUEST",
        }
    }

    /// What the client reads. The first three are the protocol's own words, which Apollo
    /// clients match on, so they stay as they are in every language.
    pub fn text(&self, locale: Locale) -> String {
        match self {
            Self::NotFound => "PersistedQueryNotFound".to_owned(),
            Self::NotSupported => "PersistedQueryNotSupported".to_owned(),
            Self::HashMismatch => "provided sha does not match query".to_owned(),
            Self::NotAllowed => msg!(
                "this server runs only its registered documents (trusted documents), and this one is not registered"
            )
            .text(locale),
            Self::Malformed(message) => message.text(locale),
        }
    }
}

/// A document sent as text with its hash, to remember once the request may run.
pub struct Registration {
    hash: String,
    text: Arc<str>,
}

/// The persisted documents of one process (see the module comment).
pub struct Documents {
    mode: Mode,
}

enum Mode {
    /// `None` when APQ is off.
    Automatic(Option<Mutex<Lru>>),
    Trusted {
        by_hash: HashMap<String, Arc<str>>,
        /// Introspection follows `JIEDAO_INTROSPECTION`, not the manifest.
        introspection: bool,
    },
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PersistedQuery {
    version: i64,
    sha256_hash: String,
}

impl Documents {
    /// APQ with at most `entries` documents of at most `max_query_bytes` each; `entries`
    /// 0 turns APQ off.
    pub fn automatic(entries: usize, max_query_bytes: usize) -> Self {
        let cache = (entries > 0).then(|| {
            Mutex::new(Lru::new(
                entries,
                max_query_bytes.min(APQ_CACHE_MAX_BYTES),
                APQ_CACHE_MAX_BYTES,
            ))
        });
        Self {
            mode: Mode::Automatic(cache),
        }
    }

    /// The documents of a manifest: a JSON object of SHA-256 hex → document text (what
    /// GraphQL Code Generator's client preset writes as `persisted-documents.json`).
    pub fn trusted(manifest: &str, introspection: bool) -> Result<Self, String> {
        let entries: HashMap<String, String> = serde_json::from_str(manifest)
            .map_err(|e| format!("not a JSON object of SHA-256 hex hash → document text: {e}"))?;
        let mut by_hash = HashMap::with_capacity(entries.len());
        for (hash, text) in entries {
            let key = normalised_hash(&hash)
                .ok_or_else(|| format!("{hash:?} is not a SHA-256 hash in hex"))?;
            if sha256_hex(&text) != key {
                return Err(format!(
                    "the document under {hash} does not have that SHA-256 hash (was it made with SHA-1? set the client preset's `hashAlgorithm: 'sha256'`)"
                ));
            }
            if let Err(err) = async_graphql::parser::parse_query(&text) {
                return Err(format!("the document under {hash} does not parse: {err}"));
            }
            by_hash.insert(key, Arc::from(text));
        }
        Ok(Self {
            mode: Mode::Trusted {
                by_hash,
                introspection,
            },
        })
    }

    /// Trusted documents from `JIEDAO_TRUSTED_DOCUMENTS` when set, APQ otherwise.
    pub fn from_config(config: &Config) -> Result<Self, String> {
        let Some(path) = &config.trusted_documents else {
            return Ok(Self::automatic(
                config.apq_cache_entries,
                config.max_body_bytes,
            ));
        };
        let manifest = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::trusted(&manifest, config.introspection)
            .map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Puts the text a request will run into `request.query` (from its hash when it sent
    /// the hash alone), or refuses it. A returned registration is for [`Self::register`],
    /// once the request is allowed to run.
    pub fn resolve(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<Option<Registration>, Refusal> {
        let sent = match request.extensions.remove(EXTENSION) {
            None => None,
            Some(value) => Some(parse_extension(value)?),
        };
        match (&self.mode, sent) {
            (Mode::Automatic(_), None) => Ok(None),
            (Mode::Automatic(None), Some(_)) => Err(Refusal::NotSupported),
            (Mode::Automatic(Some(cache)), Some(hash)) => {
                if request.query.is_empty() {
                    let text = lock(cache).get(&hash).ok_or(Refusal::NotFound)?;
                    request.query = text.to_string();
                    return Ok(None);
                }
                if sha256_hex(&request.query) != hash {
                    return Err(Refusal::HashMismatch);
                }
                Ok(Some(Registration {
                    hash,
                    text: Arc::from(request.query.as_str()),
                }))
            }
            (
                Mode::Trusted {
                    by_hash,
                    introspection,
                },
                sent,
            ) => {
                if let Some(hash) = &sent {
                    if request.query.is_empty() {
                        let text = by_hash.get(hash).ok_or(Refusal::NotAllowed)?;
                        request.query = text.to_string();
                        return Ok(None);
                    }
                    if &sha256_hex(&request.query) != hash {
                        return Err(Refusal::HashMismatch);
                    }
                }
                let hash = sent.unwrap_or_else(|| sha256_hex(&request.query));
                if by_hash.contains_key(&hash)
                    || (*introspection && only_introspection(&request.query))
                {
                    Ok(None)
                } else {
                    Err(Refusal::NotAllowed)
                }
            }
        }
    }

    /// Remembers a document sent with its hash (APQ). A document that does not parse is
    /// not kept: it could never run.
    pub fn register(&self, registration: Registration) {
        if let Mode::Automatic(Some(cache)) = &self.mode
            && async_graphql::parser::parse_query(&*registration.text).is_ok()
        {
            lock(cache).put(registration.hash, registration.text);
        }
    }
}

fn lock(cache: &Mutex<Lru>) -> std::sync::MutexGuard<'_, Lru> {
    cache.lock().unwrap_or_else(|e| e.into_inner())
}

fn parse_extension(value: async_graphql::Value) -> Result<String, Refusal> {
    let sent: PersistedQuery = async_graphql::from_value(value).map_err(|_| {
        Refusal::Malformed(msg!(
            "`extensions.persistedQuery` must hold `version` 1 and the query's `sha256Hash`"
        ))
    })?;
    if sent.version != 1 {
        return Err(Refusal::Malformed(msg!(
            "only version 1 of `extensions.persistedQuery` is supported"
        )));
    }
    normalised_hash(&sent.sha256_hash).ok_or_else(|| {
        Refusal::Malformed(msg!(
            "`sha256Hash` must be the SHA-256 of the query in hex (64 characters)"
        ))
    })
}

/// Lowercase hex of 64 digits, or `None`.
/// A `sha256:` prefix is taken too: GraphQL Code Generator's persisted documents (with
/// `hashAlgorithm: 'sha256'`) name them so, in the manifest and in what clients send.
fn normalised_hash(hash: &str) -> Option<String> {
    let hash = hash.strip_prefix("sha256:").unwrap_or(hash);
    (hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hash.to_ascii_lowercase())
}

pub fn sha256_hex(text: &str) -> String {
    format!("{:x}", Sha256::digest(text.as_bytes()))
}

/// Whether every operation of the document selects only `__schema`, `__type` and
/// `__typename` at its top level (client tooling's introspection query).
fn only_introspection(query: &str) -> bool {
    let Ok(document) = async_graphql::parser::parse_query(query) else {
        return false;
    };
    let mut operations: Vec<_> = match &document.operations {
        DocumentOperations::Single(operation) => vec![operation],
        DocumentOperations::Multiple(operations) => operations.values().collect(),
    };
    !operations.is_empty()
        && operations.drain(..).all(|operation| {
            operation.node.selection_set.node.items.iter().all(|item| {
                matches!(&item.node, Selection::Field(field)
                    if matches!(field.node.name.node.as_str(), "__schema" | "__type" | "__typename"))
            })
        })
}

/// Least-recently-used documents, bounded in count and in bytes.
struct Lru {
    by_hash: HashMap<String, (Arc<str>, u64)>,
    /// Last use → hash; the first entry is the next to go.
    by_use: BTreeMap<u64, String>,
    clock: u64,
    bytes: usize,
    max_entries: usize,
    max_entry_bytes: usize,
    max_bytes: usize,
}

impl Lru {
    fn new(max_entries: usize, max_entry_bytes: usize, max_bytes: usize) -> Self {
        Self {
            by_hash: HashMap::new(),
            by_use: BTreeMap::new(),
            clock: 0,
            bytes: 0,
            max_entries,
            max_entry_bytes,
            max_bytes,
        }
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    fn get(&mut self, hash: &str) -> Option<Arc<str>> {
        let now = self.tick();
        let (text, used) = self.by_hash.get_mut(hash)?;
        self.by_use.remove(used);
        *used = now;
        self.by_use.insert(now, hash.to_owned());
        Some(text.clone())
    }

    fn put(&mut self, hash: String, text: Arc<str>) {
        if text.len() > self.max_entry_bytes {
            return;
        }
        let now = self.tick();
        if let Some((old, used)) = self.by_hash.remove(&hash) {
            self.by_use.remove(&used);
            self.bytes -= old.len();
        }
        self.bytes += text.len();
        self.by_use.insert(now, hash.clone());
        self.by_hash.insert(hash, (text, now));
        while self.by_hash.len() > self.max_entries || self.bytes > self.max_bytes {
            let Some((_, oldest)) = self.by_use.pop_first() else {
                break;
            };
            if let Some((text, _)) = self.by_hash.remove(&oldest) {
                self.bytes -= text.len();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_least_recently_used_document_goes_first_and_bytes_are_bounded() {
        let mut lru = Lru::new(2, 10, 12);
        lru.put("a".into(), Arc::from("aaaa"));
        lru.put("b".into(), Arc::from("bbbb"));
        assert!(lru.get("a").is_some());
        lru.put("c".into(), Arc::from("cccc"));
        assert!(lru.get("b").is_none(), "b was used least recently");
        assert!(lru.get("a").is_some() && lru.get("c").is_some());
        lru.put("d".into(), Arc::from("too long to keep"));
        assert!(lru.get("d").is_none());
        lru.put("e".into(), Arc::from("eeeeeeeeee"));
        assert_eq!(lru.by_hash.len(), 1, "12 bytes hold only the newest");
        assert_eq!(lru.bytes, 10);
        assert_eq!(lru.by_use.len(), 1);
    }

    #[test]
    fn introspection_only_documents_are_recognised() {
        assert!(only_introspection("{ __schema { types { name } } }"));
        assert!(only_introspection(
            "query A { __typename } query B { __type(name: \"Query\") { name } }"
        ));
        assert!(!only_introspection("{ __typename me { id } }"));
        assert!(!only_introspection(
            "{ ...F } fragment F on Query { me { id } }"
        ));
        assert!(!only_introspection("{ __schema "));
    }
}
