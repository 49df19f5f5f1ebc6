//! Receipts of an expense (invoices, photos of bills): the treasurer attaches them while
//! the expense is alive, also after paying (the invoice often comes later), and removes
//! them only from a draft: once submitted, approvers have seen them. They are shown to
//! whoever reads the expense: the compound's residents and officials, never the public.

use chrono::Utc;
use entity::{expense_receipt, stored_file};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, ModelTrait,
    PaginatorTrait, QueryFilter,
};
use uuid::Uuid;

use super::{
    access::check_record,
    expenses::{CheckedExpense, Status, checked, visible_expense},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, Term, msg},
    files::{
        FileStore,
        service::{Upload, store_upload},
    },
};

/// At most this many receipts per expense.
pub const MAX_RECEIPTS: u64 = 20;

/// Attaches uploads to an expense. `field` names the uploads in errors (`input.files`).
pub async fn attach(
    conn: &impl ConnectionTrait,
    files: &FileStore,
    viewer: &Viewer,
    expense_id: Uuid,
    uploads: Vec<Upload>,
    max_bytes: usize,
    field: &str,
) -> AppResult<Audited<CheckedExpense>> {
    let (expense, fund, place) = visible_expense(conn, viewer, expense_id).await?;
    check_record(viewer, &fund, place)?;
    let status = Status::parse(&expense.status);
    if matches!(status, Status::Rejected | Status::Cancelled) {
        return Err(AppError::bad_input(
            "input.expenseId",
            msg!(
                "a {status} expense takes no receipts",
                status = Term(status.as_str())
            ),
        ));
    }
    let existing = expense_receipt::Entity::find()
        .filter(expense_receipt::Column::ExpenseId.eq(expense.id))
        .count(conn)
        .await?;
    if existing + uploads.len() as u64 > MAX_RECEIPTS {
        return Err(AppError::bad_input(
            field,
            msg!("an expense has at most {max} receipts", max = MAX_RECEIPTS),
        ));
    }
    for (index, upload) in uploads.into_iter().enumerate() {
        let field = format!("{field}.{index}");
        let file = store_upload(
            conn,
            files,
            viewer,
            expense.community_id,
            upload,
            max_bytes,
            &field,
        )
        .await?;
        expense_receipt::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(expense.community_id),
            expense_id: Set(expense.id),
            file_id: Set(file.id),
            created_at: Set(Utc::now()),
        }
        .insert(conn)
        .await?;
    }
    Ok(checked(expense, fund, place))
}

/// Removes a receipt (named by its file's id) from a draft expense.
pub async fn remove(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    file_id: Uuid,
) -> AppResult<Audited<CheckedExpense>> {
    let not_found = || AppError::NotFound(msg!("receipt not found"));
    let receipt = expense_receipt::Entity::find()
        .filter(expense_receipt::Column::FileId.eq(file_id))
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let (expense, fund, place) = match visible_expense(conn, viewer, receipt.expense_id).await {
        Ok(found) => found,
        Err(AppError::NotFound(_)) => return Err(not_found()),
        Err(other) => return Err(other),
    };
    check_record(viewer, &fund, place)?;
    let status = Status::parse(&expense.status);
    if status != Status::Draft {
        return Err(AppError::bad_input(
            "input.receiptId",
            msg!("receipts are removed only from a draft; approvers have seen them since"),
        ));
    }
    receipt.delete(conn).await?;
    Ok(checked(expense, fund, place))
}

/// The receipts of these expenses, oldest first, for the DataLoader.
pub async fn receipts_of(
    conn: &impl ConnectionTrait,
    expenses: &[Uuid],
) -> AppResult<Vec<(Uuid, stored_file::Model)>> {
    let links = expense_receipt::Entity::find()
        .filter(expense_receipt::Column::ExpenseId.is_in(expenses.iter().copied()))
        .all(conn)
        .await?;
    let files = stored_file::Entity::find()
        .filter(stored_file::Column::Id.is_in(links.iter().map(|l| l.file_id)))
        .all(conn)
        .await?;
    let mut out: Vec<(Uuid, stored_file::Model)> = links
        .iter()
        .filter_map(|link| {
            files
                .iter()
                .find(|f| f.id == link.file_id)
                .map(|f| (link.expense_id, f.clone()))
        })
        .collect();
    out.sort_by_key(|(_, f)| f.id);
    Ok(out)
}
