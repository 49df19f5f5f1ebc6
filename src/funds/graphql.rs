//! GraphQL for funds and ledgers. Money is the `Money` scalar throughout; counterparties
//! appear masked (王**, 3号楼2单元), never with phones or document numbers.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{fund, ledger_entry, reach::TenantEntity};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;

use super::{
    access::visible_fund,
    closed_sets::Channel,
    service::{self, Contribution, Contributor, NewFund},
    types::{Fund, LedgerEntry},
};
use crate::idempotency::Key;
use crate::{
    audit::audited_write,
    auth::Capability,
    error::{AppError, msg},
    graphql::{
        ContextExt, StoredEnum,
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
        scalars::Money,
    },
    tenancy::visible_compound_at,
};

#[derive(Default)]
pub struct FundQuery;

#[Object]
impl FundQuery {
    pub async fn fund(&self, ctx: &Context<'_>, id: ID) -> Result<Fund> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (fund, _) = visible_fund(db, viewer, parse_id("id", &id)?).await?;
        Ok(fund.into())
    }

    /// The funds of a compound, oldest first.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn funds_of_compound(
        &self,
        ctx: &Context<'_>,
        compound_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Fund>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let (compound, place) =
            visible_compound_at(db, viewer, parse_id("compoundId", &compound_id)?).await?;
        crate::committees::access::check_read(db, viewer, compound.id, place).await?;
        let select = fund::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
            .filter(fund::Column::CompoundId.eq(compound.id));
        Ok(keyset_page(db, select, fund::Column::Id, args, Fund::from).await?)
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

pub struct LedgerEntryPayload {
    entry: ledger_entry::Model,
}

#[Object]
impl LedgerEntryPayload {
    async fn entry(&self) -> Result<LedgerEntry> {
        Ok(LedgerEntry::try_from(self.entry.clone())?)
    }

    /// The fund as it stands now (read only when asked for: it is not part of the write).
    async fn fund(&self, ctx: &Context<'_>) -> Result<Fund> {
        let fund = fund::Entity::find_by_id(self.entry.fund_id)
            .one(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .ok_or(AppError::NotFound(msg!("fund not found")))?;
        Ok(fund.into())
    }
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
        let request = json!({ "fundId": input.fund_id.as_str(), "amountFen": input.amount.0, "householdId": input.household_id.as_ref().map(|i| i.as_str()), "donor": input.donor_name.is_some(), "occurredAt": input.occurred_at, "channel": input.channel.stored(), "memo": input.memo, "levyId": input.levy_id.as_ref().map(|i| i.as_str()) });
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
                msg!("give either householdId or donorName"),
            )),
        };
        let (amount, occurred_at, channel, memo) = (
            input.amount.0,
            input.occurred_at,
            input.channel.stored().to_owned(),
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
        Ok(LedgerEntryPayload { entry })
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
        Ok(LedgerEntryPayload { entry })
    }
}
