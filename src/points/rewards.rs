//! The rewards a community's points buy, kept by its staff: a price and a stock that
//! redemptions take from and reversals put back. Archived, never deleted.

use chrono::Utc;
use entity::points_reward;
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};
use uuid::Uuid;

use super::{
    access::staff_place,
    catalogue::{MAX_POINTS, refusal, staff_row},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::clean_name,
};

pub struct RewardTerms {
    pub name: String,
    pub description: String,
    pub price: i64,
}

fn check_reward(terms: &RewardTerms) -> AppResult<(String, String)> {
    let name = clean_name("input.name", &terms.name, 100)?;
    let description = terms.description.trim();
    if description.chars().count() > 500 {
        return Err(AppError::bad_input(
            "input.description",
            msg!("a description is at most {max} characters", max = 500),
        ));
    }
    if !(1..=MAX_POINTS).contains(&terms.price) {
        return Err(AppError::bad_input(
            "input.price",
            msg!("a price is 1 to {max} points", max = MAX_POINTS),
        ));
    }
    Ok((name, description.to_owned()))
}

pub async fn create_reward(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
    terms: RewardTerms,
    stock: i64,
) -> AppResult<Audited<points_reward::Model>> {
    let place = staff_place(conn, viewer, community, refusal()).await?;
    let (name, description) = check_reward(&terms)?;
    if !(0..=1_000_000).contains(&stock) {
        return Err(AppError::bad_input(
            "input.stock",
            msg!("a stock is 0 to {max}", max = 1_000_000),
        ));
    }
    let reward = points_reward::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        name: Set(name),
        description: Set(description),
        price: Set(terms.price),
        stock: Set(stock),
        created_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
        archived_at: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(Audited::new(reward.clone(), place, reward.id))
}

/// Changes a reward's name, description and price, and adds to (or, with a negative
/// number, takes from) its stock in one statement that never takes it below zero.
pub async fn update_reward(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    terms: RewardTerms,
    add_stock: i64,
) -> AppResult<Audited<points_reward::Model>> {
    let (reward, place) =
        staff_row::<points_reward::Entity>(conn, viewer, id, msg!("reward not found"), |r| {
            r.community_id
        })
        .await?;
    if reward.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the reward is archived")));
    }
    let (name, description) = check_reward(&terms)?;
    if add_stock.abs() > 1_000_000 {
        return Err(AppError::bad_input(
            "input.addStock",
            msg!("a stock is 0 to {max}", max = 1_000_000),
        ));
    }
    let changed = points_reward::Entity::update_many()
        .col_expr(points_reward::Column::Name, Expr::value(name))
        .col_expr(points_reward::Column::Description, Expr::value(description))
        .col_expr(points_reward::Column::Price, Expr::value(terms.price))
        .col_expr(
            points_reward::Column::Stock,
            Expr::col(points_reward::Column::Stock).add(add_stock),
        )
        .filter(points_reward::Column::Id.eq(reward.id))
        .filter(points_reward::Column::Stock.gte(-add_stock))
        .exec(conn)
        .await?;
    if changed.rows_affected == 0 {
        return Err(AppError::Conflict(msg!(
            "the reward holds fewer items than that"
        )));
    }
    let reward = points_reward::Entity::find_by_id(reward.id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("reward not found")))?;
    Ok(Audited::new(reward.clone(), place, reward.id))
}

pub async fn archive_reward(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<points_reward::Model>> {
    let (reward, place) =
        staff_row::<points_reward::Entity>(conn, viewer, id, msg!("reward not found"), |r| {
            r.community_id
        })
        .await?;
    if reward.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the reward is archived")));
    }
    let mut row: points_reward::ActiveModel = reward.into();
    row.archived_at = Set(Some(Utc::now()));
    let reward = row.update(conn).await?;
    Ok(Audited::new(reward.clone(), place, reward.id))
}
