//! GraphQL types of the identity domain, written from the entities so that columns such as
//! `password_hash` cannot reach the schema.

use async_graphql::{ComplexObject, Context, Enum, ID, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::{app_user, reach::Reach, role_grant};
use uuid::Uuid;

use super::loaders::{GrantsOf, ScopeName};
use crate::{
    auth::{Capability, viewer::Place},
    graphql::{ContextExt, loader::loader},
};

/// A role (ARCHITECTURE.md §3), highest first.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::role_grant::Role")]
pub enum Role {
    PlatformAdmin,
    StreetAdmin,
    CommunityAdmin,
    CommunityStaff,
    GridLeader,
    GridWorker,
    CommitteeMember,
    Treasurer,
    Resident,
    /// Granted only with a family contact's login (`createFamilyContactAccount`).
    FamilyContact,
    MicroGridLeader,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::role_grant::ScopeKind")]
pub enum ScopeKind {
    Deployment,
    StreetOffice,
    Community,
    Compound,
    Grid,
    Household,
    MicroGrid,
}

#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(remote = "entity::role_grant::GrantSource")]
pub enum GrantSource {
    Manual,
    CommitteePosition,
    ResidentAccount,
    FamilyContact,
}

/// A role held over a scope, with its validity.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct Grant {
    pub id: ID,
    pub role: Role,
    pub scope_kind: ScopeKind,
    pub scope_id: Option<ID>,
    pub street_office_id: Option<ID>,
    pub community_id: Option<ID>,
    pub valid_from: DateTime<Utc>,
    /// Empty: open-ended.
    pub valid_until: Option<DateTime<Utc>>,
    pub source: GrantSource,
    pub created_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    #[graphql(skip)]
    pub model: role_grant::Model,
}

impl From<role_grant::Model> for Grant {
    fn from(m: role_grant::Model) -> Self {
        Self {
            id: m.id.into(),
            role: m.role.into(),
            scope_kind: m.scope_kind.into(),
            scope_id: m.scope_id.map(ID::from),
            street_office_id: m.street_office_id.map(ID::from),
            community_id: m.community_id.map(ID::from),
            valid_from: m.valid_from,
            valid_until: m.valid_until,
            source: m.source_kind.into(),
            created_at: m.created_at,
            revoked_at: m.revoked_at,
            model: m,
        }
    }
}

#[derive(SimpleObject)]
pub struct GrantPermissions {
    pub can_revoke: bool,
}

#[ComplexObject]
impl Grant {
    /// Whether the grant gives power now (not revoked, inside its validity).
    async fn active(&self) -> bool {
        self.model.is_active_at(Utc::now())
    }

    /// The name of the scope: a street office, community, grid or compound (a committee
    /// role's). None for the deployment and for a household (a resident's own home).
    async fn scope_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(scope) = self.model.scope_id else {
            return Ok(None);
        };
        Ok(loader(ctx).load_one(ScopeName(scope)).await?.flatten())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<GrantPermissions> {
        let viewer = ctx.viewer_even_if_password_expired()?;
        Ok(GrantPermissions {
            can_revoke: self.model.revoked_at.is_none()
                && viewer.may_grant(self.model.role, Place::of_grant(&self.model)),
        })
    }
}

/// A person who can log in.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct User {
    pub id: ID,
    pub username: String,
    pub display_name: String,
    /// An initial or reset password is in use: it must be changed before anything else.
    pub must_change_password: bool,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The work phone published on contact cards (staff and grid workers).
    pub work_phone: Option<String>,
    pub home_street_office_id: Option<ID>,
    pub home_community_id: Option<ID>,
    #[graphql(skip)]
    pub user_id: Uuid,
    #[graphql(skip)]
    pub home: Place,
}

impl From<app_user::Model> for User {
    fn from(m: app_user::Model) -> Self {
        Self {
            id: m.id.into(),
            username: m.username,
            display_name: m.display_name,
            must_change_password: m.must_change_password,
            disabled_at: m.disabled_at,
            created_at: m.created_at,
            work_phone: m.work_phone,
            home_street_office_id: m.home_street_office_id.map(ID::from),
            home_community_id: m.home_community_id.map(ID::from),
            user_id: m.id,
            home: Place {
                street_office: m.home_street_office_id,
                community: m.home_community_id,
            },
        }
    }
}

