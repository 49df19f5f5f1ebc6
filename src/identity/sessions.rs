//! Logging in and out: sessions, refresh-token rotation, password changes.

use chrono::{DateTime, Utc};
use entity::{app_user, login_session, refresh_token};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use super::types::TokenPair;
use crate::{
    audit::{Action, AuditTarget, Audited},
    auth::{Viewer, password::check_strength, throttle, token},
    db::Db,
    error::{AppError, AppResult, msg},
    graphql::RequestMeta,
    live::LiveEvent,
    state::Services,
};

const WRONG_LOGIN: AppError = AppError::Unauthenticated(msg!("wrong username or password"));
const BAD_REFRESH: AppError =
    AppError::Unauthenticated(msg!("the refresh token is not valid; log in again"));

/// The lookup key of a username: logins ignore case and surrounding spaces.
pub fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

/// Checks a password once (per request), counts failures, and opens a session.
pub async fn login(
    services: &Services,
    meta: &RequestMeta,
    username: &str,
    password: String,
) -> AppResult<TokenPair> {
    let action = Action {
        name: "login",
        actor: None,
        meta,
        input: json!({ "username": username, "password": "[redacted]" }),
    };
    // Before there is a caller, a login is the server's own work, read and written on the
    // server's pool a statement at a time: a login waiting its turn for argon2 then holds
    // no connection (a request's reads hold theirs until it ends, and a flood of logins
    // would take every one from the callers' reads).
    let db = services.db.as_server();
    let result = try_login(services, &db, meta, username, password).await;
    match result {
        Ok((pair, user_id, txn)) => {
            action
                .record(&txn, None, AuditTarget::default(), Some(user_id))
                .await?;
            txn.commit().await?;
            Ok(pair)
        }
        Err(err) => {
            action.record_failure(&db, &err).await?;
            Err(err)
        }
    }
}

async fn try_login(
    services: &Services,
    db: &Db,
    meta: &RequestMeta,
    username: &str,
    password: String,
) -> AppResult<(TokenPair, Uuid, sea_orm::DatabaseTransaction)> {
    meta.claim_password_attempt()?;
    let limits = &services.config.login_throttle;
    let keys = throttle::keys(limits, username, &meta.client_addr);
    let now = Utc::now();
    throttle::check(db.reader(), &keys, now).await?;
    let user = app_user::Entity::find()
        .filter(app_user::Column::UsernameKey.eq(username_key(username)))
        .one(db.reader())
        .await?;
    let verified = services
        .passwords
        .verify(password, user.as_ref().map(|u| u.password_hash.clone()))
        .await?;
    let user = match user {
        Some(user) if verified && user.disabled_at.is_none() => user,
        _ => {
            let txn = db.begin_write().await?;
            throttle::record_failure(&txn, limits, &keys, Utc::now()).await?;
            txn.commit().await?;
            return Err(WRONG_LOGIN);
        }
    };
    let txn = db.begin_write().await?;
    throttle::record_success(&txn, &keys).await?;
    let pair = open_session(&txn, services, user.id, Utc::now()).await?;
    Ok((pair, user.id, txn))
}

async fn open_session(
    conn: &impl ConnectionTrait,
    services: &Services,
    user_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let session_id = Uuid::now_v7();
    let refresh_expires_at = now + services.config.refresh_token_ttl;
    login_session::ActiveModel {
        id: Set(session_id),
        user_id: Set(user_id),
        created_at: Set(now),
        expires_at: Set(refresh_expires_at),
        revoked_at: Set(None),
        revoke_reason: Set(None),
    }
    .insert(conn)
    .await?;
    issue_tokens(conn, services, user_id, session_id, now).await
}

async fn issue_tokens(
    conn: &impl ConnectionTrait,
    services: &Services,
    user_id: Uuid,
    session_id: Uuid,
    now: DateTime<Utc>,
) -> AppResult<TokenPair> {
    let refresh = token::new_opaque_token();
    let refresh_expires_at = now + services.config.refresh_token_ttl;
    refresh_token::ActiveModel {
        id: Set(Uuid::now_v7()),
        session_id: Set(session_id),
        token_hash: Set(token::opaque_token_hash(&refresh)),
        issued_at: Set(now),
        expires_at: Set(refresh_expires_at),
        used_at: Set(None),
    }
    .insert(conn)
    .await?;
    let (access_token, expires_at) = services.tokens.mint(user_id, session_id, now)?;
    Ok(TokenPair {
        access_token,
        expires_at,
        refresh_token: refresh,
        refresh_expires_at,
    })
}

