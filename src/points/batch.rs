//! Batch awards: a building's waste-sorting check (every current household of a building
//! but those that failed) or a list of households, in one transaction under one
//! idempotency key, with a result per household. Caps apply per account; a household the
//! cap leaves nothing for, or without a head in a community counting residents, is
//! reported, not refused, so one household does not hold up the building.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use entity::{dwelling, household, idempotency_record, points_entry};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
    sea_query::{Expr, Query},
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::check_award,
    accounts::{NewEntry, open_account, owner_of_household, unit_of},
    awards::{active_rule, check_when, clean_memo, grant, points_of},
    types::AwardOutcome,
};
use crate::{
    audit::Audited,
    auth::Viewer,
    calendar,
    error::{AppError, AppResult, msg},
    idempotency::Key,
    tenancy::{Place, place_of, visible_building},
};

/// The most households one batch awards (a large building).
pub const MAX_BATCH: usize = 500;

pub enum Recipients {
    /// Every current household of the building but `except`.
    Building {
        id: Uuid,
        except: Vec<Uuid>,
    },
    Households(Vec<Uuid>),
}

pub struct BatchAward {
    pub recipients: Recipients,
    pub rule_id: Uuid,
    pub quantity: i64,
    pub memo: String,
    pub occurred_at: Option<DateTime<Utc>>,
}

/// One household's part of a batch, as kept for a replay.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Part {
    pub household_id: Uuid,
    pub outcome: AwardOutcome,
    pub entry_id: Option<Uuid>,
}

/// A batch's result: each household's part, and the entries awarded.
pub struct BatchResult {
    pub parts: Vec<Part>,
    pub entries: HashMap<Uuid, points_entry::Model>,
}

/// The households a batch names, in the caller's reach and current, in one community.
async fn recipients(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    recipients: Recipients,
) -> AppResult<(Vec<household::Model>, Place)> {
    let (households, community) = match recipients {
        Recipients::Building { id, except } => {
            let building = visible_building(conn, viewer, id).await?;
            let rows = household::Entity::find()
                .filter(
                    household::Column::DwellingId.in_subquery(
                        Query::select()
                            .column(dwelling::Column::Id)
                            .from(dwelling::Entity)
                            .and_where(dwelling::Column::BuildingId.eq(building.id))
                            .to_owned(),
                    ),
                )
                .filter(household::Column::CommunityId.eq(building.community_id))
                .filter(household::Column::ArchivedAt.is_null())
                .filter(household::Column::Id.is_not_in(except))
                .order_by_asc(household::Column::Id)
                .all(conn)
                .await?;
            (rows, building.community_id)
        }
        Recipients::Households(mut ids) => {
            ids.sort();
            ids.dedup();
            if ids.is_empty() {
                return Err(AppError::bad_input(
                    "input.householdIds",
                    msg!("name at least one household"),
                ));
            }
            let reach = viewer.reach(crate::auth::Capability::ReadOrg);
            use entity::reach::TenantEntity;
            let rows = household::Entity::find_in_reach(&reach)
                .filter(household::Column::Id.is_in(ids.iter().copied()))
                .filter(household::Column::ArchivedAt.is_null())
                .order_by_asc(household::Column::Id)
                .all(conn)
                .await?;
            let community = rows.first().map(|h| h.community_id);
            if rows.len() != ids.len() || rows.iter().any(|h| Some(h.community_id) != community) {
                return Err(AppError::NotFound(msg!("household not found")));
            }
            let community = community.ok_or(AppError::NotFound(msg!("household not found")))?;
            (rows, community)
        }
    };
    if households.len() > MAX_BATCH {
        return Err(AppError::bad_input(
            "input",
            msg!("a batch awards at most {max} households", max = MAX_BATCH),
        ));
    }
    let place = place_of(conn, viewer, community).await?;
    Ok((households, place))
}

/// Awards one rule to many households (`awardPointsToBuilding`,
/// `awardPointsToHouseholds`). Idempotent by `key`: a retry answers the first result.
pub async fn award_batch(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    batch: BatchAward,
    key: Key,
) -> AppResult<Audited<BatchResult>> {
    let (households, place) = recipients(conn, viewer, batch.recipients).await?;
    let ids: Vec<Uuid> = households.iter().map(|h| h.id).collect();
    check_award(conn, viewer, place, &ids).await?;
    let community = place.community.unwrap_or_default();
    let rule = active_rule(conn, community, batch.rule_id).await?;
    let points = points_of(&rule, batch.quantity)?;
    let memo = clean_memo(&batch.memo)?;
    let at = check_when(batch.occurred_at)?;
    let batch_id = Uuid::now_v7();
    if let Some(response) = key.claim(conn, json!({ "batchId": batch_id })).await? {
        return replay(conn, &response, place, rule.id).await;
    }
    let unit = unit_of(conn, community).await?;
    let mut parts = Vec::with_capacity(households.len());
    let mut entries = HashMap::new();
    for household in &households {
        let Some(owner) = owner_of_household(conn, unit, household.id).await? else {
            parts.push(Part {
                household_id: household.id,
                outcome: AwardOutcome::NoRecipient,
                entry_id: None,
            });
            continue;
        };
        let account = open_account(conn, community, owner, household.id).await?;
        let new = NewEntry {
            memo: memo.clone(),
            batch_id: Some(batch_id),
            day: calendar::day_of(at),
            occurred_at: at,
            recorded_by: Some(viewer.user_id),
            ..NewEntry::award(&rule, points, batch.quantity)
        };
        let granted = grant(conn, &account, &rule, new).await?;
        parts.push(Part {
            household_id: household.id,
            outcome: granted.outcome,
            entry_id: granted.entry.as_ref().map(|e| e.id),
        });
        if let Some(entry) = granted.entry {
            entries.insert(entry.id, entry);
        }
    }
    // The whole answer, kept with the key in this transaction for a retry.
    idempotency_record::Entity::update_many()
        .col_expr(
            idempotency_record::Column::Response,
            Expr::value(json!({ "batchId": batch_id, "parts": parts })),
        )
        .filter(idempotency_record::Column::UserId.eq(key.user_id))
        .filter(idempotency_record::Column::Key.eq(key.key.clone()))
        .exec(conn)
        .await?;
    Ok(Audited::new(BatchResult { parts, entries }, place, rule.id))
}

async fn replay(
    conn: &impl ConnectionTrait,
    response: &serde_json::Value,
    place: Place,
    rule: Uuid,
) -> AppResult<Audited<BatchResult>> {
    let parts: Vec<Part> = serde_json::from_value(response["parts"].clone())
        .map_err(|e| AppError::internal(std::io::Error::other(e.to_string())))?;
    let ids = parts.iter().filter_map(|p| p.entry_id);
    let entries = points_entry::Entity::find()
        .filter(points_entry::Column::Id.is_in(ids))
        .all(conn)
        .await?
        .into_iter()
        .map(|e| (e.id, e))
        .collect();
    Ok(Audited::new(BatchResult { parts, entries }, place, rule))
}
