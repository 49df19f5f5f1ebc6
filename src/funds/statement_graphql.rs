//! GraphQL for published statements: `publishStatement` (the treasurer) and
//! `publicStatement(shareToken)`, which needs no login and shows counterparties masked.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{compound, fund, ledger_entry, statement};
use sea_orm::EntityTrait;
use serde_json::json;

use super::{labels::CounterpartyLabel, statement_csv as csv, statements, types::LedgerEntry};
use crate::{
    audit::audited_write,
    error::{AppError, AppResult, msg},
    graphql::{ContextExt, loader::loader, parse_id, scalars::Money},
};

#[derive(SimpleObject)]
pub struct PublicStatement {
    pub fund_name: String,
    pub fund_purpose: String,
    pub compound_name: Option<String>,
    pub from_seq: i64,
    pub to_seq: i64,
    /// The days the entries span.
    pub first_occurred_at: DateTime<Utc>,
    pub last_occurred_at: DateTime<Utc>,
    pub opening_balance: Money,
    pub closing_balance: Money,
    /// The hash of the last entry: recompute the chain up to it (docs/ledger-hash.md).
    pub head_hash: String,
    pub published_at: DateTime<Utc>,
    /// The deployment key that signed the statement (16 hex digits; its public key is at
    /// `/.well-known/jiedao-signing-keys.json`) and the Ed25519 signature (docs/ledger-hash.md).
    pub key_id: Option<String>,
    pub signature: Option<String>,
    pub fund_id: ID,
    pub entries: Vec<LedgerEntry>,
    /// The statement as CSV (UTF-8 with BOM), for printing or Excel.
    pub csv: String,
}

#[derive(InputObject)]
pub struct PublishStatementInput {
    pub fund_id: ID,
    /// Default: the first entry not yet published.
    pub from_seq: Option<i64>,
    /// Default: the ledger's last entry.
    pub to_seq: Option<i64>,
}

#[derive(SimpleObject)]
pub struct PublishStatementPayload {
    pub statement_id: ID,
    /// Shown once: share it (a link or a QR code on the notice board). Anyone holding it
    /// reads the statement through `publicStatement` without logging in.
    pub share_token: String,
    /// The public page (公示) to share or print, with its CSV, JSON and QR code
    /// (`{link}/qr.svg`); residents check it there or with `jiedao verify-statement`.
    pub link: String,
    /// The key that signed it (16 hex digits).
    pub key_id: Option<String>,
    pub from_seq: i64,
    pub to_seq: i64,
}

#[derive(Default)]
pub struct StatementQuery;

async fn build(
    ctx: &Context<'_>,
    statement: statement::Model,
    entries: Vec<ledger_entry::Model>,
) -> Result<PublicStatement> {
    let db = ctx.services().db.reader();
    let fund = fund::Entity::find_by_id(statement.fund_id)
        .one(db)
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(msg!("statement not found")))?;
    let compound_name = match fund.compound_id {
        Some(id) => compound::Entity::find_by_id(id)
            .one(db)
            .await
            .map_err(AppError::from)?
            .map(|c| c.name),
        None => None,
    };
    let mut keys: Vec<CounterpartyLabel> = entries
        .iter()
        .filter_map(|e| e.counterparty_id.map(CounterpartyLabel))
        .collect();
    keys.sort_by_key(|k| k.0);
    keys.dedup();
    let labels = loader(ctx).load_many(keys).await?;
    let summary = csv::Summary {
        compound_name: compound_name.as_deref(),
        fund_name: &fund.name,
        from_seq: statement.from_seq,
        to_seq: statement.to_seq,
        opening_balance_fen: statement.opening_balance_fen,
        closing_balance_fen: statement.closing_balance_fen,
        head_hash: &statement.head_hash,
    };
    let lines = entries.iter().map(|e| csv::Line {
        seq: e.seq,
        kind: &e.kind,
        amount_fen: e.amount_fen,
        balance_after_fen: e.balance_after_fen,
        occurred_at: e.occurred_at,
        counterparty: e
            .counterparty_id
            .and_then(|c| labels.get(&CounterpartyLabel(c)))
            .map(String::as_str),
        memo: &e.memo,
        hash: &e.hash,
    });
    let csv = csv::write(&summary, lines)?;
    Ok(PublicStatement {
        fund_name: fund.name,
        fund_purpose: fund.purpose,
        compound_name,
        from_seq: statement.from_seq,
        to_seq: statement.to_seq,
        first_occurred_at: statement.first_occurred_at,
        last_occurred_at: statement.last_occurred_at,
        opening_balance: Money(statement.opening_balance_fen),
        closing_balance: Money(statement.closing_balance_fen),
        head_hash: statement.head_hash,
        published_at: statement.published_at,
        key_id: statement.key_id,
        signature: statement.signature,
        fund_id: fund.id.into(),
        entries: entries
            .into_iter()
            .map(LedgerEntry::try_from)
            .collect::<AppResult<_>>()?,
        csv: String::from_utf8_lossy(&csv).into_owned(),
    })
}

#[Object]
impl StatementQuery {
    /// A published statement, by the token from its share link. No login needed; only the
    /// statement's entries, with contributors and payees masked.
    async fn public_statement(
        &self,
        ctx: &Context<'_>,
        share_token: String,
    ) -> Result<PublicStatement> {
        let reads = ctx.services().db.reader();
        let statement = statements::find_by_token(reads, &share_token).await?;
        // The token opens its statement's community to this request's reads (row-level
        // security): the entries, fund, compound and masked labels live there.
        reads
            .open_community(statement.community_id)
            .await
            .map_err(AppError::from)?;
        let entries = statements::checked_entries(reads, &statement).await?;
        build(ctx, statement, entries).await
    }
}

#[derive(Default)]
pub struct StatementMutation;

#[Object]
impl StatementMutation {
    /// The treasurer publishes (公示) a range of the ledger.
    async fn publish_statement(
        &self,
        ctx: &Context<'_>,
        input: PublishStatementInput,
    ) -> Result<PublishStatementPayload> {
        let audit = json!({ "fundId": input.fund_id.as_str(), "fromSeq": input.from_seq, "toSeq": input.to_seq });
        let fund = parse_id("input.fundId", &input.fund_id);
        let (from, to) = (input.from_seq, input.to_seq);
        let keys = ctx.services().signing.clone();
        let base = ctx.public_base();
        let link_base = base.clone();
        let (statement, token) =
            audited_write(ctx, "publishStatement", audit, move |txn, viewer| {
                Box::pin(async move {
                    statements::publish(txn, &keys, viewer, fund?, from, to, &link_base).await
                })
            })
            .await?;
        Ok(PublishStatementPayload {
            statement_id: statement.id.into(),
            link: base.statement(&token),
            share_token: token,
            key_id: statement.key_id,
            from_seq: statement.from_seq,
            to_seq: statement.to_seq,
        })
    }
}
