//! The GraphQL types of funds: a fund with its permissions, ledger, statements, levies and
//! the verification of its chain; ledger entries with their masked counterparties.

use std::sync::Arc;

use async_graphql::{ComplexObject, Context, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{fund, ledger_entry, statement};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::check_record,
    chain::Kind,
    closed_sets::{Channel, FundStatus},
    labels::CounterpartyLabel,
    ledger::{self, StatementProblem},
};
use crate::{
    error::{AppError, AppResult},
    graphql::{
        ContextExt, StoredEnum,
        loader::loader,
        pagination::{Order, Page, PageArgs, ordered_page, try_keyset_page},
        scalars::Money,
    },
    tenancy::place_of,
};

#[derive(SimpleObject)]
pub struct FundPermissions {
    /// Record contributions and corrections (the treasurer).
    pub can_record: bool,
}

/// 维修基金: a fund with its public ledger.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Fund {
    pub id: ID,
    pub compound_id: Option<ID>,
    pub community_id: ID,
    pub name: String,
    pub purpose: String,
    pub allow_negative: bool,
    pub approvals_required: i32,
    /// Expenses above this need a passed resolution; empty: none do.
    pub resolution_threshold: Option<Money>,
    pub balance: Money,
    pub head_seq: i64,
    pub head_hash: String,
    #[graphql(skip)]
    pub model: fund::Model,
}

impl From<fund::Model> for Fund {
    fn from(m: fund::Model) -> Self {
        Self {
            id: m.id.into(),
            compound_id: m.compound_id.map(ID::from),
            community_id: m.community_id.into(),
            name: m.name.clone(),
            purpose: m.purpose.clone(),
            allow_negative: m.allow_negative,
            approvals_required: m.approvals_required,
            resolution_threshold: m.resolution_threshold_fen.map(Money),
            balance: Money(m.balance_fen),
            head_seq: m.head_seq,
            head_hash: m.head_hash.clone(),
            model: m,
        }
    }
}

/// One ledger entry, with the hashes anyone can recompute (docs/ledger-hash.md).
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct LedgerEntry {
    pub id: ID,
    pub seq: i64,
    pub kind: Kind,
    /// Signed: money in is positive.
    pub amount: Money,
    pub balance_after: Money,
    pub counterparty_id: Option<ID>,
    pub channel: Option<Channel>,
    pub memo: String,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub expense_id: Option<ID>,
    pub levy_id: Option<ID>,
    pub resolution_id: Option<ID>,
    pub reverses_entry_id: Option<ID>,
    pub prev_hash: String,
    pub hash: String,
    #[graphql(skip)]
    pub counterparty: Option<Uuid>,
}

impl TryFrom<ledger_entry::Model> for LedgerEntry {
    type Error = AppError;

    fn try_from(m: ledger_entry::Model) -> AppResult<Self> {
        Ok(Self {
            id: m.id.into(),
            seq: m.seq,
            kind: Kind::from_stored(&m.kind)?,
            amount: Money(m.amount_fen),
            balance_after: Money(m.balance_after_fen),
            counterparty_id: m.counterparty_id.map(ID::from),
            channel: m.channel.as_deref().map(Channel::from_stored).transpose()?,
            memo: m.memo,
            occurred_at: m.occurred_at,
            recorded_at: m.recorded_at,
            expense_id: m.expense_id.map(ID::from),
            levy_id: m.levy_id.map(ID::from),
            resolution_id: m.resolution_id.map(ID::from),
            reverses_entry_id: m.reverses_entry_id.map(ID::from),
            prev_hash: m.prev_hash,
            hash: m.hash,
            counterparty: m.counterparty_id,
        })
    }
}

#[ComplexObject]
impl LedgerEntry {
    /// Who, masked: 3号楼2单元 for a household, 王** for a person.
    async fn counterparty(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        match self.counterparty {
            Some(id) => Ok(loader(ctx).load_one(CounterpartyLabel(id)).await?),
            None => Ok(None),
        }
    }
}

/// A statement as listed for the fund's readers.
#[derive(SimpleObject)]
pub struct PublishedStatement {
    pub id: ID,
    pub from_seq: i64,
    pub to_seq: i64,
    pub opening_balance: Money,
    pub closing_balance: Money,
    pub head_hash: String,
    pub first_occurred_at: DateTime<Utc>,
    pub last_occurred_at: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
}

