//! The GraphQL types of meetings: a meeting with its agenda, attendance, minutes, motions
//! and the caller's permissions.

use async_graphql::{ComplexObject, Context, Enum, ID, InputObject, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{meeting, meeting_minutes};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::{
    access::{is_organiser, is_staff},
    loaders::{AgendaOf, AttendanceOf, LatestMinutesOf, MotionsOf},
    motion_types::{Motion, prime_motions},
    service::{self},
};
use crate::{
    auth::viewer::Place,
    error::{AppError, AppResult},
    graphql::{ContextExt, StoredEnum, loader::loader, scalars::Area},
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingKind {
    /// 板凳议事: residents deliberate in the courtyard.
    Bench,
    Committee,
    /// 业主大会
    Assembly,
}

impl MeetingKind {
    pub fn as_str(self) -> &'static str {
        service::KINDS[self as usize]
    }

    fn parse(s: &str) -> Self {
        match s {
            "committee" => Self::Committee,
            "assembly" => Self::Assembly,
            _ => Self::Bench,
        }
    }
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingStatus {
    Scheduled,
    Open,
    Closed,
    Cancelled,
}

#[derive(SimpleObject)]
pub struct AgendaItem {
    pub position: i32,
    pub title: String,
    pub notes: String,
    /// What raised the topic, e.g. `{kind: REQUEST, targetId}`.
    pub refs: Vec<AgendaRef>,
}

#[derive(SimpleObject, InputObject)]
#[graphql(input_name = "AgendaRefInput")]
pub struct AgendaRef {
    pub kind: AgendaRefKind,
    /// The cited object's ID (not this reference's own: Relay keys records by `id`).
    pub target_id: ID,
}

/// What an agenda item cites: the type of the object `targetId` names.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgendaRefKind {
    /// A resident's request (诉求).
    Request,
    Motion,
    Meeting,
    MediationCase,
    Expense,
}

impl StoredEnum for AgendaRefKind {
    fn stored(self) -> &'static str {
        match self {
            Self::Request => "request",
            Self::Motion => "motion",
            Self::Meeting => "meeting",
            Self::MediationCase => "mediation_case",
            Self::Expense => "expense",
        }
    }
}

#[derive(SimpleObject)]
pub struct MeetingAttendance {
    pub people: i64,
    pub households: i64,
    /// The floor area of the attending households' dwellings.
    pub area: Area,
}

#[derive(SimpleObject)]
pub struct Minutes {
    pub version: i32,
    pub body: String,
    pub written_by: ID,
    pub written_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct MeetingPermissions {
    pub can_organise: bool,
    pub can_sign_in_others: bool,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Meeting {
    pub id: ID,
    pub community_id: ID,
    /// Empty for a meeting of the whole community.
    pub compound_id: Option<ID>,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
    pub status: MeetingStatus,
    pub cancel_reason: Option<String>,
    pub minutes_published_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub model: meeting::Model,
}

impl From<meeting::Model> for Meeting {
    fn from(m: meeting::Model) -> Self {
        Self {
            id: m.id.into(),
            community_id: m.community_id.into(),
            compound_id: m.compound_id.map(ID::from),
            kind: MeetingKind::parse(&m.kind),
            title: m.title.clone(),
            starts_at: m.starts_at,
            place: m.place.clone(),
            status: match m.status.as_str() {
                "open" => MeetingStatus::Open,
                "closed" => MeetingStatus::Closed,
                "cancelled" => MeetingStatus::Cancelled,
                _ => MeetingStatus::Scheduled,
            },
            cancel_reason: m.cancel_reason.clone(),
            minutes_published_at: m.minutes_published_at,
            model: m,
        }
    }
}

impl Meeting {
    fn organiser(&self, ctx: &Context<'_>) -> Result<(Place, bool)> {
        let viewer = ctx.viewer()?;
        let place = Place {
            street_office: None,
            community: Some(self.model.community_id),
        };
        Ok((place, is_organiser(viewer, self.model.compound_id, place)))
    }
}

#[ComplexObject]
impl Meeting {
    async fn agenda(&self, ctx: &Context<'_>) -> Result<Vec<AgendaItem>> {
        ctx.viewer()?;
        let items = loader(ctx).load_one(AgendaOf(self.model.id)).await?;
        let agenda_ref = |r: &serde_json::Value| -> AppResult<AgendaRef> {
            Ok(AgendaRef {
                kind: AgendaRefKind::from_stored(r["kind"].as_str().unwrap_or_default())?,
                target_id: ID(r["id"].as_str().unwrap_or_default().to_owned()),
            })
        };
        Ok(items
            .unwrap_or_default()
            .into_iter()
            .map(|i| {
                let refs = i.refs.as_array().cloned().unwrap_or_default();
                Ok(AgendaItem {
                    position: i.position,
                    title: i.title,
                    notes: i.notes,
                    refs: refs.iter().map(agenda_ref).collect::<AppResult<_>>()?,
                })
            })
            .collect::<AppResult<_>>()?)
    }

    async fn attendance(&self, ctx: &Context<'_>) -> Result<MeetingAttendance> {
        ctx.viewer()?;
        let a = loader(ctx)
            .load_one(AttendanceOf(self.model.id))
            .await?
            .unwrap_or_default();
        Ok(MeetingAttendance {
            people: a.people,
            households: a.households,
            area: Area(a.area_hundredths),
        })
    }

    /// The latest minutes: for organisers always, for residents once published.
    async fn minutes(&self, ctx: &Context<'_>) -> Result<Option<Minutes>> {
        let (_, organiser) = self.organiser(ctx)?;
        if !organiser && self.model.minutes_published_at.is_none() {
            return Ok(None);
        }
        let latest = loader(ctx).load_one(LatestMinutesOf(self.model.id)).await?;
        Ok(latest.map(minutes))
    }

    /// Every version of the minutes, oldest first (organisers; residents once published).
    async fn minutes_history(&self, ctx: &Context<'_>) -> Result<Vec<Minutes>> {
        let (_, organiser) = self.organiser(ctx)?;
        if !organiser && self.model.minutes_published_at.is_none() {
            return Ok(Vec::new());
        }
        Ok(meeting_minutes::Entity::find()
            .filter(meeting_minutes::Column::MeetingId.eq(self.model.id))
            .order_by_asc(meeting_minutes::Column::Version)
            .all(ctx.services().db.reader())
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(minutes)
            .collect())
    }

    async fn motions(&self, ctx: &Context<'_>) -> Result<Vec<Motion>> {
        ctx.viewer()?;
        let motions = loader(ctx)
            .load_one(MotionsOf(self.model.id))
            .await?
            .unwrap_or_default();
        let ids: Vec<uuid::Uuid> = motions.iter().map(|m| m.id).collect();
        prime_motions(ctx, &ids, &[]).await?;
        Ok(motions.into_iter().map(Motion::from).collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<MeetingPermissions> {
        let viewer = ctx.viewer()?;
        let (place, organiser) = self.organiser(ctx)?;
        Ok(MeetingPermissions {
            can_organise: organiser,
            can_sign_in_others: organiser || is_staff(viewer, place),
        })
    }
}

fn minutes(m: meeting_minutes::Model) -> Minutes {
    Minutes {
        version: m.version,
        body: m.body,
        written_by: m.written_by.into(),
        written_at: m.created_at,
    }
}
