//! User accounts: creation, password resets, disabling, and who may see and manage whom
//! (ARCHITECTURE.md §3: only users whose every grant lies inside your scope and below
//! your role).

use chrono::{DateTime, Utc};
use entity::{
    app_user,
    reach::Reach,
    role_grant::{self, Role},
};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, Iterable, QueryFilter, Select,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::sessions::{end_sessions_of, username_key};
use crate::{
    audit::Audited,
    auth::{
        Capability, Viewer,
        viewer::{Place, rank},
    },
    error::{AppError, AppResult, msg, on_unique_violation},
    graphql::clean_name,
    live::LiveEvent,
    tenancy::{visible_community, visible_street_office},
};

pub struct NewUser {
    pub username: String,
    pub display_name: String,
    /// Already checked for strength and hashed.
    pub password_hash: String,
    pub home_street_office_id: Option<Uuid>,
    pub home_community_id: Option<Uuid>,
}

/// Usernames: 3-64 letters (any script), digits and `. _ - @`.
pub fn check_username(field: &str, username: &str) -> AppResult<String> {
    let username = username.trim();
    let length = username.chars().count();
    if !(3..=64).contains(&length) {
        return Err(AppError::bad_input(
            field,
            msg!("a username has 3 to 64 characters"),
        ));
    }
    if !username
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
    {
        return Err(AppError::bad_input(
            field,
            msg!("a username may hold letters, digits and . _ - @ only"),
        ));
    }
    Ok(username.to_owned())
}

/// Where a new account lives: a community or street office the caller administers. Only a
/// platform admin creates accounts without a home.
pub async fn resolve_home(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    street_office_id: Option<Uuid>,
    community_id: Option<Uuid>,
) -> AppResult<Place> {
    let reach = viewer.reach(Capability::ManageUsers);
    if reach.is_nothing() {
        return Err(AppError::Forbidden(msg!("only admins create accounts")));
    }
    let place = match (community_id, street_office_id) {
        (Some(community), office) => {
            let community = visible_community(conn, viewer, community).await?;
            if office.is_some_and(|o| o != community.street_office_id) {
                return Err(AppError::bad_input(
                    "input.homeStreetOfficeId",
                    msg!("the community is not in this street office; give only the community"),
                ));
            }
            Place::of_community(&community)
        }
        (None, Some(office)) => {
            let office = visible_street_office(conn, viewer, office).await?;
            Place {
                street_office: Some(office.id),
                community: None,
            }
        }
        (None, None) if reach == Reach::Everything => Place::default(),
        (None, None) => {
            return Err(AppError::bad_input(
                "input.homeCommunityId",
                msg!("give the community (or street office) the account belongs to"),
            ));
        }
    };
    let covered = match place.community {
        Some(_) => reach.covers(place.street_office, place.community),
        None => reach.covers(place.street_office, None),
    };
    if !covered {
        return Err(AppError::Forbidden(msg!(
            "you do not administer that place"
        )));
    }
    Ok(place)
}

pub async fn create_user(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewUser,
) -> AppResult<Audited<app_user::Model>> {
    let home = resolve_home(
        conn,
        viewer,
        new.home_street_office_id,
        new.home_community_id,
    )
    .await?;
    let display_name = clean_name("input.displayName", &new.display_name, 100)?;
    let user = insert_user(
        conn,
        &new.username,
        &display_name,
        new.password_hash,
        true,
        home,
    )
    .await?;
    Ok(Audited::new(user.clone(), home, user.id))
}

/// Inserts an account; `must_change_password` for initial passwords set by someone else.
pub async fn insert_user(
    conn: &impl ConnectionTrait,
    username: &str,
    display_name: &str,
    password_hash: String,
    must_change_password: bool,
    home: Place,
) -> AppResult<app_user::Model> {
    let now = Utc::now();
    app_user::ActiveModel {
        id: Set(Uuid::now_v7()),
        username: Set(username.to_owned()),
        username_key: Set(username_key(username)),
        display_name: Set(display_name.to_owned()),
        password_hash: Set(password_hash),
        must_change_password: Set(must_change_password),
        home_street_office_id: Set(home.street_office),
        home_community_id: Set(home.community),
        disabled_at: Set(None),
        created_at: Set(now),
        password_changed_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, msg!("this username is taken")))
}

/// Users the caller can see: homed in the caller's admin reach, or holding a grant in it.
pub fn visible_users(viewer: &Viewer) -> Select<app_user::Entity> {
    users_in(&viewer.reach(Capability::ManageUsers))
}

/// Users homed in `reach` or holding a grant there.
pub fn users_in(reach: &Reach) -> Select<app_user::Entity> {
    let granted_here = Query::select()
        .column(role_grant::Column::UserId)
        .from(role_grant::Entity)
        .and_where(role_grant::Column::RevokedAt.is_null())
        .cond_where(reach.condition(
            role_grant::Column::StreetOfficeId,
            role_grant::Column::CommunityId,
        ))
        .to_owned();
    app_user::Entity::find().filter(
        Condition::any()
            .add(reach.condition(
                app_user::Column::HomeStreetOfficeId,
                app_user::Column::HomeCommunityId,
            ))
            .add(app_user::Column::Id.in_subquery(granted_here)),
    )
}

