//! Publication (公示): the treasurer publishes a statement of a range of the ledger (by
//! default everything since the last statement). Publishing returns a share token, shown
//! once and kept only as a hash; anyone holding it reads the statement without logging in.
//! Each statement is signed with the deployment's key over its range, head and the
//! statement before it (`statement_signature`), under the fund's lock so they chain.

use chrono::Utc;
use entity::{ledger_entry, statement};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder, sea_query::Query,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_record, visible_fund},
    chain::to_micros,
    ledger::lock_fund,
    statement_signature,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    auth::token::{new_opaque_token, opaque_token_hash},
    config::public_base::PublicBase,
    db::Db,
    error::{AppError, AppResult, msg},
    graphql::scalars::format_hundredths,
    outbox::{EventType, Notification},
    signing::SigningKeys,
};

/// Publishes entries `from..=to` of a fund; returns the statement and its share token.
pub async fn publish(
    conn: &impl ConnectionTrait,
    keys: &SigningKeys,
    viewer: &Viewer,
    fund_id: Uuid,
    from: Option<i64>,
    to: Option<i64>,
    base: &PublicBase,
) -> AppResult<Audited<(statement::Model, String)>> {
    let (fund, place) = visible_fund(conn, viewer, fund_id).await?;
    check_record(viewer, &fund, place)?;
    // Statements of a fund chain in publication order: one publisher at a time.
    let fund = lock_fund(conn, fund.id).await?;
    let previous = latest(conn, fund.id).await?;
    let from = from.unwrap_or(previous.as_ref().map_or(1, |s| s.to_seq + 1));
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
    let token = new_opaque_token();
    let published_at = to_micros(Utc::now());
    let mut statement = statement::Model {
        id: Uuid::now_v7(),
        community_id: fund.community_id,
        fund_id: fund.id,
        from_seq: from,
        to_seq: to,
        opening_balance_fen: first.balance_after_fen - first.amount_fen,
        closing_balance_fen: last.balance_after_fen,
        head_hash: last.hash.clone(),
        first_occurred_at: entries
            .iter()
            .map(|e| e.occurred_at)
            .min()
            .unwrap_or(first.occurred_at),
        last_occurred_at: entries
            .iter()
            .map(|e| e.occurred_at)
            .max()
            .unwrap_or(last.occurred_at),
        share_token_hash: opaque_token_hash(&token),
        published_by: viewer.user_id,
        published_at,
        prev_statement_id: previous.as_ref().map(|p| p.id),
        key_id: None,
        signature: None,
        signed_at: Some(published_at),
    };
    let (key_id, signature) = statement_signature::sign(keys, &statement, previous.as_ref())
        .ok_or_else(|| {
            AppError::internal(std::io::Error::other(
                "a stored head hash or signature is not hex",
            ))
        })?;
    statement.key_id = Some(key_id);
    statement.signature = Some(signature);
    let statement = statement::ActiveModel::from(statement).insert(conn).await?;
    let published = Notification::new(
        EventType::StatementPublished,
        statement.community_id,
        json!({
            "statementId": statement.id,
            "fundId": fund.id,
            "fromSeq": statement.from_seq,
            "toSeq": statement.to_seq,
            "openingBalance": format_hundredths(statement.opening_balance_fen),
            "closingBalance": format_hundredths(statement.closing_balance_fen),
            "link": base.statement(&token),
            "keyId": statement.key_id,
        }),
    )
    .in_place(fund.compound_id, None);
    Ok(
        Audited::new((statement.clone(), token), place, statement.id)
            .with_notifications([published]),
    )
}

/// A statement by its share token, with its entries; NOT_FOUND for an unknown token,
/// LEDGER_TAMPERED when the entries no longer hash to what was published.
pub async fn by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> AppResult<(statement::Model, Vec<ledger_entry::Model>)> {
    let statement = find_by_token(conn, token).await?;
    let entries = checked_entries(conn, &statement).await?;
    Ok((statement, entries))
}

