//! GraphQL writes of points: awards (one, a building, a list of households), redemptions,
//! reversals and the caller's ranking opt-in. Each runs through `audited_write`; those
//! that move points take an idempotency key.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::{
    awards::{self, Award, Target},
    batch::{self, BatchAward, BatchResult, Recipients},
    objects::{BatchAwardResult, PointsAccount, PointsEntry, PointsHolder},
    ranking, redemptions,
    redemptions::Redemption,
    types::PointsUnit,
};
use crate::{
    audit::audited_write,
    error::{AppError, AppResult, msg},
    graphql::{ContextExt, parse_id},
    idempotency::Key,
};

#[derive(InputObject)]
pub struct AwardPointsInput {
    /// The household, or (`residentId`) the resident, awarded.
    pub household_id: Option<ID>,
    pub resident_id: Option<ID>,
    pub rule_id: ID,
    /// In the rule's unit: minutes for VOLUNTEER_HOUR, else a count. Default 1.
    #[graphql(default = 1)]
    pub quantity: i64,
    #[graphql(default)]
    pub memo: String,
    /// When the deed was done; default now.
    pub occurred_at: Option<DateTime<Utc>>,
    pub idempotency_key: String,
}

#[derive(SimpleObject)]
pub struct PointsEntryPayload {
    pub entry: PointsEntry,
}

#[derive(InputObject)]
pub struct AwardPointsToBuildingInput {
    pub building_id: ID,
    /// Households of the building that do not get it (failed the check).
    #[graphql(default)]
    pub except_household_ids: Vec<ID>,
    pub rule_id: ID,
    #[graphql(default = 1)]
    pub quantity: i64,
    #[graphql(default)]
    pub memo: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct AwardPointsToHouseholdsInput {
    pub household_ids: Vec<ID>,
    pub rule_id: ID,
    #[graphql(default = 1)]
    pub quantity: i64,
    #[graphql(default)]
    pub memo: String,
    pub occurred_at: Option<DateTime<Utc>>,
    pub idempotency_key: String,
}

#[derive(SimpleObject)]
pub struct AwardPointsInBatchPayload {
    /// One per household, in id order.
    pub results: Vec<BatchAwardResult>,
    /// How many households got points.
    pub awarded: i64,
}

#[derive(InputObject)]
pub struct RedeemRewardInput {
    pub household_id: Option<ID>,
    pub resident_id: Option<ID>,
    pub reward_id: ID,
    #[graphql(default = 1)]
    pub quantity: i64,
    #[graphql(default)]
    pub memo: String,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct ReversePointsEntryInput {
    pub entry_id: ID,
    pub reason: String,
    pub idempotency_key: String,
}

#[derive(InputObject)]
pub struct SetPointsRankingOptInInput {
    pub opt_in: bool,
}

#[derive(SimpleObject)]
pub struct SetPointsRankingOptInPayload {
    pub account: PointsAccount,
}

fn target(household: &Option<ID>, resident: &Option<ID>) -> AppResult<Target> {
    match (household, resident) {
        (Some(h), None) => Ok(Target::Household(parse_id("input.householdId", h)?)),
        (None, Some(r)) => Ok(Target::Resident(parse_id("input.residentId", r)?)),
        _ => Err(AppError::bad_input(
            "input.householdId",
            msg!("name a household or a resident"),
        )),
    }
}

fn ids(field: &str, ids: &[ID]) -> AppResult<Vec<uuid::Uuid>> {
    ids.iter().map(|id| parse_id(field, id)).collect()
}

fn batch_payload(result: BatchResult) -> AppResult<AwardPointsInBatchPayload> {
    let BatchResult { parts, mut entries } = result;
    let mut results = Vec::with_capacity(parts.len());
    let mut awarded = 0;
    for part in parts {
        let entry = part.entry_id.and_then(|id| entries.remove(&id));
        awarded += i64::from(entry.is_some());
        results.push(BatchAwardResult {
            household_id: part.household_id.into(),
            outcome: part.outcome,
            entry: entry.map(|e| PointsEntry::of(e, false)).transpose()?,
        });
    }
    Ok(AwardPointsInBatchPayload { results, awarded })
}

fn key_for(ctx: &Context<'_>, key: &str, operation: &'static str, input: &Value) -> AppResult<Key> {
    Key::new(ctx.viewer()?.user_id, key, operation, input)
}

#[derive(Default)]
pub struct PointsMutation;

#[Object]
impl PointsMutation {
    /// Awards points under a rule to one household or resident: staff, the household's
    /// grid worker or its micro-grid leader. A cap cuts the award to what it leaves, and
    /// refuses it (CONFLICT) when it leaves nothing.
    async fn award_points(
        &self,
        ctx: &Context<'_>,
        input: AwardPointsInput,
    ) -> Result<PointsEntryPayload> {
        let audit = json!({ "householdId": input.household_id.as_ref().map(|i| i.as_str()), "residentId": input.resident_id.as_ref().map(|i| i.as_str()), "ruleId": input.rule_id.as_str(), "quantity": input.quantity, "memo": input.memo, "occurredAt": input.occurred_at });
        let key = key_for(ctx, &input.idempotency_key, "awardPoints", &audit);
        let award = target(&input.household_id, &input.resident_id).and_then(|target| {
            Ok(Award {
                target,
                rule_id: parse_id("input.ruleId", &input.rule_id)?,
                quantity: input.quantity,
                memo: input.memo,
                occurred_at: input.occurred_at,
            })
        });
        let entry = audited_write(ctx, "awardPoints", audit, move |txn, viewer| {
            Box::pin(async move { awards::award(txn, viewer, award?, key?).await })
        })
        .await?;
        Ok(PointsEntryPayload {
            entry: PointsEntry::of(entry, false)?,
        })
    }

