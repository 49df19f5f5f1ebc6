//! GraphQL types of households and residents. Building a `Resident` notes the read for the
//! audit log (who read whose data); document numbers and phones are masked unless the caller
//! belongs to the household.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{household, resident};
use uuid::Uuid;

use super::{
    access::{Detail, ResidentAccess},
    care::{self, CareLevel},
    dwelling_graphql::Dwelling,
    household_loaders::{DwellingById, HouseholdById, MembersOf},
    personal,
    resident_fields::{Relation, ResidentTag},
    types::DocumentTypeName,
};
use crate::{
    error::{AppError, AppResult, msg},
    graphql::{ContextExt, StoredEnum, loader::loader, scalars::Date},
};

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::household::Tenure")]
pub enum Tenure {
    OwnerOccupied,
    Renting,
    Other,
}

/// 性别, as an ID card number records it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "super::id_document::Gender")]
pub enum Gender {
    Male,
    Female,
}

impl StoredEnum for Gender {
    fn stored(self) -> &'static str {
        personal::gender_name(self.into())
    }
}

/// 户: a household in a dwelling.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Household {
    pub id: ID,
    pub dwelling_id: ID,
    pub tenure: Tenure,
    /// The care level in force: staff's override if set, else derived from members' tags.
    pub care_level: CareLevel,
    /// The level the members' tags call for.
    pub derived_care_level: CareLevel,
    /// Why staff set a different level; empty when none is set.
    pub care_level_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub moved_out_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub dwelling: Uuid,
}

impl From<household::Model> for Household {
    fn from(m: household::Model) -> Self {
        Self {
            id: m.id.into(),
            dwelling_id: m.dwelling_id.into(),
            tenure: m.tenure.into(),
            care_level: care::effective(&m),
            derived_care_level: CareLevel::parse(&m.care_level_derived),
            care_level_reason: m.care_level_reason,
            created_at: m.created_at,
            moved_out_at: m.archived_at,
            dwelling: m.dwelling_id,
        }
    }
}

#[ComplexObject]
impl Household {
    async fn dwelling(&self, ctx: &Context<'_>) -> Result<Dwelling> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(DwellingById(self.dwelling))
            .await?
            .map(Dwelling::from)
            .ok_or_else(|| AppError::NotFound(msg!("dwelling not found")).into())
    }

    /// Current members (moved-out residents are listed by `residents` with
    /// `includeMovedOut`).
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<Resident>> {
        let id = crate::graphql::parse_id("id", &self.id)?;
        let access = ResidentAccess::of(ctx.viewer()?);
        let members = loader(ctx).load_one(MembersOf(id)).await?;
        Ok(members
            .unwrap_or_default()
            .into_iter()
            .map(|m| resident_view(ctx, &access, m))
            .collect::<AppResult<_>>()?)
    }

    /// The head of household (户主), if recorded.
    async fn head(&self, ctx: &Context<'_>) -> Result<Option<Resident>> {
        let id = crate::graphql::parse_id("id", &self.id)?;
        let access = ResidentAccess::of(ctx.viewer()?);
        let members = loader(ctx).load_one(MembersOf(id)).await?;
        let head = members
            .unwrap_or_default()
            .into_iter()
            .find(|m| m.relation == Relation::Head.as_str());
        Ok(head.map(|m| resident_view(ctx, &access, m)).transpose()?)
    }
}

/// 居民: a resident, with document number and phone masked for everyone but the household.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Resident {
    pub id: ID,
    pub household_id: ID,
    pub name: String,
    /// Derived from an ID card number when there is one.
    pub gender: Option<Gender>,
    pub birth_date: Option<Date>,
    pub document_type: DocumentTypeName,
    /// Masked (`110***********1234`); `revealResidentField` shows it in full.
    pub document_number: Option<String>,
    /// Masked (`138****5678`).
    pub phone: Option<String>,
    pub relation: Relation,
    /// Registered here (户籍); false: living here without registration (人户分离).
    pub registered: bool,
    pub tags: Vec<ResidentTag>,
    pub moved_in_on: Option<Date>,
    pub moved_out_on: Option<Date>,
    pub created_at: DateTime<Utc>,
    pub moved_out_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub household: Uuid,
}

#[ComplexObject]
impl Resident {
    async fn household(&self, ctx: &Context<'_>) -> Result<Household> {
        ctx.viewer()?;
        loader(ctx)
            .load_one(HouseholdById(self.household))
            .await?
            .map(Household::from)
            .ok_or_else(|| AppError::NotFound(msg!("household not found")).into())
    }
}

/// Builds the view of a resident the caller may read and notes the read for the audit log.
pub fn resident_view(
    ctx: &Context<'_>,
    access: &ResidentAccess,
    m: resident::Model,
) -> AppResult<Resident> {
    ctx.meta().returned_personal_data(m.community_id, m.id);
    let masked = access.detail(m.household_id) == Detail::Masked;
    let (document, phone) = personal::shown_fields(&ctx.services().data_keys, &m, masked)?;
    Ok(Resident {
        id: m.id.into(),
        household_id: m.household_id.into(),
        relation: Relation::parse(&m.relation).unwrap_or(Relation::Other),
        tags: care::tags_of(&m)
            .iter()
            .map(|t| ResidentTag::from_stored(t))
            .collect::<AppResult<_>>()?,
        gender: m.gender.as_deref().map(Gender::from_stored).transpose()?,
        document_type: DocumentTypeName::from_stored(&m.document_type)?,
        name: m.name,
        birth_date: m.birth_date.map(Date),
        document_number: document,
        phone,
        registered: m.registered,
        moved_in_on: m.moved_in_on.map(Date),
        moved_out_on: m.moved_out_on.map(Date),
        created_at: m.created_at,
        moved_out_at: m.archived_at,
        household: m.household_id,
    })
}
