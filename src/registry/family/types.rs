//! GraphQL types of family contacts. The phone is masked for every reader;
//! `revealFamilyContactPhone` shows it in full to staff, audited.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{family_contact, role_grant::Role};
use uuid::Uuid;

use super::phone::phone_of;
use crate::{
    auth::Capability,
    error::AppResult,
    graphql::{ContextExt, StoredEnum},
};

/// How the contact is related to the resident. Anyone else (a neighbour, a friend) is
/// `OTHER`; the name says who.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum FamilyRelation {
    Daughter,
    Son,
    Spouse,
    Relative,
    Other,
}

impl StoredEnum for FamilyRelation {
    fn stored(self) -> &'static str {
        match self {
            Self::Daughter => "daughter",
            Self::Son => "son",
            Self::Spouse => "spouse",
            Self::Relative => "relative",
            Self::Other => "other",
        }
    }
}

/// 家属联系人: a relative who acts for a resident's household as far as the flags allow.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct FamilyContact {
    pub id: ID,
    pub resident_id: ID,
    pub household_id: ID,
    pub name: String,
    pub relation: FamilyRelation,
    /// Masked (`138****5678`); `revealFamilyContactPhone` shows it in full.
    pub phone: Option<String>,
    /// May vote on a households' consultation for the household.
    pub may_answer_consultations: bool,
    /// May sign the resident in to meetings.
    pub may_sign_in_to_meetings: bool,
    /// Sees the household's announcements and whether it has read them.
    pub may_receive_notices: bool,
    /// Whether the contact has a login of their own.
    pub has_account: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the contact was removed; removed contacts can do nothing.
    pub ended_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub community: Uuid,
    #[graphql(skip)]
    pub household: Uuid,
}

#[derive(SimpleObject)]
pub struct FamilyContactPermissions {
    pub can_update: bool,
    pub can_remove: bool,
    pub can_create_account: bool,
    pub can_reveal_phone: bool,
}

#[ComplexObject]
impl FamilyContact {
    async fn permissions(&self, ctx: &Context<'_>) -> Result<FamilyContactPermissions> {
        let viewer = ctx.viewer()?;
        let staff = viewer
            .reach(Capability::ManageResidents)
            .covers(None, Some(self.community));
        let keeps = staff || viewer.scope_ids(Role::Resident).contains(&self.household);
        let current = self.ended_at.is_none();
        Ok(FamilyContactPermissions {
            can_update: keeps && current,
            can_remove: keeps && current,
            can_create_account: staff && current && !self.has_account,
            can_reveal_phone: staff,
        })
    }
}

/// The view of a contact the caller may read; notes the read for the audit log.
pub fn contact_view(ctx: &Context<'_>, m: family_contact::Model) -> AppResult<FamilyContact> {
    ctx.meta().returned_personal_data(m.community_id, m.id);
    let phone = phone_of(&ctx.services().data_keys, &m, true)?;
    Ok(FamilyContact {
        id: m.id.into(),
        resident_id: m.resident_id.into(),
        household_id: m.household_id.into(),
        relation: FamilyRelation::from_stored(&m.relation)?,
        name: m.name,
        phone,
        may_answer_consultations: m.may_answer_consultations,
        may_sign_in_to_meetings: m.may_sign_in_to_meetings,
        may_receive_notices: m.may_receive_notices,
        has_account: m.user_id.is_some(),
        created_at: m.created_at,
        updated_at: m.updated_at,
        ended_at: m.ended_at,
        community: m.community_id,
        household: m.household_id,
    })
}
