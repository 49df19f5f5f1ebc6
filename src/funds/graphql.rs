//! GraphQL for funds and ledgers. Money is the `Money` scalar throughout; counterparties
//! appear masked (王**, 3号楼2单元), never with phones or document numbers.

use std::{collections::HashMap, sync::Arc};

use async_graphql::{
    ComplexObject, Context, Enum, ID, InputObject, Object, Result, SimpleObject, dataloader::Loader,
};
use chrono::{DateTime, Utc};
use entity::{
    building, counterparty, dwelling, fund, household, ledger_entry, reach::TenantEntity,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_record, visible_fund},
    idempotency::Key,
    ledger,
    service::{self, Contribution, Contributor, NewFund},
};
use crate::{
    audit::audited_write,
    auth::Capability,
    error::AppError,
    graphql::{
        ContextExt,
        loader::{DbLoader, loader},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
        scalars::Money,
    },
    tenancy::{place_of, visible_compound_at},
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
    /// `open` or `closed`.
    pub status: String,
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
            status: m.status.clone(),
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
    /// `contribution`, `expense` or `reversal`.
    pub kind: String,
    /// Signed: money in is positive.
    pub amount: Money,
    pub balance_after: Money,
    pub counterparty_id: Option<ID>,
    pub channel: Option<String>,
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

impl From<ledger_entry::Model> for LedgerEntry {
    fn from(m: ledger_entry::Model) -> Self {
        Self {
            id: m.id.into(),
            seq: m.seq,
            kind: m.kind,
            amount: Money(m.amount_fen),
            balance_after: Money(m.balance_after_fen),
            counterparty_id: m.counterparty_id.map(ID::from),
            channel: m.channel,
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
        }
    }
}

/// A counterparty as the public sees it: a household by building and unit (3号楼2单元), a
/// person by surname (王**).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CounterpartyLabel(pub Uuid);

pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => format!("{first}{}", "*".repeat(chars.count().clamp(1, 3))),
        None => String::new(),
    }
}

impl Loader<CounterpartyLabel> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[CounterpartyLabel],
    ) -> Result<HashMap<CounterpartyLabel, String>, Self::Error> {
        let db = self.db.reader();
        let parties = counterparty::Entity::find()
            .filter(counterparty::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(db)
            .await
            .map_err(AppError::from)?;
        let household_ids: Vec<Uuid> = parties.iter().filter_map(|p| p.household_id).collect();
        let households = household_labels(db, &household_ids).await?;
        Ok(parties
            .into_iter()
            .map(|p| {
                let label = match p.household_id {
                    Some(h) => households.get(&h).cloned().unwrap_or_default(),
                    None => p
                        .name
                        .as_deref()
                        .map(mask_name)
                        .unwrap_or_else(|| "(已删除)".into()),
                };
                (CounterpartyLabel(p.id), label)
            })
            .collect())
    }
}

