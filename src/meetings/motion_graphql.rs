//! GraphQL for motions, ballots, results, public notice and objections.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::motion;
use serde_json::json;

use super::{
    motion_types::{BallotChoice, Motion, MotionElectorate, MotionMajority, MotionObjection},
    motions::{self, NewMotion},
    notice,
    tally::{self},
};
use crate::{
    audit::audited_write,
    graphql::{ContextExt, parse_id, scalars::Money},
};

#[derive(Default)]
pub struct MotionQuery;

#[Object]
impl MotionQuery {
    pub async fn motion(&self, ctx: &Context<'_>, id: ID) -> Result<Motion> {
        let viewer = ctx.viewer()?;
        let (motion, _) =
            motions::visible_motion(ctx.services().db.reader(), viewer, parse_id("id", &id)?)
                .await?;
        Ok(motion.into())
    }
}

#[derive(InputObject)]
pub struct ProposeMotionInput {
    pub meeting_id: ID,
    pub title: String,
    #[graphql(default)]
    pub body: String,
    pub electorate: MotionElectorate,
    pub majority: MotionMajority,
    /// Keep the count hidden until voting closes.
    #[graphql(default = false)]
    pub hide_results: bool,
    /// What the motion approves spending: passed, the expenses citing it may not add up
    /// to more.
    pub amount: Option<Money>,
}

#[derive(InputObject)]
pub struct OpenVotingInput {
    pub motion_id: ID,
    /// The window may outlast the meeting: paper and online ballots over days.
    pub closes_at: DateTime<Utc>,
}

#[derive(InputObject)]
pub struct CastBallotInput {
    pub motion_id: ID,
    pub choice: BallotChoice,
}

#[derive(InputObject)]
pub struct RecordPaperBallotInput {
    pub motion_id: ID,
    /// A voting unit from `Motion.voters`.
    pub voter_id: ID,
    pub choice: BallotChoice,
    /// The paper ballot's number or reference, to find it again.
    pub paper_reference: String,
}

#[derive(InputObject)]
pub struct PublishNoticeInput {
    pub motion_id: ID,
    /// Default: the committee's notice days.
    pub days: Option<i32>,
}

#[derive(InputObject)]
pub struct LodgeObjectionInput {
    pub motion_id: ID,
    pub body: String,
}

#[derive(InputObject)]
pub struct AnswerObjectionInput {
    pub objection_id: ID,
    pub answer: String,
}

#[derive(SimpleObject)]
pub struct MotionPayload {
    pub motion: Motion,
}

#[derive(SimpleObject)]
pub struct ResolutionNoticePayload {
    pub motion: Motion,
    /// Shown once: the token of the notice's public page.
    pub share_token: String,
    /// The public page (公示) to share or print: the motion, its exact tally, the notice
    /// period and how to object; its QR code is at `{link}/qr.svg`.
    pub link: String,
}

#[derive(SimpleObject)]
pub struct ObjectionPayload {
    pub objection: MotionObjection,
}

#[derive(Default)]
pub struct MotionMutation;

fn payload(m: motion::Model) -> MotionPayload {
    MotionPayload { motion: m.into() }
}

#[Object]
impl MotionMutation {
    /// An organiser proposes a motion at a meeting.
    async fn propose_motion(
        &self,
        ctx: &Context<'_>,
        input: ProposeMotionInput,
    ) -> Result<MotionPayload> {
        let audit = json!({ "meetingId": input.meeting_id.as_str(), "title": input.title, "electorate": format!("{:?}", input.electorate), "majority": format!("{:?}", input.majority), "hideResults": input.hide_results, "amount": input.amount.map(|m| m.0) });
        let meeting = parse_id("input.meetingId", &input.meeting_id);
        let new = move |meeting_id| NewMotion {
            meeting_id,
            title: input.title,
            body: input.body,
            electorate: match input.electorate {
                MotionElectorate::Households => tally::Electorate::Households,
                MotionElectorate::Owners => tally::Electorate::Owners,
            },
            majority: match input.majority {
                MotionMajority::Simple => tally::Majority::Simple,
                MotionMajority::Ordinary => tally::Majority::Ordinary,
                MotionMajority::Special => tally::Majority::Special,
            },
            hide_results: input.hide_results,
            amount_fen: input.amount.map(|m| m.0),
        };
        let motion = audited_write(ctx, "proposeMotion", audit, move |txn, viewer| {
            Box::pin(async move { motions::create(txn, viewer, new(meeting?)).await })
        })
        .await?;
        Ok(payload(motion))
    }

