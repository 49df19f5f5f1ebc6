//! Opening funds, recording contributions and correcting entries by reversal.

use chrono::{DateTime, Utc};
use entity::{committee, counterparty, fund, household, ledger_entry};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_open, check_record, visible_fund},
    chain::{GENESIS, Kind},
    closed_sets::{Channel, FundStatus},
    ledger::{NewEntry, append, lock_fund},
};
use crate::graphql::scalars::MAX_AMOUNT_FEN;
use crate::idempotency::Key;
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    committees::service::Settings,
    error::{AppError, AppResult, msg},
    graphql::{StoredEnum, clean_name},
    tenancy::{lives_in, place_of, visible_compound_at},
};

pub struct NewFund {
    /// Empty: a community-level fund of `community_id`.
    pub compound_id: Option<Uuid>,
    pub community_id: Option<Uuid>,
    pub name: String,
    pub purpose: String,
    pub allow_negative: bool,
    /// Empty: the committee's settings (or the defaults for a community fund).
    pub approvals_required: Option<i32>,
    pub resolution_threshold_fen: Option<Option<i64>>,
}

pub async fn open_fund(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewFund,
) -> AppResult<Audited<fund::Model>> {
    let (community, compound, place) = match (new.compound_id, new.community_id) {
        (Some(compound), community) => {
            let (compound, place) = visible_compound_at(conn, viewer, compound).await?;
            if community.is_some_and(|c| c != compound.community_id) {
                // Say so rather than pick one of two IDs that disagree.
                return Err(AppError::bad_input(
                    "input.communityId",
                    msg!(
                        "the compound is not in this community; give only the compound for a compound's fund"
                    ),
                ));
            }
            if compound.archived_at.is_some() {
                return Err(AppError::Conflict(msg!("the compound is archived")));
            }
            (compound.community_id, Some(compound.id), place)
        }
        (None, Some(community)) => {
            let place = place_of(conn, viewer, community).await?;
            (community, None, place)
        }
        (None, None) => {
            return Err(AppError::bad_input(
                "input.compoundId",
                msg!("give the compound (or, for a community fund, the community)"),
            ));
        }
    };
    check_open(conn, viewer, compound, place).await?;
    let defaults = match compound {
        Some(compound) => committee::Entity::find()
            .filter(committee::Column::CompoundId.eq(compound))
            .one(conn)
            .await?
            .map(|c| Settings {
                approvals_required: c.approvals_required,
                resolution_threshold_fen: c.resolution_threshold_fen,
                notice_days: c.notice_days,
            })
            .unwrap_or_default(),
        None => Settings::default(),
    };
    let approvals = new
        .approvals_required
        .unwrap_or(defaults.approvals_required);
    if !(1..=9).contains(&approvals) {
        return Err(AppError::bad_input(
            "input.approvalsRequired",
            msg!("an expense needs 1 to 9 approvals"),
        ));
    }
    let threshold = new
        .resolution_threshold_fen
        .unwrap_or(defaults.resolution_threshold_fen);
    if threshold.is_some_and(|t| !(0..=MAX_AMOUNT_FEN).contains(&t)) {
        return Err(AppError::bad_input(
            "input.resolutionThreshold",
            msg!("a threshold is between 0 and 10^12 yuan"),
        ));
    }
    let fund = fund::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        compound_id: Set(compound),
        name: Set(clean_name("input.name", &new.name, 100)?),
        purpose: Set(clean_name("input.purpose", &new.purpose, 500)?),
        status: Set(FundStatus::Open.stored().to_owned()),
        allow_negative: Set(new.allow_negative),
        approvals_required: Set(approvals),
        resolution_threshold_fen: Set(threshold),
        head_seq: Set(0),
        head_hash: Set(GENESIS.to_owned()),
        balance_fen: Set(0),
        created_by: Set(Some(viewer.user_id)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(fund.clone(), place, fund.id))
}

/// Where a contribution comes from.
pub enum Contributor {
    Household(Uuid),
    /// A named outside donor (the name is kept off the ledger, erasable).
    Donor(String),
}

pub struct Contribution {
    pub amount_fen: i64,
    pub contributor: Contributor,
    /// The levy this pays towards, if any.
    pub levy_id: Option<Uuid>,
    pub occurred_at: Option<DateTime<Utc>>,
    pub channel: String,
    pub memo: String,
}

