//! Request categories and their deadlines: the built-in ones every community has, and
//! those a community adds. An urgent request gets a quarter of the time.

use chrono::Duration;
use entity::request_category;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::error::{AppError, AppResult, msg};

/// A category with its time to first response and time to resolve, in hours.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Category {
    pub code: String,
    pub name: String,
    pub first_response_hours: i32,
    pub resolve_hours: i32,
}

/// `(code, name, first response hours, resolve hours)`.
pub const BUILT_IN: [(&str, &str, i32, i32); 7] = [
    ("repair", "维修", 24, 72),
    ("sanitation", "环境卫生", 24, 48),
    ("parking", "停车", 48, 168),
    ("safety", "安全隐患", 2, 24),
    ("policy", "政策咨询", 24, 120),
    ("dispute", "矛盾纠纷", 24, 336),
    ("other", "其他", 48, 168),
];

/// Built-in and own categories together. A category list is a picker in every client, so it
/// stays one short list (`requestCategories` is not paged).
pub const MAX_CATEGORIES: usize = 60;

/// The community's categories: built-in first, then its own.
pub async fn categories(conn: &impl ConnectionTrait, community: Uuid) -> AppResult<Vec<Category>> {
    let mut all: Vec<Category> = BUILT_IN
        .iter()
        .map(|(code, name, first, resolve)| Category {
            code: (*code).to_owned(),
            name: (*name).to_owned(),
            first_response_hours: *first,
            resolve_hours: *resolve,
        })
        .collect();
    for c in request_category::Entity::find()
        .filter(request_category::Column::CommunityId.eq(community))
        .all(conn)
        .await?
    {
        all.push(Category {
            code: c.code,
            name: c.name,
            first_response_hours: c.first_response_hours,
            resolve_hours: c.resolve_hours,
        });
    }
    Ok(all)
}

pub async fn find(conn: &impl ConnectionTrait, community: Uuid, code: &str) -> AppResult<Category> {
    categories(conn, community)
        .await?
        .into_iter()
        .find(|c| c.code == code)
        .ok_or_else(|| {
            AppError::bad_input("input.category", msg!("no such category in the community"))
        })
}

/// The deadlines after `hours`, a quarter of them when urgent (at least one hour).
pub fn due(hours: i32, urgent: bool) -> Duration {
    let hours = if urgent { (hours / 4).max(1) } else { hours };
    Duration::hours(i64::from(hours))
}