    /// Opens voting, fixing the electorate.
    async fn open_voting(
        &self,
        ctx: &Context<'_>,
        input: OpenVotingInput,
    ) -> Result<MotionPayload> {
        let audit = json!({ "motionId": input.motion_id.as_str(), "closesAt": input.closes_at });
        let id = parse_id("input.motionId", &input.motion_id);
        let closes_at = input.closes_at;
        let motion = audited_write(ctx, "openVoting", audit, move |txn, viewer| {
            Box::pin(async move { motions::open_voting(txn, viewer, id?, closes_at).await })
        })
        .await?;
        Ok(payload(motion))
    }

    /// The caller votes for their household or their dwellings; again to change it.
    async fn cast_ballot(
        &self,
        ctx: &Context<'_>,
        input: CastBallotInput,
    ) -> Result<MotionPayload> {
        // The choice is not recorded in the audit log: a ballot is secret from the log.
        let audit = json!({ "motionId": input.motion_id.as_str() });
        let id = parse_id("input.motionId", &input.motion_id);
        let choice = input.choice.into();
        let motion = audited_write(ctx, "castBallot", audit, move |txn, viewer| {
            Box::pin(async move { motions::cast(txn, viewer, id?, choice).await })
        })
        .await?;
        Ok(payload(motion))
    }

    /// An organiser records a paper ballot (audited, with its reference).
    async fn record_paper_ballot(
        &self,
        ctx: &Context<'_>,
        input: RecordPaperBallotInput,
    ) -> Result<MotionPayload> {
        let audit = json!({ "motionId": input.motion_id.as_str(), "voterId": input.voter_id.as_str(), "paperReference": input.paper_reference });
        let id = parse_id("input.motionId", &input.motion_id);
        let voter = parse_id("input.voterId", &input.voter_id);
        let (choice, reference) = (input.choice.into(), input.paper_reference);
        let motion = audited_write(ctx, "recordPaperBallot", audit, move |txn, viewer| {
            Box::pin(async move {
                motions::record_paper(txn, viewer, id?, voter?, choice, &reference).await
            })
        })
        .await?;
        Ok(payload(motion))
    }

    /// Closes voting after the window and stores the exact result.
    async fn close_voting(&self, ctx: &Context<'_>, motion_id: ID) -> Result<MotionPayload> {
        let audit = json!({ "motionId": motion_id.as_str() });
        let id = parse_id("motionId", &motion_id);
        let motion = audited_write(ctx, "closeVoting", audit, move |txn, viewer| {
            Box::pin(async move { motions::close(txn, viewer, id?).await })
        })
        .await?;
        Ok(payload(motion))
    }

    /// Puts a resolution on public notice (公示).
    async fn publish_resolution_notice(
        &self,
        ctx: &Context<'_>,
        input: PublishNoticeInput,
    ) -> Result<ResolutionNoticePayload> {
        let audit = json!({ "motionId": input.motion_id.as_str(), "days": input.days });
        let id = parse_id("input.motionId", &input.motion_id);
        let days = input.days;
        let (motion, token) =
            audited_write(ctx, "publishResolutionNotice", audit, move |txn, viewer| {
                Box::pin(async move { notice::publish_notice(txn, viewer, id?, days).await })
            })
            .await?;
        Ok(ResolutionNoticePayload {
            motion: motion.into(),
            link: ctx.public_base().resolution(&token),
            share_token: token,
        })
    }

    /// A resident of the compound objects to a resolution on notice.
    async fn lodge_objection(
        &self,
        ctx: &Context<'_>,
        input: LodgeObjectionInput,
    ) -> Result<ObjectionPayload> {
        let audit = json!({ "motionId": input.motion_id.as_str() });
        let id = parse_id("input.motionId", &input.motion_id);
        let body = input.body;
        let objection = audited_write(ctx, "lodgeObjection", audit, move |txn, viewer| {
            Box::pin(async move { notice::lodge_objection(txn, viewer, id?, &body).await })
        })
        .await?;
        Ok(ObjectionPayload {
            objection: objection.into(),
        })
    }

    /// Community staff answer an objection.
    async fn answer_objection(
        &self,
        ctx: &Context<'_>,
        input: AnswerObjectionInput,
    ) -> Result<ObjectionPayload> {
        let audit = json!({ "objectionId": input.objection_id.as_str() });
        let id = parse_id("input.objectionId", &input.objection_id);
        let answer = input.answer;
        let objection = audited_write(ctx, "answerObjection", audit, move |txn, viewer| {
            Box::pin(async move { notice::answer_objection(txn, viewer, id?, &answer).await })
        })
        .await?;
        Ok(ObjectionPayload {
            objection: objection.into(),
        })
    }
}
