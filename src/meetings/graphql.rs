//! GraphQL for meetings: scheduling, their course, agenda, sign-in and minutes.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::meeting;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Select};
use serde_json::json;

use super::{
    access::{meeting_place, readable_compound, visible_meeting},
    loaders::{AgendaOf, AttendanceOf, LatestMinutesOf, MotionsOf},
    meeting_types::{AgendaRef, Meeting, MeetingKind},
    motion_types::prime_motions,
    service::{self, NewMeeting, Step},
};
use crate::{
    audit::audited_write,
    error::{AppError, msg},
    graphql::{
        ContextExt, StoredEnum,
        loader::{loader, page_selects},
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
};

#[derive(Default)]
pub struct MeetingQuery;

#[Object]
impl MeetingQuery {
    pub async fn meeting(&self, ctx: &Context<'_>, id: ID) -> Result<Meeting> {
        let viewer = ctx.viewer()?;
        let (meeting, _) =
            visible_meeting(ctx.services().db.reader(), viewer, parse_id("id", &id)?).await?;
        Ok(meeting.into())
    }

    /// A compound's meetings, latest first (by when they start).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn meetings_of_compound(
        &self,
        ctx: &Context<'_>,
        compound_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Meeting>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let (compound, _) = readable_compound(
            db,
            viewer,
            parse_id("compoundId", &compound_id)?,
            msg!("compound not found"),
        )
        .await?;
        let select = meeting::Entity::find().filter(meeting::Column::CompoundId.eq(compound.id));
        Self::page(ctx, select, args).await
    }

    /// The meetings of a whole community (not those of its compounds), latest first (by
    /// when they start).
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn community_meetings(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Meeting>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let db = ctx.services().db.reader();
        let community = parse_id("communityId", &community_id)?;
        meeting_place(db, viewer, community, None, msg!("community not found")).await?;
        let select = meeting::Entity::find()
            .filter(meeting::Column::CommunityId.eq(community))
            .filter(meeting::Column::CompoundId.is_null());
        Self::page(ctx, select, args).await
    }
}

impl MeetingQuery {
    /// One page of meetings, with what the query selects of them primed in one batch each.
    async fn page(
        ctx: &Context<'_>,
        select: Select<meeting::Entity>,
        args: PageArgs,
    ) -> Result<Page<Meeting>> {
        let order = Order::LatestBy {
            at: meeting::Column::StartsAt,
            id: meeting::Column::Id,
        };
        let db = ctx.services().db.reader();
        let page = ordered_page(db, select, order, None, args, |m| Ok(Meeting::from(m))).await?;
        let ids = || page.edges.iter().map(|e| e.node.model.id);
        if page_selects(ctx, &["agenda"]) {
            loader(ctx).load_many(ids().map(AgendaOf)).await?;
        }
        if page_selects(ctx, &["attendance"]) {
            loader(ctx).load_many(ids().map(AttendanceOf)).await?;
        }
        if page_selects(ctx, &["minutes"]) {
            loader(ctx).load_many(ids().map(LatestMinutesOf)).await?;
        }
        if page_selects(ctx, &["motions"]) {
            let motions = loader(ctx).load_many(ids().map(MotionsOf)).await?;
            let motion_ids: Vec<uuid::Uuid> = motions.values().flatten().map(|m| m.id).collect();
            prime_motions(ctx, &motion_ids, &["edges", "node", "motions"]).await?;
        }
        Ok(page)
    }
}

#[derive(InputObject)]
pub struct ScheduleMeetingInput {
    /// A compound's meeting; or give `communityId` for a meeting of the whole community.
    pub compound_id: Option<ID>,
    pub community_id: Option<ID>,
    pub kind: MeetingKind,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
}

#[derive(InputObject)]
pub struct MeetingStepInput {
    pub meeting_id: ID,
    /// Required to cancel.
    #[graphql(default)]
    pub reason: String,
}

#[derive(InputObject)]
pub struct AddAgendaItemInput {
    pub meeting_id: ID,
    pub title: String,
    #[graphql(default)]
    pub notes: String,
    #[graphql(default)]
    pub refs: Vec<AgendaRef>,
}

#[derive(InputObject)]
pub struct SignInInput {
    pub meeting_id: ID,
}

#[derive(InputObject)]
pub struct SignInOnBehalfInput {
    pub meeting_id: ID,
    pub resident_id: ID,
}

#[derive(InputObject)]
pub struct WriteMinutesInput {
    pub meeting_id: ID,
    pub body: String,
}

#[derive(SimpleObject)]
pub struct MeetingPayload {
    pub meeting: Meeting,
}

#[derive(Default)]
pub struct MeetingMutation;

async fn step(ctx: &Context<'_>, input: MeetingStepInput, step: Step) -> Result<MeetingPayload> {
    let name = match step {
        Step::Open => "openMeeting",
        Step::Close => "closeMeeting",
        Step::Cancel => "cancelMeeting",
    };
    let audit = json!({ "meetingId": input.meeting_id.as_str(), "reason": input.reason });
    let id = parse_id("input.meetingId", &input.meeting_id);
    let reason = input.reason;
    let meeting = audited_write(ctx, name, audit, move |txn, viewer| {
        Box::pin(async move { service::advance(txn, viewer, id?, step, &reason).await })
    })
    .await?;
    Ok(MeetingPayload {
        meeting: meeting.into(),
    })
}

