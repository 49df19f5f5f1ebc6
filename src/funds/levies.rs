//! Levies: a cost split between households of the fund's compound, equally, by floor area
//! or per household, the shares summing exactly to the total. A household pays with a
//! contribution linked to the levy; what is paid and owed is read from the ledger.

use std::collections::HashMap;

use chrono::Utc;
use entity::{counterparty, dwelling, household, ledger_entry, levy, levy_share};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use uuid::Uuid;

use super::{
    access::{check_record, visible_fund},
    closed_sets::LevyMethod,
    split,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::scalars::{MAX_AMOUNT_FEN, format_hundredths},
    graphql::{StoredEnum, clean_name},
    tenancy::lives_in,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// A total split equally.
    Equal(i64),
    /// A total split by the dwellings' registered floor areas.
    Area(i64),
    /// The same amount from every household.
    PerHousehold(i64),
}

pub struct NewLevy {
    pub fund_id: Uuid,
    pub purpose: String,
    pub method: Method,
    pub household_ids: Vec<Uuid>,
}

pub async fn create_levy(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewLevy,
) -> AppResult<Audited<levy::Model>> {
    let (fund, place) = visible_fund(conn, viewer, new.fund_id).await?;
    check_record(viewer, &fund, place)?;
    let mut ids = new.household_ids;
    ids.sort();
    ids.dedup();
    if ids.is_empty() || ids.len() > 10_000 {
        return Err(AppError::bad_input(
            "input.householdIds",
            msg!("a levy names 1 to 10,000 households"),
        ));
    }
    let households = household::Entity::find()
        .filter(household::Column::Id.is_in(ids.iter().copied()))
        .filter(household::Column::CommunityId.eq(fund.community_id))
        .filter(household::Column::ArchivedAt.is_null())
        .all(conn)
        .await?;
    if households.len() != ids.len() {
        return Err(AppError::NotFound(msg!("household not found")));
    }
    if let Some(compound) = fund.compound_id {
        for h in &households {
            if !lives_in(conn, &[h.id], compound).await? {
                return Err(AppError::bad_input(
                    "input.householdIds",
                    msg!("every household lives in the fund's compound"),
                ));
            }
        }
    }
    let amount_ok = |a: i64| a > 0 && a <= MAX_AMOUNT_FEN;
    let (total, shares, method) = match new.method {
        Method::Equal(total) if amount_ok(total) => {
            (total, split::equal(total, ids.len()), LevyMethod::Equal)
        }
        Method::PerHousehold(each) if amount_ok(each) => {
            let count = i64::try_from(ids.len()).unwrap_or(i64::MAX);
            let total = each
                .checked_mul(count)
                .filter(|t| *t <= MAX_AMOUNT_FEN)
                .ok_or_else(|| {
                    AppError::bad_input("input.amount", msg!("the total is too large"))
                })?;
            (total, vec![each; ids.len()], LevyMethod::PerHousehold)
        }
        Method::Area(total) if amount_ok(total) => {
            let by_id: HashMap<Uuid, Uuid> =
                households.iter().map(|h| (h.id, h.dwelling_id)).collect();
            let areas: HashMap<Uuid, Option<i64>> = dwelling::Entity::find()
                .filter(dwelling::Column::Id.is_in(by_id.values().copied()))
                .all(conn)
                .await?
                .into_iter()
                .map(|d| (d.id, d.floor_area_hundredths))
                .collect();
            let weights: Option<Vec<i64>> = ids
                .iter()
                .map(|h| by_id.get(h).and_then(|d| areas.get(d).copied().flatten()))
                .collect();
            let weights = weights.ok_or_else(|| {
                AppError::bad_input(
                    "input.method",
                    msg!(
                        "every household's dwelling needs a registered floor area to split by area"
                    ),
                )
            })?;
            let shares = split::by_weight(total, &weights).ok_or_else(|| {
                AppError::bad_input("input.method", msg!("the floor areas add up to nothing"))
            })?;
            (total, shares, LevyMethod::Area)
        }
        _ => {
            return Err(AppError::bad_input(
                "input.amount",
                msg!("an amount is above 0 and at most 10^12 yuan"),
            ));
        }
    };
    let levy = levy::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(fund.community_id),
        fund_id: Set(fund.id),
        purpose: Set(clean_name("input.purpose", &new.purpose, 500)?),
        total_fen: Set(total),
        method: Set(method.stored().to_owned()),
        created_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    let rows = ids
        .iter()
        .zip(shares)
        .map(|(h, share)| levy_share::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(fund.community_id),
            levy_id: Set(levy.id),
            household_id: Set(*h),
            share_fen: Set(share),
        });
    levy_share::Entity::insert_many(rows).exec(conn).await?;
    Ok(Audited::new(levy.clone(), place, levy.id))
}

