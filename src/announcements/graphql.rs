//! GraphQL for announcements and their read receipts.

use async_graphql::{ComplexObject, Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::announcement;
use serde_json::json;

use super::service::{self, NewAnnouncement, Reader};
use crate::{
    audit::audited_write,
    error::{AppError, msg},
    graphql::{
        ContextExt,
        pagination::{Order, Page, PageArgs, ordered_page},
        parse_id,
    },
};

/// How far an announcement has got: for staff.
#[derive(SimpleObject)]
pub struct AnnouncementReach {
    pub households: i64,
    pub households_read: i64,
    /// Building, unit and room of the households that have not read it, for a visit.
    pub unread: Vec<String>,
}

#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Announcement {
    pub id: ID,
    pub community_id: ID,
    pub compound_id: Option<ID>,
    pub building_ids: Vec<ID>,
    pub urgent: bool,
    pub title: String,
    pub body: String,
    pub valid_until: DateTime<Utc>,
    pub published_at: DateTime<Utc>,
    #[graphql(skip)]
    pub model: announcement::Model,
}

impl From<announcement::Model> for Announcement {
    fn from(a: announcement::Model) -> Self {
        Self {
            id: a.id.into(),
            community_id: a.community_id.into(),
            compound_id: a.compound_id.map(ID::from),
            building_ids: a
                .building_ids
                .as_array()
                .map(|ids| {
                    ids.iter()
                        .filter_map(|v| v.as_str().map(|s| ID(s.to_owned())))
                        .collect()
                })
                .unwrap_or_default(),
            urgent: a.kind == "urgent",
            title: a.title.clone(),
            body: a.body.clone(),
            valid_until: a.valid_until,
            published_at: a.created_at,
            model: a,
        }
    }
}

#[ComplexObject]
impl Announcement {
    /// Who it reached and who has not read it: every household for community staff, the
    /// households of their grids for a grid worker, the household they act for for a
    /// family contact who receives its notices.
    async fn reach(&self, ctx: &Context<'_>) -> Result<AnnouncementReach> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (_, _, reader) = service::visible_announcement(db, viewer, self.model.id).await?;
        if reader == Reader::Resident {
            return Err(AppError::Forbidden(msg!(
                "only community staff and grid workers see who has read it"
            ))
            .into());
        }
        let audience = service::audience(db, &self.model).await?;
        let followed: Vec<_> = audience
            .into_iter()
            .filter(|(household, home)| reader.follows(*household, home.building))
            .collect();
        let read = service::read_by(db, self.model.id).await?;
        let mut unread: Vec<String> = followed
            .iter()
            .filter(|(h, _)| !read.contains(h))
            .map(|(_, home)| home.label.clone())
            .collect();
        unread.sort();
        Ok(AnnouncementReach {
            households: followed.len() as i64,
            households_read: followed.iter().filter(|(h, _)| read.contains(h)).count() as i64,
            unread,
        })
    }
}

#[derive(Default)]
pub struct AnnouncementQuery;

#[Object]
impl AnnouncementQuery {
    /// A community's announcements, newest first: all for its staff; for a grid worker,
    /// those that reach their grids; for a resident, the valid ones that reach their
    /// household.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn announcements(
        &self,
        ctx: &Context<'_>,
        community_id: ID,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<Page<Announcement>> {
        let viewer = ctx.viewer()?;
        let args = PageArgs::new(first, after)?;
        let community = parse_id("communityId", &community_id)?;
        let db = ctx.services().db.reader();
        let (select, keep) = service::listing(db, viewer, community).await?;
        let order = Order::NewestFirst(announcement::Column::Id);
        Ok(ordered_page(db, select, order, keep, args, |a| Ok(a.into())).await?)
    }

    pub async fn announcement(&self, ctx: &Context<'_>, id: ID) -> Result<Announcement> {
        let viewer = ctx.viewer()?;
        let (a, _, _) =
            service::visible_announcement(ctx.services().db.reader(), viewer, parse_id("id", &id)?)
                .await?;
        Ok(a.into())
    }
}

#[derive(InputObject)]
pub struct PublishAnnouncementInput {
    pub community_id: ID,
    /// Only this compound; with `buildingIds`, only those buildings.
    pub compound_id: Option<ID>,
    #[graphql(default)]
    pub building_ids: Vec<ID>,
    /// 停水停电, anti-fraud warnings: staff follow up who has not read it.
    #[graphql(default)]
    pub urgent: bool,
    pub title: String,
    pub body: String,
    pub valid_until: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct AnnouncementPayload {
    pub announcement: Announcement,
}

#[derive(Default)]
pub struct AnnouncementMutation;

#[Object]
impl AnnouncementMutation {
    /// Community staff publish an announcement.
    async fn publish_announcement(
        &self,
        ctx: &Context<'_>,
        input: PublishAnnouncementInput,
    ) -> Result<AnnouncementPayload> {
        let audit = json!({ "communityId": input.community_id.as_str(), "compoundId": input.compound_id.as_ref().map(|i| i.as_str()), "buildings": input.building_ids.len(), "urgent": input.urgent, "title": input.title });
        let community = parse_id("input.communityId", &input.community_id);
        let compound = input
            .compound_id
            .as_ref()
            .map(|c| parse_id("input.compoundId", c))
            .transpose();
        let buildings: Result<Vec<uuid::Uuid>, AppError> = input
            .building_ids
            .iter()
            .map(|b| parse_id("input.buildingIds", b))
            .collect();
        let (urgent, title, body, valid_until) =
            (input.urgent, input.title, input.body, input.valid_until);
        let a = audited_write(ctx, "publishAnnouncement", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewAnnouncement {
                    community_id: community?,
                    compound_id: compound?,
                    building_ids: buildings?,
                    urgent,
                    title,
                    body,
                    valid_until,
                };
                service::publish(txn, viewer, new).await
            })
        })
        .await?;
        Ok(AnnouncementPayload {
            announcement: a.into(),
        })
    }

    /// A resident marks an announcement read for their household.
    async fn mark_announcement_read(
        &self,
        ctx: &Context<'_>,
        id: ID,
    ) -> Result<AnnouncementPayload> {
        let audit = json!({ "announcementId": id.as_str() });
        let parsed = parse_id("id", &id);
        let a = audited_write(ctx, "markAnnouncementRead", audit, move |txn, viewer| {
            Box::pin(async move { service::mark_read(txn, viewer, parsed?).await })
        })
        .await?;
        Ok(AnnouncementPayload {
            announcement: a.into(),
        })
    }
}
