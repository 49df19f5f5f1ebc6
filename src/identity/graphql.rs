//! GraphQL for accounts, sessions and grants. Resolvers parse input, call a service, and
//! map the result; the rules live in the services.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::app_user;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, LikeExpr},
};
use serde_json::json;

use super::{
    grants::{self, NewGrant},
    loaders::{GrantsOf, ScopeName},
    sessions,
    types::{Grant, OkPayload, Role, TokenPair, User},
    users::{self, NewUser, check_username},
};
use crate::{
    audit::Action,
    auth::password::check_strength,
    error::AppResult,
    graphql::{
        ContextExt,
        loader::{loader, selects},
        pagination::{Page, PageArgs, keyset_page},
        parse_id,
        write::{audited_write, audited_write_pending_password},
    },
};

#[derive(InputObject)]
pub struct LoginInput {
    pub username: String,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct RefreshTokenInput {
    #[graphql(secret)]
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct LogoutInput {
    #[graphql(secret)]
    pub refresh_token: String,
}

#[derive(InputObject)]
pub struct ChangePasswordInput {
    #[graphql(secret)]
    pub current_password: String,
    #[graphql(secret)]
    pub new_password: String,
}

#[derive(InputObject)]
pub struct CreateUserInput {
    pub username: String,
    pub display_name: String,
    /// Must be changed at first login.
    #[graphql(secret)]
    pub initial_password: String,
    /// The community the account belongs to (or `homeStreetOfficeId` for street staff).
    pub home_community_id: Option<ID>,
    pub home_street_office_id: Option<ID>,
}

#[derive(InputObject)]
pub struct GrantRoleInput {
    pub user_id: ID,
    pub role: Role,
    /// The street office, community, compound, grid or household; omitted for platform_admin.
    pub scope_id: Option<ID>,
    /// For compound and household scopes: the community they belong to (grids know theirs).
    pub community_id: Option<ID>,
    pub valid_from: Option<DateTime<Utc>>,
    pub valid_until: Option<DateTime<Utc>>,
}

#[derive(InputObject)]
pub struct ResetPasswordInput {
    pub user_id: ID,
    /// A new initial password, to be changed at next login.
    #[graphql(secret)]
    pub new_password: String,
}

#[derive(InputObject)]
pub struct UserIdInput {
    pub user_id: ID,
}

#[derive(InputObject)]
pub struct RevokeRoleInput {
    pub grant_id: ID,
}

#[derive(InputObject, Default)]
pub struct UserFilter {
    /// Part of the username or display name.
    pub search: Option<String>,
    /// Only accounts whose home is this community.
    pub home_community_id: Option<ID>,
}

#[derive(SimpleObject)]
pub struct UserPayload {
    pub user: User,
}

#[derive(SimpleObject)]
pub struct GrantPayload {
    pub grant: Grant,
}

#[derive(Default)]
pub struct IdentityQuery;

#[Object]
impl IdentityQuery {
    /// The caller, with its grants. Works while a password change is pending.
    async fn me(&self, ctx: &Context<'_>) -> Result<User> {
        let viewer = ctx.viewer_even_if_password_expired()?;
        let user = app_user::Entity::find_by_id(viewer.user_id)
            .one(ctx.services().db.reader())
            .await
            .map_err(crate::error::AppError::from)?
            .ok_or(crate::error::AppError::Unauthenticated(
                "the session has ended; log in again",
            ))?;
        Ok(user.into())
    }

    /// Users the caller may manage.
    #[graphql(complexity = "crate::graphql::pagination::list_complexity(first, child_complexity)")]
    async fn users(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        filter: Option<UserFilter>,
    ) -> Result<Page<User>> {
        let viewer = ctx.viewer()?;
        if viewer
            .reach(crate::auth::Capability::ManageUsers)
            .is_nothing()
        {
            return Err(crate::error::AppError::Forbidden("only admins list users").into());
        }
        let args = PageArgs::new(first, after)?;
        let filter = filter.unwrap_or_default();
        let mut select = users::manageable_users(viewer, Utc::now());
        if let Some(search) = filter
            .search
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
        {
            let pattern = format!(
                "%{}%",
                search
                    .replace('\\', "\\\\")
                    .replace('%', "\\%")
                    .replace('_', "\\_")
            );
            select = select.filter(
                Condition::any()
                    .add(
                        Expr::col(app_user::Column::UsernameKey)
                            .like(LikeExpr::new(&pattern).escape('\\')),
                    )
                    .add(
                        Expr::col(app_user::Column::DisplayName)
                            .like(LikeExpr::new(&pattern).escape('\\')),
                    ),
            );
        }
        if let Some(community) = filter.home_community_id {
            let community = parse_id("filter.homeCommunityId", &community)?;
            select = select.filter(app_user::Column::HomeCommunityId.eq(community));
        }
        let page = keyset_page(
            ctx.services().db.reader(),
            select,
            app_user::Column::Id,
            args,
            User::from,
        )
        .await?;
        prime_users(ctx, page.edges.iter().map(|e| e.node.user_id).collect()).await?;
        Ok(page)
    }

    /// A user the caller can see (administers, or who holds a role where the caller does).
    async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let user = users::visible_users(viewer)
            .filter(app_user::Column::Id.eq(id))
            .one(ctx.services().db.reader())
            .await
            .map_err(crate::error::AppError::from)?
            .ok_or(crate::error::AppError::NotFound("user"))?;
        Ok(user.into())
    }
}

/// Loads the grants (and their scope names) of a page of users in one batch each, when
/// the query asks for them.
async fn prime_users(ctx: &Context<'_>, users: Vec<uuid::Uuid>) -> Result<()> {
    let node = ["edges", "node"];
    if !selects(ctx, &[node[0], node[1], "grants"])
        && !selects(ctx, &[node[0], node[1], "permissions"])
    {
        return Ok(());
    }
    let grants = loader(ctx)
        .load_many(users.into_iter().map(GrantsOf))
        .await?;
    if selects(ctx, &[node[0], node[1], "grants", "scopeName"]) {
        let scopes = grants
            .values()
            .flatten()
            .filter_map(|g| g.scope_id)
            .map(ScopeName);
        loader(ctx).load_many(scopes).await?;
    }
    Ok(())
}

#[derive(Default)]
pub struct IdentityMutation;

#[Object]
impl IdentityMutation {
    /// Opens a session. Wrong usernames and wrong passwords get the same answer; repeated
    /// failures lock the username and the client address for a while (RATE_LIMITED).
    async fn login(&self, ctx: &Context<'_>, input: LoginInput) -> Result<TokenPair> {
        Ok(sessions::login(ctx.services(), ctx.meta(), &input.username, input.password).await?)
    }

