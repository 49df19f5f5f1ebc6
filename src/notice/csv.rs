//! The CSV download of a statement's public page: `funds::statement_csv` over the document.

use chrono::DateTime;

use super::statement_document::StatementDocument;
use crate::{
    error::AppResult,
    funds::statement_csv::{Line, Summary, write},
};

/// The CSV of a statement document.
pub fn of_document(doc: &StatementDocument) -> AppResult<Vec<u8>> {
    let summary = Summary {
        compound_name: doc.compound_name.as_deref(),
        fund_name: &doc.fund_name,
        from_seq: doc.from_seq,
        to_seq: doc.to_seq,
        opening_balance_fen: doc.opening_balance_fen,
        closing_balance_fen: doc.closing_balance_fen,
        head_hash: &doc.head_hash,
    };
    let lines = doc.entries.iter().map(|e| Line {
        seq: e.seq,
        kind: &e.kind,
        amount_fen: e.amount_fen,
        balance_after_fen: e.balance_after_fen,
        occurred_at: DateTime::from_timestamp_micros(e.occurred_at_micros).unwrap_or_default(),
        counterparty: e.counterparty.as_deref(),
        memo: &e.memo,
        hash: &e.hash,
    });
    write(&summary, lines)
}
