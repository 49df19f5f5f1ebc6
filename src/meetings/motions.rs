//! Motions: drafted at a meeting, put to an electorate fixed when voting opens, voted on
//! (online by the voter, or from paper by an organiser, audited with the ballot's
//! reference) until the window closes, then closed with the exact tally stored. A passed
//! motion is a resolution; it can be put on public notice (公示), when residents may object.

use chrono::{DateTime, Duration, Utc};
use entity::{ballot, motion, motion_voter, motion_voter_member};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::OnConflict,
};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::{check_organise, own_residents, visible_meeting},
    electorate,
    tally::{self, Choice, Electorate, Majority, Tally, Unit},
};
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    error::{AppError, AppResult, Term, msg},
    graphql::clean_name,
    outbox::{EventType, Notification},
};

/// The longest voting window: ballots over days, not months.
const MAX_WINDOW_DAYS: i64 = 60;

pub fn electorate_of(m: &motion::Model) -> Electorate {
    if m.electorate == "owners" {
        Electorate::Owners
    } else {
        Electorate::Households
    }
}

pub fn majority_of(m: &motion::Model) -> Majority {
    match m.majority.as_str() {
        "ordinary" => Majority::Ordinary,
        "special" => Majority::Special,
        _ => Majority::Simple,
    }
}

pub fn choice_str(choice: Choice) -> &'static str {
    match choice {
        Choice::Yes => "yes",
        Choice::No => "no",
        Choice::Abstain => "abstain",
    }
}

pub fn parse_choice(s: &str) -> Choice {
    match s {
        "yes" => Choice::Yes,
        "no" => Choice::No,
        _ => Choice::Abstain,
    }
}

pub(super) fn done(m: motion::Model, place: Place) -> Audited<motion::Model> {
    let id = m.id;
    Audited::new(m, place, id)
}

/// A motion the caller reads (through its meeting), with its place; NOT_FOUND otherwise.
pub async fn visible_motion(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(motion::Model, Place)> {
    let motion = motion::Entity::find_by_id(id)
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("motion not found")))?;
    let (_, place) = visible_meeting(conn, viewer, motion.meeting_id)
        .await
        .map_err(|e| e.hidden_as(msg!("motion not found")))?;
    Ok((motion, place))
}

pub struct NewMotion {
    pub meeting_id: Uuid,
    pub title: String,
    pub body: String,
    pub electorate: Electorate,
    pub majority: Majority,
    pub hide_results: bool,
    /// What it approves spending, in fen.
    pub amount_fen: Option<i64>,
}

pub async fn create(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewMotion,
) -> AppResult<Audited<motion::Model>> {
    let (meeting, place) = visible_meeting(conn, viewer, new.meeting_id).await?;
    check_organise(viewer, meeting.compound_id, place)?;
    if meeting.status == "cancelled" {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!("the meeting is cancelled"),
        ));
    }
    if meeting.compound_id.is_none() && new.electorate == Electorate::Owners {
        return Err(AppError::bad_input(
            "input.electorate",
            msg!(
                "owners vote per compound (art. 278); a community's meeting consults its households"
            ),
        ));
    }
    let (electorate, majority) = match (new.electorate, new.majority) {
        (Electorate::Households, Majority::Simple) => ("households", "simple"),
        (Electorate::Owners, Majority::Ordinary) => ("owners", "ordinary"),
        (Electorate::Owners, Majority::Special) => ("owners", "special"),
        _ => {
            return Err(AppError::bad_input(
                "input.majority",
                msg!(
                    "households decide by a SIMPLE majority; owners by ORDINARY or SPECIAL (art. 278)"
                ),
            ));
        }
    };
    if new
        .amount_fen
        .is_some_and(|fen| fen <= 0 || fen > crate::graphql::scalars::MAX_AMOUNT_FEN)
    {
        return Err(AppError::bad_input(
            "input.amount",
            msg!("an amount is above 0 and at most 10^12 yuan"),
        ));
    }
    let now = Utc::now();
    let motion = motion::ActiveModel {
        notice_token_hash: Set(None),
        id: Set(Uuid::now_v7()),
        community_id: Set(meeting.community_id),
        compound_id: Set(meeting.compound_id),
        meeting_id: Set(meeting.id),
        title: Set(clean_name("input.title", &new.title, 200)?),
        body: Set(new.body.trim().chars().take(10_000).collect()),
        electorate: Set(electorate.into()),
        majority: Set(majority.into()),
        hide_results: Set(new.hide_results),
        amount_fen: Set(new.amount_fen),
        status: Set("draft".into()),
        voting_opens_at: Set(None),
        voting_closes_at: Set(None),
        closed_at: Set(None),
        passed: Set(None),
        tally: Set(None),
        notice_from: Set(None),
        notice_until: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(done(motion, place))
}

