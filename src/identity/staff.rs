//! Who works in a community: its admins, staff, grid leaders and grid workers, by their
//! grants in force.
//! A party secretary, a WeChat group's staff and its people on duty must be among them.

use std::collections::HashSet;

use chrono::Utc;
use entity::role_grant::{self, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::AppResult;

/// Roles of the people who work in a community.
pub const WORKS_IN_COMMUNITY: [Role; 4] = [
    Role::CommunityAdmin,
    Role::CommunityStaff,
    Role::GridLeader,
    Role::GridWorker,
];

/// Which of `users` work in the community now: one statement.
pub async fn working_in(
    conn: &impl ConnectionTrait,
    community: Uuid,
    users: &[Uuid],
) -> AppResult<HashSet<Uuid>> {
    if users.is_empty() {
        return Ok(HashSet::new());
    }
    let now = Utc::now();
    Ok(role_grant::Entity::find()
        .filter(role_grant::Column::UserId.is_in(users.iter().copied()))
        .filter(role_grant::Column::CommunityId.eq(community))
        .filter(role_grant::Column::Role.is_in(WORKS_IN_COMMUNITY))
        .all(conn)
        .await?
        .into_iter()
        .filter(|g| g.is_active_at(now))
        .map(|g| g.user_id)
        .collect())
}
