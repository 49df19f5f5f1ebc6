//! The GraphQL types of motions: a motion with its electorate, ballots, tally, notice and
//! objections, and the caller's permissions; loaded in batches for lists.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{ballot, motion, objection};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    access::{is_organiser, is_staff},
    loaders::{BallotsOf, UnitOf, VotersOf},
    motions::{self, parse_choice},
    tally::{self, Choice, Condition, Counts},
};
use crate::{
    auth::viewer::Place,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        loader::{loader, selects},
        scalars::{Area, Money},
    },
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MotionElectorate {
    /// One ballot per household (consultation).
    Households,
    /// Owners under Civil Code art. 278: heads and floor area.
    Owners,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MotionMajority {
    /// More yes than half the ballots cast (households).
    Simple,
    /// Art. 278 ordinary matters (e.g. using the repair fund): more than 1/2.
    Ordinary,
    /// Art. 278 special matters (raising a fund, rebuilding, common parts): at least 3/4.
    Special,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MotionStatus {
    Draft,
    Voting,
    Closed,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BallotChoice {
    Yes,
    No,
    Abstain,
}

impl From<BallotChoice> for Choice {
    fn from(c: BallotChoice) -> Self {
        match c {
            BallotChoice::Yes => Choice::Yes,
            BallotChoice::No => Choice::No,
            BallotChoice::Abstain => Choice::Abstain,
        }
    }
}

impl From<Choice> for BallotChoice {
    fn from(c: Choice) -> Self {
        match c {
            Choice::Yes => BallotChoice::Yes,
            Choice::No => BallotChoice::No,
            Choice::Abstain => BallotChoice::Abstain,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MotionCondition {
    ParticipationArea,
    ParticipationHeads,
    MajorityArea,
    MajorityHeads,
    MajorityOfBallots,
}

impl From<Condition> for MotionCondition {
    fn from(c: Condition) -> Self {
        match c {
            Condition::ParticipationArea => Self::ParticipationArea,
            Condition::ParticipationHeads => Self::ParticipationHeads,
            Condition::MajorityArea => Self::MajorityArea,
            Condition::MajorityHeads => Self::MajorityHeads,
            Condition::MajorityOfBallots => Self::MajorityOfBallots,
        }
    }
}

/// Heads and floor area.
#[derive(SimpleObject)]
pub struct VoteCount {
    pub heads: i64,
    pub area: Area,
}

impl From<Counts> for VoteCount {
    fn from(c: Counts) -> Self {
        Self {
            heads: c.heads,
            area: Area(c.area),
        }
    }
}

/// A result with the numbers behind it; `final` once voting has closed.
#[derive(SimpleObject)]
pub struct MotionTally {
    pub eligible: VoteCount,
    pub participating: VoteCount,
    pub yes: VoteCount,
    pub no: VoteCount,
    pub abstain: VoteCount,
    pub passed: bool,
    /// The conditions the motion did not meet.
    pub failed: Vec<MotionCondition>,
    #[graphql(name = "final")]
    pub is_final: bool,
}

impl MotionTally {
    fn new(t: tally::Tally, is_final: bool) -> Self {
        Self {
            eligible: t.eligible.into(),
            participating: t.participating.into(),
            yes: t.yes.into(),
            no: t.no.into(),
            abstain: t.abstain.into(),
            passed: t.passed,
            failed: t.failed.into_iter().map(MotionCondition::from).collect(),
            is_final,
        }
    }
}

/// A voting unit: a household, or the dwellings of one owner.
#[derive(SimpleObject)]
pub struct Voter {
    pub id: ID,
    pub label: String,
    pub heads: i32,
    pub area: Area,
    /// Whether a ballot is in (not what it says).
    pub voted: bool,
    pub paper_reference: Option<String>,
    /// Who put the ballot in: the voter, a family contact acting for the household, or
    /// the organiser who recorded it from paper.
    pub cast_by: Option<ID>,
    /// The resident an online ballot speaks for (a family contact's: the one acted for).
    pub cast_for: Option<ID>,
}

#[derive(SimpleObject)]
pub struct MotionObjection {
    pub id: ID,
    pub body: String,
    pub answer: Option<String>,
    pub answered_at: Option<DateTime<Utc>>,
    pub lodged_at: DateTime<Utc>,
}

impl From<objection::Model> for MotionObjection {
    fn from(o: objection::Model) -> Self {
        Self {
            id: o.id.into(),
            body: o.body,
            answer: o.answer,
            answered_at: o.answered_at,
            lodged_at: o.created_at,
        }
    }
}

#[derive(SimpleObject)]
pub struct MotionPermissions {
    pub can_open_voting: bool,
    pub can_record_paper_ballots: bool,
    pub can_close: bool,
    pub can_publish_notice: bool,
    pub can_answer_objections: bool,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Motion {
    pub id: ID,
    pub meeting_id: ID,
    pub compound_id: Option<ID>,
    pub title: String,
    pub body: String,
    pub electorate: MotionElectorate,
    pub majority: MotionMajority,
    pub hide_results: bool,
    /// What it approves spending.
    pub amount: Option<Money>,
    pub status: MotionStatus,
    pub voting_opens_at: Option<DateTime<Utc>>,
    pub voting_closes_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// Set when closed: a passed motion is a resolution.
    pub passed: Option<bool>,
    pub notice_from: Option<DateTime<Utc>>,
    pub notice_until: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub model: motion::Model,
}

impl From<motion::Model> for Motion {
    fn from(m: motion::Model) -> Self {
        Self {
            id: m.id.into(),
            meeting_id: m.meeting_id.into(),
            compound_id: m.compound_id.map(ID::from),
            title: m.title.clone(),
            body: m.body.clone(),
            electorate: match motions::electorate_of(&m) {
                tally::Electorate::Owners => MotionElectorate::Owners,
                tally::Electorate::Households => MotionElectorate::Households,
            },
            majority: match motions::majority_of(&m) {
                tally::Majority::Simple => MotionMajority::Simple,
                tally::Majority::Ordinary => MotionMajority::Ordinary,
                tally::Majority::Special => MotionMajority::Special,
            },
            hide_results: m.hide_results,
            amount: m.amount_fen.map(Money),
            status: match m.status.as_str() {
                "voting" => MotionStatus::Voting,
                "closed" => MotionStatus::Closed,
                _ => MotionStatus::Draft,
            },
            voting_opens_at: m.voting_opens_at,
            voting_closes_at: m.voting_closes_at,
            closed_at: m.closed_at,
            passed: m.passed,
            notice_from: m.notice_from,
            notice_until: m.notice_until,
            model: m,
        }
    }
}

impl Motion {
    fn place(&self) -> Place {
        Place {
            street_office: None,
            community: Some(self.model.community_id),
        }
    }
}

#[ComplexObject]
impl Motion {
    /// The result: final once closed; while voting, the running count unless the motion
    /// hides results until close (then empty, for everyone).
    async fn tally(&self, ctx: &Context<'_>) -> Result<Option<MotionTally>> {
        ctx.viewer()?;
        match self.model.status.as_str() {
            "closed" => {
                let stored: Option<tally::Tally> = self
                    .model
                    .tally
                    .clone()
                    .and_then(|t| serde_json::from_value(t).ok());
                Ok(stored.map(|t| MotionTally::new(t, true)))
            }
            "voting" if !self.model.hide_results => {
                let voters = loader(ctx).load_one(VotersOf(self.model.id)).await?;
                let ballots = loader(ctx).load_one(BallotsOf(self.model.id)).await?;
                let t = motions::tally_of(
                    &self.model,
                    &voters.unwrap_or_default(),
                    &ballots.unwrap_or_default(),
                );
                Ok(Some(MotionTally::new(t, false)))
            }
            _ => Ok(None),
        }
    }

    /// The caller's unit's ballot, if they vote on this motion and it is in.
    async fn my_ballot(&self, ctx: &Context<'_>) -> Result<Option<BallotChoice>> {
        let viewer = ctx.viewer()?;
        let Some(unit) = loader(ctx)
            .load_one(UnitOf(self.model.id, viewer.user_id))
            .await?
        else {
            return Ok(None);
        };
        let ballots = loader(ctx).load_one(BallotsOf(self.model.id)).await?;
        Ok(ballots
            .unwrap_or_default()
            .iter()
            .find(|b| b.voter_id == unit)
            .map(|b| parse_choice(&b.choice).into()))
    }

    /// The electorate (organisers: to record paper ballots and follow turnout).
    async fn voters(&self, ctx: &Context<'_>) -> Result<Vec<Voter>> {
        let viewer = ctx.viewer()?;
        if !is_organiser(viewer, self.model.compound_id, self.place()) {
            return Err(AppError::Forbidden(msg!("only organisers see the electorate")).into());
        }
        let ballots: std::collections::HashMap<uuid::Uuid, ballot::Model> = loader(ctx)
            .load_one(BallotsOf(self.model.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|b| (b.voter_id, b))
            .collect();
        Ok(loader(ctx)
            .load_one(VotersOf(self.model.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(|v| Voter {
                voted: ballots.contains_key(&v.id),
                paper_reference: ballots.get(&v.id).and_then(|b| b.paper_reference.clone()),
                cast_by: ballots.get(&v.id).map(|b| b.cast_by.into()),
                cast_for: ballots.get(&v.id).and_then(|b| b.resident_id).map(ID::from),
                id: v.id.into(),
                label: v.label,
                heads: v.heads,
                area: Area(v.area_hundredths),
            })
            .collect())
    }

    /// Objections to the resolution: staff see all, a resident their own.
    async fn objections(&self, ctx: &Context<'_>) -> Result<Vec<MotionObjection>> {
        let viewer = ctx.viewer()?;
        let mut select =
            objection::Entity::find().filter(objection::Column::MotionId.eq(self.model.id));
        if !is_staff(viewer, self.place()) {
            select = select.filter(objection::Column::AuthorId.eq(viewer.user_id));
        }
        Ok(select
            .order_by_asc(objection::Column::Id)
            .all(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(MotionObjection::from)
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<MotionPermissions> {
        let viewer = ctx.viewer()?;
        let organiser = is_organiser(viewer, self.model.compound_id, self.place());
        let status = self.model.status.as_str();
        let window_over = self
            .model
            .voting_closes_at
            .is_some_and(|at| at <= Utc::now());
        Ok(MotionPermissions {
            can_open_voting: organiser && status == "draft",
            can_record_paper_ballots: organiser && status == "voting" && !window_over,
            can_close: organiser && status == "voting" && window_over,
            can_publish_notice: organiser && self.model.passed == Some(true),
            can_answer_objections: is_staff(viewer, self.place()),
        })
    }
}

/// Loads what the query selects below `path` for all these motions at once.
pub async fn prime_motions(ctx: &Context<'_>, ids: &[uuid::Uuid], path: &[&str]) -> Result<()> {
    let below = |field: &str| {
        let mut full = path.to_vec();
        full.push(field);
        selects(ctx, &full)
    };
    if below("tally") || below("voters") {
        loader(ctx)
            .load_many(ids.iter().map(|id| VotersOf(*id)))
            .await?;
    }
    if below("tally") || below("voters") || below("myBallot") {
        loader(ctx)
            .load_many(ids.iter().map(|id| BallotsOf(*id)))
            .await?;
    }
    if below("myBallot") {
        let user = ctx.viewer()?.user_id;
        loader(ctx)
            .load_many(ids.iter().map(|id| UnitOf(*id, user)))
            .await?;
    }
    Ok(())
}
