//! A resolution on public notice as one JSON document (`/r/{token}.json`), what its public
//! page shows: the motion, the exact tally `closeVoting` stored (heads and area), the notice
//! period and how to object. Nothing personal: no voter, no objector.

use chrono::{DateTime, Utc};
use entity::{community, compound, meeting, motion, objection};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query},
};
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

/// The resolution a notice token opens; NOT_FOUND for an unknown token. Three statements:
/// the motion, the names around it, the objection counts.
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
    let context = context(db, &motion).await?;
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
        community_name: context.community,
        compound_name: context.compound,
        meeting_title: context.meeting,
        meeting_starts_at: rfc3339(context.meeting_starts_at),
        meeting_place: context.meeting_place,
        electorate: motion.electorate,
        majority: motion.majority,
        amount_fen: motion.amount_fen,
        closed_at: motion.closed_at.map(rfc3339),
        passed: true,
        tally,
        notice_from: rfc3339(from),
        notice_until: rfc3339(until),
        on_notice: on_notice(from, until, Utc::now()),
        objections: context.objections,
        objections_answered: context.objections_answered,
    })
}

/// What the notice says around the motion: where and when it was decided, and how many
/// objections it drew.
struct Context {
    community: String,
    compound: Option<String>,
    meeting: String,
    meeting_starts_at: DateTime<Utc>,
    meeting_place: String,
    objections: u64,
    objections_answered: u64,
}

async fn context(db: &impl ConnectionTrait, motion: &motion::Model) -> AppResult<Context> {
    let names = Query::select()
        .expr_as(
            Expr::col((meeting::Entity, meeting::Column::Title)),
            "meeting",
        )
        .expr_as(
            Expr::col((meeting::Entity, meeting::Column::StartsAt)),
            "starts_at",
        )
        .expr_as(
            Expr::col((meeting::Entity, meeting::Column::Place)),
            "place",
        )
        .expr_as(
            Expr::col((community::Entity, community::Column::Name)),
            "community",
        )
        .expr_as(
            Expr::col((compound::Entity, compound::Column::Name)),
            "compound",
        )
        .from(meeting::Entity)
        .inner_join(
            community::Entity,
            Expr::col((community::Entity, community::Column::Id)).eq(motion.community_id),
        )
        .left_join(
            compound::Entity,
            Expr::col((compound::Entity, compound::Column::Id)).eq(motion.compound_id),
        )
        .and_where(Expr::col((meeting::Entity, meeting::Column::Id)).eq(motion.meeting_id))
        .to_owned();
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(backend.build(&names))
        .await?
        .ok_or(AppError::NotFound(msg!("motion not found")))?;
    let counts = Query::select()
        .expr_as(Expr::col(objection::Column::Id).count(), "lodged")
        .expr_as(Expr::col(objection::Column::AnsweredAt).count(), "answered")
        .from(objection::Entity)
        .and_where(objection::Column::MotionId.eq(motion.id))
        .to_owned();
    let counted = db.query_one_raw(backend.build(&counts)).await?;
    let count = |column: &str| -> AppResult<u64> {
        let n: i64 = match &counted {
            Some(row) => row.try_get("", column)?,
            None => 0,
        };
        Ok(u64::try_from(n).unwrap_or(0))
    };
    Ok(Context {
        community: row.try_get("", "community")?,
        compound: row.try_get("", "compound")?,
        meeting: row.try_get("", "meeting")?,
        meeting_starts_at: row.try_get("", "starts_at")?,
        meeting_place: row.try_get("", "place")?,
        objections: count("lodged")?,
        objections_answered: count("answered")?,
    })
}
