//! Publication (公示): the treasurer publishes a statement of a range of the ledger (by
//! default everything since the last statement). Publishing returns a share token, shown
//! once and kept only as a hash; anyone holding it reads the statement without logging in.

use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::Utc;
use entity::{ledger_entry, statement};
use rand::RngCore;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::access::{check_record, visible_fund};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
};

pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.trim().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Publishes entries `from..=to` of a fund; returns the statement and its share token.
pub async fn publish(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    fund_id: Uuid,
    from: Option<i64>,
    to: Option<i64>,
) -> AppResult<Audited<(statement::Model, String)>> {
    let (fund, place) = visible_fund(conn, viewer, fund_id).await?;
    check_record(viewer, &fund, place)?;
    let last = statement::Entity::find()
        .filter(statement::Column::FundId.eq(fund.id))
        .order_by_desc(statement::Column::ToSeq)
        .one(conn)
        .await?;
    let from = from.unwrap_or(last.map_or(1, |s| s.to_seq + 1));
    let to = to.unwrap_or(fund.head_seq);
    if from < 1 || to > fund.head_seq || from > to {
        return Err(AppError::bad_input(
            "input.fromSeq",
            msg!(
                "nothing to publish: the ledger has entries 1 to {head}, the range is {from} to {to}",
                head = fund.head_seq,
                from = from,
                to = to
            ),
        ));
    }
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::FundId.eq(fund.id))
        .filter(ledger_entry::Column::Seq.between(from, to))
        .order_by_asc(ledger_entry::Column::Seq)
        .all(conn)
        .await?;
    let (Some(first), Some(last)) = (entries.first(), entries.last()) else {
        return Err(AppError::NotFound(msg!("entry not found")));
    };
    let token = new_token();
    let statement = statement::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(fund.community_id),
        fund_id: Set(fund.id),
        from_seq: Set(from),
        to_seq: Set(to),
        opening_balance_fen: Set(first.balance_after_fen - first.amount_fen),
        closing_balance_fen: Set(last.balance_after_fen),
        head_hash: Set(last.hash.clone()),
        first_occurred_at: Set(entries
            .iter()
            .map(|e| e.occurred_at)
            .min()
            .unwrap_or(first.occurred_at)),
        last_occurred_at: Set(entries
            .iter()
            .map(|e| e.occurred_at)
            .max()
            .unwrap_or(last.occurred_at)),
        share_token_hash: Set(token_hash(&token)),
        published_by: Set(viewer.user_id),
        published_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(
        (statement.clone(), token),
        place,
        statement.id,
    ))
}

/// A statement by its share token, with its entries; NOT_FOUND for an unknown token,
/// LEDGER_TAMPERED when the entries no longer hash to what was published.
pub async fn by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> AppResult<(statement::Model, Vec<ledger_entry::Model>)> {
    let statement = statement::Entity::find()
        .filter(statement::Column::ShareTokenHash.eq(token_hash(token)))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("statement not found")))?;
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::FundId.eq(statement.fund_id))
        .filter(ledger_entry::Column::Seq.between(statement.from_seq, statement.to_seq))
        .order_by_asc(ledger_entry::Column::Seq)
        .all(conn)
        .await?;
    if let Err(seq) = super::ledger::check_statement(&statement, &entries) {
        tracing::error!(statement = %statement.id, fund = %statement.fund_id, seq, "a published statement no longer matches the ledger");
        return Err(AppError::LedgerTampered { seq });
    }
    Ok((statement, entries))
}
