//! A published statement as one self-contained JSON document (`/s/{token}.json`): what
//! the public page shows, what its script and `jiedao verify-statement` check. Everything
//! needed to recompute the hashes (docs/ledger-hash.md) and the signatures is in it, with
//! counterparties masked as on the notice board and amounts in integer fen.

use std::collections::HashMap;

use chrono::{DateTime, SecondsFormat, Utc};
use entity::{community, compound, fund, ledger_entry, motion, statement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query},
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{
    error::{AppError, AppResult, msg},
    funds::{labels::counterparty_labels, statements},
};

/// The document's `format`; a reader refuses any other.
pub const FORMAT: &str = "jiedao-statement/1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatementDocument {
    pub format: String,
    pub statement_id: Uuid,
    pub fund_id: Uuid,
    pub fund_name: String,
    pub fund_purpose: String,
    pub compound_name: Option<String>,
    pub community_name: String,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance_fen: i64,
    pub closing_balance_fen: i64,
    /// The hash of entry `toSeq`.
    pub head_hash: String,
    pub first_occurred_at: String,
    pub last_occurred_at: String,
    pub published_at: String,
    pub published_at_micros: i64,
    pub entries: Vec<DocumentEntry>,
    /// Every statement of the fund up to and including this one, in publication order:
    /// each signed over the one before, so a reader checks the whole chain of notices and
    /// finds an earlier notice of theirs in it.
    pub history: Vec<StatementHead>,
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DocumentEntry {
    pub seq: i64,
    /// `contribution`, `expense` or `reversal`.
    pub kind: String,
    pub amount_fen: i64,
    pub balance_after_fen: i64,
    pub occurred_at: String,
    pub occurred_at_micros: i64,
    pub recorded_at_micros: i64,
    pub counterparty_id: Option<Uuid>,
    /// Masked: 3号楼2单元, 王**.
    pub counterparty: Option<String>,
    pub memo: String,
    pub expense_id: Option<Uuid>,
    pub levy_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    /// The title of the resolution an expense cites.
    pub resolution_title: Option<String>,
    pub reverses_entry_id: Option<Uuid>,
    pub prev_hash: String,
    pub hash: String,
}

/// A statement as its signature covers it (docs/ledger-hash.md, "Statement signatures").
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct StatementHead {
    pub statement_id: Uuid,
    pub previous_statement_id: Option<Uuid>,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance_fen: i64,
    pub closing_balance_fen: i64,
    pub head_hash: String,
    pub published_at_micros: i64,
    /// `ed25519`.
    pub algorithm: String,
    pub key_id: Option<String>,
    pub signature: Option<String>,
    /// When it was signed: its publication, or the first start of a version that signs
    /// for statements published before.
    pub signed_at: Option<String>,
}

pub fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

impl From<&statement::Model> for StatementHead {
    fn from(s: &statement::Model) -> Self {
        Self {
            statement_id: s.id,
            previous_statement_id: s.prev_statement_id,
            from_seq: s.from_seq,
            to_seq: s.to_seq,
            opening_balance_fen: s.opening_balance_fen,
            closing_balance_fen: s.closing_balance_fen,
            head_hash: s.head_hash.clone(),
            published_at_micros: s.published_at.timestamp_micros(),
            algorithm: "ed25519".to_owned(),
            key_id: s.key_id.clone(),
            signature: s.signature.clone(),
            signed_at: s.signed_at.map(rfc3339),
        }
    }
}

impl StatementDocument {
    /// This statement's own head: the last of the history.
    pub fn head(&self) -> Option<&StatementHead> {
        self.history
            .last()
            .filter(|h| h.statement_id == self.statement_id)
    }
}