/// An organiser's motion in the given status.
pub(super) async fn organised(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    status: &str,
) -> AppResult<(motion::Model, Place)> {
    let (motion, place) = visible_motion(conn, viewer, id).await?;
    check_organise(viewer, motion.compound_id, place)?;
    if motion.status != status {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!(
                "the motion is {current}, not {status}",
                current = Term(&motion.status),
                status = Term(status)
            ),
        ));
    }
    Ok((motion, place))
}

/// Opens voting until `closes_at`, fixing the electorate now.
pub async fn open_voting(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    closes_at: DateTime<Utc>,
) -> AppResult<Audited<motion::Model>> {
    let (motion, place) = organised(conn, viewer, id, "draft").await?;
    let now = Utc::now();
    if closes_at <= now || closes_at > now + Duration::days(MAX_WINDOW_DAYS) {
        return Err(AppError::bad_input(
            "input.closesAt",
            msg!(
                "voting closes in the future, within {days} days",
                days = MAX_WINDOW_DAYS
            ),
        ));
    }
    let units = match electorate_of(&motion) {
        Electorate::Owners => match motion.compound_id {
            Some(compound) => electorate::owners(conn, motion.community_id, compound).await?,
            None => Vec::new(),
        },
        Electorate::Households => {
            electorate::households(conn, motion.community_id, motion.compound_id).await?
        }
    };
    if units.iter().all(|u| u.members.is_empty()) {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!(
                "nobody in the compound can vote on this motion: register its residents or owners first"
            ),
        ));
    }
    for unit in units {
        let voter = motion_voter::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(motion.community_id),
            motion_id: Set(motion.id),
            label: Set(unit.label),
            heads: Set(unit.heads),
            area_hundredths: Set(unit.area_hundredths),
            household_id: Set(unit.household_id),
        }
        .insert(conn)
        .await?;
        let members: Vec<motion_voter_member::ActiveModel> = unit
            .members
            .into_iter()
            .map(|resident| motion_voter_member::ActiveModel {
                id: Set(Uuid::now_v7()),
                community_id: Set(motion.community_id),
                motion_id: Set(motion.id),
                voter_id: Set(voter.id),
                resident_id: Set(resident),
            })
            .collect();
        if !members.is_empty() {
            motion_voter_member::Entity::insert_many(members)
                .exec(conn)
                .await?;
        }
    }
    let mut update: motion::ActiveModel = motion.into();
    update.status = Set("voting".into());
    update.voting_opens_at = Set(Some(now));
    update.voting_closes_at = Set(Some(closes_at));
    update.updated_at = Set(now);
    let motion = update.update(conn).await?;
    let opened = voting_notification(EventType::VotingOpened, &motion, json!({}));
    Ok(done(motion, place).with_notifications([opened]))
}

/// A webhook notification about a motion's vote.
fn voting_notification(
    kind: EventType,
    m: &motion::Model,
    extra: serde_json::Value,
) -> Notification {
    let mut facts = json!({
        "motionId": m.id,
        "meetingId": m.meeting_id,
        "title": m.title,
        "electorate": m.electorate,
        "closesAt": m.voting_closes_at,
    });
    if let (serde_json::Value::Object(facts), serde_json::Value::Object(extra)) =
        (&mut facts, extra)
    {
        facts.extend(extra);
    }
    Notification::new(kind, m.community_id, facts).in_place(m.compound_id, None)
}

fn check_window(motion: &motion::Model) -> AppResult<()> {
    let open =
        motion.status == "voting" && motion.voting_closes_at.is_some_and(|at| Utc::now() < at);
    if open {
        Ok(())
    } else {
        Err(AppError::bad_input(
            "input.motionId",
            msg!("voting on this motion is not open"),
        ))
    }
}

