//! The one way a mutation writes: one transaction for the change and its audit row; on
//! failure nothing of the change remains and the failure is audited on its own.

use async_graphql::Context;
use futures::future::BoxFuture;
use sea_orm::DatabaseTransaction;
use serde_json::Value;

use super::{Action, Audited};
use crate::{auth::Viewer, error::AppResult, graphql::ContextExt};

/// Runs `work` for the logged-in caller inside a write transaction, audited as `name`
/// with the (already redacted) `input`.
pub async fn audited_write<T, F>(
    ctx: &Context<'_>,
    name: &'static str,
    input: Value,
    work: F,
) -> AppResult<T>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction, &'c Viewer) -> BoxFuture<'c, AppResult<Audited<T>>>,
{
    write(ctx, name, input, ctx.viewer(), false, work).await
}

/// [`audited_write`] in the server's own scope (`Db::as_server`), for the writes whose
/// right comes from a secret the caller shows (a binding code), not from their grants.
pub async fn audited_write_as_server<T, F>(
    ctx: &Context<'_>,
    name: &'static str,
    input: Value,
    work: F,
) -> AppResult<T>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction, &'c Viewer) -> BoxFuture<'c, AppResult<Audited<T>>>,
{
    write(ctx, name, input, ctx.viewer(), true, work).await
}

/// [`audited_write`] for the few mutations that work while a password change is pending
/// (`changePassword` itself).
pub async fn audited_write_pending_password<T, F>(
    ctx: &Context<'_>,
    name: &'static str,
    input: Value,
    work: F,
) -> AppResult<T>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction, &'c Viewer) -> BoxFuture<'c, AppResult<Audited<T>>>,
{
    write(
        ctx,
        name,
        input,
        ctx.viewer_even_if_password_expired(),
        false,
        work,
    )
    .await
}

async fn write<T, F>(
    ctx: &Context<'_>,
    name: &'static str,
    input: Value,
    viewer: AppResult<&Viewer>,
    as_server: bool,
    work: F,
) -> AppResult<T>
where
    F: for<'c> FnOnce(&'c DatabaseTransaction, &'c Viewer) -> BoxFuture<'c, AppResult<Audited<T>>>,
{
    let db = &ctx.services().db;
    let mut action = Action {
        name,
        actor: None,
        meta: ctx.meta(),
        input,
    };
    let viewer = match viewer {
        Ok(viewer) => viewer,
        Err(err) => {
            action.record_failure(db, &err).await?;
            return Err(err);
        }
    };
    action.actor = Some(viewer.user_id);
    let txn = if as_server {
        db.as_server().begin_write().await?
    } else {
        db.begin_write().await?
    };
    let result = work(&txn, viewer).await;
    action.finish(ctx.services(), txn, result).await
}
