//! An expense after it is submitted: committee members approve or reject it (never the
//! author), the treasurer pays it (posting the ledger entry) or cancels it.

use chrono::Utc;
use entity::{expense, expense_decision};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::check_record,
    chain::Kind,
    closed_sets::ExpenseVerdict,
    expenses::{CheckedExpense, Status, checked, visible_expense},
    expenses::{is_approver, refuse, set_status},
    ledger::{NewEntry, append, lock_fund},
    service::check_occurred,
};
use crate::idempotency::Key;
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
};

/// Records a member's approval or rejection; enough approvals approve the expense, one
/// rejection rejects it.
pub async fn decide(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    approve: bool,
    comment: &str,
) -> AppResult<Audited<CheckedExpense>> {
    let (expense, fund, place) = visible_expense(conn, viewer, id).await?;
    if !is_approver(viewer, &fund, place) {
        return Err(AppError::Forbidden(msg!(
            "only committee members decide on expenses"
        )));
    }
    if expense.author_id == viewer.user_id {
        return Err(AppError::Forbidden(msg!(
            "the author of an expense cannot decide on it"
        )));
    }
    let status = Status::parse(&expense.status);
    if status != Status::Submitted {
        return Err(refuse(
            status,
            if approve { "approved" } else { "rejected" },
        ));
    }
    let comment = comment.trim();
    if !approve && comment.chars().count() < 2 {
        return Err(AppError::bad_input(
            "input.comment",
            msg!("say why you reject it"),
        ));
    }
    let verdict = if approve {
        ExpenseVerdict::Approve
    } else {
        ExpenseVerdict::Reject
    };
    expense_decision::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(expense.community_id),
        expense_id: Set(expense.id),
        decided_by: Set(viewer.user_id),
        decision: Set(verdict.stored().to_owned()),
        comment: Set(comment.chars().take(500).collect()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        crate::error::on_unique_violation(e, msg!("you have already decided on this expense"))
    })?;
    let expense = if approve {
        let approvals = expense_decision::Entity::find()
            .filter(expense_decision::Column::ExpenseId.eq(expense.id))
            .filter(expense_decision::Column::Decision.eq(ExpenseVerdict::Approve.stored()))
            .count(conn)
            .await?;
        if approvals >= u64::try_from(fund.approvals_required).unwrap_or(1) {
            set_status(conn, expense, Status::Approved, None, None).await?
        } else {
            expense
        }
    } else {
        set_status(
            conn,
            expense,
            Status::Rejected,
            Some(comment.to_owned()),
            None,
        )
        .await?
    };
    Ok(checked(expense, fund, place))
}

/// Pays an approved expense: one ledger entry dated `paid_at` (default now), idempotent
/// by `key`.
pub async fn pay(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    key: Key,
    paid_at: Option<chrono::DateTime<Utc>>,
) -> AppResult<Audited<CheckedExpense>> {
    let paid_at = check_occurred("input.paidAt", paid_at)?;
    let (expense, fund, place) = visible_expense(conn, viewer, id).await?;
    check_record(viewer, &fund, place)?;
    if key
        .claim(conn, json!({ "expenseId": expense.id }))
        .await?
        .is_some()
    {
        let expense = expense::Entity::find_by_id(id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound(msg!("expense not found")))?;
        return Ok(checked(expense, fund, place));
    }
    let fund = lock_fund(conn, fund.id).await?;
    // Read again under the fund's lock: a concurrent payment may have just paid it.
    let expense = expense::Entity::find_by_id(expense.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("expense not found")))?;
    let status = Status::parse(&expense.status);
    if status != Status::Approved {
        return Err(refuse(status, "paid"));
    }
    let entry = append(
        conn,
        &fund,
        NewEntry {
            id: Uuid::now_v7(),
            kind: Kind::Expense,
            amount_fen: -expense.amount_fen,
            counterparty_id: Some(expense.payee_id),
            channel: None,
            memo: expense.purpose.clone(),
            occurred_at: paid_at,
            recorded_by: viewer.user_id,
            expense_id: Some(expense.id),
            levy_id: None,
            resolution_id: expense.resolution_id,
            reverses_entry_id: None,
        },
    )
    .await?;
    let expense = set_status(conn, expense, Status::Paid, None, Some(entry.id)).await?;
    Ok(checked(expense, fund, place))
}

pub async fn cancel(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    reason: &str,
) -> AppResult<Audited<CheckedExpense>> {
    let (expense, fund, place) = visible_expense(conn, viewer, id).await?;
    check_record(viewer, &fund, place)?;
    let status = Status::parse(&expense.status);
    if !matches!(status, Status::Draft | Status::Submitted | Status::Approved) {
        return Err(refuse(status, "cancelled"));
    }
    let reason = reason.trim();
    if reason.chars().count() < 2 {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("say why it is cancelled"),
        ));
    }
    let expense = set_status(conn, expense, Status::Cancelled, Some(reason.into()), None).await?;
    Ok(checked(expense, fund, place))
}
