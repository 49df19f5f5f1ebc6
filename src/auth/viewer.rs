//! The Viewer: who is calling, built per request from the access token's user and session
//! with the user's grants loaded from the database (ARCHITECTURE.md §2). It answers, per
//! capability, which part of the tenancy tree the caller reaches; services filter every
//! read and write with that reach.

use chrono::{DateTime, Utc};
use entity::{
    app_user, login_session,
    reach::Reach,
    role_grant::{self, Role, ScopeKind},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

/// Things a caller may want to do; each maps the caller's grants to a [`Reach`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Capability {
    /// See street offices and communities (names and structure).
    ReadOrg,
    CreateStreetOffice,
    CreateCommunity,
    /// Create, list and manage user accounts and grant roles.
    ManageUsers,
    /// Read the audit log.
    ReadAudit,
    /// Create, edit and archive the registry: compounds, buildings (and later dwellings,
    /// households, residents). Community admins and staff.
    ManageRegistry,
    /// Define grids and which buildings they cover. Community admins.
    ManageGrids,
    /// Read and record households and residents (personal data, masked by default).
    /// Community admins and staff; grid workers' own-grid access comes with grid reach.
    ManageResidents,
    /// Set up committees, appoint and end positions. Community admins and staff.
    ManageCommittees,
    /// Read every committee of a community (admins above it, staff, grid workers); the
    /// compound's own committee and residents read theirs through their scoped grants.
    ReadCommittees,
    /// Create and manage webhook subscriptions and read their deliveries. Community admins,
    /// and street admins for their street office's communities.
    ManageWebhooks,
    /// Read the community's WeChat groups and duty rotas: everyone who works in it.
    ReadWechatGroups,
}

/// A place in the tenancy tree: a community (with its street office), a street office as a
/// whole (`community` empty) or the deployment (both empty).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Place {
    pub street_office: Option<Uuid>,
    pub community: Option<Uuid>,
}

impl Place {
    /// Where a community sits: the community with its street office.
    pub fn of_community(community: &entity::community::Model) -> Self {
        Self {
            street_office: Some(community.street_office_id),
            community: Some(community.id),
        }
    }

