//! GraphQL inputs of the identity domain and its queries (mutations in `mutation.rs`).

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entity::app_user;
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, LikeExpr},
};

use super::{
    loaders::{GrantsOf, ScopeName},
    types::{Grant, Role, User},
    users,
};
use crate::error::msg;
use crate::graphql::{
    ContextExt,
    loader::{loader, selects},
    pagination::{Page, PageArgs, keyset_page},
    parse_id,
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
pub struct SetWorkPhoneInput {
    pub user_id: ID,
    /// A mainland mobile or landline; `null` withdraws it.
    pub work_phone: Option<String>,
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
            .ok_or(crate::error::AppError::Unauthenticated(msg!(
                "the session has ended; log in again"
            )))?;
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
            return Err(crate::error::AppError::Forbidden(msg!("only admins list users")).into());
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
    pub async fn user(&self, ctx: &Context<'_>, id: ID) -> Result<User> {
        let viewer = ctx.viewer()?;
        let id = parse_id("id", &id)?;
        let user = users::visible_users(viewer)
            .filter(app_user::Column::Id.eq(id))
            .one(ctx.services().db.reader())
            .await
            .map_err(crate::error::AppError::from)?
            .ok_or(crate::error::AppError::NotFound(msg!("user not found")))?;
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
