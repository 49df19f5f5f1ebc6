//! GraphQL for expenses, with `permissions` telling the caller what they may do now.

use std::sync::Arc;

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject, Upload};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::{
    expense_decisions,
    expense_types::Expense,
    expenses::{self, Item, NewExpense},
    receipts,
};
use crate::idempotency::Key;
use crate::{
    audit::audited_write,
    graphql::upload::{read_uploads, store_and_limit},
    graphql::{ContextExt, parse_id, scalars::Money},
};

#[derive(InputObject)]
pub struct ExpenseItemInput {
    pub description: String,
    pub amount: Money,
}

#[derive(InputObject)]
pub struct DraftExpenseInput {
    pub fund_id: ID,
    pub payee_name: String,
    pub amount: Money,
    pub purpose: String,
    /// When given, the items add up to the amount.
    #[graphql(default)]
    pub items: Vec<ExpenseItemInput>,
    /// A passed resolution of the compound, needed above the fund's threshold.
    pub resolution_id: Option<ID>,
    /// Receipt files (JPEG, PNG, WebP or PDF), uploaded in the multipart request.
    #[graphql(default)]
    pub receipts: Vec<Upload>,
}

#[derive(InputObject)]
pub struct AttachExpenseReceiptsInput {
    pub expense_id: ID,
    /// JPEG, PNG, WebP or PDF files, uploaded in the multipart request.
    pub files: Vec<Upload>,
}

#[derive(InputObject)]
pub struct RemoveExpenseReceiptInput {
    pub receipt_id: ID,
}

#[derive(InputObject)]
pub struct ExpenseActionInput {
    pub expense_id: ID,
    /// A comment (required to reject) or the reason (required to cancel).
    #[graphql(default)]
    pub comment: String,
}

#[derive(InputObject)]
pub struct PayExpenseInput {
    pub expense_id: ID,
    /// When the money was paid out; default now.
    pub paid_at: Option<DateTime<Utc>>,
    pub idempotency_key: String,
}

#[derive(SimpleObject)]
pub struct ExpensePayload {
    pub expense: Expense,
}

#[derive(Default)]
pub struct ExpenseQuery;

#[Object]
impl ExpenseQuery {
    pub async fn expense(&self, ctx: &Context<'_>, id: ID) -> Result<Expense> {
        let viewer = ctx.viewer()?;
        let (expense, fund, place) =
            expenses::visible_expense(ctx.services().db.reader(), viewer, parse_id("id", &id)?)
                .await?;
        Ok(Expense::new(expense, Arc::new(fund), place))
    }
}

#[derive(Default)]
pub struct ExpenseMutation;

#[derive(Clone, Copy)]
enum Action {
    Submit,
    Approve,
    Reject,
    Cancel,
}

async fn act(
    ctx: &Context<'_>,
    input: ExpenseActionInput,
    action: Action,
) -> Result<ExpensePayload> {
    let name = match action {
        Action::Submit => "submitExpense",
        Action::Approve => "approveExpense",
        Action::Reject => "rejectExpense",
        Action::Cancel => "cancelExpense",
    };
    let audit = json!({ "expenseId": input.expense_id.as_str(), "comment": input.comment });
    let id = parse_id("input.expenseId", &input.expense_id);
    let comment = input.comment;
    let expense = audited_write(ctx, name, audit, move |txn, viewer| {
        Box::pin(async move {
            let id = id?;
            match action {
                Action::Submit => expenses::submit(txn, viewer, id).await,
                Action::Approve => expense_decisions::decide(txn, viewer, id, true, &comment).await,
                Action::Reject => expense_decisions::decide(txn, viewer, id, false, &comment).await,
                Action::Cancel => expense_decisions::cancel(txn, viewer, id, &comment).await,
            }
        })
    })
    .await?;
    Ok(ExpensePayload {
        expense: expense.into(),
    })
}