#[Object]
impl MeetingMutation {
    /// Committee members or community staff schedule a meeting of a compound; staff also of
    /// the whole community.
    async fn schedule_meeting(
        &self,
        ctx: &Context<'_>,
        input: ScheduleMeetingInput,
    ) -> Result<MeetingPayload> {
        let audit = json!({ "compoundId": input.compound_id.as_ref().map(|i| i.as_str()), "communityId": input.community_id.as_ref().map(|i| i.as_str()), "kind": input.kind.as_str(), "title": input.title, "startsAt": input.starts_at, "place": input.place });
        let compound = input
            .compound_id
            .as_ref()
            .map(|i| parse_id("input.compoundId", i))
            .transpose();
        let community = input
            .community_id
            .as_ref()
            .map(|i| parse_id("input.communityId", i))
            .transpose();
        let (kind, title, starts_at, place) = (
            input.kind.as_str(),
            input.title,
            input.starts_at,
            input.place,
        );
        let meeting = audited_write(ctx, "scheduleMeeting", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewMeeting {
                    compound_id: compound?,
                    community_id: community?,
                    kind,
                    title,
                    starts_at,
                    place,
                };
                service::schedule(txn, viewer, new).await
            })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }

    async fn open_meeting(
        &self,
        ctx: &Context<'_>,
        input: MeetingStepInput,
    ) -> Result<MeetingPayload> {
        step(ctx, input, Step::Open).await
    }

    async fn close_meeting(
        &self,
        ctx: &Context<'_>,
        input: MeetingStepInput,
    ) -> Result<MeetingPayload> {
        step(ctx, input, Step::Close).await
    }

    async fn cancel_meeting(
        &self,
        ctx: &Context<'_>,
        input: MeetingStepInput,
    ) -> Result<MeetingPayload> {
        step(ctx, input, Step::Cancel).await
    }

    async fn add_agenda_item(
        &self,
        ctx: &Context<'_>,
        input: AddAgendaItemInput,
    ) -> Result<MeetingPayload> {
        let audit = json!({ "meetingId": input.meeting_id.as_str(), "title": input.title, "refs": input.refs.len() });
        let id = parse_id("input.meetingId", &input.meeting_id);
        let refs: Result<Vec<(String, uuid::Uuid)>, AppError> = input
            .refs
            .iter()
            .map(|r| {
                Ok((
                    r.kind.stored().to_owned(),
                    parse_id("input.refs", &r.target_id)?,
                ))
            })
            .collect();
        let (title, notes) = (input.title, input.notes);
        let meeting = audited_write(ctx, "addAgendaItem", audit, move |txn, viewer| {
            Box::pin(async move {
                service::add_agenda_item(txn, viewer, id?, &title, &notes, refs?).await
            })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }

    /// A resident of the compound signs in at an open meeting.
    async fn sign_in_to_meeting(
        &self,
        ctx: &Context<'_>,
        input: SignInInput,
    ) -> Result<MeetingPayload> {
        let audit = json!({ "meetingId": input.meeting_id.as_str() });
        let id = parse_id("input.meetingId", &input.meeting_id);
        let meeting = audited_write(ctx, "signInToMeeting", audit, move |txn, viewer| {
            Box::pin(async move { service::sign_in(txn, viewer, id?, None).await })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }

    /// An organiser signs in a resident who has no phone (audited).
    async fn sign_in_on_behalf(
        &self,
        ctx: &Context<'_>,
        input: SignInOnBehalfInput,
    ) -> Result<MeetingPayload> {
        let audit = json!({ "meetingId": input.meeting_id.as_str(), "residentId": input.resident_id.as_str() });
        let id = parse_id("input.meetingId", &input.meeting_id);
        let resident = parse_id("input.residentId", &input.resident_id);
        let meeting = audited_write(ctx, "signInOnBehalf", audit, move |txn, viewer| {
            Box::pin(async move { service::sign_in(txn, viewer, id?, Some(resident?)).await })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }

    /// The secretary (or staff) writes the minutes; every edit is a new version.
    async fn write_minutes(
        &self,
        ctx: &Context<'_>,
        input: WriteMinutesInput,
    ) -> Result<MeetingPayload> {
        let audit =
            json!({ "meetingId": input.meeting_id.as_str(), "chars": input.body.chars().count() });
        let id = parse_id("input.meetingId", &input.meeting_id);
        let body = input.body;
        let meeting = audited_write(ctx, "writeMinutes", audit, move |txn, viewer| {
            Box::pin(async move { service::write_minutes(txn, viewer, id?, &body).await })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }

    /// Publishes the minutes of a closed meeting to the compound's residents.
    async fn publish_minutes(&self, ctx: &Context<'_>, meeting_id: ID) -> Result<MeetingPayload> {
        let audit = json!({ "meetingId": meeting_id.as_str() });
        let id = parse_id("meetingId", &meeting_id);
        let meeting = audited_write(ctx, "publishMinutes", audit, move |txn, viewer| {
            Box::pin(async move { service::publish_minutes(txn, viewer, id?).await })
        })
        .await?;
        Ok(MeetingPayload {
            meeting: meeting.into(),
        })
    }
}