fn check_amount(amount: i64) -> AppResult<()> {
    if amount <= 0 || amount > MAX_AMOUNT_FEN {
        return Err(AppError::bad_input(
            "input.amount",
            msg!("an amount is above 0 and at most 10^12 yuan"),
        ));
    }
    Ok(())
}

/// When money moved: default now, never in the future (a clock a few minutes fast is
/// forgiven). `field` names the input in the error.
pub fn check_occurred(field: &str, at: Option<DateTime<Utc>>) -> AppResult<DateTime<Utc>> {
    let now = Utc::now();
    let at = at.unwrap_or(now);
    if at > now + chrono::Duration::minutes(5) {
        return Err(AppError::bad_input(
            field,
            msg!("money cannot move in the future"),
        ));
    }
    Ok(at)
}

/// The counterparty row of a household (one per household) or a new donor.
async fn counterparty_for(
    conn: &impl ConnectionTrait,
    fund: &fund::Model,
    contributor: Contributor,
) -> AppResult<Uuid> {
    match contributor {
        Contributor::Household(id) => {
            let household = household::Entity::find_by_id(id)
                .filter(household::Column::CommunityId.eq(fund.community_id))
                .one(conn)
                .await?
                .ok_or(AppError::NotFound(msg!("household not found")))?;
            if let Some(compound) = fund.compound_id
                && !lives_in(conn, &[household.id], compound).await?
            {
                return Err(AppError::bad_input(
                    "input.householdId",
                    msg!("the household does not live in the fund's compound"),
                ));
            }
            let existing = counterparty::Entity::find()
                .filter(counterparty::Column::HouseholdId.eq(household.id))
                .one(conn)
                .await?;
            if let Some(existing) = existing {
                return Ok(existing.id);
            }
            insert_counterparty(
                conn,
                fund.community_id,
                "household",
                Some(household.id),
                None,
            )
            .await
        }
        Contributor::Donor(name) => {
            let name = clean_name("input.donorName", &name, 100)?;
            insert_counterparty(conn, fund.community_id, "donor", None, Some(name)).await
        }
    }
}

pub async fn insert_counterparty(
    conn: &impl ConnectionTrait,
    community: Uuid,
    kind: &str,
    household: Option<Uuid>,
    name: Option<String>,
) -> AppResult<Uuid> {
    let row = counterparty::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        kind: Set(kind.to_owned()),
        household_id: Set(household),
        name: Set(name),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(row.id)
}

fn check_channel(channel: &str) -> AppResult<()> {
    // The API passes a `Channel`; this guards the demo data and other callers.
    if Channel::from_stored(channel).is_err() {
        return Err(AppError::bad_input(
            "input.channel",
            msg!("a channel is cash_box, wechat, bank or other"),
        ));
    }
    Ok(())
}

/// The entry a replayed idempotency record points at.
async fn replayed(
    conn: &impl ConnectionTrait,
    response: serde_json::Value,
) -> AppResult<ledger_entry::Model> {
    let id = response["entryId"]
        .as_str()
        .and_then(|s| Uuid::parse_str(s).ok())
        .ok_or_else(|| AppError::internal(std::io::Error::other("bad idempotency record")))?;
    ledger_entry::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("entry not found")))
}

/// How recording into a fund begins, before its lock: the caller may record there and the
/// idempotency key is claimed with the entry's id, or the key's earlier answer is given again.
enum Recording {
    New {
        fund: fund::Model,
        place: Place,
        entry_id: Uuid,
    },
    Replayed(Audited<ledger_entry::Model>),
}

async fn start_recording(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    fund_id: Uuid,
    key: &Key,
) -> AppResult<Recording> {
    let (fund, place) = visible_fund(conn, viewer, fund_id).await?;
    check_record(viewer, &fund, place)?;
    let entry_id = Uuid::now_v7();
    Ok(
        match key.claim(conn, json!({ "entryId": entry_id })).await? {
            Some(response) => {
                let entry = replayed(conn, response).await?;
                Recording::Replayed(Audited::new(entry.clone(), place, entry.id))
            }
            None => Recording::New {
                fund,
                place,
                entry_id,
            },
        },
    )
}

