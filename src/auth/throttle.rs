//! Login throttling. Failures are counted per (username, client address) pair and per
//! address, in the database so that every process serving a deployment shares them. A
//! locked key answers RATE_LIMITED until its lockout ends; the server never sleeps to slow
//! anyone down (that would only tie up its own workers).

use chrono::{DateTime, Utc};
use entity::login_throttle;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, ConnectionTrait, EntityTrait};

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
                retry_after_secs: (until - now).num_seconds().max(1),
            });
        }
    }
    Ok(())
}

/// Counts a failure on every key; a key reaching its limit is locked.
pub async fn record_failure(
    conn: &impl ConnectionTrait,
    config: &ThrottleConfig,
    keys: &[(String, i32)],
    now: DateTime<Utc>,
) -> AppResult<()> {
    let window = chrono::Duration::from_std(config.window).map_err(AppError::internal)?;
    let lockout = chrono::Duration::from_std(config.lockout).map_err(AppError::internal)?;
    for (key, max_failures) in keys {
        let existing = login_throttle::Entity::find_by_id(key.clone())
            .one(conn)
            .await?;
        let (failures, window_started_at) = match &existing {
            Some(row) if row.window_started_at + window > now => {
                (row.failures + 1, row.window_started_at)
            }
            _ => (1, now),
        };
        let locked = failures >= *max_failures;
        let model = login_throttle::ActiveModel {
            key: Set(key.clone()),
            // A lock starts a fresh window: after it ends the full allowance applies again.
            failures: Set(if locked { 0 } else { failures }),
            window_started_at: Set(if locked { now } else { window_started_at }),
            locked_until: Set(locked.then(|| now + lockout)),
        };
        if existing.is_some() {
            model.update(conn).await?;
        } else {
            model.insert(conn).await?;
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
