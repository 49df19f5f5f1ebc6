//! The ledger's hash chain, encoding version 1 (docs/ledger-hash.md is the public
//! description; a test recomputes hashes from it without this code). Names and other
//! personal data are never hashed: counterparties appear by id only.

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::graphql::StoredEnum;

pub const ENCODING_VERSION: u8 = 1;
/// The `prev_hash` of a fund's first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// What an entry does to the balance; the API's `LedgerEntryKind`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, async_graphql::Enum)]
#[graphql(name = "LedgerEntryKind")]
pub enum Kind {
    Contribution,
    Expense,
    Reversal,
}

impl StoredEnum for Kind {
    fn stored(self) -> &'static str {
        match self {
            Self::Contribution => "contribution",
            Self::Expense => "expense",
            Self::Reversal => "reversal",
        }
    }
}

impl Kind {
    fn code(self) -> u8 {
        match self {
            Self::Contribution => 1,
            Self::Expense => 2,
            Self::Reversal => 3,
        }
    }
}

/// What of an entry is hashed.
pub struct Hashed<'a> {
    pub fund_id: Uuid,
    pub seq: i64,
    pub kind: Kind,
    pub amount_fen: i64,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub counterparty_id: Option<Uuid>,
    pub memo: &'a str,
    pub expense_id: Option<Uuid>,
    pub levy_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    pub reverses_entry_id: Option<Uuid>,
}

/// Instants are hashed in whole microseconds, what both databases store.
pub fn to_micros(instant: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(instant.timestamp_micros()).unwrap_or(instant)
}

fn push_optional(bytes: &mut Vec<u8>, id: Option<Uuid>) {
    match id {
        Some(id) => {
            bytes.push(1);
            bytes.extend_from_slice(id.as_bytes());
        }
        None => bytes.push(0),
    }
}

/// The version-1 bytes of an entry.
pub fn encode(entry: &Hashed<'_>) -> Vec<u8> {
    let mut bytes = Vec::with_capacity(160);
    bytes.push(ENCODING_VERSION);
    bytes.extend_from_slice(entry.fund_id.as_bytes());
    bytes.extend_from_slice(&entry.seq.to_be_bytes());
    bytes.push(entry.kind.code());
    bytes.extend_from_slice(&entry.amount_fen.to_be_bytes());
    bytes.extend_from_slice(&entry.occurred_at.timestamp_micros().to_be_bytes());
    bytes.extend_from_slice(&entry.recorded_at.timestamp_micros().to_be_bytes());
    push_optional(&mut bytes, entry.counterparty_id);
    bytes.extend_from_slice(&Sha256::digest(entry.memo.as_bytes()));
    for link in [
        entry.expense_id,
        entry.levy_id,
        entry.resolution_id,
        entry.reverses_entry_id,
    ] {
        push_optional(&mut bytes, link);
    }
    bytes
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// SHA-256 of the previous hash's 32 bytes followed by the entry's bytes, in hex.
pub fn hash(prev_hash: &str, entry: &Hashed<'_>) -> Option<String> {
    let prev = unhex(prev_hash).filter(|p| p.len() == 32)?;
    let mut digest = Sha256::new();
    digest.update(&prev);
    digest.update(encode(entry));
    Some(hex(&digest.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(memo: &str) -> Hashed<'_> {
        Hashed {
            fund_id: Uuid::from_u128(1),
            seq: 1,
            kind: Kind::Contribution,
            amount_fen: 5_000,
            occurred_at: DateTime::from_timestamp_micros(1_700_000_000_000_000).unwrap_or_default(),
            recorded_at: DateTime::from_timestamp_micros(1_700_000_000_000_001).unwrap_or_default(),
            counterparty_id: Some(Uuid::from_u128(2)),
            memo,
            expense_id: None,
            levy_id: None,
            resolution_id: None,
            reverses_entry_id: None,
        }
    }

    #[test]
    fn the_encoding_is_fixed_and_every_field_changes_the_hash() {
        let bytes = encode(&entry("门禁维修"));
        // version, fund, seq, kind, amount, two instants, counterparty, memo hash, 4 links.
        assert_eq!(bytes.len(), 1 + 16 + 8 + 1 + 8 + 8 + 8 + 17 + 32 + 4);
        let base = hash(GENESIS, &entry("门禁维修"));
        assert!(base.as_ref().is_some_and(|h| h.len() == 64));
        assert_ne!(base, hash(GENESIS, &entry("门禁维修 ")));
        let mut other = entry("门禁维修");
        other.amount_fen += 1;
        assert_ne!(base, hash(GENESIS, &other));
        let prev = "11".repeat(32);
        assert_ne!(base, hash(&prev, &entry("门禁维修")));
        assert_eq!(hash("zz", &entry("x")), None);
    }
}