    /// Exchanges a refresh token for new tokens. Each refresh token works once; presenting
    /// a used one ends the whole session.
    async fn refresh_token(
        &self,
        ctx: &Context<'_>,
        input: RefreshTokenInput,
    ) -> Result<TokenPair> {
        Ok(sessions::refresh(ctx.services(), ctx.meta(), &input.refresh_token).await?)
    }

    /// Ends the session of a refresh token (no access token needed).
    async fn logout(&self, ctx: &Context<'_>, input: LogoutInput) -> Result<OkPayload> {
        let services = ctx.services();
        let action = Action {
            name: "logout",
            actor: None,
            meta: ctx.meta(),
            input: json!({ "refreshToken": "[redacted]" }),
        };
        let txn = services
            .db
            .begin_write()
            .await
            .map_err(crate::error::AppError::from)?;
        let result = sessions::logout(&txn, &input.refresh_token).await;
        let ok = action.finish(&services.db, txn, result).await?;
        Ok(OkPayload { ok })
    }

    /// Changes the caller's password; required before anything else after an initial or
    /// reset password. Other sessions of the user end.
    async fn change_password(
        &self,
        ctx: &Context<'_>,
        input: ChangePasswordInput,
    ) -> Result<OkPayload> {
        let audit_input = json!({ "currentPassword": "[redacted]", "newPassword": "[redacted]" });
        let prepared = match ctx.viewer_even_if_password_expired() {
            Ok(viewer) => {
                sessions::prepare_password_change(
                    ctx.services(),
                    ctx.meta(),
                    viewer,
                    input.current_password,
                    input.new_password,
                )
                .await
            }
            Err(err) => Err(err),
        };
        let ok = audited_write_pending_password(
            ctx,
            "changePassword",
            audit_input,
            move |txn, viewer| {
                Box::pin(async move { sessions::change_password(txn, viewer, prepared?).await })
            },
        )
        .await?;
        Ok(OkPayload { ok })
    }

    /// Creates an account with an initial password (to be changed at first login).
    async fn create_user(&self, ctx: &Context<'_>, input: CreateUserInput) -> Result<UserPayload> {
        let audit_input = json!({
            "username": input.username,
            "displayName": input.display_name,
            "initialPassword": "[redacted]",
            "homeCommunityId": input.home_community_id.as_ref().map(|id| id.as_str()),
            "homeStreetOfficeId": input.home_street_office_id.as_ref().map(|id| id.as_str()),
        });
        let prepared: AppResult<NewUser> = async {
            ctx.viewer()?;
            let username = check_username("input.username", &input.username)?;
            check_strength("input.initialPassword", &username, &input.initial_password)?;
            Ok(NewUser {
                home_community_id: input
                    .home_community_id
                    .as_ref()
                    .map(|id| parse_id("input.homeCommunityId", id))
                    .transpose()?,
                home_street_office_id: input
                    .home_street_office_id
                    .as_ref()
                    .map(|id| parse_id("input.homeStreetOfficeId", id))
                    .transpose()?,
                password_hash: ctx
                    .services()
                    .passwords
                    .hash(input.initial_password)
                    .await?,
                display_name: input.display_name,
                username,
            })
        }
        .await;
        let user = audited_write(ctx, "createUser", audit_input, move |txn, viewer| {
            Box::pin(async move { users::create_user(txn, viewer, prepared?).await })
        })
        .await?;
        Ok(UserPayload { user: user.into() })
    }

