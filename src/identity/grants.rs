//! Granting and revoking roles (ARCHITECTURE.md §3): only roles below your own, only inside
//! your own scope, each role on its own kind of scope.

use chrono::{DateTime, Utc};
use entity::{
    household, micro_grid,
    reach::{Reach, TenantEntity},
    role_grant::{self, GrantSource, Role, ScopeKind},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::{
    sessions::end_sessions_of,
    users::{users_in, visible_users},
};
use crate::{
    audit::Audited,
    auth::{
        Capability, Viewer,
        viewer::{Place, scope_kind_of},
    },
    error::{AppError, AppResult, msg},
    live::LiveEvent,
    tenancy::{
        manages_micro_grids, visible, visible_community, visible_compound, visible_grid,
        visible_street_office,
    },
};

pub struct NewGrant {
    pub user_id: Uuid,
    pub role: Role,
    /// The street office, community, compound, grid or household; empty for the deployment.
    pub scope_id: Option<Uuid>,
    /// Optional: when given, it must be the community the scope (grid, compound,
    /// household) lies in.
    pub community_id: Option<Uuid>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

/// Locates a grant's scope in the tenancy tree, or NOT_FOUND if the caller cannot see it.
async fn place_of_scope(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    kind: ScopeKind,
    scope_id: Option<Uuid>,
    community_id: Option<Uuid>,
) -> AppResult<Place> {
    let scope = || {
        scope_id
            .ok_or_else(|| AppError::bad_input("input.scopeId", msg!("this role needs a scope")))
    };
    // IDs that disagree are refused, never resolved by picking one of them.
    let disagrees = match kind {
        ScopeKind::Deployment | ScopeKind::StreetOffice => community_id.is_some(),
        ScopeKind::Community => community_id.is_some_and(|c| Some(c) != scope_id),
        _ => false,
    };
    if disagrees {
        return Err(AppError::bad_input(
            "input.communityId",
            msg!("this role's scope is not in that community; leave communityId out"),
        ));
    }
    match kind {
        ScopeKind::Deployment => Ok(Place::default()),
        ScopeKind::StreetOffice => {
            let office = visible_street_office(conn, viewer, scope()?).await?;
            Ok(Place {
                street_office: Some(office.id),
                community: None,
            })
        }
        ScopeKind::Community => {
            let community = visible_community(conn, viewer, scope()?).await?;
            Ok(Place::of_community(&community))
        }
        ScopeKind::Grid => {
            // Grids exist: the grant's community is the grid's.
            let grid = visible_grid(conn, viewer, scope()?).await?;
            if community_id.is_some_and(|c| c != grid.community_id) {
                return Err(AppError::bad_input(
                    "input.communityId",
                    msg!("the grid is in another community"),
                ));
            }
            if grid.archived_at.is_some() {
                return Err(AppError::bad_input(
                    "input.scopeId",
                    msg!("the grid is archived"),
                ));
            }
            let community = visible_community(conn, viewer, grid.community_id).await?;
            Ok(Place::of_community(&community))
        }
        ScopeKind::MicroGrid => {
            let micro =
                visible::<micro_grid::Entity>(conn, viewer, scope()?, msg!("micro-grid not found"))
                    .await?;
            if community_id.is_some_and(|c| c != micro.community_id) {
                return Err(AppError::bad_input(
                    "input.communityId",
                    msg!("the scope is in another community"),
                ));
            }
            if micro.archived_at.is_some() {
                return Err(AppError::bad_input(
                    "input.scopeId",
                    msg!("the micro-grid is archived"),
                ));
            }
            let community = visible_community(conn, viewer, micro.community_id).await?;
            Ok(Place::of_community(&community))
        }
        ScopeKind::Compound | ScopeKind::Household => {
            // The scope's own row says where it is; a stated community must agree.
            let scope_community = if kind == ScopeKind::Compound {
                let compound = visible_compound(conn, viewer, scope()?).await?;
                if compound.archived_at.is_some() {
                    return Err(AppError::bad_input(
                        "input.scopeId",
                        msg!("the compound is archived"),
                    ));
                }
                compound.community_id
            } else {
                let household =
                    household::Entity::find_in_reach(&viewer.reach(Capability::ReadOrg))
                        .filter(household::Column::Id.eq(scope()?))
                        .one(conn)
                        .await?
                        .ok_or(AppError::NotFound(msg!("household not found")))?;
                if household.archived_at.is_some() {
                    return Err(AppError::bad_input(
                        "input.scopeId",
                        msg!("the household has moved out"),
                    ));
                }
                household.community_id
            };
            if community_id.is_some_and(|c| c != scope_community) {
                return Err(AppError::bad_input(
                    "input.communityId",
                    msg!("the scope is in another community"),
                ));
            }
            let community = visible_community(conn, viewer, scope_community).await?;
            Ok(Place::of_community(&community))
        }
    }
}

pub async fn grant_role(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewGrant,
) -> AppResult<Audited<role_grant::Model>> {
    if new.role == Role::FamilyContact {
        return Err(AppError::bad_input(
            "input.role",
            msg!("a family contact's role comes with their login: use createFamilyContactAccount"),
        ));
    }
    let kind = scope_kind_of(new.role);
    let scope_id = if kind == ScopeKind::Deployment {
        None
    } else {
        new.scope_id
    };
    let place = place_of_scope(conn, viewer, kind, scope_id, new.community_id).await?;
    if !may_give(conn, viewer, new.role, scope_id, place).await? {
        return Err(AppError::Forbidden(msg!(
            "you may grant only roles below your own, inside your own scope"
        )));
    }
    // A micro-grid's leader is appointed by people who manage no accounts (staff, the
    // grid's leader): any account of the community will do, usually a resident's.
    let users = if new.role == Role::MicroGridLeader {
        users_in(&Reach::Within {
            street_offices: Vec::new(),
            communities: place.community.into_iter().collect(),
        })
    } else {
        visible_users(viewer)
    };
    let user = users
        .filter(entity::app_user::Column::Id.eq(new.user_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("user not found")))?;
    if user.disabled_at.is_some() {
        return Err(AppError::bad_input(
            "input.userId",
            msg!("the account is disabled"),
        ));
    }
    let now = Utc::now();
    let valid_from = new.valid_from.unwrap_or(now);
    if new.valid_until.is_some_and(|until| until <= valid_from) {
        return Err(AppError::bad_input(
            "input.validUntil",
            msg!("must be after validFrom"),
        ));
    }
    let same_scope = match scope_id {
        Some(id) => role_grant::Column::ScopeId.eq(id),
        None => role_grant::Column::ScopeId.is_null(),
    };
    let duplicate = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user.id))
        .filter(role_grant::Column::Role.eq(new.role))
        .filter(same_scope)
        .filter(role_grant::Column::RevokedAt.is_null())
        .filter(
            Condition::any()
                .add(role_grant::Column::ValidUntil.is_null())
                .add(role_grant::Column::ValidUntil.gt(now)),
        )
        .one(conn)
        .await?;
    if duplicate.is_some() {
        return Err(AppError::Conflict(msg!(
            "the user already holds this role on this scope"
        )));
    }
    let grant = insert_grant(
        conn,
        GrantRow {
            user_id: user.id,
            role: new.role,
            scope_id,
            place,
            valid_from,
            valid_until: new.valid_until,
            source: (GrantSource::Manual, None),
            granted_by: Some(viewer.user_id),
        },
    )
    .await?;
    // A cached Viewer of this user must see the new role at once.
    let user_id = user.id;
    Ok(Audited::new(grant.clone(), place, grant.id)
        .with_event(LiveEvent::AccessChanged { user_id }))
}