/// Rotates a refresh token. A token presented twice was copied: the whole session (the
/// token family) is revoked, and the revocation is kept even though the call fails.
pub async fn refresh(
    services: &Services,
    meta: &RequestMeta,
    presented: &str,
) -> AppResult<TokenPair> {
    let action = Action {
        name: "refreshToken",
        actor: None,
        meta,
        input: json!({ "refreshToken": "[redacted]" }),
    };
    let db = &services.db;
    let txn = db.begin_write().await?;
    let now = Utc::now();
    let outcome = rotate(&txn, services, presented, now).await;
    match outcome {
        Ok(Rotation::Rotated { pair, user_id }) => {
            action
                .record(&txn, None, AuditTarget::default(), Some(user_id))
                .await?;
            txn.commit().await?;
            Ok(pair)
        }
        Ok(Rotation::Reused { user_id }) => {
            action
                .record(
                    &txn,
                    Some(&BAD_REFRESH),
                    AuditTarget::default(),
                    Some(user_id),
                )
                .await?;
            // The family's access tokens stop working at once, cached or on a socket.
            let events = vec![LiveEvent::AccessChanged { user_id }];
            services.live.stage(&txn, &events).await?;
            txn.commit().await?;
            services.forget_viewers(&events);
            services.live.deliver(events);
            Err(BAD_REFRESH)
        }
        Err(err) => {
            txn.rollback().await?;
            action.record_failure(db, &err).await?;
            Err(err)
        }
    }
}

enum Rotation {
    Rotated { pair: TokenPair, user_id: Uuid },
    Reused { user_id: Uuid },
}

async fn rotate(
    conn: &impl ConnectionTrait,
    services: &Services,
    presented: &str,
    now: DateTime<Utc>,
) -> AppResult<Rotation> {
    let hash = token::opaque_token_hash(presented);
    let Some(stored) = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(conn)
        .await?
    else {
        return Err(BAD_REFRESH);
    };
    let session = login_session::Entity::find_by_id(stored.session_id)
        .one(conn)
        .await?
        .ok_or(BAD_REFRESH)?;
    // Marking the token used only if nobody did first makes two concurrent refreshes with
    // one token a detected reuse, not two valid families.
    let marked = refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::UsedAt, Expr::value(now))
        .filter(refresh_token::Column::Id.eq(stored.id))
        .filter(refresh_token::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    if marked.rows_affected == 0 {
        end_session(conn, session.id, "refresh token reused", now).await?;
        return Ok(Rotation::Reused {
            user_id: session.user_id,
        });
    }
    let user = app_user::Entity::find_by_id(session.user_id)
        .one(conn)
        .await?;
    let usable = session.revoked_at.is_none()
        && session.expires_at > now
        && stored.expires_at > now
        && user.is_some_and(|u| u.disabled_at.is_none());
    if !usable {
        return Err(BAD_REFRESH);
    }
    let mut session_update: login_session::ActiveModel = session.clone().into();
    session_update.expires_at = Set(now + services.config.refresh_token_ttl);
    session_update.update(conn).await?;
    let pair = issue_tokens(conn, services, session.user_id, session.id, now).await?;
    Ok(Rotation::Rotated {
        pair,
        user_id: session.user_id,
    })
}

