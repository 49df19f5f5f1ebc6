//! GraphQL for committees: the committee of a compound with its positions (in force at an
//! instant, or the whole history), the contact card, and the staff's mutations.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use entity::committee;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::json;
use uuid::Uuid;

use super::{
    access::check_read,
    card,
    positions::{self, Appointment},
    service::{self, NewCommittee, Settings},
    types::{CardGridWorker, CardMember, CardPerson, Committee, ContactCard, Position},
};
use crate::{
    audit::audited_write,
    error::{AppError, msg},
    graphql::{
        ContextExt, parse_id,
        scalars::{Date, Money},
    },
    tenancy::visible_compound_at,
};

#[derive(Default)]
pub struct CommitteeQuery;

#[Object]
impl CommitteeQuery {
    /// The committee of a compound, if it has one: for the compound's residents and
    /// committee, and the community's staff and grid workers.
    pub async fn committee(&self, ctx: &Context<'_>, compound_id: ID) -> Result<Option<Committee>> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (compound, place) =
            visible_compound_at(db, viewer, parse_id("compoundId", &compound_id)?).await?;
        check_read(db, viewer, compound.id, place).await?;
        let committee = committee::Entity::find()
            .filter(committee::Column::CompoundId.eq(compound.id))
            .one(db)
            .await
            .map_err(AppError::from)?;
        Ok(committee.map(Committee::from))
    }

    /// The compound's contact card, for the same people.
    async fn compound_contact_card(
        &self,
        ctx: &Context<'_>,
        compound_id: ID,
    ) -> Result<ContactCard> {
        let viewer = ctx.viewer()?;
        let db = ctx.services().db.reader();
        let (compound, place) =
            visible_compound_at(db, viewer, parse_id("compoundId", &compound_id)?).await?;
        check_read(db, viewer, compound.id, place).await?;
        let card = card::card(db, &ctx.services().data_keys, &compound).await?;
        for member in card.committee.iter().filter(|m| m.phone.is_some()) {
            ctx.meta()
                .returned_personal_data(member.community_id, member.resident_id);
        }
        let person = |w: card::Worker| CardPerson {
            name: w.name,
            phone: w.phone,
        };
        Ok(ContactCard {
            compound: card.compound,
            community: card.community,
            office_phone: card.office_phone,
            office_address: card.office_address,
            party_secretary: card.party_secretary.map(person),
            community_staff: card.staff.iter().map(|w| w.name.clone()).collect(),
            staff: card.staff.into_iter().map(person).collect(),
            grid_workers: card
                .grid_workers
                .into_iter()
                .map(|(grid, w)| CardGridWorker {
                    grid,
                    name: w.name,
                    phone: w.phone,
                })
                .collect(),
            grid_leaders: card
                .grid_leaders
                .into_iter()
                .map(|(grid, w)| CardGridWorker {
                    grid,
                    name: w.name,
                    phone: w.phone,
                })
                .collect(),
            committee: card
                .committee
                .into_iter()
                .map(|m| CardMember {
                    name: m.name,
                    position: m.position.into(),
                    building_number: m.building,
                    phone: m.phone,
                })
                .collect(),
        })
    }
}

#[derive(InputObject)]
pub struct SettingsInput {
    #[graphql(default = 2)]
    pub approvals_required: i32,
    pub resolution_threshold: Option<Money>,
    #[graphql(default = 7)]
    pub notice_days: i32,
}

impl From<SettingsInput> for Settings {
    fn from(s: SettingsInput) -> Self {
        Self {
            approvals_required: s.approvals_required,
            resolution_threshold_fen: s.resolution_threshold.map(|m| m.0),
            notice_days: s.notice_days,
        }
    }
}

#[derive(InputObject)]
pub struct CreateCommitteeInput {
    pub compound_id: ID,
    /// Defaults to the compound's name followed by 自管会.
    pub name: Option<String>,
    pub term_starts_on: Date,
    pub term_ends_on: Date,
    pub settings: Option<SettingsInput>,
}

#[derive(InputObject)]
pub struct UpdateCommitteeSettingsInput {
    pub committee_id: ID,
    pub settings: SettingsInput,
}

#[derive(InputObject)]
pub struct StartCommitteeTermInput {
    pub committee_id: ID,
    pub starts_on: Date,
    pub ends_on: Date,
}

#[derive(InputObject)]
pub struct AppointCommitteeMemberInput {
    pub committee_id: ID,
    pub resident_id: ID,
    pub position: Position,
    /// For a building leader.
    pub building_id: Option<ID>,
    /// Default: today (or the term's start); the term's end.
    pub starts_on: Option<Date>,
    pub ends_on: Option<Date>,
    #[graphql(default = false)]
    pub publish_phone: bool,
    /// Needed when the resident does not live in the compound: why they may serve.
    pub residency_override: Option<String>,
}

#[derive(InputObject)]
pub struct EndCommitteePositionInput {
    pub position_id: ID,
    pub reason: String,
}

#[derive(SimpleObject)]
pub struct CommitteePayload {
    pub committee: Committee,
}

#[derive(SimpleObject)]
pub struct PositionPayload {
    pub position_id: ID,
    pub committee: Committee,
}

#[derive(Default)]
pub struct CommitteeMutation;

