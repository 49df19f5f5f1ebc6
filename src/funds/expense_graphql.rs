//! GraphQL for expenses, with `permissions` telling the caller what they may do now.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{counterparty, expense, expense_decision};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    expenses::{self, Item, NewExpense},
    idempotency::Key,
};
use crate::{
    error::AppError,
    graphql::{ContextExt, parse_id, scalars::Money, write::audited_write},
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExpenseStatus {
    Draft,
    Submitted,
    Approved,
    Rejected,
    Paid,
    Cancelled,
}

impl From<expenses::Status> for ExpenseStatus {
    fn from(s: expenses::Status) -> Self {
        match s {
            expenses::Status::Draft => Self::Draft,
            expenses::Status::Submitted => Self::Submitted,
            expenses::Status::Approved => Self::Approved,
            expenses::Status::Rejected => Self::Rejected,
            expenses::Status::Paid => Self::Paid,
            expenses::Status::Cancelled => Self::Cancelled,
        }
    }
}

#[derive(SimpleObject)]
pub struct ExpenseItem {
    pub description: String,
    pub amount: Money,
}

#[derive(SimpleObject)]
pub struct ExpenseDecision {
    pub decided_by: ID,
    /// `approve` or `reject`.
    pub decision: String,
    pub comment: String,
    pub decided_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct ExpensePermissions {
    pub can_submit: bool,
    pub can_approve: bool,
    pub can_reject: bool,
    pub can_pay: bool,
    pub can_cancel: bool,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Expense {
    pub id: ID,
    pub fund_id: ID,
    pub status: ExpenseStatus,
    pub amount: Money,
    pub purpose: String,
    pub items: Vec<ExpenseItem>,
    pub resolution_id: Option<ID>,
    /// Why it was rejected or cancelled.
    pub closing_reason: Option<String>,
    /// The ledger entry that paid it.
    pub paid_entry_id: Option<ID>,
    pub author_id: ID,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[graphql(skip)]
    pub model: expense::Model,
}

impl From<expense::Model> for Expense {
    fn from(m: expense::Model) -> Self {
        let items = m
            .items
            .as_array()
            .map(|items| {
                items
                    .iter()
                    .map(|i| ExpenseItem {
                        description: i["description"].as_str().unwrap_or_default().to_owned(),
                        amount: Money(i["amountFen"].as_i64().unwrap_or_default()),
                    })
                    .collect()
            })
            .unwrap_or_default();
        Self {
            id: m.id.into(),
            fund_id: m.fund_id.into(),
            status: expenses::Status::parse(&m.status).into(),
            amount: Money(m.amount_fen),
            purpose: m.purpose.clone(),
            items,
            resolution_id: m.resolution_id.map(ID::from),
            closing_reason: m.closing_reason.clone(),
            paid_entry_id: m.paid_entry_id.map(ID::from),
            author_id: m.author_id.into(),
            created_at: m.created_at,
            updated_at: m.updated_at,
            model: m,
        }
    }
}

#[ComplexObject]
impl Expense {
    /// Who is paid (a repair company, a worker).
    async fn payee_name(&self, ctx: &Context<'_>) -> Result<String> {
        ctx.viewer()?;
        Ok(counterparty::Entity::find_by_id(self.model.payee_id)
            .one(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .and_then(|c| c.name)
            .unwrap_or_default())
    }

    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<ExpenseDecision>> {
        ctx.viewer()?;
        Ok(expense_decision::Entity::find()
            .filter(expense_decision::Column::ExpenseId.eq(self.model.id))
            .order_by_asc(expense_decision::Column::Id)
            .all(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|d| ExpenseDecision {
                decided_by: d.decided_by.into(),
                decision: d.decision,
                comment: d.comment,
                decided_at: d.created_at,
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<ExpensePermissions> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (expense, fund, place) = expenses::visible_expense(db, viewer, self.model.id).await?;
        let decided = expense_decision::Entity::find()
            .filter(expense_decision::Column::ExpenseId.eq(expense.id))
            .filter(expense_decision::Column::DecidedBy.eq(viewer.user_id))
            .one(db)
            .await
            .map_err(AppError::from)?
            .is_some();
        let p = expenses::permissions(viewer, &fund, place, &expense, decided);
        Ok(ExpensePermissions {
            can_submit: p.can_submit,
            can_approve: p.can_approve,
            can_reject: p.can_approve,
            can_pay: p.can_pay,
            can_cancel: p.can_cancel,
        })
    }
}

/// The expenses of a fund, newest first.
pub async fn expenses_of(ctx: &Context<'_>, fund: Uuid) -> Result<Vec<Expense>> {
    Ok(expense::Entity::find()
        .filter(expense::Column::FundId.eq(fund))
        .order_by_desc(expense::Column::Id)
        .all(ctx.services().db.reader())
        .await
        .map_err(AppError::from)?
        .into_iter()
        .map(Expense::from)
        .collect())
}

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
    async fn expense(&self, ctx: &Context<'_>, id: ID) -> Result<Expense> {
        let viewer = ctx.viewer()?;
        let (expense, _, _) =
            expenses::visible_expense(ctx.services().db.reader(), viewer, parse_id("id", &id)?)
                .await?;
        Ok(expense.into())
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
                Action::Approve => expenses::decide(txn, viewer, id, true, &comment).await,
                Action::Reject => expenses::decide(txn, viewer, id, false, &comment).await,
                Action::Cancel => expenses::cancel(txn, viewer, id, &comment).await,
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
        let audit = json!({ "fundId": input.fund_id.as_str(), "payeeName": input.payee_name, "amountFen": input.amount.0, "purpose": input.purpose, "items": input.items.len() });
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
                expenses::draft(txn, viewer, new).await
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
        let request = json!({ "expenseId": input.expense_id.as_str() });
        let viewer = ctx.viewer()?;
        let key = Key::new(
            viewer.user_id,
            &input.idempotency_key,
            "payExpense",
            &request,
        );
        let id = parse_id("input.expenseId", &input.expense_id);
        let expense = audited_write(ctx, "payExpense", request, move |txn, viewer| {
            Box::pin(async move { expenses::pay(txn, viewer, id?, key?).await })
        })
        .await?;
        Ok(ExpensePayload {
            expense: expense.into(),
        })
    }
}
