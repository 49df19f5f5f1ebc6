//! Redeeming rewards and reversing entries, by staff. A redemption debits the account and
//! takes the reward's stock in one transaction: not enough points or stock is CONFLICT
//! (the state of the account or the shelf, not the input, is what stands in the way). A
//! reversal corrects a mistake with an entry of the opposite sign referencing the original,
//! at most once; reversing a redemption puts its items back in stock.

use chrono::Utc;
use entity::{points_account, points_entry, points_reward};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Expr, ExprTrait},
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::staff_place,
    accounts::{NewEntry, append, lock_account},
    awards::{Target, clean_memo, find_target, replayed_entry},
    types::PointsEntryKind,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    idempotency::Key,
    tenancy::place_of,
};

/// The most items of a reward one redemption takes.
const MAX_ITEMS: i64 = 100;

pub struct Redemption {
    pub target: Target,
    pub reward_id: Uuid,
    pub quantity: i64,
    pub memo: String,
}

/// Redeems `quantity` of a reward for a household or resident (`redeemReward`).
/// Idempotent by `key`.
pub async fn redeem(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    redemption: Redemption,
    key: Key,
) -> AppResult<Audited<points_entry::Model>> {
    let found = find_target(conn, viewer, redemption.target).await?;
    let community = found.household.community_id;
    staff_place(
        conn,
        viewer,
        community,
        msg!("only community staff redeem rewards"),
    )
    .await?;
    if !(1..=MAX_ITEMS).contains(&redemption.quantity) {
        return Err(AppError::bad_input(
            "input.quantity",
            msg!("a quantity is 1 to {max}", max = MAX_ITEMS),
        ));
    }
    let reward = points_reward::Entity::find_by_id(redemption.reward_id)
        .filter(points_reward::Column::CommunityId.eq(community))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("reward not found")))?;
    if reward.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the reward is archived")));
    }
    let cost = reward
        .price
        .checked_mul(redemption.quantity)
        .ok_or_else(|| AppError::bad_input("input.quantity", msg!("too many points")))?;
    let memo = clean_memo(&redemption.memo)?;
    let id = Uuid::now_v7();
    if let Some(response) = key.claim(conn, json!({ "entryId": id })).await? {
        let entry = replayed_entry(conn, &response).await?;
        return Ok(Audited::new(entry.clone(), found.place, entry.id));
    }
    let owner = found.owner(conn).await?.ok_or_else(|| {
        AppError::bad_input(
            "input.householdId",
            msg!("the household has no head registered; award one of its residents"),
        )
    })?;
    let account = lock_account(conn, owner)
        .await?
        .filter(|a| a.balance >= cost)
        .ok_or_else(|| insufficient(cost))?;
    take_stock(conn, reward.id, redemption.quantity).await?;
    let now = Utc::now();
    let entry = append(
        conn,
        &account,
        NewEntry {
            id,
            kind: PointsEntryKind::Redemption,
            points: -cost,
            rule_id: None,
            quantity: None,
            reward_id: Some(reward.id),
            reward_quantity: Some(redemption.quantity),
            reverses_entry_id: None,
            source_key: None,
            batch_id: None,
            memo,
            day: crate::calendar::day_of(now),
            occurred_at: now,
            recorded_by: Some(viewer.user_id),
        },
    )
    .await?;
    Ok(Audited::new(entry.clone(), found.place, entry.id))
}

fn insufficient(cost: i64) -> AppError {
    AppError::Conflict(msg!(
        "the account does not hold the {cost} points this takes",
        cost = cost
    ))
}

/// Takes items from stock in the statement that checks there are enough, so concurrent
/// redemptions never take it below zero.
async fn take_stock(conn: &impl ConnectionTrait, reward: Uuid, quantity: i64) -> AppResult<()> {
    let taken = points_reward::Entity::update_many()
        .col_expr(
            points_reward::Column::Stock,
            Expr::col(points_reward::Column::Stock).sub(quantity),
        )
        .filter(points_reward::Column::Id.eq(reward))
        .filter(points_reward::Column::Stock.gte(quantity))
        .exec(conn)
        .await?;
    if taken.rows_affected == 0 {
        return Err(AppError::Conflict(msg!("the reward is out of stock")));
    }
    Ok(())
}

/// Reverses an award or a redemption (`reversePointsEntry`): staff, with a reason.
/// Idempotent by `key`.
pub async fn reverse(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    entry_id: Uuid,
    reason: &str,
    key: Key,
) -> AppResult<Audited<points_entry::Model>> {
    use entity::reach::TenantEntity;
    let original =
        points_entry::Entity::find_in_reach(&viewer.reach(crate::auth::Capability::ReadOrg))
            .filter(points_entry::Column::Id.eq(entry_id))
            .one(conn)
            .await?
            .ok_or(AppError::NotFound(msg!("points entry not found")))?;
    let place = place_of(conn, viewer, original.community_id).await?;
    staff_place(
        conn,
        viewer,
        original.community_id,
        msg!("only community staff reverse points entries"),
    )
    .await?;
    let reason = reason.trim();
    if !(4..=200).contains(&reason.chars().count()) {
        return Err(AppError::bad_input(
            "input.reason",
            msg!("say why the entry is wrong"),
        ));
    }
    let id = Uuid::now_v7();
    if let Some(response) = key.claim(conn, json!({ "entryId": id })).await? {
        let entry = replayed_entry(conn, &response).await?;
        return Ok(Audited::new(entry.clone(), place, entry.id));
    }
    if original.kind == PointsEntryKind::Reversal.stored() {
        return Err(AppError::Conflict(msg!(
            "a reversal is not reversed; record the right entry instead"
        )));
    }
    let account = points_account::Entity::find_by_id(original.account_id)
        .lock_exclusive()
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("points account not found")))?;
    let reversed = points_entry::Entity::find()
        .filter(points_entry::Column::ReversesEntryId.eq(original.id))
        .one(conn)
        .await?;
    if reversed.is_some() {
        return Err(AppError::Conflict(msg!(
            "that entry has already been reversed"
        )));
    }
    if let (Some(reward), Some(items)) = (original.reward_id, original.reward_quantity) {
        points_reward::Entity::update_many()
            .col_expr(
                points_reward::Column::Stock,
                Expr::col(points_reward::Column::Stock).add(items),
            )
            .filter(points_reward::Column::Id.eq(reward))
            .exec(conn)
            .await?;
    }
    let entry = append(
        conn,
        &account,
        NewEntry {
            id,
            kind: PointsEntryKind::Reversal,
            points: -original.points,
            rule_id: original.rule_id,
            quantity: original.quantity,
            reward_id: original.reward_id,
            reward_quantity: original.reward_quantity,
            reverses_entry_id: Some(original.id),
            source_key: None,
            batch_id: None,
            memo: reason.to_owned(),
            // The caps count the reversal on the original's day, so it frees that day.
            day: original.day,
            occurred_at: Utc::now(),
            recorded_by: Some(viewer.user_id),
        },
    )
    .await?;
    Ok(Audited::new(entry.clone(), place, entry.id))
}