#[derive(SimpleObject)]
pub struct UserPermissions {
    /// Reset the password, disable or enable the account.
    pub can_manage: bool,
}

#[ComplexObject]
impl User {
    /// Grants not revoked (including expired and future ones, see `active`), limited to the
    /// part of the tree the caller administers (the caller's own grants are all shown).
    async fn grants(&self, ctx: &Context<'_>) -> Result<Vec<Grant>> {
        let viewer = ctx.viewer_even_if_password_expired()?;
        let grants = loader(ctx)
            .load_one(GrantsOf(self.user_id))
            .await?
            .unwrap_or_default();
        let reach = viewer.reach(Capability::ManageUsers);
        let own = viewer.user_id == self.user_id;
        Ok(grants
            .into_iter()
            .filter(|g| own || reach.covers(g.street_office_id, g.community_id))
            .map(Grant::from)
            .collect())
    }

    /// What the caller reaches per capability (only on the caller's own account, from
    /// `me`; empty for anyone else). Frontends use it to show what a user can do.
    async fn reach(&self, ctx: &Context<'_>) -> Result<Vec<CapabilityReach>> {
        let viewer = ctx.viewer_even_if_password_expired()?;
        if viewer.user_id != self.user_id {
            return Ok(Vec::new());
        }
        Ok(CapabilityName::ALL
            .iter()
            .filter_map(|&name| {
                let reach = viewer.reach(name.into());
                let (everything, offices, communities) = match reach {
                    Reach::Nothing => return None,
                    Reach::Everything => (true, Vec::new(), Vec::new()),
                    Reach::Within {
                        street_offices,
                        communities,
                    } => (false, street_offices, communities),
                };
                Some(CapabilityReach {
                    capability: name,
                    everything,
                    street_office_ids: offices.into_iter().map(ID::from).collect(),
                    community_ids: communities.into_iter().map(ID::from).collect(),
                })
            })
            .collect())
    }

    async fn permissions(&self, ctx: &Context<'_>) -> Result<UserPermissions> {
        let viewer = ctx.viewer()?;
        let grants = loader(ctx)
            .load_one(GrantsOf(self.user_id))
            .await?
            .unwrap_or_default();
        Ok(UserPermissions {
            can_manage: viewer.user_id != self.user_id
                && viewer.may_manage(self.home, &grants, Utc::now()),
        })
    }
}

/// A capability, as `me { reach }` reports it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapabilityName {
    ReadOrg,
    CreateStreetOffice,
    CreateCommunity,
    ManageUsers,
    ReadAudit,
    ManageRegistry,
    ManageGrids,
    ManageWebhooks,
}

impl CapabilityName {
    const ALL: [Self; 8] = [
        Self::ReadOrg,
        Self::CreateStreetOffice,
        Self::CreateCommunity,
        Self::ManageUsers,
        Self::ReadAudit,
        Self::ManageRegistry,
        Self::ManageGrids,
        Self::ManageWebhooks,
    ];
}

impl From<CapabilityName> for Capability {
    fn from(name: CapabilityName) -> Self {
        match name {
            CapabilityName::ReadOrg => Capability::ReadOrg,
            CapabilityName::CreateStreetOffice => Capability::CreateStreetOffice,
            CapabilityName::CreateCommunity => Capability::CreateCommunity,
            CapabilityName::ManageUsers => Capability::ManageUsers,
            CapabilityName::ReadAudit => Capability::ReadAudit,
            CapabilityName::ManageRegistry => Capability::ManageRegistry,
            CapabilityName::ManageGrids => Capability::ManageGrids,
            CapabilityName::ManageWebhooks => Capability::ManageWebhooks,
        }
    }
}

/// Where a capability reaches: everywhere, or these street offices (with all their
/// communities) and communities.
#[derive(SimpleObject)]
pub struct CapabilityReach {
    pub capability: CapabilityName,
    pub everything: bool,
    pub street_office_ids: Vec<ID>,
    pub community_ids: Vec<ID>,
}

/// Tokens returned by `login` and `refreshToken`.
#[derive(SimpleObject)]
pub struct TokenPair {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// When the access token expires; refresh before then.
    pub expires_at: DateTime<Utc>,
    /// Opaque; use once with `refreshToken`, keep it secret.
    pub refresh_token: String,
    pub refresh_expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct OkPayload {
    pub ok: bool,
}
