//! Appending to a fund's ledger and verifying it. Every append locks the fund row first
//! (PostgreSQL `FOR UPDATE`; on SQLite the single writer already serialises), takes the
//! next `seq` and the head hash from it, and moves the head in the same transaction: no gap,
//! no seq twice, and the balance is always the fund row's.

use chrono::{DateTime, Utc};
use entity::{fund, ledger_entry, statement};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TryIntoModel, sea_query::Expr,
};
use uuid::Uuid;

use super::{
    chain::{self, GENESIS, Hashed, Kind},
    closed_sets::FundStatus,
    statement_signature,
};
use crate::{
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    signing::SigningKeys,
};

/// The fund, locked for this transaction.
pub async fn lock_fund(conn: &impl ConnectionTrait, id: Uuid) -> AppResult<fund::Model> {
    fund::Entity::find_by_id(id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("fund not found")))
}

/// An entry to append; `seq`, balance and hashes come from the fund's head.
pub struct NewEntry {
    /// Chosen by the caller, so that an idempotent answer naming it can be kept before
    /// the fund is locked.
    pub id: Uuid,
    pub kind: Kind,
    pub amount_fen: i64,
    pub counterparty_id: Option<Uuid>,
    pub channel: Option<String>,
    pub memo: String,
    pub occurred_at: DateTime<Utc>,
    pub recorded_by: Uuid,
    pub expense_id: Option<Uuid>,
    pub levy_id: Option<Uuid>,
    pub resolution_id: Option<Uuid>,
    pub reverses_entry_id: Option<Uuid>,
}

/// Appends to a fund locked by [`lock_fund`] in this transaction, in two statements (the
/// entry, the head): whatever can be checked or written before the lock is, so that
/// writers to one fund queue as briefly as possible (ARCHITECTURE.md §8).
pub async fn append(
    conn: &impl ConnectionTrait,
    fund: &fund::Model,
    new: NewEntry,
) -> AppResult<ledger_entry::Model> {
    if fund.status != FundStatus::Open.stored() {
        return Err(AppError::Conflict(msg!("the fund is closed")));
    }
    let balance = fund
        .balance_fen
        .checked_add(new.amount_fen)
        .ok_or_else(|| AppError::bad_input("input.amount", msg!("the amount is too large")))?;
    if balance < 0 && !fund.allow_negative {
        return Err(AppError::Conflict(msg!(
            "the fund holds {balance} yuan; this would take it below zero",
            balance = crate::graphql::scalars::format_hundredths(fund.balance_fen)
        )));
    }
    let seq = fund.head_seq + 1;
    let occurred_at = chain::to_micros(new.occurred_at);
    let recorded_at = chain::to_micros(Utc::now());
    let hash = chain::hash(
        &fund.head_hash,
        &Hashed {
            fund_id: fund.id,
            seq,
            kind: new.kind,
            amount_fen: new.amount_fen,
            occurred_at,
            recorded_at,
            counterparty_id: new.counterparty_id,
            memo: &new.memo,
            expense_id: new.expense_id,
            levy_id: new.levy_id,
            resolution_id: new.resolution_id,
            reverses_entry_id: new.reverses_entry_id,
        },
    )
    .ok_or_else(|| AppError::internal(std::io::Error::other("the fund's head hash is not hex")))?;
    let entry = ledger_entry::ActiveModel {
        id: Set(new.id),
        community_id: Set(fund.community_id),
        fund_id: Set(fund.id),
        seq: Set(seq),
        kind: Set(new.kind.stored().to_owned()),
        amount_fen: Set(new.amount_fen),
        balance_after_fen: Set(balance),
        counterparty_id: Set(new.counterparty_id),
        channel: Set(new.channel),
        memo: Set(new.memo),
        occurred_at: Set(occurred_at),
        recorded_at: Set(recorded_at),
        recorded_by: Set(new.recorded_by),
        expense_id: Set(new.expense_id),
        levy_id: Set(new.levy_id),
        resolution_id: Set(new.resolution_id),
        reverses_entry_id: Set(new.reverses_entry_id),
        prev_hash: Set(fund.head_hash.clone()),
        hash: Set(hash.clone()),
    };
    let model = entry.clone().try_into_model()?;
    // Without RETURNING: every value is known here, and SQLite would read the row back.
    ledger_entry::Entity::insert(entry)
        .exec_without_returning(conn)
        .await
        .map_err(|e| {
            crate::error::on_unique_violation(e, msg!("that entry has already been reversed"))
        })?;
    fund::Entity::update_many()
        .col_expr(fund::Column::HeadSeq, Expr::value(seq))
        .col_expr(fund::Column::HeadHash, Expr::value(hash))
        .col_expr(fund::Column::BalanceFen, Expr::value(balance))
        .filter(fund::Column::Id.eq(fund.id))
        .exec(conn)
        .await?;
    Ok(model)
}