    pub fn of_grant(grant: &role_grant::Model) -> Self {
        Self {
            street_office: grant.street_office_id,
            community: grant.community_id,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Viewer {
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub session_id: Uuid,
    pub must_change_password: bool,
    /// Grants in force at the start of the request.
    pub grants: Vec<role_grant::Model>,
}

/// A role's rank: you may grant only roles ranked strictly below your own.
pub fn rank(role: Role) -> u8 {
    match role {
        Role::PlatformAdmin => 100,
        Role::StreetAdmin => 80,
        Role::CommunityAdmin => 60,
        Role::CommunityStaff => 40,
        Role::GridLeader => 35,
        Role::GridWorker | Role::CommitteeMember => 30,
        Role::Treasurer => 20,
        Role::MicroGridLeader => 15,
        Role::Resident | Role::FamilyContact => 10,
    }
}

/// The scope kind each role is granted on.
pub fn scope_kind_of(role: Role) -> ScopeKind {
    match role {
        Role::PlatformAdmin => ScopeKind::Deployment,
        Role::StreetAdmin => ScopeKind::StreetOffice,
        Role::CommunityAdmin | Role::CommunityStaff => ScopeKind::Community,
        Role::GridLeader | Role::GridWorker => ScopeKind::Grid,
        Role::CommitteeMember | Role::Treasurer => ScopeKind::Compound,
        Role::Resident | Role::FamilyContact => ScopeKind::Household,
        Role::MicroGridLeader => ScopeKind::MicroGrid,
    }
}

fn is_admin(role: Role) -> bool {
    matches!(
        role,
        Role::PlatformAdmin | Role::StreetAdmin | Role::CommunityAdmin
    )
}

/// Whether a grant's scope contains a place.
fn grant_covers(grant: &role_grant::Model, place: Place) -> bool {
    match grant.scope_kind {
        ScopeKind::Deployment => true,
        ScopeKind::StreetOffice => {
            grant.street_office_id.is_some() && place.street_office == grant.street_office_id
        }
        _ => grant.community_id.is_some() && place.community == grant.community_id,
    }
}

impl Viewer {
    /// Loads the caller for a verified access token. A disabled user, or a revoked or
    /// expired session, is refused: logging out or disabling works before token expiry.
    pub async fn load(
        conn: &impl ConnectionTrait,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<Self> {
        Ok(Self::load_with_next_change(conn, user_id, session_id, now)
            .await?
            .0)
    }

    /// [`Self::load`], and the next instant at which the answer would change by itself:
    /// the session expiring, a grant starting or ending (for caching).
    pub async fn load_with_next_change(
        conn: &impl ConnectionTrait,
        user_id: Uuid,
        session_id: Uuid,
        now: DateTime<Utc>,
    ) -> AppResult<(Self, Option<DateTime<Utc>>)> {
        let refused = AppError::Unauthenticated(msg!("the session has ended; log in again"));
        let session = login_session::Entity::find_by_id(session_id)
            .one(conn)
            .await?;
        let session = match session {
            Some(s) if s.user_id == user_id && s.revoked_at.is_none() && s.expires_at > now => s,
            _ => return Err(refused),
        };
        let user = match app_user::Entity::find_by_id(session.user_id)
            .one(conn)
            .await?
        {
            Some(user) if user.disabled_at.is_none() => user,
            _ => return Err(refused),
        };
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::UserId.eq(user.id))
            .filter(role_grant::Column::RevokedAt.is_null())
            .all(conn)
            .await?;
        let boundaries = grants
            .iter()
            .flat_map(|g| [Some(g.valid_from), g.valid_until])
            .flatten()
            .filter(|at| *at > now);
        let next_change = boundaries.chain([session.expires_at]).min();
        let grants = grants.into_iter().filter(|g| g.is_active_at(now)).collect();
        let viewer = Self {
            user_id: user.id,
            username: user.username,
            display_name: user.display_name,
            session_id,
            must_change_password: user.must_change_password,
            grants,
        };
        Ok((viewer, next_change))
    }

    /// What the caller reaches for a capability.
    pub fn reach(&self, capability: Capability) -> Reach {
        let mut street_offices = Vec::new();
        let mut communities = Vec::new();
        for grant in &self.grants {
            let allowed = match capability {
                Capability::ReadOrg => true,
                Capability::CreateStreetOffice => grant.role == Role::PlatformAdmin,
                Capability::CreateCommunity => {
                    matches!(grant.role, Role::PlatformAdmin | Role::StreetAdmin)
                }
                Capability::ManageUsers | Capability::ReadAudit | Capability::ManageWebhooks => {
                    is_admin(grant.role)
                }
                Capability::ManageGrids => grant.role == Role::CommunityAdmin,
                Capability::ManageResidents => {
                    matches!(grant.role, Role::CommunityAdmin | Role::CommunityStaff)
                }
                Capability::ManageRegistry | Capability::ManageCommittees => {
                    matches!(grant.role, Role::CommunityAdmin | Role::CommunityStaff)
                }
                Capability::ReadCommittees | Capability::ReadWechatGroups => {
                    is_admin(grant.role)
                        || matches!(
                            grant.role,
                            Role::CommunityStaff | Role::GridLeader | Role::GridWorker
                        )
                }
            };
            if !allowed {
                continue;
            }
            match (grant.scope_kind, grant.street_office_id, grant.community_id) {
                (ScopeKind::Deployment, _, _) => return Reach::Everything,
                (ScopeKind::StreetOffice, Some(s), _) => street_offices.push(s),
                (_, _, Some(c)) => communities.push(c),
                _ => {}
            }
        }
        if street_offices.is_empty() && communities.is_empty() {
            return Reach::Nothing;
        }
        street_offices.sort();
        street_offices.dedup();
        communities.sort();
        communities.dedup();
        Reach::Within {
            street_offices,
            communities,
        }
    }

    /// The scopes (grids, compounds, households) on which the caller holds `role` now.
    pub fn scope_ids(&self, role: Role) -> Vec<Uuid> {
        let mut ids: Vec<Uuid> = self
            .grants
            .iter()
            .filter(|g| g.role == role)
            .filter_map(|g| g.scope_id)
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    /// The households the caller acts for: their own (as a resident) and those they are a
    /// family contact of. What a family contact may do there beyond reading and filing
    /// requests is for `registry::family::access` to say, by the contact's flags.
    pub fn households_acted_for(&self) -> Vec<Uuid> {
        let mut ids = self.scope_ids(Role::Resident);
        ids.extend(self.scope_ids(Role::FamilyContact));
        ids.sort();
        ids.dedup();
        ids
    }

    /// The grids the caller works in: those they are a grid worker of and those they lead.
    /// Whatever a grid worker reads and does in their grid, its leader does too.
    pub fn work_grids(&self) -> Vec<Uuid> {
        let mut ids = self.scope_ids(Role::GridWorker);
        ids.extend(self.scope_ids(Role::GridLeader));
        ids.sort();
        ids.dedup();
        ids
    }

    /// Whether the caller may grant `role` at `place`: an admin grant ranked above the role
    /// whose scope contains the place (ARCHITECTURE.md §3).
    pub fn may_grant(&self, role: Role, place: Place) -> bool {
        self.grants
            .iter()
            .any(|g| is_admin(g.role) && rank(g.role) > rank(role) && grant_covers(g, place))
    }

    /// Whether the caller may manage a user: the user's home is within the caller's admin
    /// scope, and every grant the user holds (now or later) is one the caller could give.
    pub fn may_manage(
        &self,
        home: Place,
        grants: &[role_grant::Model],
        now: DateTime<Utc>,
    ) -> bool {
        self.reach(Capability::ManageUsers)
            .covers(home.street_office, home.community)
            && grants
                .iter()
                .filter(|g| g.revoked_at.is_none() && g.valid_until.is_none_or(|u| u > now))
                .all(|g| self.may_grant(g.role, Place::of_grant(g)))
    }
}
