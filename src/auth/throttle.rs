//! Login throttling. Failures are counted per (username, client address) pair and per
//! address, in the database so that every process serving a deployment shares them. A
//! locked key answers RATE_LIMITED until its lockout ends; the server never sleeps to slow
//! anyone down (that would only tie up its own workers).

use chrono::{DateTime, Utc};
use entity::login_throttle;
use sea_orm::{
    ActiveValue::Set,
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait},
};

use crate::{
    config::ThrottleConfig,
    error::{AppError, AppResult},
};

/// The counter keys one login attempt touches, with the failures each tolerates.
pub fn keys(config: &ThrottleConfig, username: &str, client: &str) -> [(String, i32); 2] {
    [
        (
            format!("pair:{}|{client}", username.trim().to_lowercase()),
            config.pair_max_failures,
        ),
        (format!("addr:{client}"), config.address_max_failures),
    ]
}

/// Refuses the attempt while any of its keys is locked.
pub async fn check(
    conn: &impl ConnectionTrait,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    for (key, _) in keys {
        let row = login_throttle::Entity::find_by_id(key.clone())
            .one(conn)
            .await?;
        if let Some(until) = row
            .and_then(|r| r.locked_until)
            .filter(|until| *until > now)
        {
            return Err(AppError::RateLimited {
                retry_after_secs: std::cmp::max((until - now).num_seconds(), 1),
            });
        }
    }
    Ok(())
}

/// Counts a failure on every key; a key reaching its limit is locked. The increment is one
/// `UPDATE` (a row lock on PostgreSQL), so concurrent failures are all counted.
pub async fn record_failure(
    conn: &impl ConnectionTrait,
    config: &ThrottleConfig,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let window = chrono::Duration::from_std(config.window).map_err(AppError::internal)?;
    let lockout = chrono::Duration::from_std(config.lockout).map_err(AppError::internal)?;
    let window_open_since = now - window;
    for (key, max_failures) in keys {
        login_throttle::Entity::insert(login_throttle::ActiveModel {
            key: Set(key.clone()),
            failures: Set(0),
            window_started_at: Set(now),
            locked_until: Set(None),
        })
        .on_conflict_do_nothing_on([login_throttle::Column::Key])
        .exec(conn)
        .await?;
        let in_window = Expr::col(login_throttle::Column::WindowStartedAt).gt(window_open_since);
        login_throttle::Entity::update_many()
            .col_expr(
                login_throttle::Column::Failures,
                Expr::case(
                    in_window.clone(),
                    Expr::col(login_throttle::Column::Failures).add(1),
                )
                .finally(1)
                .into(),
            )
            .col_expr(
                login_throttle::Column::WindowStartedAt,
                Expr::case(
                    in_window,
                    Expr::col(login_throttle::Column::WindowStartedAt),
                )
                .finally(now)
                .into(),
            )
            .filter(login_throttle::Column::Key.eq(key.as_str()))
            .exec(conn)
            .await?;
        let row = login_throttle::Entity::find_by_id(key.clone())
            .one(conn)
            .await?;
        if row.is_some_and(|r| r.failures >= *max_failures) {
            // A lock starts a fresh window: after it ends the full allowance applies again.
            login_throttle::Entity::update_many()
                .col_expr(login_throttle::Column::Failures, Expr::value(0))
                .col_expr(login_throttle::Column::WindowStartedAt, Expr::value(now))
                .col_expr(
                    login_throttle::Column::LockedUntil,
                    Expr::value(now + lockout),
                )
                .filter(login_throttle::Column::Key.eq(key.as_str()))
                .exec(conn)
                .await?;
        }
    }
    Ok(())
}

/// A successful login clears its pair counter (the address counter keeps counting, so one
/// address cannot probe many accounts by logging into its own in between).
pub async fn record_success(conn: &impl ConnectionTrait, keys: &[(String, i32)]) -> AppResult<()> {
    if let Some((pair_key, _)) = keys.first() {
        login_throttle::Entity::delete_by_id(pair_key.clone())
            .exec(conn)
            .await?;
    }
    Ok(())
}
