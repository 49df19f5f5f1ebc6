//! Mutations of accounts, sessions and grants. Resolvers parse input, call a service, and
//! map the result; the rules live in the services.

use async_graphql::{Context, Object, Result};
use entity::app_user;
use sea_orm::EntityTrait;
use serde_json::json;

use super::{
    grants::{self, NewGrant},
    graphql::{
        ChangePasswordInput, CreateUserInput, GrantPayload, GrantRoleInput, LoginInput,
        LogoutInput, RefreshTokenInput, ResetPasswordInput, RevokeRoleInput, SetWorkPhoneInput,
        UserIdInput, UserPayload,
    },
    sessions,
    types::{OkPayload, TokenPair},
    users::{self, NewUser, check_username},
};
use crate::{
    audit::Action,
    audit::{audited_write, write::audited_write_pending_password},
    auth::password::check_strength,
    error::AppResult,
    graphql::{ContextExt, parse_id},
};

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
        let ok = action.finish(services, txn, result).await?;
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

    /// Publishes (or, with `null`, withdraws) a work phone on contact cards: staff and grid
    /// workers their own, admins those of the users they manage.
    async fn set_work_phone(
        &self,
        ctx: &Context<'_>,
        input: SetWorkPhoneInput,
    ) -> Result<UserPayload> {
        let audit_input =
            json!({ "userId": input.user_id.as_str(), "published": input.work_phone.is_some() });
        let user_id = parse_id("input.userId", &input.user_id);
        let phone = input.work_phone;
        let user = audited_write(ctx, "setWorkPhone", audit_input, move |txn, viewer| {
            Box::pin(
                async move { users::set_work_phone(txn, viewer, user_id?, phone.as_deref()).await },
            )
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