/// Whether the caller may give (or take back) `role` on a scope at `place`: an admin above
/// it (ARCHITECTURE.md §3); a micro-grid's leader also by the community's staff and the
/// leader of the grid the micro-grid lies in.
async fn may_give(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    role: Role,
    scope_id: Option<Uuid>,
    place: Place,
) -> AppResult<bool> {
    if viewer.may_grant(role, place) {
        return Ok(true);
    }
    if role != Role::MicroGridLeader {
        return Ok(false);
    }
    let Some(id) = scope_id else {
        return Ok(false);
    };
    let micro = micro_grid::Entity::find_by_id(id)
        .filter(micro_grid::Column::CommunityId.eq(place.community))
        .one(conn)
        .await?;
    Ok(micro.is_some_and(|m| manages_micro_grids(viewer, m.grid_id, place)))
}

/// A grant as stored, once every rule about giving it has been checked.
pub struct GrantRow {
    pub user_id: Uuid,
    pub role: Role,
    pub scope_id: Option<Uuid>,
    /// Where the scope sits in the tenancy tree.
    pub place: Place,
    pub valid_from: DateTime<Utc>,
    pub valid_until: Option<DateTime<Utc>>,
    /// What the grant comes from (a committee position, a resident account), with its id.
    pub source: (GrantSource, Option<Uuid>),
    pub granted_by: Option<Uuid>,
}

