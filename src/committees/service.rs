//! Committees: setting one up for a compound, its settings, and its terms.

use chrono::{NaiveDate, Utc};
use entity::{committee, reach::TenantEntity};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter};
use uuid::Uuid;

use super::access::check_manage;
use crate::{
    audit::Audited,
    auth::{Capability, Viewer, viewer::Place},
    error::{AppError, AppResult, msg, on_unique_violation},
    graphql::clean_name,
    tenancy::visible_compound_at,
};

/// The defaults a compound's funds start from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Settings {
    pub approvals_required: i32,
    pub resolution_threshold_fen: Option<i64>,
    pub notice_days: i32,
}

impl Default for Settings {
    /// Two approvals; no resolution needed until meetings exist; a week's public notice.
    fn default() -> Self {
        Self {
            approvals_required: 2,
            resolution_threshold_fen: None,
            notice_days: 7,
        }
    }
}

fn check_settings(settings: &Settings) -> AppResult<()> {
    if !(1..=9).contains(&settings.approvals_required) {
        return Err(AppError::bad_input(
            "input.approvalsRequired",
            msg!("an expense needs 1 to 9 approvals"),
        ));
    }
    if settings.resolution_threshold_fen.is_some_and(|f| f < 0) {
        return Err(AppError::bad_input(
            "input.resolutionThreshold",
            msg!("a threshold is not negative"),
        ));
    }
    if !(1..=90).contains(&settings.notice_days) {
        return Err(AppError::bad_input(
            "input.noticeDays",
            msg!("a public notice lasts 1 to 90 days"),
        ));
    }
    Ok(())
}

fn check_term(starts_on: NaiveDate, ends_on: NaiveDate) -> AppResult<()> {
    if ends_on < starts_on {
        return Err(AppError::bad_input(
            "input.termEndsOn",
            msg!("a term ends on or after the day it starts"),
        ));
    }
    if (ends_on - starts_on).num_days() > 366 * 5 {
        return Err(AppError::bad_input(
            "input.termEndsOn",
            msg!("a term lasts at most five years"),
        ));
    }
    Ok(())
}

/// A committee the caller can see (by id), with its place; NOT_FOUND otherwise.
pub async fn visible_committee(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(committee::Model, Place)> {
    let committee = committee::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
        .filter(committee::Column::Id.eq(id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("committee not found")))?;
    let (_, place) = visible_compound_at(conn, viewer, committee.compound_id).await?;
    Ok((committee, place))
}

pub struct NewCommittee {
    pub compound_id: Uuid,
    pub name: Option<String>,
    pub term_starts_on: NaiveDate,
    pub term_ends_on: NaiveDate,
    pub settings: Settings,
}

pub async fn create_committee(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewCommittee,
) -> AppResult<Audited<committee::Model>> {
    let (compound, place) = visible_compound_at(conn, viewer, new.compound_id).await?;
    check_manage(viewer, place)?;
    if compound.archived_at.is_some() {
        return Err(AppError::Conflict(msg!("the compound is archived")));
    }
    check_term(new.term_starts_on, new.term_ends_on)?;
    check_settings(&new.settings)?;
    let name = match new.name {
        Some(name) => clean_name("input.name", &name, 100)?,
        None => format!("{}自管会", compound.name),
    };
    let committee = committee::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(compound.community_id),
        compound_id: Set(compound.id),
        name: Set(name),
        term_starts_on: Set(new.term_starts_on),
        term_ends_on: Set(new.term_ends_on),
        approvals_required: Set(new.settings.approvals_required),
        resolution_threshold_fen: Set(new.settings.resolution_threshold_fen),
        notice_days: Set(new.settings.notice_days),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, msg!("the compound already has a committee")))?;
    Ok(Audited::new(committee.clone(), place, committee.id))
}

pub async fn update_settings(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    settings: Settings,
) -> AppResult<Audited<committee::Model>> {
    let (committee, place) = visible_committee(conn, viewer, id).await?;
    check_manage(viewer, place)?;
    check_settings(&settings)?;
    let mut update: committee::ActiveModel = committee.into();
    update.approvals_required = Set(settings.approvals_required);
    update.resolution_threshold_fen = Set(settings.resolution_threshold_fen);
    update.notice_days = Set(settings.notice_days);
    let committee = update.update(conn).await?;
    Ok(Audited::new(committee.clone(), place, committee.id))
}

/// Starts the next term, after the current one ends. Positions of the old term end with
/// it; members of the new one are appointed again.
pub async fn start_term(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
) -> AppResult<Audited<committee::Model>> {
    let (committee, place) = visible_committee(conn, viewer, id).await?;
    check_manage(viewer, place)?;
    check_term(starts_on, ends_on)?;
    if starts_on <= committee.term_ends_on {
        return Err(AppError::bad_input(
            "input.startsOn",
            msg!(
                "the current term runs until {until}; the next starts after it",
                until = committee.term_ends_on
            ),
        ));
    }
    let mut update: committee::ActiveModel = committee.into();
    update.term_starts_on = Set(starts_on);
    update.term_ends_on = Set(ends_on);
    let committee = update.update(conn).await?;
    Ok(Audited::new(committee.clone(), place, committee.id))
}
