//! The GraphQL types of committees: a committee with its settings, positions and
//! permissions, and the compound's contact card.

use std::collections::HashMap;

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{building, committee, committee_position, resident};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::positions::in_force_at;
use crate::{
    auth::Capability,
    error::AppError,
    graphql::{
        ContextExt,
        scalars::{Date, Money},
    },
    tenancy::visible_compound_at,
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::committee_position::Position")]
pub enum Position {
    Director,
    DeputyDirector,
    Secretary,
    Treasurer,
    Member,
    BuildingLeader,
    PartyLiaison,
}

/// The defaults the compound's funds start from (a fund may override them).
#[derive(SimpleObject)]
pub struct CommitteeSettings {
    /// Approvals an expense needs, from members other than its author.
    pub approvals_required: i32,
    /// Expenses above this need a passed resolution; empty: none do.
    pub resolution_threshold: Option<Money>,
    /// Default public-notice (公示) period, in days.
    pub notice_days: i32,
}

#[derive(SimpleObject)]
pub struct CommitteePermissions {
    pub can_manage: bool,
}

/// 自管会: a compound's self-management committee.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Committee {
    pub id: ID,
    pub compound_id: ID,
    pub name: String,
    pub term_starts_on: Date,
    /// The term's last day.
    pub term_ends_on: Date,
    pub settings: CommitteeSettings,
    #[graphql(skip)]
    pub model: committee::Model,
}

impl From<committee::Model> for Committee {
    fn from(m: committee::Model) -> Self {
        Self {
            id: m.id.into(),
            compound_id: m.compound_id.into(),
            name: m.name.clone(),
            term_starts_on: Date(m.term_starts_on),
            term_ends_on: Date(m.term_ends_on),
            settings: CommitteeSettings {
                approvals_required: m.approvals_required,
                resolution_threshold: m.resolution_threshold_fen.map(Money),
                notice_days: m.notice_days,
            },
            model: m,
        }
    }
}

/// A position held on the committee, from a day to a day.
#[derive(SimpleObject)]
pub struct CommitteePosition {
    pub id: ID,
    pub position: Position,
    pub resident_id: ID,
    pub member_name: String,
    /// For a building leader: the building's id and number.
    pub building_id: Option<ID>,
    pub building_number: Option<String>,
    pub starts_on: Date,
    /// The last day, as planned.
    pub ends_on: Date,
    /// When it was ended early, and why.
    pub ended_at: Option<DateTime<Utc>>,
    pub end_reason: Option<String>,
    pub publish_phone: bool,
    /// Set when staff let someone who does not live in the compound serve, with why.
    pub residency_override: Option<String>,
}

#[ComplexObject]
impl Committee {
    /// Positions in force at `at` (default: now); with `history`, every position ever held.
    async fn positions(
        &self,
        ctx: &Context<'_>,
        at: Option<DateTime<Utc>>,
        #[graphql(default = false)] history: bool,
    ) -> Result<Vec<CommitteePosition>> {
        ctx.viewer()?;
        let db = ctx.services().db.reader();
        let mut query = committee_position::Entity::find()
            .filter(committee_position::Column::CommitteeId.eq(self.model.id));
        if !history {
            query = query.filter(in_force_at(at.unwrap_or_else(Utc::now)));
        }
        let rows = query
            .order_by_asc(committee_position::Column::Id)
            .all(db)
            .await
            .map_err(AppError::from)?;
        let names: HashMap<Uuid, String> = resident::Entity::find()
            .filter(resident::Column::Id.is_in(rows.iter().map(|p| p.resident_id)))
            .all(db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect();
        let buildings: HashMap<Uuid, String> = building::Entity::find()
            .filter(building::Column::Id.is_in(rows.iter().filter_map(|p| p.building_id)))
            .all(db)
            .await
            .map_err(AppError::from)?
            .into_iter()
            .map(|b| (b.id, b.number))
            .collect();
        Ok(rows
            .into_iter()
            .map(|p| CommitteePosition {
                id: p.id.into(),
                position: p.position.into(),
                resident_id: p.resident_id.into(),
                member_name: names.get(&p.resident_id).cloned().unwrap_or_default(),
                building_id: p.building_id.map(ID::from),
                building_number: p.building_id.and_then(|b| buildings.get(&b).cloned()),
                starts_on: Date(p.starts_on),
                ends_on: Date(p.ends_on),
                ended_at: p.ended_at,
                end_reason: p.end_reason,
                publish_phone: p.publish_phone,
                residency_override: p.residency_override,
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<CommitteePermissions> {
        let viewer = ctx.viewer()?;
        let (_, place) =
            visible_compound_at(ctx.services().db.reader(), viewer, self.model.compound_id).await?;
        Ok(CommitteePermissions {
            can_manage: viewer
                .reach(Capability::ManageCommittees)
                .covers(place.street_office, place.community),
        })
    }
}

#[derive(SimpleObject)]
pub struct CardMember {
    pub name: String,
    pub position: Position,
    pub building_number: Option<String>,
    /// Masked; only for members who chose to publish a phone.
    pub phone: Option<String>,
}

#[derive(SimpleObject)]
pub struct CardGridWorker {
    pub grid: String,
    pub name: String,
    /// The work phone they publish.
    pub phone: Option<String>,
}

/// Someone who works for the community, with the work phone they publish.
#[derive(SimpleObject)]
pub struct CardPerson {
    pub name: String,
    pub phone: Option<String>,
}

/// 联络卡: who a compound's residents can turn to.
#[derive(SimpleObject)]
pub struct ContactCard {
    pub compound: String,
    pub community: String,
    /// The community office (社区居委会).
    pub office_phone: Option<String>,
    pub office_address: Option<String>,
    /// 社区书记.
    pub party_secretary: Option<CardPerson>,
    /// Names only; `staff` has their phones.
    #[graphql(deprecation = "use staff { name phone }")]
    pub community_staff: Vec<String>,
    /// The community's admins and staff.
    pub staff: Vec<CardPerson>,
    pub grid_workers: Vec<CardGridWorker>,
    /// 网格长 of the compound's grids, with the work phones they publish.
    pub grid_leaders: Vec<CardGridWorker>,
    pub committee: Vec<CardMember>,
}