/// What recomputing a fund's chain found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verification {
    pub ok: bool,
    pub head_seq: i64,
    pub head_hash: String,
    /// The first entry whose seq, link, balance or hash does not hold.
    pub first_bad_seq: Option<i64>,
    /// Published statements compared with the chain.
    pub statements_checked: usize,
    /// The first published statement (by `to_seq`) that no longer holds, and why.
    pub first_bad_statement: Option<(Uuid, StatementProblem)>,
}

/// Why a published statement no longer holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, async_graphql::Enum)]
pub enum StatementProblem {
    /// Its range, balances or head hash no longer match the chain: entries were changed,
    /// removed or appended behind it.
    Entries,
    /// Its signature does not verify with this deployment's keys, or it does not name the
    /// statement published before it: it, or one before it, was rewritten after signing.
    Signature,
}

/// The hash an entry should have after `prev`, from its own fields; `None` for an entry of
/// an unknown kind.
pub fn entry_hash(prev: &str, e: &ledger_entry::Model) -> Option<String> {
    let kind = Kind::from_stored(&e.kind).ok()?;
    chain::hash(
        prev,
        &Hashed {
            fund_id: e.fund_id,
            seq: e.seq,
            kind,
            amount_fen: e.amount_fen,
            occurred_at: e.occurred_at,
            recorded_at: e.recorded_at,
            counterparty_id: e.counterparty_id,
            memo: &e.memo,
            expense_id: e.expense_id,
            levy_id: e.levy_id,
            resolution_id: e.resolution_id,
            reverses_entry_id: e.reverses_entry_id,
        },
    )
}

/// Whether a published statement still matches its entries: every seq of its range
/// present, each hash recomputing and linking to the previous one, the balances and the
/// head hash as published. `Err(seq)` names the first entry that does not hold.
pub fn check_statement(
    statement: &statement::Model,
    entries: &[ledger_entry::Model],
) -> Result<(), i64> {
    let mut prev: Option<&str> = None;
    let mut balance = statement.opening_balance_fen;
    let mut entries = entries.iter();
    for seq in statement.from_seq..=statement.to_seq {
        let Some(e) = entries.next() else {
            return Err(seq);
        };
        balance = balance.saturating_add(e.amount_fen);
        let good = e.seq == seq
            && prev.is_none_or(|p| p == e.prev_hash)
            && e.balance_after_fen == balance
            && entry_hash(&e.prev_hash, e).as_deref() == Some(e.hash.as_str());
        if !good {
            return Err(seq);
        }
        prev = Some(&e.hash);
    }
    if prev != Some(statement.head_hash.as_str()) || balance != statement.closing_balance_fen {
        return Err(statement.to_seq);
    }
    Ok(())
}