/// Records a contribution: one ledger entry. Idempotent by `key`.
pub async fn record_contribution(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    fund_id: Uuid,
    contribution: Contribution,
    key: Key,
) -> AppResult<Audited<ledger_entry::Model>> {
    check_amount(contribution.amount_fen)?;
    check_channel(&contribution.channel)?;
    let occurred_at = check_occurred("input.occurredAt", contribution.occurred_at)?;
    let (fund, place, entry_id) = match start_recording(conn, viewer, fund_id, &key).await? {
        Recording::Replayed(answer) => return Ok(answer),
        Recording::New {
            fund,
            place,
            entry_id,
        } => (fund, place, entry_id),
    };
    let household = match &contribution.contributor {
        Contributor::Household(h) => Some(*h),
        Contributor::Donor(_) => None,
    };
    let counterparty = counterparty_for(conn, &fund, contribution.contributor).await?;
    let fund = lock_fund(conn, fund.id).await?;
    if let Some(levy) = contribution.levy_id {
        // Under the lock: what the household paid so far cannot change meanwhile.
        super::levies::check_payment(conn, fund.id, levy, household, contribution.amount_fen)
            .await?;
    }
    let memo = contribution.memo.trim().chars().take(500).collect();
    let entry = append(
        conn,
        &fund,
        NewEntry {
            id: entry_id,
            kind: Kind::Contribution,
            amount_fen: contribution.amount_fen,
            counterparty_id: Some(counterparty),
            channel: Some(contribution.channel),
            memo,
            occurred_at,
            recorded_by: viewer.user_id,
            expense_id: None,
            levy_id: contribution.levy_id,
            resolution_id: None,
            reverses_entry_id: None,
        },
    )
    .await?;
    Ok(Audited::new(entry.clone(), place, entry.id))
}

/// Corrects an entry with a reversal entry referencing it (at most once).
pub async fn reverse_entry(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    entry_id: Uuid,
    reason: &str,
    key: Key,
) -> AppResult<Audited<ledger_entry::Model>> {
    let original = ledger_entry::Entity::find_by_id(entry_id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("entry not found")))?;
    let reason = reason.trim();
    if reason.chars().count() < 4 {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("say why the entry is wrong"),
        ));
    }
    // The fund check first: an entry of a fund out of reach is NOT_FOUND like any other.
    let (fund, place, id) = match start_recording(conn, viewer, original.fund_id, &key).await? {
        Recording::Replayed(answer) => return Ok(answer),
        Recording::New {
            fund,
            place,
            entry_id,
        } => (fund, place, entry_id),
    };
    if original.kind == Kind::Reversal.stored() {
        return Err(AppError::Conflict(msg!(
            "a reversal is not reversed; record the right entry instead"
        )));
    }
    let fund = lock_fund(conn, fund.id).await?;
    let entry = append(
        conn,
        &fund,
        NewEntry {
            id,
            kind: Kind::Reversal,
            amount_fen: -original.amount_fen,
            counterparty_id: original.counterparty_id,
            channel: original.channel.clone(),
            memo: reason.chars().take(500).collect(),
            occurred_at: Utc::now(),
            recorded_by: viewer.user_id,
            expense_id: original.expense_id,
            levy_id: original.levy_id,
            resolution_id: None,
            reverses_entry_id: Some(original.id),
        },
    )
    .await?;
    Ok(Audited::new(entry.clone(), place, entry.id))
}

/// Closes a fund whose balance is zero (leftover money stays earmarked until spent or
/// returned); a closed fund takes no more entries. Staff, or the committee's director.
pub async fn close_fund(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    fund_id: Uuid,
) -> AppResult<Audited<fund::Model>> {
    let (fund, place) = visible_fund(conn, viewer, fund_id).await?;
    check_open(conn, viewer, fund.compound_id, place).await?;
    let fund = lock_fund(conn, fund.id).await?;
    if fund.status != FundStatus::Open.stored() {
        return Err(AppError::Conflict(msg!("the fund is already closed")));
    }
    if fund.balance_fen != 0 {
        return Err(AppError::Conflict(msg!(
            "the fund still holds {balance} yuan; spend or return it first",
            balance = crate::graphql::scalars::format_hundredths(fund.balance_fen)
        )));
    }
    let mut update: fund::ActiveModel = fund.into();
    update.status = Set(FundStatus::Closed.stored().to_owned());
    let fund = update.update(conn).await?;
    Ok(Audited::new(fund.clone(), place, fund.id))
}