/// Users the caller may manage: homed in its admin reach, and holding no grant (in force
/// now or later) that the caller could not have given.
pub fn manageable_users(viewer: &Viewer, now: DateTime<Utc>) -> Select<app_user::Entity> {
    let reach = viewer.reach(Capability::ManageUsers);
    let mut grantable = Condition::any().add(entity::reach::never());
    for admin in viewer
        .grants
        .iter()
        .filter(|g| rank(g.role) >= rank(Role::CommunityAdmin))
    {
        let below: Vec<Role> = Role::iter()
            .filter(|r| rank(*r) < rank(admin.role))
            .collect();
        let mut inside = Condition::all().add(role_grant::Column::Role.is_in(below));
        inside = match admin.scope_kind {
            role_grant::ScopeKind::Deployment => inside,
            role_grant::ScopeKind::StreetOffice => {
                inside.add(role_grant::Column::StreetOfficeId.eq(admin.street_office_id))
            }
            _ => inside.add(role_grant::Column::CommunityId.eq(admin.community_id)),
        };
        grantable = grantable.add(inside);
    }
    let beyond_caller = Query::select()
        .expr(Expr::val(1))
        .from(role_grant::Entity)
        .and_where(
            Expr::col((role_grant::Entity, role_grant::Column::UserId))
                .equals((app_user::Entity, app_user::Column::Id)),
        )
        .and_where(role_grant::Column::RevokedAt.is_null())
        .cond_where(
            Condition::any()
                .add(role_grant::Column::ValidUntil.is_null())
                .add(role_grant::Column::ValidUntil.gt(now)),
        )
        .cond_where(grantable.not())
        .to_owned();
    app_user::Entity::find()
        .filter(reach.condition(
            app_user::Column::HomeStreetOfficeId,
            app_user::Column::HomeCommunityId,
        ))
        .filter(Expr::exists(beyond_caller).not())
        .filter(app_user::Column::Id.ne(viewer.user_id))
}

/// A user the caller may manage: NOT_FOUND when the caller cannot see them, FORBIDDEN when
/// it can see but not manage them.
pub async fn manageable_user(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    user_id: Uuid,
) -> AppResult<app_user::Model> {
    let user = visible_users(viewer)
        .filter(app_user::Column::Id.eq(user_id))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("user not found")))?;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(user.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?;
    let home = Place {
        street_office: user.home_street_office_id,
        community: user.home_community_id,
    };
    if user.id == viewer.user_id || !viewer.may_manage(home, &grants, Utc::now()) {
        return Err(AppError::Forbidden(msg!(
            "this user holds roles outside your scope or not below yours"
        )));
    }
    Ok(user)
}

fn home_of(user: &app_user::Model) -> Place {
    Place {
        street_office: user.home_street_office_id,
        community: user.home_community_id,
    }
}

/// Sets a new initial password: the user must change it at next login; sessions end.
pub async fn reset_password(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    user_id: Uuid,
    password_hash: String,
) -> AppResult<Audited<app_user::Model>> {
    let user = manageable_user(conn, viewer, user_id).await?;
    let now = Utc::now();
    let mut update: app_user::ActiveModel = user.clone().into();
    update.password_hash = Set(password_hash);
    update.must_change_password = Set(true);
    update.password_changed_at = Set(now);
    let user = update.update(conn).await?;
    end_sessions_of(conn, user.id, None, "password reset", now).await?;
    Ok(Audited::new(user.clone(), home_of(&user), user.id)
        .with_event(LiveEvent::AccessChanged { user_id: user.id }))
}

/// Disables (or enables again) an account; disabling ends its sessions at once.
pub async fn set_disabled(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    user_id: Uuid,
    disabled: bool,
) -> AppResult<Audited<app_user::Model>> {
    let user = manageable_user(conn, viewer, user_id).await?;
    let now = Utc::now();
    let mut update: app_user::ActiveModel = user.clone().into();
    update.disabled_at = Set(if disabled {
        user.disabled_at.or(Some(now))
    } else {
        None
    });
    let user = update.update(conn).await?;
    if disabled {
        end_sessions_of(conn, user.id, None, "account disabled", now).await?;
    }
    Ok(Audited::new(user.clone(), home_of(&user), user.id)
        .with_event(LiveEvent::AccessChanged { user_id: user.id }))
}

/// Roles whose holders publish a work phone on contact cards (a resident's own phone stays
/// in the registry, masked).
const PUBLISHES_WORK_PHONE: [Role; 6] = [
    Role::PlatformAdmin,
    Role::StreetAdmin,
    Role::CommunityAdmin,
    Role::CommunityStaff,
    Role::GridLeader,
    Role::GridWorker,
];

/// Sets (or, with `None`, clears) a work phone: a staff member or grid worker their own, an
/// admin those of the users they manage.
pub async fn set_work_phone(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    user_id: Uuid,
    phone: Option<&str>,
) -> AppResult<Audited<app_user::Model>> {
    let user = if user_id == viewer.user_id {
        let works = viewer
            .grants
            .iter()
            .any(|g| PUBLISHES_WORK_PHONE.contains(&g.role));
        if !works {
            return Err(AppError::Forbidden(msg!(
                "only staff and grid workers publish a work phone"
            )));
        }
        app_user::Entity::find_by_id(viewer.user_id)
            .one(conn)
            .await?
            .ok_or(AppError::NotFound(msg!("user not found")))?
    } else {
        manageable_user(conn, viewer, user_id).await?
    };
    let phone = phone
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| {
            crate::graphql::phone::normalize_phone(p)
                .map_err(|m| AppError::bad_input("input.workPhone", m))
        })
        .transpose()?;
    let mut update: app_user::ActiveModel = user.into();
    update.work_phone = Set(phone);
    let user = update.update(conn).await?;
    Ok(Audited::new(user.clone(), home_of(&user), user.id))
}