/// The statement a share token opens, without its entries.
pub async fn find_by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> AppResult<statement::Model> {
    statement::Entity::find()
        .filter(statement::Column::ShareTokenHash.eq(opaque_token_hash(token.trim())))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("statement not found")))
}

/// Every statement of the fund whose statement a share token opens, in publication order,
/// and which of them it opens: one statement for the public page's whole history.
pub async fn fund_history_by_token(
    conn: &impl ConnectionTrait,
    token: &str,
) -> AppResult<(Vec<statement::Model>, usize)> {
    let hash = opaque_token_hash(token.trim());
    let fund = Query::select()
        .column(statement::Column::FundId)
        .from(statement::Entity)
        .and_where(statement::Column::ShareTokenHash.eq(hash.clone()))
        .to_owned();
    let history = statement::Entity::find()
        .filter(statement::Column::FundId.in_subquery(fund))
        .order_by_asc(statement::Column::PublishedAt)
        .order_by_asc(statement::Column::Id)
        .all(conn)
        .await?;
    let opened = history
        .iter()
        .position(|s| s.share_token_hash == hash)
        .ok_or(AppError::NotFound(msg!("statement not found")))?;
    Ok((history, opened))
}

/// A statement's entries, LEDGER_TAMPERED when they no longer hash to what was published.
pub async fn checked_entries(
    conn: &impl ConnectionTrait,
    statement: &statement::Model,
) -> AppResult<Vec<ledger_entry::Model>> {
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::FundId.eq(statement.fund_id))
        .filter(ledger_entry::Column::Seq.between(statement.from_seq, statement.to_seq))
        .order_by_asc(ledger_entry::Column::Seq)
        .all(conn)
        .await?;
    if let Err(seq) = super::ledger::check_statement(statement, &entries) {
        tracing::error!(statement = %statement.id, fund = %statement.fund_id, seq, "a published statement no longer matches the ledger");
        return Err(AppError::LedgerTampered { seq });
    }
    Ok(entries)
}

/// The fund's most recently published statement.
async fn latest(conn: &impl ConnectionTrait, fund_id: Uuid) -> AppResult<Option<statement::Model>> {
    Ok(statement::Entity::find()
        .filter(statement::Column::FundId.eq(fund_id))
        .order_by_desc(statement::Column::PublishedAt)
        .order_by_desc(statement::Column::Id)
        .one(conn)
        .await?)
}

/// Signs the statements published before signing existed, oldest first, each after the
/// one before it; run at start. Their `signed_at` says when: the signature vouches for
/// them as they stood then, not at their publication. Returns how many it signed.
pub async fn sign_backlog(db: &Db, keys: &SigningKeys) -> AppResult<usize> {
    let txn = db.begin_write().await?;
    let unsigned = statement::Entity::find()
        .filter(statement::Column::Signature.is_null())
        .order_by_asc(statement::Column::PublishedAt)
        .order_by_asc(statement::Column::Id)
        .all(&txn)
        .await?;
    let mut funds: Vec<Uuid> = unsigned.iter().map(|s| s.fund_id).collect();
    funds.sort();
    funds.dedup();
    let now = to_micros(Utc::now());
    let mut signed = 0;
    for fund_id in funds {
        lock_fund(&txn, fund_id).await?;
        let mut previous: Option<statement::Model> = None;
        for st in statement_signature::in_publication_order(&txn, fund_id).await? {
            let st = if st.signature.is_some() {
                st
            } else {
                let (key_id, signature) = statement_signature::sign(keys, &st, previous.as_ref())
                    .ok_or_else(|| {
                    AppError::internal(std::io::Error::other("a stored head hash is not hex"))
                })?;
                let mut row: statement::ActiveModel = st.into();
                row.prev_statement_id = Set(previous.as_ref().map(|p| p.id));
                row.key_id = Set(Some(key_id));
                row.signature = Set(Some(signature));
                row.signed_at = Set(Some(now));
                signed += 1;
                row.update(&txn).await?
            };
            previous = Some(st);
        }
    }
    txn.commit().await?;
    Ok(signed)
}