    /// Grants a role below the caller's own, inside the caller's scope.
    async fn grant_role(&self, ctx: &Context<'_>, input: GrantRoleInput) -> Result<GrantPayload> {
        let audit_input = json!({
            "userId": input.user_id.as_str(),
            "role": format!("{:?}", input.role),
            "scopeId": input.scope_id.as_ref().map(|id| id.as_str()),
            "communityId": input.community_id.as_ref().map(|id| id.as_str()),
            "validFrom": input.valid_from,
            "validUntil": input.valid_until,
        });
        let parsed: AppResult<NewGrant> = (|| {
            Ok(NewGrant {
                user_id: parse_id("input.userId", &input.user_id)?,
                role: input.role.into(),
                scope_id: input
                    .scope_id
                    .as_ref()
                    .map(|id| parse_id("input.scopeId", id))
                    .transpose()?,
                community_id: input
                    .community_id
                    .as_ref()
                    .map(|id| parse_id("input.communityId", id))
                    .transpose()?,
                valid_from: input.valid_from,
                valid_until: input.valid_until,
            })
        })();
        let grant = audited_write(ctx, "grantRole", audit_input, move |txn, viewer| {
            Box::pin(async move { grants::grant_role(txn, viewer, parsed?).await })
        })
        .await?;
        Ok(GrantPayload {
            grant: grant.into(),
        })
    }

    /// Revokes a grant; the user's sessions end with it.
    async fn revoke_role(&self, ctx: &Context<'_>, input: RevokeRoleInput) -> Result<GrantPayload> {
        let audit_input = json!({ "grantId": input.grant_id.as_str() });
        let grant_id = parse_id("input.grantId", &input.grant_id);
        let grant = audited_write(ctx, "revokeRole", audit_input, move |txn, viewer| {
            Box::pin(async move { grants::revoke_role(txn, viewer, grant_id?).await })
        })
        .await?;
        Ok(GrantPayload {
            grant: grant.into(),
        })
    }

    /// Sets a new initial password for a user the caller manages.
    async fn reset_password(
        &self,
        ctx: &Context<'_>,
        input: ResetPasswordInput,
    ) -> Result<UserPayload> {
        let audit_input = json!({ "userId": input.user_id.as_str(), "newPassword": "[redacted]" });
        let prepared: AppResult<(uuid::Uuid, String)> = async {
            let user_id = parse_id("input.userId", &input.user_id)?;
            ctx.viewer()?;
            // The username is needed for the strength rule; an invisible user fails later
            // with NOT_FOUND inside the transaction, before the hash is stored.
            let username = app_user::Entity::find_by_id(user_id)
                .one(ctx.services().db.reader())
                .await?
                .map(|u| u.username)
                .unwrap_or_default();
            check_strength("input.newPassword", &username, &input.new_password)?;
            Ok((
                user_id,
                ctx.services().passwords.hash(input.new_password).await?,
            ))
        }
        .await;
        let user = audited_write(ctx, "resetPassword", audit_input, move |txn, viewer| {
            Box::pin(async move {
                let (user_id, hash) = prepared?;
                users::reset_password(txn, viewer, user_id, hash).await
            })
        })
        .await?;
        Ok(UserPayload { user: user.into() })
    }

    /// Disables an account; its sessions end at once.
    async fn disable_user(&self, ctx: &Context<'_>, input: UserIdInput) -> Result<UserPayload> {
        set_disabled(ctx, "disableUser", input, true).await
    }

    async fn enable_user(&self, ctx: &Context<'_>, input: UserIdInput) -> Result<UserPayload> {
        set_disabled(ctx, "enableUser", input, false).await
    }
}

async fn set_disabled(
    ctx: &Context<'_>,
    name: &'static str,
    input: UserIdInput,
    disabled: bool,
) -> Result<UserPayload> {
    let audit_input = json!({ "userId": input.user_id.as_str() });
    let user_id = parse_id("input.userId", &input.user_id);
    let user = audited_write(ctx, name, audit_input, move |txn, viewer| {
        Box::pin(async move { users::set_disabled(txn, viewer, user_id?, disabled).await })
    })
    .await?;
    Ok(UserPayload { user: user.into() })
}