/// Ends the session the refresh token belongs to. Like OAuth token revocation (RFC 7009)
/// it needs no access token (a client whose access token expired can still log out) and
/// answers the same for unknown tokens, so it confirms nothing.
pub async fn logout(conn: &impl ConnectionTrait, presented: &str) -> AppResult<Audited<bool>> {
    let hash = token::opaque_token_hash(presented);
    let stored = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(hash))
        .one(conn)
        .await?;
    let Some(stored) = stored else {
        return Ok(Audited::at(true, AuditTarget::default()));
    };
    end_session(conn, stored.session_id, "logout", Utc::now()).await?;
    let user_id = login_session::Entity::find_by_id(stored.session_id)
        .one(conn)
        .await?
        .map(|session| session.user_id)
        .unwrap_or_default();
    let target = AuditTarget {
        target_id: Some(stored.session_id),
        ..Default::default()
    };
    Ok(Audited::at(true, target).with_event(LiveEvent::AccessChanged { user_id }))
}

pub async fn end_session(
    conn: &impl ConnectionTrait,
    session_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    login_session::Entity::update_many()
        .col_expr(login_session::Column::RevokedAt, Expr::value(now))
        .col_expr(login_session::Column::RevokeReason, Expr::value(reason))
        .filter(login_session::Column::Id.eq(session_id))
        .filter(login_session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Ends every session of a user (but `keep`), and with them their refresh tokens and
/// access tokens.
pub async fn end_sessions_of(
    conn: &impl ConnectionTrait,
    user_id: Uuid,
    keep: Option<Uuid>,
    reason: &str,
    now: DateTime<Utc>,
) -> AppResult<()> {
    let mut update = login_session::Entity::update_many()
        .col_expr(login_session::Column::RevokedAt, Expr::value(now))
        .col_expr(login_session::Column::RevokeReason, Expr::value(reason))
        .filter(login_session::Column::UserId.eq(user_id))
        .filter(login_session::Column::RevokedAt.is_null());
    if let Some(keep) = keep {
        update = update.filter(login_session::Column::Id.ne(keep));
    }
    update.exec(conn).await?;
    Ok(())
}

/// Verifies the current password (once per request, throttled like a login) and hashes
/// the new one, before any transaction starts: hashing takes ~30 ms and must not hold the
/// SQLite write lock.
pub async fn prepare_password_change(
    services: &Services,
    meta: &RequestMeta,
    viewer: &Viewer,
    current: String,
    new: String,
) -> AppResult<String> {
    meta.claim_password_attempt()?;
    check_strength("input.newPassword", &viewer.username, &new)?;
    if new == current {
        return Err(AppError::bad_input(
            "input.newPassword",
            msg!("the new password must differ from the current one"),
        ));
    }
    let db = &services.db;
    let limits = &services.config.login_throttle;
    let keys = throttle::keys(limits, &viewer.username, &meta.client_addr);
    throttle::check(db.reader(), &keys, Utc::now()).await?;
    let user = app_user::Entity::find_by_id(viewer.user_id)
        .one(db.reader())
        .await?
        .ok_or(AppError::Unauthenticated(msg!(
            "the session has ended; log in again"
        )))?;
    if !services
        .passwords
        .verify(current, Some(user.password_hash))
        .await?
    {
        let txn = db.begin_write().await?;
        throttle::record_failure(&txn, limits, &keys, Utc::now()).await?;
        txn.commit().await?;
        return Err(AppError::bad_input(
            "input.currentPassword",
            msg!("the current password is wrong"),
        ));
    }
    services.passwords.hash(new).await
}

/// Stores a new password hash, lifts the forced change, and ends the user's other sessions.
pub async fn change_password(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new_hash: String,
) -> AppResult<Audited<bool>> {
    let now = Utc::now();
    app_user::Entity::update_many()
        .col_expr(app_user::Column::PasswordHash, Expr::value(new_hash))
        .col_expr(app_user::Column::MustChangePassword, Expr::value(false))
        .col_expr(app_user::Column::PasswordChangedAt, Expr::value(now))
        .filter(app_user::Column::Id.eq(viewer.user_id))
        .exec(conn)
        .await?;
    end_sessions_of(
        conn,
        viewer.user_id,
        Some(viewer.session_id),
        "password changed",
        now,
    )
    .await?;
    let target = AuditTarget {
        target_id: Some(viewer.user_id),
        ..Default::default()
    };
    Ok(
        Audited::at(true, target).with_event(LiveEvent::AccessChanged {
            user_id: viewer.user_id,
        }),
    )
}