async fn committee_of(ctx: &Context<'_>, id: Uuid) -> Result<Committee> {
    Ok(committee::Entity::find_by_id(id)
        .one(ctx.services().db.reader())
        .await
        .map_err(AppError::from)?
        .ok_or(AppError::NotFound(msg!("committee not found")))?
        .into())
}

#[Object]
impl CommitteeMutation {
    /// Sets up the committee of a compound. Community admins and staff.
    async fn create_committee(
        &self,
        ctx: &Context<'_>,
        input: CreateCommitteeInput,
    ) -> Result<CommitteePayload> {
        let audit = json!({ "compoundId": input.compound_id.as_str(), "termStartsOn": input.term_starts_on.0, "termEndsOn": input.term_ends_on.0 });
        let compound = parse_id("input.compoundId", &input.compound_id);
        let (name, starts, ends) = (input.name, input.term_starts_on.0, input.term_ends_on.0);
        let settings = input.settings.map(Settings::from).unwrap_or_default();
        let committee = audited_write(ctx, "createCommittee", audit, move |txn, viewer| {
            Box::pin(async move {
                let new = NewCommittee {
                    compound_id: compound?,
                    name,
                    term_starts_on: starts,
                    term_ends_on: ends,
                    settings,
                };
                service::create_committee(txn, viewer, new).await
            })
        })
        .await?;
        Ok(CommitteePayload {
            committee: committee.into(),
        })
    }

    async fn update_committee_settings(
        &self,
        ctx: &Context<'_>,
        input: UpdateCommitteeSettingsInput,
    ) -> Result<CommitteePayload> {
        let settings = Settings::from(input.settings);
        let audit = json!({ "committeeId": input.committee_id.as_str(), "approvalsRequired": settings.approvals_required, "resolutionThresholdFen": settings.resolution_threshold_fen, "noticeDays": settings.notice_days });
        let id = parse_id("input.committeeId", &input.committee_id);
        let committee = audited_write(ctx, "updateCommitteeSettings", audit, move |txn, viewer| {
            Box::pin(async move { service::update_settings(txn, viewer, id?, settings).await })
        })
        .await?;
        Ok(CommitteePayload {
            committee: committee.into(),
        })
    }

    /// Starts the committee's next term; members are appointed again for it.
    async fn start_committee_term(
        &self,
        ctx: &Context<'_>,
        input: StartCommitteeTermInput,
    ) -> Result<CommitteePayload> {
        let audit = json!({ "committeeId": input.committee_id.as_str(), "startsOn": input.starts_on.0, "endsOn": input.ends_on.0 });
        let id = parse_id("input.committeeId", &input.committee_id);
        let (starts, ends) = (input.starts_on.0, input.ends_on.0);
        let committee = audited_write(ctx, "startCommitteeTerm", audit, move |txn, viewer| {
            Box::pin(async move { service::start_term(txn, viewer, id?, starts, ends).await })
        })
        .await?;
        Ok(CommitteePayload {
            committee: committee.into(),
        })
    }

    /// Appoints (or records the election of) a resident to a position; the position's
    /// grants follow in the same transaction.
    async fn appoint_committee_member(
        &self,
        ctx: &Context<'_>,
        input: AppointCommitteeMemberInput,
    ) -> Result<PositionPayload> {
        let audit = json!({ "committeeId": input.committee_id.as_str(), "residentId": input.resident_id.as_str(), "position": format!("{:?}", input.position), "buildingId": input.building_id.as_ref().map(|b| b.as_str()), "startsOn": input.starts_on.map(|d| d.0), "endsOn": input.ends_on.map(|d| d.0), "residencyOverride": input.residency_override });
        let committee = parse_id("input.committeeId", &input.committee_id);
        let resident = parse_id("input.residentId", &input.resident_id);
        let building = input
            .building_id
            .as_ref()
            .map(|b| parse_id("input.buildingId", b))
            .transpose();
        let (position, starts_on, ends_on, publish_phone, residency_override) = (
            input.position.into(),
            input.starts_on.map(|d| d.0),
            input.ends_on.map(|d| d.0),
            input.publish_phone,
            input.residency_override,
        );
        let appointed = audited_write(ctx, "appointCommitteeMember", audit, move |txn, viewer| {
            Box::pin(async move {
                let appointment = Appointment {
                    committee_id: committee?,
                    resident_id: resident?,
                    position,
                    building_id: building?,
                    starts_on,
                    ends_on,
                    publish_phone,
                    residency_override,
                };
                positions::appoint(txn, viewer, appointment).await
            })
        })
        .await?;
        Ok(PositionPayload {
            position_id: appointed.id.into(),
            committee: committee_of(ctx, appointed.committee_id).await?,
        })
    }

    /// Ends a position before its last day; its powers end at once.
    async fn end_committee_position(
        &self,
        ctx: &Context<'_>,
        input: EndCommitteePositionInput,
    ) -> Result<PositionPayload> {
        let audit = json!({ "positionId": input.position_id.as_str(), "reason": input.reason });
        let id = parse_id("input.positionId", &input.position_id);
        let reason = input.reason;
        let ended = audited_write(ctx, "endCommitteePosition", audit, move |txn, viewer| {
            Box::pin(async move { positions::end_position(txn, viewer, id?, &reason).await })
        })
        .await?;
        Ok(PositionPayload {
            position_id: ended.id.into(),
            committee: committee_of(ctx, ended.committee_id).await?,
        })
    }
}
