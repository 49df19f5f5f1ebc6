//! The GraphQL types of expenses: an expense with its items, decisions, receipts, payee and
//! the caller's permissions, loaded in batches for a fund's list.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject, dataloader::Loader};
use chrono::{DateTime, Utc};
use entity::{counterparty, expense, expense_decision, fund, stored_file};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{
    closed_sets::ExpenseVerdict,
    expenses::{self, CheckedExpense},
    receipts,
};
use crate::{
    auth::viewer::Place,
    error::{AppError, AppResult},
    graphql::{
        ContextExt, StoredEnum,
        loader::{DbLoader, loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page},
        scalars::Money,
    },
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
    pub decision: ExpenseVerdict,
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
    pub can_attach_receipts: bool,
    pub can_remove_receipts: bool,
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
    /// The fund and place the caller's access was checked against.
    #[graphql(skip)]
    pub fund: Arc<fund::Model>,
    #[graphql(skip)]
    pub place: Place,
}

impl Expense {
    pub fn new(m: expense::Model, fund: Arc<fund::Model>, place: Place) -> Self {
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
            fund,
            place,
        }
    }
}

impl From<CheckedExpense> for Expense {
    fn from(c: CheckedExpense) -> Self {
        Self::new(c.expense, Arc::new(c.fund), c.place)
    }
}

/// A receipt attached to an expense; download it from `url` with the same bearer token.
#[derive(SimpleObject)]
pub struct Receipt {
    /// The stored file's id; `removeExpenseReceipt` takes it.
    pub id: ID,
    pub file_name: String,
    /// Judged from the bytes: image/jpeg, image/png, image/webp or application/pdf.
    pub content_type: String,
    pub size_bytes: i64,
    /// Lowercase hex SHA-256 of the bytes, to check a downloaded copy.
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
    /// `/files/{id}`, relative to the server.
    pub url: String,
}

impl From<stored_file::Model> for Receipt {
    fn from(f: stored_file::Model) -> Self {
        Self {
            url: format!("/files/{}", f.id),
            id: f.id.into(),
            file_name: f.file_name,
            content_type: f.content_type,
            size_bytes: f.size_bytes,
            sha256: f.sha256,
            uploaded_at: f.created_at,
        }
    }
}

/// Batched lookups for lists of expenses: decisions, payee names and receipts per expense.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DecisionsOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PayeeName(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ReceiptsOf(pub Uuid);

impl Loader<DecisionsOf> for DbLoader {
    type Value = Vec<expense_decision::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[DecisionsOf],
    ) -> Result<HashMap<DecisionsOf, Self::Value>, Self::Error> {
        let mut out: HashMap<DecisionsOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        let decisions = expense_decision::Entity::find()
            .filter(expense_decision::Column::ExpenseId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(expense_decision::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        for d in decisions {
            out.entry(DecisionsOf(d.expense_id)).or_default().push(d);
        }
        Ok(out)
    }
}

impl Loader<PayeeName> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[PayeeName]) -> Result<HashMap<PayeeName, String>, Self::Error> {
        Ok(counterparty::Entity::find()
            .filter(counterparty::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|c| (PayeeName(c.id), c.name.unwrap_or_default()))
            .collect())
    }
}

impl Loader<ReceiptsOf> for DbLoader {
    type Value = Vec<stored_file::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ReceiptsOf],
    ) -> Result<HashMap<ReceiptsOf, Self::Value>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        let mut out: HashMap<ReceiptsOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (expense, file) in receipts::receipts_of(self.db.reader(), &ids).await? {
            out.entry(ReceiptsOf(expense)).or_default().push(file);
        }
        Ok(out)
    }
}

#[ComplexObject]
impl Expense {
    /// Who is paid (a repair company, a worker).
    async fn payee_name(&self, ctx: &Context<'_>) -> Result<String> {
        ctx.viewer()?;
        Ok(loader(ctx)
            .load_one(PayeeName(self.model.payee_id))
            .await?
            .unwrap_or_default())
    }

    async fn decisions(&self, ctx: &Context<'_>) -> Result<Vec<ExpenseDecision>> {
        ctx.viewer()?;
        let decisions = loader(ctx).load_one(DecisionsOf(self.model.id)).await?;
        Ok(decisions
            .unwrap_or_default()
            .into_iter()
            .map(|d| {
                Ok(ExpenseDecision {
                    decided_by: d.decided_by.into(),
                    decision: ExpenseVerdict::from_stored(&d.decision)?,
                    comment: d.comment,
                    decided_at: d.created_at,
                })
            })
            .collect::<AppResult<_>>()?)
    }

    /// Invoices and photos of bills; shown to the compound's residents and officials,
    /// never in a public statement.
    async fn receipts(&self, ctx: &Context<'_>) -> Result<Vec<Receipt>> {
        ctx.viewer()?;
        let files = loader(ctx).load_one(ReceiptsOf(self.model.id)).await?;
        Ok(files
            .unwrap_or_default()
            .into_iter()
            .map(Receipt::from)
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<ExpensePermissions> {
        let viewer = ctx.viewer()?;
        let decisions = loader(ctx).load_one(DecisionsOf(self.model.id)).await?;
        let decided = decisions
            .unwrap_or_default()
            .iter()
            .any(|d| d.decided_by == viewer.user_id);
        let p = expenses::permissions(viewer, &self.fund, self.place, &self.model, decided);
        Ok(ExpensePermissions {
            can_submit: p.can_submit,
            can_approve: p.can_approve,
            can_reject: p.can_approve,
            can_pay: p.can_pay,
            can_cancel: p.can_cancel,
            can_attach_receipts: p.can_attach_receipts,
            can_remove_receipts: p.can_remove_receipts,
        })
    }
}

/// A page of the expenses of a fund the caller reads, newest first. The lookups the query
/// selects are loaded for the whole page at once.
pub async fn expenses_of(
    ctx: &Context<'_>,
    fund: Arc<fund::Model>,
    place: Place,
    args: PageArgs,
) -> Result<Page<Expense>> {
    let select = expense::Entity::find().filter(expense::Column::FundId.eq(fund.id));
    let order = Order::NewestFirst(expense::Column::Id);
    let db = ctx.services().db.reader();
    let page = ordered_page(db, select, order, None, args, |m| {
        Ok(Expense::new(m, fund.clone(), place))
    })
    .await?;
    let expenses: Vec<&Expense> = page.edges.iter().map(|e| &e.node).collect();
    let ids = || expenses.iter().map(|e| e.model.id);
    if page_selects(ctx, &["decisions"]) || page_selects(ctx, &["permissions"]) {
        loader(ctx).load_many(ids().map(DecisionsOf)).await?;
    }
    if page_selects(ctx, &["receipts"]) {
        loader(ctx).load_many(ids().map(ReceiptsOf)).await?;
    }
    if page_selects(ctx, &["payeeName"]) {
        let mut payees: Vec<PayeeName> = expenses
            .iter()
            .map(|e| PayeeName(e.model.payee_id))
            .collect();
        payees.sort_by_key(|p| p.0);
        payees.dedup();
        loader(ctx).load_many(payees).await?;
    }
    Ok(page)
}