#[Object]
impl ExpenseMutation {
    /// The treasurer drafts an expense.
    async fn draft_expense(
        &self,
        ctx: &Context<'_>,
        input: DraftExpenseInput,
    ) -> Result<ExpensePayload> {
        let uploads = read_uploads(ctx, input.receipts)?;
        let audit = json!({ "fundId": input.fund_id.as_str(), "payeeName": input.payee_name, "amountFen": input.amount.0, "purpose": input.purpose, "items": input.items.len(), "receipts": uploads.len() });
        let (files, max_bytes) = store_and_limit(ctx);
        let fund = parse_id("input.fundId", &input.fund_id);
        let resolution = input
            .resolution_id
            .as_ref()
            .map(|r| parse_id("input.resolutionId", r))
            .transpose();
        let items: Vec<Item> = input
            .items
            .into_iter()
            .map(|i| Item {
                description: i.description,
                amount_fen: i.amount.0,
            })
            .collect();
        let (payee, amount, purpose) = (input.payee_name, input.amount.0, input.purpose);
        let expense = audited_write(ctx, "draftExpense", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewExpense {
                    fund_id: fund?,
                    payee_name: payee,
                    amount_fen: amount,
                    purpose,
                    items,
                    resolution_id: resolution?,
                };
                let drafted = expenses::draft(txn, viewer, new).await?;
                if uploads.is_empty() {
                    return Ok(drafted);
                }
                let id = drafted.value.expense.id;
                receipts::attach(
                    txn,
                    &files,
                    viewer,
                    id,
                    uploads,
                    max_bytes,
                    "input.receipts",
                )
                .await
            })
        })
        .await?;
        Ok(ExpensePayload {
            expense: expense.into(),
        })
    }

    /// The treasurer submits a draft for the committee's approval.
    async fn submit_expense(
        &self,
        ctx: &Context<'_>,
        input: ExpenseActionInput,
    ) -> Result<ExpensePayload> {
        act(ctx, input, Action::Submit).await
    }

    /// A committee member other than the author approves; enough approvals approve it.
    async fn approve_expense(
        &self,
        ctx: &Context<'_>,
        input: ExpenseActionInput,
    ) -> Result<ExpensePayload> {
        act(ctx, input, Action::Approve).await
    }

    /// A committee member other than the author rejects it, with a reason.
    async fn reject_expense(
        &self,
        ctx: &Context<'_>,
        input: ExpenseActionInput,
    ) -> Result<ExpensePayload> {
        act(ctx, input, Action::Reject).await
    }

    /// The treasurer cancels an unpaid expense, with a reason.
    async fn cancel_expense(
        &self,
        ctx: &Context<'_>,
        input: ExpenseActionInput,
    ) -> Result<ExpensePayload> {
        act(ctx, input, Action::Cancel).await
    }

    /// The treasurer pays an approved expense: one ledger entry.
    async fn pay_expense(
        &self,
        ctx: &Context<'_>,
        input: PayExpenseInput,
    ) -> Result<ExpensePayload> {
        let request = json!({ "expenseId": input.expense_id.as_str(), "paidAt": input.paid_at });
        let paid_at = input.paid_at;
        let viewer = ctx.viewer()?;
        let key = Key::new(
            viewer.user_id,
            &input.idempotency_key,
            "payExpense",
            &request,
        );
        let id = parse_id("input.expenseId", &input.expense_id);
        let expense = audited_write(ctx, "payExpense", request, move |txn, viewer| {
            Box::pin(async move { expense_decisions::pay(txn, viewer, id?, key?, paid_at).await })
        })
        .await?;
        Ok(ExpensePayload {
            expense: expense.into(),
        })
    }

    /// The treasurer attaches receipts to an expense that is not rejected or cancelled
    /// (also once paid: the invoice often comes later).
    async fn attach_expense_receipts(
        &self,
        ctx: &Context<'_>,
        input: AttachExpenseReceiptsInput,
    ) -> Result<ExpensePayload> {
        let uploads = read_uploads(ctx, input.files)?;
        let names: Vec<&str> = uploads.iter().map(|u| u.file_name.as_str()).collect();
        let audit = json!({ "expenseId": input.expense_id.as_str(), "files": names });
        let id = parse_id("input.expenseId", &input.expense_id);
        let (files, max_bytes) = store_and_limit(ctx);
        let expense = audited_write(ctx, "attachExpenseReceipts", audit, move |txn, viewer| {
            Box::pin(async move {
                receipts::attach(txn, &files, viewer, id?, uploads, max_bytes, "input.files").await
            })
        })
        .await?;
        Ok(ExpensePayload {
            expense: expense.into(),
        })
    }

    /// The treasurer removes a receipt from a draft.
    async fn remove_expense_receipt(
        &self,
        ctx: &Context<'_>,
        input: RemoveExpenseReceiptInput,
    ) -> Result<ExpensePayload> {
        let audit = json!({ "receiptId": input.receipt_id.as_str() });
        let id = parse_id("input.receiptId", &input.receipt_id);
        let expense = audited_write(ctx, "removeExpenseReceipt", audit, move |txn, viewer| {
            Box::pin(async move { receipts::remove(txn, viewer, id?).await })
        })
        .await?;
        Ok(ExpensePayload {
            expense: expense.into(),
        })
    }
}