/// Households as public notices name them: building and unit (3号楼2单元), never the room.
pub async fn household_labels(
    db: &impl sea_orm::ConnectionTrait,
    ids: &[Uuid],
) -> Result<HashMap<Uuid, String>, AppError> {
    let households = household::Entity::find()
        .filter(household::Column::Id.is_in(ids.iter().copied()))
        .all(db)
        .await?;
    let dwellings: HashMap<Uuid, dwelling::Model> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(households.iter().map(|h| h.dwelling_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|d| (d.id, d))
        .collect();
    let buildings: HashMap<Uuid, String> = building::Entity::find()
        .filter(building::Column::Id.is_in(dwellings.values().map(|d| d.building_id)))
        .all(db)
        .await?
        .into_iter()
        .map(|b| (b.id, b.number))
        .collect();
    Ok(households
        .into_iter()
        .filter_map(|h| {
            let d = dwellings.get(&h.dwelling_id)?;
            let number = buildings.get(&d.building_id)?;
            Some((h.id, crate::registry::labels::unit(number, d.unit)))
        })
        .collect())
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
    /// The earliest published statement the chain no longer matches (entries changed or
    /// removed behind it, even with the fund's head rolled back to hide it).
    pub first_bad_statement_id: Option<ID>,
}

#[ComplexObject]
impl Fund {
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
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            ledger_entry::Column::Id,
            args,
            LedgerEntry::from,
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
        let v = ledger::verify(ctx.services().db.reader(), &self.model).await?;
        Ok(LedgerVerification {
            ok: v.ok,
            head_seq: v.head_seq,
            head_hash: v.head_hash,
            first_bad_seq: v.first_bad_seq,
            statements_checked: i32::try_from(v.statements_checked).unwrap_or(i32::MAX),
            first_bad_statement_id: v.first_bad_statement.map(ID::from),
        })
    }

    /// Statements published of this fund, newest first (share tokens are shown only once,
    /// when publishing).
    async fn statements(&self, ctx: &Context<'_>) -> Result<Vec<PublishedStatement>> {
        ctx.viewer()?;
        Ok(entity::statement::Entity::find()
            .filter(entity::statement::Column::FundId.eq(self.model.id))
            .order_by_desc(entity::statement::Column::ToSeq)
            .all(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|s| PublishedStatement {
                id: s.id.into(),
                from_seq: s.from_seq,
                to_seq: s.to_seq,
                opening_balance: Money(s.opening_balance_fen),
                closing_balance: Money(s.closing_balance_fen),
                head_hash: s.head_hash,
                first_occurred_at: s.first_occurred_at,
                last_occurred_at: s.last_occurred_at,
                published_at: s.published_at,
            })
            .collect())
    }

    /// The fund's levies, oldest first.
    async fn levies(&self, ctx: &Context<'_>) -> Result<Vec<super::levy_graphql::Levy>> {
        ctx.viewer()?;
        super::levy_graphql::levies_of(ctx, self.model.id).await
    }

    /// The fund's expenses, newest first.
    async fn expenses(&self, ctx: &Context<'_>) -> Result<Vec<super::expense_graphql::Expense>> {
        let viewer = ctx.viewer()?;
        let place = place_of(ctx.services().db.reader(), viewer, self.model.community_id).await?;
        super::expense_graphql::expenses_of(ctx, Arc::new(self.model.clone()), place).await
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

#[derive(Default)]
pub struct FundQuery;

#[Object]
impl FundQuery {
    async fn fund(&self, ctx: &Context<'_>, id: ID) -> Result<Fund> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (fund, _) = visible_fund(db, viewer, parse_id("id", &id)?).await?;
        Ok(fund.into())
    }

    /// The funds of a compound.
    async fn funds_of_compound(&self, ctx: &Context<'_>, compound_id: ID) -> Result<Vec<Fund>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (compound, place) =
            visible_compound_at(db, viewer, parse_id("compoundId", &compound_id)?).await?;
        crate::committees::access::check_read(db, viewer, &compound, place).await?;
        let funds = fund::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
            .filter(fund::Column::CompoundId.eq(compound.id))
            .all(db)
            .await
            .map_err(AppError::from)?;
        Ok(funds.into_iter().map(Fund::from).collect())
    }
}

#[derive(InputObject)]
pub struct OpenFundInput {
    /// A compound's fund; or give `communityId` for a community-level fund.
    pub compound_id: Option<ID>,
    pub community_id: Option<ID>,
    pub name: String,
    /// What the money is for (专款专用).
    pub purpose: String,
    #[graphql(default = false)]
    pub allow_negative: bool,
    /// Default: the committee's settings.
    pub approvals_required: Option<i32>,
    pub resolution_threshold: Option<Money>,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Channel {
    CashBox,
    Wechat,
    Bank,
    Other,
}

impl Channel {
    fn as_str(self) -> &'static str {
        match self {
            Self::CashBox => "cash_box",
            Self::Wechat => "wechat",
            Self::Bank => "bank",
            Self::Other => "other",
        }
    }
}

#[derive(InputObject)]
pub struct RecordContributionInput {
    pub fund_id: ID,
    pub amount: Money,
    /// The household that paid; or `donorName` for someone outside the registry.
    pub household_id: Option<ID>,
    pub donor_name: Option<String>,
    /// When the money came in; default now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub channel: Channel,
    #[graphql(default)]
    pub memo: String,
    /// The levy this pays towards (paid by the household that owes the share).
    pub levy_id: Option<ID>,
    /// A retry with the same key returns the first answer instead of a second entry.
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct ReverseLedgerEntryInput {
    pub entry_id: ID,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(SimpleObject)]
pub struct FundPayload {
    pub fund: Fund,
}

#[derive(SimpleObject)]
pub struct LedgerEntryPayload {
    pub entry: LedgerEntry,
    pub fund: Fund,
}

async fn entry_payload(
    ctx: &Context<'_>,
    entry: ledger_entry::Model,
) -> Result<LedgerEntryPayload> {
    let fund = fund::Entity::find_by_id(entry.fund_id)
        .one(ctx.services().db.reader())
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound("fund"))?;
    Ok(LedgerEntryPayload {
        entry: entry.into(),
        fund: fund.into(),
    })
}

#[derive(Default)]
pub struct FundMutation;

#[Object]
impl FundMutation {
    /// Opens a fund: community staff, or the compound committee's director.
    async fn open_fund(&self, ctx: &Context<'_>, input: OpenFundInput) -> Result<FundPayload> {
        let audit = json!({ "compoundId": input.compound_id.as_ref().map(|i| i.as_str()), "communityId": input.community_id.as_ref().map(|i| i.as_str()), "name": input.name, "purpose": input.purpose, "allowNegative": input.allow_negative });
        let compound = input
            .compound_id
            .as_ref()
            .map(|i| parse_id("input.compoundId", i))
            .transpose();
        let community = input
            .community_id
            .as_ref()
            .map(|i| parse_id("input.communityId", i))
            .transpose();
        let (name, purpose, allow_negative, approvals, threshold) = (
            input.name,
            input.purpose,
            input.allow_negative,
            input.approvals_required,
            input.resolution_threshold.map(|m| Some(m.0)),
        );
        let fund = audited_write(ctx, "openFund", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewFund {
                    compound_id: compound?,
                    community_id: community?,
                    name,
                    purpose,
                    allow_negative,
                    approvals_required: approvals,
                    resolution_threshold_fen: threshold,
                };
                service::open_fund(txn, viewer, new).await
            })
        })
        .await?;
        Ok(FundPayload { fund: fund.into() })
    }

    /// Closes a fund whose balance is zero: staff, or the committee's director.
    async fn close_fund(&self, ctx: &Context<'_>, fund_id: ID) -> Result<FundPayload> {
        let audit = json!({ "fundId": fund_id.as_str() });
        let id = parse_id("fundId", &fund_id);
        let fund = audited_write(ctx, "closeFund", audit, move |txn, viewer| {
            Box::pin(async move { service::close_fund(txn, viewer, id?).await })
        })
        .await?;
        Ok(FundPayload { fund: fund.into() })
    }

    /// Records a contribution (the treasurer): one ledger entry.
    async fn record_contribution(
        &self,
        ctx: &Context<'_>,
        input: RecordContributionInput,
    ) -> Result<LedgerEntryPayload> {
        let request = json!({ "fundId": input.fund_id.as_str(), "amountFen": input.amount.0, "householdId": input.household_id.as_ref().map(|i| i.as_str()), "donor": input.donor_name.is_some(), "occurredAt": input.occurred_at, "channel": input.channel.as_str(), "memo": input.memo, "levyId": input.levy_id.as_ref().map(|i| i.as_str()) });
        let levy = input
            .levy_id
            .as_ref()
            .map(|l| parse_id("input.levyId", l))
            .transpose();
        let viewer = ctx.viewer()?;
        // The donor's name is personal data: it is in the key's input hash, not the audit log.
        let mut keyed = request.clone();
        keyed["donorName"] = json!(input.donor_name);
        let key = Key::new(
            viewer.user_id,
            &input.idempotency_key,
            "recordContribution",
            &keyed,
        );
        let fund = parse_id("input.fundId", &input.fund_id);
        let contributor = match (input.household_id, input.donor_name) {
            (Some(h), None) => parse_id("input.householdId", &h).map(Contributor::Household),
            (None, Some(name)) => Ok(Contributor::Donor(name)),
            _ => Err(AppError::bad_input(
                "input.householdId",
                "give either householdId or donorName",
            )),
        };
        let (amount, occurred_at, channel, memo) = (
            input.amount.0,
            input.occurred_at,
            input.channel.as_str().to_owned(),
            input.memo,
        );
        let entry = audited_write(ctx, "recordContribution", request, move |txn, viewer| {
            Box::pin(async move {
                let contribution = Contribution {
                    amount_fen: amount,
                    contributor: contributor?,
                    levy_id: levy?,
                    occurred_at,
                    channel,
                    memo,
                };
                service::record_contribution(txn, viewer, fund?, contribution, key?).await
            })
        })
        .await?;
        entry_payload(ctx, entry).await
    }

    /// Corrects an entry with a reversal referencing it; an entry is reversed at most once.
    async fn reverse_ledger_entry(
        &self,
        ctx: &Context<'_>,
        input: ReverseLedgerEntryInput,
    ) -> Result<LedgerEntryPayload> {
        let request = json!({ "entryId": input.entry_id.as_str(), "reason": input.reason });
        let viewer = ctx.viewer()?;
        let key = Key::new(
            viewer.user_id,
            &input.idempotency_key,
            "reverseLedgerEntry",
            &request,
        );
        let id = parse_id("input.entryId", &input.entry_id);
        let reason = input.reason;
        let entry = audited_write(ctx, "reverseLedgerEntry", request, move |txn, viewer| {
            Box::pin(async move { service::reverse_entry(txn, viewer, id?, &reason, key?).await })
        })
        .await?;
        entry_payload(ctx, entry).await
    }
}