/// Recomputes every entry's hash from its fields and the previous hash, and checks seq,
/// balances and the fund's head, in pages so memory stays flat for long ledgers; then
/// every published statement against the chain (a statement is a promise made in public:
/// a ledger cut back behind it, with its head rolled back, still chains but breaks it),
/// and their signatures, each over the one before (a ledger rewritten with the database
/// file, every later hash and the statement heads recomputed, still chains but no longer
/// matches a signature only the deployment's key makes).
pub async fn verify(
    conn: &impl ConnectionTrait,
    keys: &SigningKeys,
    fund: &fund::Model,
) -> AppResult<Verification> {
    let statements = statement_signature::in_publication_order(conn, fund.id).await?;
    // What each published statement says of the chain at its two ends, by seq: the
    // opening balance before `from_seq`, the head hash and closing balance at `to_seq`.
    struct Promise<'a> {
        statement: Uuid,
        hash: Option<&'a str>,
        balance: i64,
    }
    let mut promised: std::collections::HashMap<i64, Vec<Promise>> = Default::default();
    for st in &statements {
        promised.entry(st.from_seq - 1).or_default().push(Promise {
            statement: st.id,
            hash: None,
            balance: st.opening_balance_fen,
        });
        promised.entry(st.to_seq).or_default().push(Promise {
            statement: st.id,
            hash: Some(st.head_hash.as_str()),
            balance: st.closing_balance_fen,
        });
    }
    let mut broken: Vec<(i64, Uuid, StatementProblem)> = Vec::new();
    if let Err(id) = statement_signature::check_chain(keys, &statements) {
        let seq = statements
            .iter()
            .find(|s| s.id == id)
            .map_or(0, |s| s.to_seq);
        broken.push((seq, id, StatementProblem::Signature));
    }
    let mut check_promises = |seq: i64, hash: &str, balance: i64| {
        for p in promised.remove(&seq).unwrap_or_default() {
            if p.hash.is_some_and(|h| h != hash) || p.balance != balance {
                broken.push((seq, p.statement, StatementProblem::Entries));
            }
        }
    };
    check_promises(0, GENESIS, 0);
    let mut prev = GENESIS.to_owned();
    let mut expected_seq = 1;
    let mut balance: i64 = 0;
    let mut first_bad = None;
    'pages: loop {
        let page = ledger_entry::Entity::find()
            .filter(ledger_entry::Column::FundId.eq(fund.id))
            .filter(ledger_entry::Column::Seq.gte(expected_seq))
            .order_by_asc(ledger_entry::Column::Seq)
            .limit(1000)
            .all(conn)
            .await?;
        if page.is_empty() {
            break;
        }
        for e in page {
            balance = balance.saturating_add(e.amount_fen);
            let recomputed = entry_hash(&prev, &e);
            let good = e.seq == expected_seq
                && e.prev_hash == prev
                && e.balance_after_fen == balance
                && recomputed.as_deref() == Some(e.hash.as_str());
            if !good {
                first_bad = Some(e.seq.min(expected_seq));
                break 'pages;
            }
            check_promises(e.seq, &e.hash, balance);
            prev = e.hash;
            expected_seq += 1;
        }
    }
    // Statements reaching past the last good entry promised entries that are gone.
    for (seq, claims) in promised {
        broken.extend(
            claims
                .into_iter()
                .map(|p| (seq, p.statement, StatementProblem::Entries)),
        );
    }
    broken.sort();
    let head_seq = expected_seq - 1;
    if first_bad.is_none()
        && (fund.head_seq != head_seq || fund.head_hash != prev || fund.balance_fen != balance)
    {
        // Entries missing at the end, or a head that does not match them.
        first_bad = Some(head_seq + 1);
    }
    let first_bad_statement = broken.first().map(|(_, id, problem)| (*id, *problem));
    Ok(Verification {
        ok: first_bad.is_none() && first_bad_statement.is_none(),
        head_seq: fund.head_seq,
        head_hash: fund.head_hash.clone(),
        first_bad_seq: first_bad,
        statements_checked: statements.len(),
        first_bad_statement,
    })
}
