//! Checking a statement document as a reader does, with nothing but the document and the
//! deployment's public keys: every entry hash recomputed (docs/ledger-hash.md), the
//! balances, the head, each statement's signature over the one before it, and that a later
//! notice continues an earlier one. `jiedao verify-statement` and the tests use it; the
//! public page's script does the same in the browser.

use chrono::DateTime;
use ed25519_dalek::VerifyingKey;
use uuid::Uuid;

use super::statement_document::{FORMAT, StatementDocument, StatementHead};
use crate::{
    funds::{
        chain::{self, GENESIS, Hashed, Kind},
        statement_signature::{Signed, message},
    },
    graphql::StoredEnum,
    signing::{key_id, verify_with},
};

/// Why a document does not hold: the first thing found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    #[error("not a statement document of format {FORMAT}")]
    Format,
    #[error("entry {seq} does not match its hash, its link or the running balance")]
    Entry { seq: i64 },
    #[error("the entries do not end at the published head hash and closing balance")]
    Head,
    #[error("statement {statement} is signed by key {key}, which is not among the keys given")]
    UnknownKey { statement: Uuid, key: String },
    #[error("statement {statement} has no valid signature")]
    Signature { statement: Uuid },
    #[error("statement {statement} does not follow the statement before it")]
    Chain { statement: Uuid },
    #[error("the two statements are of different funds")]
    OtherFund,
    #[error(
        "history was rewritten: the later notice does not carry the earlier statement {statement} as it was published"
    )]
    Rewritten { statement: Uuid },
    #[error("history was rewritten: entry {seq} hashes differently in the two notices")]
    RewrittenEntry { seq: i64 },
}

/// What a good document proved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Checked {
    pub entries: usize,
    pub statements: usize,
    pub key_ids: Vec<String>,
}

/// Checks the entries, the head and every signature of the history against `keys`.
pub fn check(doc: &StatementDocument, keys: &[VerifyingKey]) -> Result<Checked, Problem> {
    if doc.format != FORMAT {
        return Err(Problem::Format);
    }
    check_entries(doc)?;
    let head = doc.head().ok_or(Problem::Head)?;
    let same = head.from_seq == doc.from_seq
        && head.to_seq == doc.to_seq
        && head.opening_balance_fen == doc.opening_balance_fen
        && head.closing_balance_fen == doc.closing_balance_fen
        && head.head_hash == doc.head_hash
        && head.published_at_micros == doc.published_at_micros;
    if !same {
        return Err(Problem::Head);
    }
    let mut key_ids = Vec::new();
    let mut previous: Option<&StatementHead> = None;
    for h in &doc.history {
        check_signature(doc.fund_id, h, previous, keys)?;
        if let Some(id) = &h.key_id
            && !key_ids.contains(id)
        {
            key_ids.push(id.clone());
        }
        previous = Some(h);
    }
    Ok(Checked {
        entries: doc.entries.len(),
        statements: doc.history.len(),
        key_ids,
    })
}

fn check_entries(doc: &StatementDocument) -> Result<(), Problem> {
    let mut prev: Option<&str> = None;
    let mut balance = doc.opening_balance_fen;
    for (offset, e) in doc.entries.iter().enumerate() {
        let seq = doc.from_seq + i64::try_from(offset).unwrap_or(i64::MAX);
        let bad = Problem::Entry { seq };
        // The first entry's link is the statement's starting point: the genesis for seq
        // 1, otherwise the previous notice's head (which `continues` compares).
        let expected_prev = match prev {
            Some(p) => p,
            None if seq == 1 => GENESIS,
            None => e.prev_hash.as_str(),
        };
        balance = balance.checked_add(e.amount_fen).ok_or(bad.clone())?;
        let good = e.seq == seq
            && e.prev_hash == expected_prev
            && e.balance_after_fen == balance
            && recompute(doc.fund_id, e).as_deref() == Some(e.hash.as_str());
        if !good {
            return Err(bad);
        }
        prev = Some(&e.hash);
    }
    let complete = i64::try_from(doc.entries.len()).ok() == Some(doc.to_seq - doc.from_seq + 1);
    if !complete || prev != Some(doc.head_hash.as_str()) || balance != doc.closing_balance_fen {
        return Err(Problem::Head);
    }
    Ok(())
}

fn recompute(fund_id: Uuid, e: &super::statement_document::DocumentEntry) -> Option<String> {
    let kind = Kind::from_stored(&e.kind).ok()?;
    chain::hash(
        &e.prev_hash,
        &Hashed {
            fund_id,
            seq: e.seq,
            kind,
            amount_fen: e.amount_fen,
            occurred_at: DateTime::from_timestamp_micros(e.occurred_at_micros)?,
            recorded_at: DateTime::from_timestamp_micros(e.recorded_at_micros)?,
            counterparty_id: e.counterparty_id,
            memo: &e.memo,
            expense_id: e.expense_id,
            levy_id: e.levy_id,
            resolution_id: e.resolution_id,
            reverses_entry_id: e.reverses_entry_id,
        },
    )
}

fn check_signature(
    fund_id: Uuid,
    h: &StatementHead,
    previous: Option<&StatementHead>,
    keys: &[VerifyingKey],
) -> Result<(), Problem> {
    let statement = h.statement_id;
    if h.previous_statement_id != previous.map(|p| p.statement_id) {
        return Err(Problem::Chain { statement });
    }
    let (Some(id), Some(signature)) = (&h.key_id, &h.signature) else {
        return Err(Problem::Signature { statement });
    };
    let key = keys
        .iter()
        .find(|k| &key_id(k) == id)
        .ok_or_else(|| Problem::UnknownKey {
            statement,
            key: id.clone(),
        })?;
    let previous = match previous {
        Some(p) => Some((
            p.head_hash.as_str(),
            p.signature.as_deref().ok_or(Problem::Chain { statement })?,
        )),
        None => None,
    };
    let signed = message(&Signed {
        fund_id,
        from_seq: h.from_seq,
        to_seq: h.to_seq,
        opening_balance_fen: h.opening_balance_fen,
        closing_balance_fen: h.closing_balance_fen,
        head_hash: &h.head_hash,
        published_at: DateTime::from_timestamp_micros(h.published_at_micros)
            .ok_or(Problem::Signature { statement })?,
        previous,
        key_id: id,
    })
    .ok_or(Problem::Signature { statement })?;
    if verify_with(key, &signed, signature) {
        Ok(())
    } else {
        Err(Problem::Signature { statement })
    }
}

/// Whether `later` continues `earlier` (both already checked): the same fund, every
/// statement of the earlier notice's history carried unchanged by the later one, and any
/// entry both show hashing the same.
pub fn continues(earlier: &StatementDocument, later: &StatementDocument) -> Result<(), Problem> {
    if earlier.fund_id != later.fund_id {
        return Err(Problem::OtherFund);
    }
    for (index, h) in earlier.history.iter().enumerate() {
        if later.history.get(index) != Some(h) {
            return Err(Problem::Rewritten {
                statement: h.statement_id,
            });
        }
    }
    for e in &earlier.entries {
        if let Some(other) = later.entries.iter().find(|o| o.seq == e.seq)
            && other.hash != e.hash
        {
            return Err(Problem::RewrittenEntry { seq: e.seq });
        }
    }
    // The later range starting right after the earlier one links to its head.
    if let Some(first) = later.entries.first()
        && first.seq == earlier.to_seq + 1
        && first.prev_hash != earlier.head_hash
    {
        return Err(Problem::RewrittenEntry { seq: first.seq });
    }
    Ok(())
}