/// Writes a unit's ballot, replacing an earlier one: one statement, so two members of a
/// household voting at once leave one ballot (the later), never two.
async fn put_ballot(
    conn: &impl ConnectionTrait,
    motion: &motion::Model,
    voter: Uuid,
    choice: Choice,
    cast_by: Uuid,
    resident: Option<Uuid>,
    paper_reference: Option<String>,
) -> AppResult<()> {
    let now = Utc::now();
    let row = ballot::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(motion.community_id),
        motion_id: Set(motion.id),
        voter_id: Set(voter),
        choice: Set(choice_str(choice).into()),
        cast_by: Set(cast_by),
        resident_id: Set(resident),
        paper_reference: Set(paper_reference),
        created_at: Set(now),
        updated_at: Set(now),
    };
    ballot::Entity::insert(row)
        .on_conflict(
            OnConflict::columns([
                ballot::Column::MotionId,
                ballot::Column::VoterId,
                ballot::Column::CommunityId,
            ])
            .update_columns([
                ballot::Column::Choice,
                ballot::Column::CastBy,
                ballot::Column::ResidentId,
                ballot::Column::PaperReference,
                ballot::Column::UpdatedAt,
            ])
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The caller votes online, for the unit one of their residents belongs to, or as a
/// family contact for the household they answer consultations for.
pub async fn cast(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    choice: Choice,
) -> AppResult<Audited<motion::Model>> {
    let (motion, place) = visible_motion(conn, viewer, id).await?;
    check_window(&motion)?;
    let residents = own_residents(conn, viewer).await?;
    let own = motion_voter_member::Entity::find()
        .filter(motion_voter_member::Column::MotionId.eq(motion.id))
        .filter(motion_voter_member::Column::ResidentId.is_in(residents))
        .one(conn)
        .await?;
    let member = match own {
        Some(member) => Some(member),
        None => crate::registry::family::access::ballot_member(conn, viewer, &motion).await?,
    };
    let member = member.ok_or(AppError::Forbidden(match electorate_of(&motion) {
        Electorate::Owners => {
            msg!("only owners of the compound's dwellings vote on this motion")
        }
        Electorate::Households => msg!("only the compound's households vote on this motion"),
    }))?;
    put_ballot(
        conn,
        &motion,
        member.voter_id,
        choice,
        viewer.user_id,
        Some(member.resident_id),
        None,
    )
    .await?;
    Ok(done(motion, place))
}

/// An organiser records a paper ballot for a voting unit, with the ballot's reference.
pub async fn record_paper(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    voter: Uuid,
    choice: Choice,
    reference: &str,
) -> AppResult<Audited<motion::Model>> {
    let (motion, place) = visible_motion(conn, viewer, id).await?;
    check_organise(viewer, motion.compound_id, place)?;
    check_window(&motion)?;
    let reference = clean_name("input.paperReference", reference, 100)?;
    motion_voter::Entity::find_by_id(voter)
        .filter(motion_voter::Column::MotionId.eq(motion.id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("voter not found")))?;
    put_ballot(
        conn,
        &motion,
        voter,
        choice,
        viewer.user_id,
        None,
        Some(reference),
    )
    .await?;
    Ok(done(motion, place))
}

/// The tally of these voters' ballots under the motion's rule.
pub fn tally_of(
    motion: &motion::Model,
    voters: &[motion_voter::Model],
    ballots: &[ballot::Model],
) -> Tally {
    let cast: std::collections::HashMap<Uuid, Choice> = ballots
        .iter()
        .map(|b| (b.voter_id, parse_choice(&b.choice)))
        .collect();
    let units: Vec<Unit> = voters
        .iter()
        .map(|v| Unit {
            heads: i64::from(v.heads),
            area: v.area_hundredths,
            ballot: cast.get(&v.id).copied(),
        })
        .collect();
    tally::tally(electorate_of(motion), majority_of(motion), &units)
}

/// The tally of the ballots so far.
pub async fn count(conn: &impl ConnectionTrait, motion: &motion::Model) -> AppResult<Tally> {
    let voters = motion_voter::Entity::find()
        .filter(motion_voter::Column::MotionId.eq(motion.id))
        .all(conn)
        .await?;
    let ballots = ballot::Entity::find()
        .filter(ballot::Column::MotionId.eq(motion.id))
        .all(conn)
        .await?;
    Ok(tally_of(motion, &voters, &ballots))
}

/// Closes voting once the window is over and stores the result with its numbers.
pub async fn close(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Audited<motion::Model>> {
    let (motion, place) = organised(conn, viewer, id, "voting").await?;
    let now = Utc::now();
    if motion.voting_closes_at.is_some_and(|at| now < at) {
        return Err(AppError::bad_input(
            "input.motionId",
            msg!("the voting window is still open"),
        ));
    }
    let result = count(conn, &motion).await?;
    let tally = serde_json::to_value(&result).map_err(AppError::internal)?;
    let mut update: motion::ActiveModel = motion.into();
    update.status = Set("closed".into());
    update.closed_at = Set(Some(now));
    update.passed = Set(Some(result.passed));
    update.tally = Set(Some(tally.clone()));
    update.updated_at = Set(now);
    let motion = update.update(conn).await?;
    let closed = voting_notification(
        EventType::VotingClosed,
        &motion,
        json!({"passed": result.passed, "tally": tally}),
    );
    Ok(done(motion, place).with_notifications([closed]))
}

/// A passed resolution of the same compound (or, for a community's fund, of the
/// community's own meetings), for an expense citing it; BAD_USER_INPUT otherwise.
pub async fn passed_resolution(
    conn: &impl ConnectionTrait,
    community: Uuid,
    compound: Option<Uuid>,
    id: Uuid,
) -> AppResult<motion::Model> {
    motion::Entity::find_by_id(id)
        .filter(motion::Column::Passed.eq(true))
        .filter(motion::Column::CommunityId.eq(community))
        .one(conn)
        .await?
        .filter(|m| m.compound_id == compound)
        .ok_or_else(|| {
            AppError::bad_input(
                "input.resolutionId",
                msg!("no passed resolution with this id exists in the compound"),
            )
        })
}