    /// A building's waste-sorting check: awards every current household of the building
    /// but those named, in one transaction, with a result per household.
    async fn award_points_to_building(
        &self,
        ctx: &Context<'_>,
        input: AwardPointsToBuildingInput,
    ) -> Result<AwardPointsInBatchPayload> {
        let except: Vec<&str> = input
            .except_household_ids
            .iter()
            .map(|i| i.as_str())
            .collect();
        let audit = json!({ "buildingId": input.building_id.as_str(), "exceptHouseholdIds": except, "ruleId": input.rule_id.as_str(), "quantity": input.quantity, "memo": input.memo, "occurredAt": input.occurred_at });
        let key = key_for(ctx, &input.idempotency_key, "awardPointsToBuilding", &audit);
        let work: AppResult<BatchAward> = (|| {
            Ok(BatchAward {
                recipients: Recipients::Building {
                    id: parse_id("input.buildingId", &input.building_id)?,
                    except: ids("input.exceptHouseholdIds", &input.except_household_ids)?,
                },
                rule_id: parse_id("input.ruleId", &input.rule_id)?,
                quantity: input.quantity,
                memo: input.memo,
                occurred_at: input.occurred_at,
            })
        })();
        let result = audited_write(ctx, "awardPointsToBuilding", audit, move |txn, viewer| {
            Box::pin(async move { batch::award_batch(txn, viewer, work?, key?).await })
        })
        .await?;
        Ok(batch_payload(result)?)
    }

