//! Batched lookups for activity fields: a page of activities with their roles and counts,
//! or of sign-ups with names and activities, costs a fixed number of statements.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{activity, activity_role, activity_sign_up, resident, resident_account};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::{Alias, Expr, ExprTrait, Query, WindowStatement},
};
use uuid::Uuid;

use super::types::SignUpStatus;
use crate::{
    error::AppError,
    graphql::{StoredEnum, loader::DbLoader},
};

/// An activity by id (the activity of a sign-up the caller already sees).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ActivityById(pub Uuid);

/// The volunteer roles of an activity, in the order they were given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RolesOf(pub Uuid);

/// Confirmed and waiting sign-ups of an activity per pool (role, or none for participants).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SignUpCounts(pub Uuid);

/// (confirmed, waiting) per pool.
pub type Counts = HashMap<Option<Uuid>, (i64, i64)>;

/// The first `take` sign-ups of an activity in queue order (of one stored status, or all):
/// the first page of each activity's sign-ups on a page of activities, in one statement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FirstSignUps {
    pub activity: Uuid,
    pub status: Option<&'static str>,
    pub take: u64,
}

/// A resident's name (a sign-up's person).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ResidentName(pub Uuid);

/// The (resident, community) pairs a user's login speaks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct OwnResidents(pub Uuid);

impl Loader<ActivityById> for DbLoader {
    type Value = activity::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ActivityById],
    ) -> Result<HashMap<ActivityById, activity::Model>, Self::Error> {
        let rows = activity::Entity::find()
            .filter(activity::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows.into_iter().map(|a| (ActivityById(a.id), a)).collect())
    }
}

impl Loader<RolesOf> for DbLoader {
    type Value = Vec<activity_role::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[RolesOf]) -> Result<HashMap<RolesOf, Self::Value>, Self::Error> {
        let rows = activity_role::Entity::find()
            .filter(activity_role::Column::ActivityId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(activity_role::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<RolesOf, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for role in rows {
            out.entry(RolesOf(role.activity_id)).or_default().push(role);
        }
        Ok(out)
    }
}

impl Loader<SignUpCounts> for DbLoader {
    type Value = Counts;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[SignUpCounts],
    ) -> Result<HashMap<SignUpCounts, Counts>, Self::Error> {
        let rows: Vec<(Uuid, Option<Uuid>, String, i64)> = activity_sign_up::Entity::find()
            .select_only()
            .column(activity_sign_up::Column::ActivityId)
            .column(activity_sign_up::Column::RoleId)
            .column(activity_sign_up::Column::Status)
            .column_as(activity_sign_up::Column::Id.count(), "n")
            .filter(activity_sign_up::Column::ActivityId.is_in(keys.iter().map(|k| k.0)))
            .filter(activity_sign_up::Column::Status.ne(SignUpStatus::Cancelled.stored()))
            .group_by(activity_sign_up::Column::ActivityId)
            .group_by(activity_sign_up::Column::RoleId)
            .group_by(activity_sign_up::Column::Status)
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<SignUpCounts, Counts> =
            keys.iter().map(|k| (*k, Counts::new())).collect();
        for (activity, role, status, n) in rows {
            let counts = out
                .entry(SignUpCounts(activity))
                .or_default()
                .entry(role)
                .or_default();
            if status == SignUpStatus::Confirmed.stored() {
                counts.0 += n;
            } else {
                counts.1 += n;
            }
        }
        Ok(out)
    }
}

impl Loader<FirstSignUps> for DbLoader {
    type Value = Vec<activity_sign_up::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[FirstSignUps],
    ) -> Result<HashMap<FirstSignUps, Self::Value>, Self::Error> {
        let mut out: HashMap<FirstSignUps, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        // One statement per (status, take): a page's activities all ask the same.
        let mut groups: HashMap<(Option<&'static str>, u64), Vec<Uuid>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.status, key.take))
                .or_default()
                .push(key.activity);
        }
        for ((status, take), activities) in groups {
            // Each activity's sign-ups numbered in queue order; the first `take` of each.
            let mut ranked = Query::select();
            ranked
                .column(activity_sign_up::Column::Id)
                .expr_window_as(
                    Expr::cust("ROW_NUMBER()"),
                    WindowStatement::partition_by(activity_sign_up::Column::ActivityId)
                        .order_by(activity_sign_up::Column::QueuedAt, sea_orm::Order::Asc)
                        .order_by(activity_sign_up::Column::Id, sea_orm::Order::Asc)
                        .take(),
                    Alias::new("queue_rank"),
                )
                .from(activity_sign_up::Entity)
                .and_where(activity_sign_up::Column::ActivityId.is_in(activities));
            if let Some(status) = status {
                ranked.and_where(activity_sign_up::Column::Status.eq(status));
            }
            let firsts = Query::select()
                .column(activity_sign_up::Column::Id)
                .from_subquery(ranked.to_owned(), Alias::new("ranked"))
                .and_where(Expr::col(Alias::new("queue_rank")).lte(take))
                .to_owned();
            let rows = activity_sign_up::Entity::find()
                .filter(activity_sign_up::Column::Id.in_subquery(firsts))
                .order_by_asc(activity_sign_up::Column::QueuedAt)
                .order_by_asc(activity_sign_up::Column::Id)
                .all(self.db.reader())
                .await
                .map_err(AppError::from)?;
            for row in rows {
                let key = FirstSignUps {
                    activity: row.activity_id,
                    status,
                    take,
                };
                out.entry(key).or_default().push(row);
            }
        }
        Ok(out)
    }
}

impl Loader<ResidentName> for DbLoader {
    type Value = String;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[ResidentName],
    ) -> Result<HashMap<ResidentName, String>, Self::Error> {
        let rows: Vec<(Uuid, String)> = resident::Entity::find()
            .select_only()
            .column(resident::Column::Id)
            .column(resident::Column::Name)
            .filter(resident::Column::Id.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(rows
            .into_iter()
            .map(|(id, n)| (ResidentName(id), n))
            .collect())
    }
}

impl Loader<OwnResidents> for DbLoader {
    type Value = Vec<(Uuid, Uuid)>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[OwnResidents],
    ) -> Result<HashMap<OwnResidents, Self::Value>, Self::Error> {
        let rows: Vec<(Uuid, Uuid, Uuid)> = resident_account::Entity::find()
            .select_only()
            .column(resident_account::Column::UserId)
            .column(resident_account::Column::ResidentId)
            .column(resident_account::Column::CommunityId)
            .filter(resident_account::Column::UserId.is_in(keys.iter().map(|k| k.0)))
            .into_tuple()
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        let mut out: HashMap<OwnResidents, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (user, resident, community) in rows {
            out.entry(OwnResidents(user))
                .or_default()
                .push((resident, community));
        }
        Ok(out)
    }
}