/// The result of recomputing a fund's chain.
#[derive(SimpleObject)]
pub struct LedgerVerification {
    /// The chain holds, the fund's head matches it, and so does every published statement.
    pub ok: bool,
    pub head_seq: i64,
    pub head_hash: String,
    pub first_bad_seq: Option<i64>,
    /// How many published statements were compared with the chain.
    pub statements_checked: i32,
    /// The earliest published statement that no longer holds: the chain no longer matches
    /// it (entries changed or removed behind it, even with the fund's head rolled back to
    /// hide it), or its signature fails (rewritten with the database file, heads and all).
    pub first_bad_statement_id: Option<ID>,
    /// Why that statement no longer holds.
    pub first_bad_statement_problem: Option<StatementProblem>,
}

#[ComplexObject]
impl Fund {
    async fn status(&self) -> Result<FundStatus> {
        Ok(FundStatus::from_stored(&self.model.status)?)
    }

    /// The ledger, oldest entry first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn ledger(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<LedgerEntry>> {
        ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let select =
            ledger_entry::Entity::find().filter(ledger_entry::Column::FundId.eq(self.model.id));
        let page = try_keyset_page(
            ctx.services().db.reader(),
            select,
            ledger_entry::Column::Id,
            args,
            LedgerEntry::try_from,
        )
        .await?;
        let mut ids: Vec<CounterpartyLabel> = page
            .edges
            .iter()
            .filter_map(|e| e.node.counterparty.map(CounterpartyLabel))
            .collect();
        ids.sort_by_key(|k| k.0);
        ids.dedup();
        loader(ctx).load_many(ids).await?;
        Ok(page)
    }

    /// Recomputes every hash of the ledger from its entries and compares with the head.
    async fn verify_ledger(&self, ctx: &Context<'_>) -> Result<LedgerVerification> {
        ctx.viewer()?;
        let services = ctx.services();
        let v = ledger::verify(services.db.reader(), &services.signing, &self.model).await?;

        Ok(LedgerVerification {
            ok: v.ok,
            head_seq: v.head_seq,
            head_hash: v.head_hash,
            first_bad_seq: v.first_bad_seq,
            statements_checked: i32::try_from(v.statements_checked).unwrap_or(i32::MAX),
            first_bad_statement_id: v.first_bad_statement.map(|(id, _)| ID::from(id)),
            first_bad_statement_problem: v.first_bad_statement.map(|(_, problem)| problem),
        })
    }

    /// Statements published of this fund, newest first (share tokens are shown only once,
    /// when publishing).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn statements(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<PublishedStatement>> {
        ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let select = statement::Entity::find().filter(statement::Column::FundId.eq(self.model.id));
        let order = Order::NewestFirst(statement::Column::Id);
        let db = ctx.services().db.reader();
        Ok(ordered_page(db, select, order, None, args, |s| Ok(s.into())).await?)
    }

    /// The fund's levies, oldest first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn levies(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<super::levy_graphql::Levy>> {
        ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        super::levy_graphql::levies_of(ctx, self.model.id, args).await
    }

    /// The fund's expenses, newest first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn expenses(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<super::expense_types::Expense>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let place = place_of(ctx.services().db.reader(), viewer, self.model.community_id).await?;
        let fund = Arc::new(self.model.clone());
        super::expense_types::expenses_of(ctx, fund, place, args).await
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<FundPermissions> {
        let viewer = ctx.viewer()?;
        let place = crate::auth::viewer::Place {
            street_office: None,
            community: Some(self.model.community_id),
        };
        Ok(FundPermissions {
            can_record: check_record(viewer, &self.model, place).is_ok(),
        })
    }
}

impl From<statement::Model> for PublishedStatement {
    fn from(s: statement::Model) -> Self {
        Self {
            id: s.id.into(),
            from_seq: s.from_seq,
            to_seq: s.to_seq,
            opening_balance: Money(s.opening_balance_fen),
            closing_balance: Money(s.closing_balance_fen),
            head_hash: s.head_hash,
            first_occurred_at: s.first_occurred_at,
            last_occurred_at: s.last_occurred_at,
            published_at: s.published_at,
        }
    }
}