    /// Awards a rule to a list of households (at most 500) in one transaction, with a
    /// result per household.
    async fn award_points_to_households(
        &self,
        ctx: &Context<'_>,
        input: AwardPointsToHouseholdsInput,
    ) -> Result<AwardPointsInBatchPayload> {
        let households: Vec<&str> = input.household_ids.iter().map(|i| i.as_str()).collect();
        let audit = json!({ "householdIds": households, "ruleId": input.rule_id.as_str(), "quantity": input.quantity, "memo": input.memo, "occurredAt": input.occurred_at });
        let key = key_for(
            ctx,
            &input.idempotency_key,
            "awardPointsToHouseholds",
            &audit,
        );
        let work: AppResult<BatchAward> = (|| {
            Ok(BatchAward {
                recipients: Recipients::Households(ids(
                    "input.householdIds",
                    &input.household_ids,
                )?),
                rule_id: parse_id("input.ruleId", &input.rule_id)?,
                quantity: input.quantity,
                memo: input.memo,
                occurred_at: input.occurred_at,
            })
        })();
        let result = audited_write(ctx, "awardPointsToHouseholds", audit, move |txn, viewer| {
            Box::pin(async move { batch::award_batch(txn, viewer, work?, key?).await })
        })
        .await?;
        Ok(batch_payload(result)?)
    }

    /// Staff redeem a reward for a household or resident: the points and the stock are
    /// taken in one transaction; too few of either is CONFLICT.
    async fn redeem_reward(
        &self,
        ctx: &Context<'_>,
        input: RedeemRewardInput,
    ) -> Result<PointsEntryPayload> {
        let audit = json!({ "householdId": input.household_id.as_ref().map(|i| i.as_str()), "residentId": input.resident_id.as_ref().map(|i| i.as_str()), "rewardId": input.reward_id.as_str(), "quantity": input.quantity, "memo": input.memo });
        let key = key_for(ctx, &input.idempotency_key, "redeemReward", &audit);
        let redemption = target(&input.household_id, &input.resident_id).and_then(|target| {
            Ok(Redemption {
                target,
                reward_id: parse_id("input.rewardId", &input.reward_id)?,
                quantity: input.quantity,
                memo: input.memo,
            })
        });
        let entry = audited_write(ctx, "redeemReward", audit, move |txn, viewer| {
            Box::pin(async move { redemptions::redeem(txn, viewer, redemption?, key?).await })
        })
        .await?;
        Ok(PointsEntryPayload {
            entry: PointsEntry::of(entry, true)?,
        })
    }

    /// Staff correct an award or a redemption with a reversal entry (at most once); a
    /// reversed redemption puts its items back in stock.
    async fn reverse_points_entry(
        &self,
        ctx: &Context<'_>,
        input: ReversePointsEntryInput,
    ) -> Result<PointsEntryPayload> {
        let audit = json!({ "entryId": input.entry_id.as_str(), "reason": input.reason });
        let key = key_for(ctx, &input.idempotency_key, "reversePointsEntry", &audit);
        let id = parse_id("input.entryId", &input.entry_id);
        let reason = input.reason;
        let entry = audited_write(ctx, "reversePointsEntry", audit, move |txn, viewer| {
            Box::pin(async move { redemptions::reverse(txn, viewer, id?, &reason, key?).await })
        })
        .await?;
        Ok(PointsEntryPayload {
            entry: PointsEntry::of(entry, true)?,
        })
    }

    /// A resident shows (or hides) their account in their compound's ranking.
    async fn set_points_ranking_opt_in(
        &self,
        ctx: &Context<'_>,
        input: SetPointsRankingOptInInput,
    ) -> Result<SetPointsRankingOptInPayload> {
        let audit = json!({ "optIn": input.opt_in });
        let opt_in = input.opt_in;
        let account = audited_write(ctx, "setPointsRankingOptIn", audit, move |txn, viewer| {
            Box::pin(async move { ranking::set_opt_in(txn, viewer, opt_in).await })
        })
        .await?;
        let unit = if account.resident_id.is_some() {
            PointsUnit::Resident
        } else {
            PointsUnit::Household
        };
        Ok(SetPointsRankingOptInPayload {
            account: PointsAccount {
                id: Some(account.id.into()),
                unit,
                compound_id: Some(account.compound_id.into()),
                balance: account.balance,
                ranking_opt_in: account.ranking_opt_in,
                holder: PointsHolder::default(),
                row: Some(account),
                staff: false,
            },
        })
    }
}
