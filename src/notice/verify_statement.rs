//! `jiedao verify-statement`: what a resident's helper runs on a share link or a saved
//! statement. It fetches (or reads) the statement documents, checks each with the given
//! keys or the deployment's published ones, and checks that each later notice continues the
//! earlier ones; one line says the verdict.

use std::time::Duration;

use super::{
    check::{self, Checked},
    statement_document::StatementDocument,
};
use crate::{
    config::public_base::KEYS_PATH,
    signing::{VerifyingKey, grouped, key_id, unhex},
};

/// The largest document read: a statement of 100,000 entries is about 60 MiB.
const MAX_DOCUMENT_BYTES: usize = 64 << 20;

/// Why no verdict could be reached (as opposed to a document that does not hold).
#[derive(Debug, thiserror::Error)]
pub enum Unusable {
    #[error("{0}")]
    Source(String),
    #[error("no keys: give --key <public key hex> or --keys <URL or file>")]
    NoKeys,
}

/// The verdict: `Ok` with its line, or the first problem.
pub enum Verdict {
    Good(String),
    Bad(String),
}

pub struct Options {
    /// Share links, `.json` URLs or saved files, in any order.
    pub sources: Vec<String>,
    /// Public keys in hex (64 digits), as printed or published.
    pub keys: Vec<String>,
    /// A keys document (URL or file); by default the first link's deployment's.
    pub keys_from: Option<String>,
}

pub async fn run(options: Options) -> Result<Verdict, Unusable> {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(20))
        .build()
        .map_err(|e| Unusable::Source(format!("HTTP client: {e}")))?;
    let mut documents = Vec::new();
    for source in &options.sources {
        let text = read(&client, &document_location(source)).await?;
        let doc: StatementDocument = serde_json::from_str(&text)
            .map_err(|e| Unusable::Source(format!("{source}: not a statement document ({e})")))?;
        documents.push(doc);
    }
    let keys = keys(&client, &options).await?;
    documents.sort_by_key(|d| d.published_at_micros);
    let mut checked: Vec<Checked> = Vec::new();
    for doc in &documents {
        match check::check(doc, &keys) {
            Ok(c) => checked.push(c),
            Err(problem) => return Ok(Verdict::Bad(describe(doc, &problem.to_string()))),
        }
    }
    for pair in documents.windows(2) {
        if let [earlier, later] = pair
            && let Err(problem) = check::continues(earlier, later)
        {
            return Ok(Verdict::Bad(describe(later, &problem.to_string())));
        }
    }
    let (Some(last), Some(last_checked)) = (documents.last(), checked.last()) else {
        return Err(Unusable::Source("no statement given".into()));
    };
    let signers: Vec<String> = last_checked.key_ids.iter().map(|k| grouped(k)).collect();
    let continued = if documents.len() > 1 {
        format!(
            "; continues the {} earlier notice(s) given",
            documents.len() - 1
        )
    } else {
        String::new()
    };
    Ok(Verdict::Good(format!(
        "ok: {}, entries {} to {}, head {}, {} statement(s) signed by key {}{continued}",
        title(last),
        last.from_seq,
        last.to_seq,
        last.head_hash.get(..16).unwrap_or(&last.head_hash),
        last_checked.statements,
        signers.join(", ")
    )))
}

fn title(doc: &StatementDocument) -> String {
    match &doc.compound_name {
        Some(compound) => format!("{compound} {}", doc.fund_name),
        None => doc.fund_name.clone(),
    }
}

fn describe(doc: &StatementDocument, problem: &str) -> String {
    format!(
        "FAILED: {}, entries {} to {}: {problem}",
        title(doc),
        doc.from_seq,
        doc.to_seq
    )
}

fn is_url(source: &str) -> bool {
    source.starts_with("https://") || source.starts_with("http://")
}

/// A share link's document is the same URL with `.json`.
fn document_location(source: &str) -> String {
    if is_url(source) && !source.ends_with(".json") {
        format!("{}.json", source.trim_end_matches('/'))
    } else {
        source.to_owned()
    }
}

async fn read(client: &reqwest::Client, source: &str) -> Result<String, Unusable> {
    if !is_url(source) {
        let too_big = std::fs::metadata(source).is_ok_and(|m| m.len() > MAX_DOCUMENT_BYTES as u64);
        if too_big {
            return Err(Unusable::Source(format!(
                "{source}: larger than {} MiB, not a statement",
                MAX_DOCUMENT_BYTES >> 20
            )));
        }
        return std::fs::read_to_string(source)
            .map_err(|e| Unusable::Source(format!("{source}: {e}")));
    }
    let mut response = client
        .get(source)
        .send()
        .await
        .map_err(|e| Unusable::Source(format!("{source}: {e}")))?;
    let status = response.status();
    // Read no more than a statement can be, whatever the server sends or declares.
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| Unusable::Source(format!("{source}: {e}")))?
    {
        if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
            return Err(Unusable::Source(format!(
                "{source}: larger than {} MiB, not a statement",
                MAX_DOCUMENT_BYTES >> 20
            )));
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body)
        .map_err(|_| Unusable::Source(format!("{source}: not UTF-8 text")))?;
    if !status.is_success() {
        // The server's own words (LEDGER_TAMPERED says from which entry).
        let said = serde_json::from_str::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["errors"][0]["message"].as_str().map(str::to_owned))
            .unwrap_or_default();
        return Err(Unusable::Source(format!("{source}: HTTP {status} {said}")));
    }
    Ok(body)
}

async fn keys(client: &reqwest::Client, options: &Options) -> Result<Vec<VerifyingKey>, Unusable> {
    let mut keys: Vec<VerifyingKey> = Vec::new();
    for hex in &options.keys {
        keys.push(parse_key(hex).ok_or_else(|| {
            Unusable::Source(format!(
                "--key {hex}: expected 64 hex digits of an Ed25519 public key"
            ))
        })?);
    }
    let from = options.keys_from.clone().or_else(|| {
        if !keys.is_empty() {
            return None;
        }
        let url = options.sources.iter().find(|s| is_url(s))?;
        let origin_end = url.find("/s/")?;
        Some(format!("{}{KEYS_PATH}", &url[..origin_end]))
    });
    if let Some(from) = from {
        let text = read(client, &from).await?;
        let listed: serde_json::Value = serde_json::from_str(&text)
            .map_err(|e| Unusable::Source(format!("{from}: not a keys document ({e})")))?;
        for k in listed["keys"].as_array().into_iter().flatten() {
            let key = k["publicKey"].as_str().and_then(parse_key);
            // A listed id that is not its key's fingerprint is not trusted.
            match key {
                Some(key) if k["keyId"].as_str() == Some(key_id(&key).as_str()) => keys.push(key),
                _ => return Err(Unusable::Source(format!("{from}: a malformed key entry"))),
            }
        }
    }
    if keys.is_empty() {
        return Err(Unusable::NoKeys);
    }
    Ok(keys)
}

fn parse_key(hex: &str) -> Option<VerifyingKey> {
    let bytes: [u8; 32] = unhex(hex.trim())?.try_into().ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}
