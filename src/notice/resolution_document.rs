//! A resolution on public notice as one JSON document (`/r/{token}.json`), what its public
//! page shows: the motion, the exact tally `closeVoting` stored (heads and area), the notice
//! period and how to object. Nothing personal: no voter, no objector.

use chrono::Utc;
use entity::{community, compound, meeting, motion, objection};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::statement_document::rfc3339;
use crate::{
    auth::token::opaque_token_hash,
    error::{AppError, AppResult, msg},
    meetings::{notice::on_notice, tally::Tally},
};

pub const FORMAT: &str = "jiedao-resolution/1";

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct ResolutionDocument {
    pub format: String,
    pub motion_id: Uuid,
    pub title: String,
    pub body: String,
    pub community_name: String,
    pub compound_name: Option<String>,
    pub meeting_title: String,
    pub meeting_starts_at: String,
    pub meeting_place: String,
    /// `households` (one vote per household) or `owners` (Civil Code art. 278).
    pub electorate: String,
    /// `simple`, `ordinary` (> 1/2) or `special` (≥ 3/4).
    pub majority: String,
    /// What the resolution approves spending, in fen.
    pub amount_fen: Option<i64>,
    pub closed_at: Option<String>,
    pub passed: bool,
    /// Heads and area (hundredths of m²) as counted when voting closed.
    pub tally: Option<Tally>,
    pub notice_from: String,
    pub notice_until: String,
    /// Whether the notice period is running now: objections are lodged only then.
    pub on_notice: bool,
    pub objections: u64,
    pub objections_answered: u64,
}

/// The resolution a notice token opens; NOT_FOUND for an unknown token.
pub async fn load(db: &impl ConnectionTrait, token: &str) -> AppResult<ResolutionDocument> {
    let not_found = || AppError::NotFound(msg!("motion not found"));
    let motion = motion::Entity::find()
        .filter(motion::Column::NoticeTokenHash.eq(opaque_token_hash(token)))
        .one(db)
        .await?
        .filter(|m| m.passed == Some(true))
        .ok_or_else(not_found)?;
    let (Some(from), Some(until)) = (motion.notice_from, motion.notice_until) else {
        return Err(not_found());
    };
    let meeting = meeting::Entity::find_by_id(motion.meeting_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let community = community::Entity::find_by_id(motion.community_id)
        .one(db)
        .await?
        .ok_or_else(not_found)?;
    let compound_name = match motion.compound_id {
        Some(id) => compound::Entity::find_by_id(id)
            .one(db)
            .await?
            .map(|c| c.name),
        None => None,
    };
    let objections = objection::Entity::find().filter(objection::Column::MotionId.eq(motion.id));
    let lodged = objections.clone().count(db).await?;
    let answered = objections
        .filter(objection::Column::AnsweredAt.is_not_null())
        .count(db)
        .await?;
    let tally = motion
        .tally
        .clone()
        .map(serde_json::from_value::<Tally>)
        .transpose()
        .map_err(AppError::internal)?;
    Ok(ResolutionDocument {
        format: FORMAT.to_owned(),
        motion_id: motion.id,
        title: motion.title,
        body: motion.body,
        community_name: community.name,
        compound_name,
        meeting_title: meeting.title,
        meeting_starts_at: rfc3339(meeting.starts_at),
        meeting_place: meeting.place,
        electorate: motion.electorate,
        majority: motion.majority,
        amount_fen: motion.amount_fen,
        closed_at: motion.closed_at.map(rfc3339),
        passed: true,
        tally,
        notice_from: rfc3339(from),
        notice_until: rfc3339(until),
        on_notice: on_notice(from, until, Utc::now()),
        objections: lodged,
        objections_answered: answered,
    })
}