/// The one place grants are written: `grantRole`, the command line, resident accounts and
/// (later) committee positions.
pub async fn insert_grant(
    conn: &impl ConnectionTrait,
    row: GrantRow,
) -> AppResult<role_grant::Model> {
    Ok(role_grant::ActiveModel {
        id: Set(Uuid::now_v7()),
        user_id: Set(row.user_id),
        role: Set(row.role),
        scope_kind: Set(scope_kind_of(row.role)),
        scope_id: Set(row.scope_id),
        street_office_id: Set(row.place.street_office),
        community_id: Set(row.place.community),
        valid_from: Set(row.valid_from),
        valid_until: Set(row.valid_until),
        source_kind: Set(row.source.0),
        source_id: Set(row.source.1),
        granted_by: Set(row.granted_by),
        created_at: Set(Utc::now()),
        revoked_at: Set(None),
        revoked_by: Set(None),
    }
    .insert(conn)
    .await?)
}

/// Revokes one grant. Only that grant's role and scope are checked (not all the user's
/// grants): a community admin can take back a role given in its community from someone
/// who also holds roles elsewhere. The user's sessions end with it.
pub async fn revoke_role(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    grant_id: Uuid,
) -> AppResult<Audited<role_grant::Model>> {
    // Anyone who sees the grant's community learns it exists (FORBIDDEN); beyond that it
    // is NOT_FOUND.
    let reach = viewer.reach(Capability::ReadOrg);
    let grant = role_grant::Entity::find_by_id(grant_id)
        .filter(reach.condition(
            role_grant::Column::StreetOfficeId,
            role_grant::Column::CommunityId,
        ))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("grant not found")))?;
    let place = Place::of_grant(&grant);
    if !may_give(conn, viewer, grant.role, grant.scope_id, place).await? {
        return Err(AppError::Forbidden(msg!(
            "you may revoke only roles below your own, inside your own scope"
        )));
    }
    if grant.revoked_at.is_some() {
        return Err(AppError::Conflict(msg!("the grant is already revoked")));
    }
    match grant.source_kind {
        GrantSource::Manual => {}
        GrantSource::CommitteePosition => {
            return Err(AppError::Conflict(msg!(
                "this grant comes from a committee position; end the position instead"
            )));
        }
        GrantSource::ResidentAccount => {
            return Err(AppError::Conflict(msg!(
                "this grant comes from a resident account; unlink the account or move the resident out instead"
            )));
        }
        GrantSource::FamilyContact => {
            return Err(AppError::Conflict(msg!(
                "this grant comes from a family contact; remove the family contact instead"
            )));
        }
    }
    let now = Utc::now();
    let mut update: role_grant::ActiveModel = grant.into();
    update.revoked_at = Set(Some(now));
    update.revoked_by = Set(Some(viewer.user_id));
    let grant = update.update(conn).await?;
    end_sessions_of(conn, grant.user_id, None, "role revoked", now).await?;
    let user_id = grant.user_id;
    Ok(Audited::new(grant, place, grant_id).with_event(LiveEvent::AccessChanged { user_id }))
}
