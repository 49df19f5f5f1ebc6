//! The demo repair fund of 和韵小区: opened by the community admin, run by the demo
//! treasurer through the same services as the API: contributions from forty households
//! over the past months, a drain-repair levy split between four households, a correction,
//! and a published statement whose share token the console prints.

use chrono::{Duration, Utc};
use entity::{building, compound, dwelling, household, role_grant};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde_json::json;
use uuid::Uuid;

use crate::idempotency::Key;
use crate::{
    auth::Viewer,
    config::public_base::PublicBase,
    error::{AppError, AppResult, msg},
    funds::{
        levies::{Method, NewLevy, create_levy},
        service::{
            Contribution, Contributor, NewFund, open_fund, record_contribution, reverse_entry,
        },
        statements::publish,
    },
    signing::SigningKeys,
};

/// The households of a compound, oldest first.
async fn households_of(
    conn: &impl ConnectionTrait,
    compound: &compound::Model,
) -> AppResult<Vec<household::Model>> {
    let buildings: Vec<Uuid> = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let dwellings: Vec<Uuid> = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.is_in(buildings))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    Ok(household::Entity::find()
        .filter(household::Column::DwellingId.is_in(dwellings))
        .order_by_asc(household::Column::Id)
        .all(conn)
        .await?)
}

/// Loads the fund; returns the statement's share token.
pub async fn load(
    conn: &impl ConnectionTrait,
    signing: &SigningKeys,
    base: &PublicBase,
    admin: &Viewer,
    treasurer_user: &entity::app_user::Model,
    compound: &compound::Model,
) -> AppResult<String> {
    let fund = open_fund(
        conn,
        admin,
        NewFund {
            compound_id: Some(compound.id),
            community_id: None,
            name: "门禁维修基金".into(),
            purpose: "修理和维护小区门禁道闸".into(),
            allow_negative: false,
            approvals_required: None,
            resolution_threshold_fen: None,
        },
    )
    .await?
    .value;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(treasurer_user.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .filter(|g| g.is_active_at(Utc::now()))
        .collect();
    let treasurer = Viewer {
        user_id: treasurer_user.id,
        username: treasurer_user.username.clone(),
        display_name: treasurer_user.display_name.clone(),
        session_id: Uuid::nil(),
        must_change_password: false,
        grants,
    };
    let key = |n: usize, op: &'static str| {
        Key::new(
            treasurer.user_id,
            &format!("demo-fund-{n:06}"),
            op,
            &json!(n),
        )
    };
    let households = households_of(conn, compound).await?;
    let mut first_entry = None;
    for (n, household) in households.iter().take(40).enumerate() {
        let days_ago = i64::try_from(80 - n * 2).unwrap_or(0);
        let entry = record_contribution(
            conn,
            &treasurer,
            fund.id,
            Contribution {
                amount_fen: [5_000, 10_000, 20_000][n % 3],
                contributor: Contributor::Household(household.id),
                levy_id: None,
                occurred_at: Some(Utc::now() - Duration::days(days_ago)),
                channel: ["cash_box", "wechat", "bank"][n % 3].into(),
                memo: "自愿缴纳门禁维修基金".into(),
            },
            key(n, "recordContribution")?,
        )
        .await?
        .value;
        first_entry.get_or_insert(entry.id);
    }
    // A wrong amount corrected by a reversal, then recorded again.
    let wrong = first_entry.ok_or(AppError::NotFound(msg!("entry not found")))?;
    reverse_entry(
        conn,
        &treasurer,
        wrong,
        "金额记错, 重新登记",
        key(100, "reverseLedgerEntry")?,
    )
    .await?;
    // Four households upstairs split a 200-yuan drain repair, 50 each, and two have paid.
    let upstairs: Vec<Uuid> = households.iter().skip(40).take(4).map(|h| h.id).collect();
    let levy = create_levy(
        conn,
        &treasurer,
        NewLevy {
            fund_id: fund.id,
            purpose: "疏通3单元下水道".into(),
            method: Method::Equal(20_000),
            household_ids: upstairs.clone(),
        },
    )
    .await?
    .value;
    for (n, household) in upstairs.iter().take(2).enumerate() {
        record_contribution(
            conn,
            &treasurer,
            fund.id,
            Contribution {
                amount_fen: 5_000,
                contributor: Contributor::Household(*household),
                levy_id: Some(levy.id),
                occurred_at: None,
                channel: "wechat".into(),
                memo: "下水道分摊".into(),
            },
            key(200 + n, "recordContribution")?,
        )
        .await?;
    }
    let (_, token) = publish(conn, signing, &treasurer, fund.id, None, None, base)
        .await?
        .value;
    Ok(token)
}