/// The document of the statement a share token opens: NOT_FOUND for an unknown token,
/// LEDGER_TAMPERED when its entries no longer hash to what was published. Four statements
/// (five when an expense cites a resolution), however many entries and counterparties.
pub async fn load(db: &impl ConnectionTrait, token: &str) -> AppResult<StatementDocument> {
    let (history, opened) = statements::fund_history_by_token(db, token).await?;
    let Some(statement) = history.get(opened) else {
        return Err(AppError::NotFound(msg!("statement not found")));
    };
    let entries = statements::checked_entries(db, statement).await?;
    let names = names(db, statement.fund_id).await?;
    let mut parties: Vec<Uuid> = entries.iter().filter_map(|e| e.counterparty_id).collect();
    parties.sort();
    parties.dedup();
    let labels = counterparty_labels(db, &parties).await?;
    let titles = resolution_titles(db, &entries).await?;
    Ok(StatementDocument {
        format: FORMAT.to_owned(),
        statement_id: statement.id,
        fund_id: statement.fund_id,
        fund_name: names.fund,
        fund_purpose: names.purpose,
        compound_name: names.compound,
        community_name: names.community,
        from_seq: statement.from_seq,
        to_seq: statement.to_seq,
        opening_balance_fen: statement.opening_balance_fen,
        closing_balance_fen: statement.closing_balance_fen,
        head_hash: statement.head_hash.clone(),
        first_occurred_at: rfc3339(statement.first_occurred_at),
        last_occurred_at: rfc3339(statement.last_occurred_at),
        published_at: rfc3339(statement.published_at),
        published_at_micros: statement.published_at.timestamp_micros(),
        entries: entries
            .into_iter()
            .map(|e| DocumentEntry {
                seq: e.seq,
                kind: e.kind,
                amount_fen: e.amount_fen,
                balance_after_fen: e.balance_after_fen,
                occurred_at: rfc3339(e.occurred_at),
                occurred_at_micros: e.occurred_at.timestamp_micros(),
                recorded_at_micros: e.recorded_at.timestamp_micros(),
                counterparty_id: e.counterparty_id,
                counterparty: e.counterparty_id.and_then(|c| labels.get(&c).cloned()),
                memo: e.memo,
                expense_id: e.expense_id,
                levy_id: e.levy_id,
                resolution_id: e.resolution_id,
                resolution_title: e.resolution_id.and_then(|r| titles.get(&r).cloned()),
                reverses_entry_id: e.reverses_entry_id,
                prev_hash: e.prev_hash,
                hash: e.hash,
            })
            .collect(),
        history: history[..=opened].iter().map(StatementHead::from).collect(),
    })
}

/// What the notice names: the fund, its community and compound.
struct Names {
    fund: String,
    purpose: String,
    community: String,
    compound: Option<String>,
}

/// The fund's, community's and compound's names in one statement.
async fn names(db: &impl ConnectionTrait, fund_id: Uuid) -> AppResult<Names> {
    let query = Query::select()
        .expr_as(Expr::col((fund::Entity, fund::Column::Name)), "fund")
        .expr_as(Expr::col((fund::Entity, fund::Column::Purpose)), "purpose")
        .expr_as(
            Expr::col((community::Entity, community::Column::Name)),
            "community",
        )
        .expr_as(
            Expr::col((compound::Entity, compound::Column::Name)),
            "compound",
        )
        .from(fund::Entity)
        .inner_join(
            community::Entity,
            Expr::col((community::Entity, community::Column::Id))
                .equals((fund::Entity, fund::Column::CommunityId)),
        )
        .left_join(
            compound::Entity,
            Expr::col((compound::Entity, compound::Column::Id))
                .equals((fund::Entity, fund::Column::CompoundId)),
        )
        .and_where(Expr::col((fund::Entity, fund::Column::Id)).eq(fund_id))
        .to_owned();
    let row = db
        .query_one_raw(db.get_database_backend().build(&query))
        .await?
        .ok_or(AppError::NotFound(msg!("statement not found")))?;
    Ok(Names {
        fund: row.try_get("", "fund")?,
        purpose: row.try_get("", "purpose")?,
        community: row.try_get("", "community")?,
        compound: row.try_get("", "compound")?,
    })
}

async fn resolution_titles(
    db: &impl ConnectionTrait,
    entries: &[ledger_entry::Model],
) -> AppResult<HashMap<Uuid, String>> {
    let ids: Vec<Uuid> = entries.iter().filter_map(|e| e.resolution_id).collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(motion::Entity::find()
        .filter(motion::Column::Id.is_in(ids))
        .all(db)
        .await?
        .into_iter()
        .map(|m| (m.id, m.title))
        .collect())
}
