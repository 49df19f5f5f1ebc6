//! Batched lookups for lists of meetings and motions: a compound's meetings with their
//! agenda, attendance, minutes and motions, each motion with its count and the caller's
//! ballot, cost the same statements however many there are.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use entity::{
    agenda_item, ballot, meeting_minutes, motion, motion_voter, motion_voter_member,
    resident_account,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::service::{Attendance, attendance_of};
use crate::{error::AppError, graphql::loader::DbLoader};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AgendaOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AttendanceOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct LatestMinutesOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct MotionsOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct VotersOf(pub Uuid);
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BallotsOf(pub Uuid);
/// The voting unit a user votes for on a motion: `(motion, user)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct UnitOf(pub Uuid, pub Uuid);

/// Groups rows by a key, every key present (empty when it has no rows).
fn grouped<K: Copy + Eq + std::hash::Hash, T>(
    keys: &[K],
    rows: Vec<T>,
    key: impl Fn(&T) -> K,
) -> HashMap<K, Vec<T>> {
    let mut out: HashMap<K, Vec<T>> = keys.iter().map(|k| (*k, Vec::new())).collect();
    for row in rows {
        out.entry(key(&row)).or_default().push(row);
    }
    out
}

impl Loader<AgendaOf> for DbLoader {
    type Value = Vec<agenda_item::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[AgendaOf]) -> Result<HashMap<AgendaOf, Self::Value>, Self::Error> {
        let rows = agenda_item::Entity::find()
            .filter(agenda_item::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(agenda_item::Column::Position)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| AgendaOf(r.meeting_id)))
    }
}

impl Loader<AttendanceOf> for DbLoader {
    type Value = Attendance;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[AttendanceOf],
    ) -> Result<HashMap<AttendanceOf, Attendance>, Self::Error> {
        let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
        Ok(attendance_of(self.db.reader(), &ids)
            .await?
            .into_iter()
            .map(|(id, a)| (AttendanceOf(id), a))
            .collect())
    }
}

impl Loader<LatestMinutesOf> for DbLoader {
    type Value = meeting_minutes::Model;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[LatestMinutesOf],
    ) -> Result<HashMap<LatestMinutesOf, Self::Value>, Self::Error> {
        let mut out: HashMap<LatestMinutesOf, Self::Value> = HashMap::new();
        for m in meeting_minutes::Entity::find()
            .filter(meeting_minutes::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(meeting_minutes::Column::Version)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?
        {
            out.insert(LatestMinutesOf(m.meeting_id), m);
        }
        Ok(out)
    }
}

impl Loader<MotionsOf> for DbLoader {
    type Value = Vec<motion::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[MotionsOf],
    ) -> Result<HashMap<MotionsOf, Self::Value>, Self::Error> {
        let rows = motion::Entity::find()
            .filter(motion::Column::MeetingId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(motion::Column::Id)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| MotionsOf(r.meeting_id)))
    }
}

impl Loader<VotersOf> for DbLoader {
    type Value = Vec<motion_voter::Model>;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[VotersOf]) -> Result<HashMap<VotersOf, Self::Value>, Self::Error> {
        let rows = motion_voter::Entity::find()
            .filter(motion_voter::Column::MotionId.is_in(keys.iter().map(|k| k.0)))
            .order_by_asc(motion_voter::Column::Label)
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| VotersOf(r.motion_id)))
    }
}

impl Loader<BallotsOf> for DbLoader {
    type Value = Vec<ballot::Model>;
    type Error = async_graphql::Error;

    async fn load(
        &self,
        keys: &[BallotsOf],
    ) -> Result<HashMap<BallotsOf, Self::Value>, Self::Error> {
        let rows = ballot::Entity::find()
            .filter(ballot::Column::MotionId.is_in(keys.iter().map(|k| k.0)))
            .all(self.db.reader())
            .await
            .map_err(AppError::from)?;
        Ok(grouped(keys, rows, |r| BallotsOf(r.motion_id)))
    }
}

impl Loader<UnitOf> for DbLoader {
    type Value = Uuid;
    type Error = async_graphql::Error;

    async fn load(&self, keys: &[UnitOf]) -> Result<HashMap<UnitOf, Uuid>, Self::Error> {
        let db = self.db.reader();
        let accounts = resident_account::Entity::find()
            .filter(resident_account::Column::UserId.is_in(keys.iter().map(|k| k.1)))
            .all(db)
            .await
            .map_err(AppError::from)?;
        let members = motion_voter_member::Entity::find()
            .filter(motion_voter_member::Column::MotionId.is_in(keys.iter().map(|k| k.0)))
            .filter(
                motion_voter_member::Column::ResidentId
                    .is_in(accounts.iter().map(|a| a.resident_id)),
            )
            .all(db)
            .await
            .map_err(AppError::from)?;
        let mut out = HashMap::new();
        for m in members {
            for a in accounts.iter().filter(|a| a.resident_id == m.resident_id) {
                out.insert(UnitOf(m.motion_id, a.user_id), m.voter_id);
            }
        }
        Ok(out)
    }
}
