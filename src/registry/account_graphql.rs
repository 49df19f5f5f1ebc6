//! GraphQL for resident accounts and binding codes. Claiming a code is throttled like a
//! login (per client address), one attempt per request; codes never enter the audit log.

use async_graphql::{Context, ID, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use serde_json::json;

use super::accounts::{self, Claimant, NewLogin};
use crate::{
    audit::Action,
    audit::{audited_write, audited_write_as_server},
    auth::{password::check_strength, throttle},
    error::{AppError, AppResult},
    graphql::{ContextExt, parse_id},
    identity::users::check_username,
    tenancy::visible_resident,
};

#[derive(InputObject)]
pub struct ResidentRefInput {
    pub resident_id: ID,
}

#[derive(InputObject)]
pub struct CreateResidentAccountInput {
    pub resident_id: ID,
    pub username: String,
    /// Defaults to the resident's name.
    pub display_name: Option<String>,
    /// To be changed at first login.
    #[graphql(secret)]
    pub initial_password: String,
}

#[derive(InputObject)]
pub struct RegisterResidentInput {
    #[graphql(secret)]
    pub code: String,
    pub username: String,
    pub display_name: Option<String>,
    #[graphql(secret)]
    pub password: String,
}

#[derive(InputObject)]
pub struct ClaimResidentInput {
    #[graphql(secret)]
    pub code: String,
}

#[derive(SimpleObject)]
pub struct BindingCodePayload {
    /// Shown once: give it to the resident (printed or read out). Only a hash is kept.
    pub code: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(SimpleObject)]
pub struct ResidentAccountPayload {
    pub user_id: ID,
    pub resident_id: ID,
}

/// Checks the throttle before a claim; counts the attempt if the code was wrong.
async fn throttled<T>(
    ctx: &Context<'_>,
    attempt: impl Future<Output = AppResult<T>>,
) -> AppResult<T> {
    let services = ctx.services();
    let meta = ctx.meta();
    meta.claim_password_attempt()?;
    let limits = &services.config.login_throttle;
    let keys = throttle::keys(limits, "#binding-code", &meta.client_addr);
    throttle::check(services.db.reader(), &keys, Utc::now()).await?;
    let result = attempt.await;
    if let Err(AppError::BadUserInput { field, .. }) = &result
        && field == "input.code"
    {
        let txn = services.db.begin_write().await?;
        throttle::record_failure(&txn, limits, &keys, Utc::now()).await?;
        txn.commit().await?;
    }
    result
}

async fn new_login(
    ctx: &Context<'_>,
    username: &str,
    display_name: Option<String>,
    password: String,
    password_field: &str,
) -> AppResult<NewLogin> {
    let username = check_username("input.username", username)?;
    check_strength(password_field, &username, &password)?;
    Ok(NewLogin {
        password_hash: ctx.services().passwords.hash(password).await?,
        display_name: display_name.unwrap_or_default(),
        username,
    })
}

#[derive(Default)]
pub struct AccountMutation;

#[Object]
impl AccountMutation {
    /// Issues a one-time code (valid 14 days) with which a resident claims their record;
    /// earlier unused codes of theirs stop working. Community admins and staff.
    async fn issue_binding_code(
        &self,
        ctx: &Context<'_>,
        input: ResidentRefInput,
    ) -> Result<BindingCodePayload> {
        let audit = json!({ "residentId": input.resident_id.as_str() });
        let id = parse_id("input.residentId", &input.resident_id);
        let keys = ctx.services().data_keys.clone();
        let (code, expires_at) =
            audited_write(ctx, "issueBindingCode", audit, move |txn, viewer| {
                Box::pin(async move { accounts::issue_binding_code(txn, viewer, &keys, id?).await })
            })
            .await?;
        Ok(BindingCodePayload { code, expires_at })
    }

    /// Creates a login for a resident, linked to their record, with the `resident` role on
    /// their household. Community admins and staff.
    async fn create_resident_account(
        &self,
        ctx: &Context<'_>,
        input: CreateResidentAccountInput,
    ) -> Result<ResidentAccountPayload> {
        let audit = json!({ "residentId": input.resident_id.as_str(), "username": input.username, "initialPassword": "[redacted]" });
        let id = parse_id("input.residentId", &input.resident_id);
        let login = match ctx.viewer() {
            Ok(_) => {
                new_login(
                    ctx,
                    &input.username,
                    input.display_name,
                    input.initial_password,
                    "input.initialPassword",
                )
                .await
            }
            Err(e) => Err(e),
        };
        let user = audited_write(ctx, "createResidentAccount", audit, move |txn, viewer| {
            Box::pin(async move {
                let mut login = login?;
                let id = id?;
                if login.display_name.trim().is_empty() {
                    let resident = visible_resident(txn, viewer, id).await?;
                    crate::registry::access::residents_place(txn, viewer, resident.community_id)
                        .await?;
                    login.display_name = resident.name;
                }
                accounts::create_resident_account(txn, viewer, id, login).await
            })
        })
        .await?;
        Ok(ResidentAccountPayload {
            user_id: user.id.into(),
            resident_id: input.resident_id,
        })
    }

    /// Creates a login with a binding code (no login needed): the new user is linked to the
    /// resident the code was issued for. Then log in as usual.
    async fn register_resident(
        &self,
        ctx: &Context<'_>,
        input: RegisterResidentInput,
    ) -> Result<ResidentAccountPayload> {
        let services = ctx.services();
        let action = Action {
            name: "registerResident",
            actor: None,
            meta: ctx.meta(),
            input: json!({ "code": "[redacted]", "username": input.username, "password": "[redacted]" }),
        };
        let (resident, user) = throttled(ctx, async {
            let login = new_login(
                ctx,
                &input.username,
                input.display_name,
                input.password,
                "input.password",
            )
            .await;
            // The code, not a grant, gives the right: the server's own scope.
            let txn = services.db.as_server().begin_write().await?;
            let result = match login {
                Ok(login) => {
                    accounts::claim(&txn, &services.data_keys, &input.code, Claimant::New(login))
                        .await
                }
                Err(e) => Err(e),
            };
            action.finish(services, txn, result).await
        })
        .await?;
        Ok(ResidentAccountPayload {
            user_id: user.into(),
            resident_id: resident.id.into(),
        })
    }

    /// Links the logged-in caller to the resident a binding code was issued for.
    async fn claim_resident(
        &self,
        ctx: &Context<'_>,
        input: ClaimResidentInput,
    ) -> Result<ResidentAccountPayload> {
        let audit = json!({ "code": "[redacted]" });
        let keys = ctx.services().data_keys.clone();
        let code = input.code;
        let (resident, user) = throttled(
            ctx,
            audited_write_as_server(ctx, "claimResident", audit, move |txn, viewer| {
                Box::pin(async move {
                    accounts::claim(txn, &keys, &code, Claimant::Existing(viewer.user_id)).await
                })
            }),
        )
        .await?;
        Ok(ResidentAccountPayload {
            user_id: user.into(),
            resident_id: resident.id.into(),
        })
    }
}