/// Refuses a payment towards a levy of another fund, by a household that has no share in
/// it, or above what the household still owes: a levy share is a debt, and money beyond it
/// is recorded as a plain contribution, so the levy's figures never show more paid than
/// owed. Runs under the fund's lock, so two payments cannot both fit the same balance.
pub async fn check_payment(
    conn: &impl ConnectionTrait,
    fund_id: Uuid,
    levy_id: Uuid,
    household_id: Option<Uuid>,
    amount_fen: i64,
) -> AppResult<()> {
    let levy = levy::Entity::find_by_id(levy_id)
        .filter(levy::Column::FundId.eq(fund_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("levy not found")))?;
    let Some(household) = household_id else {
        return Err(AppError::bad_input(
            "input.householdId",
            msg!("a levy is paid by a household"),
        ));
    };
    let share = shares(conn, &[levy.id])
        .await?
        .remove(&levy.id)
        .and_then(|shares| shares.into_iter().find(|s| s.household_id == household))
        .ok_or_else(|| {
            AppError::bad_input(
                "input.householdId",
                msg!("the household has no share in this levy"),
            )
        })?;
    let owed = (share.share_fen - share.paid_fen).max(0);
    if amount_fen > owed {
        return Err(AppError::bad_input(
            "input.amount",
            msg!(
                "the household owes {owed} yuan of this levy (share {share}, paid {paid}); record anything beyond it as a contribution without the levy",
                owed = format_hundredths(owed),
                share = format_hundredths(share.share_fen),
                paid = format_hundredths(share.paid_fen),
            ),
        ));
    }
    Ok(())
}

/// One household's share with what it has paid (contributions and their reversals).
pub struct ShareState {
    pub household_id: Uuid,
    pub share_fen: i64,
    pub paid_fen: i64,
}

/// The shares of levies and what each household has paid towards them, for any number of
/// levies in three statements.
pub async fn shares(
    conn: &impl ConnectionTrait,
    levies: &[Uuid],
) -> AppResult<HashMap<Uuid, Vec<ShareState>>> {
    // In the order they were split: the rounding fen went to the first.
    let shares = levy_share::Entity::find()
        .filter(levy_share::Column::LevyId.is_in(levies.iter().copied()))
        .order_by_asc(levy_share::Column::Id)
        .all(conn)
        .await?;
    let entries = ledger_entry::Entity::find()
        .filter(ledger_entry::Column::LevyId.is_in(levies.iter().copied()))
        .all(conn)
        .await?;
    let households: HashMap<Uuid, Uuid> = counterparty::Entity::find()
        .filter(counterparty::Column::Id.is_in(entries.iter().filter_map(|e| e.counterparty_id)))
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|c| c.household_id.map(|h| (c.id, h)))
        .collect();
    // Paid per (levy, household).
    let mut paid: HashMap<(Uuid, Uuid), i64> = HashMap::new();
    for e in entries {
        if let (Some(levy), Some(h)) = (
            e.levy_id,
            e.counterparty_id.and_then(|c| households.get(&c)),
        ) {
            *paid.entry((levy, *h)).or_default() += e.amount_fen;
        }
    }
    let mut out: HashMap<Uuid, Vec<ShareState>> = HashMap::new();
    for s in shares {
        out.entry(s.levy_id).or_default().push(ShareState {
            household_id: s.household_id,
            share_fen: s.share_fen,
            paid_fen: paid.get(&(s.levy_id, s.household_id)).copied().unwrap_or(0),
        });
    }
    Ok(out)
}
