//! The units that answer: a household, or a resident with their household. Which units a
//! caller answers for, and the keyed hash that stands for a unit on its answer row.

use entity::{resident, role_grant::Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use super::{
    access::Seen,
    types::{ConsultationUnit, unit_of},
};
use crate::{
    auth::Viewer,
    crypto::DataKeys,
    error::{AppError, AppResult, msg},
    meetings::access::own_residents,
    registry::family::access::{Power, contacts_acting},
};

/// One unit that answers: a household, or a resident (with their household).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unit {
    pub kind: ConsultationUnit,
    /// The household, or the resident.
    pub id: Uuid,
    pub household: Uuid,
    pub building: Uuid,
}

impl Unit {
    /// The keyed hash that stands for the unit on its answer row: stable for the unit and
    /// the consultation, unlinkable to the unit without the server's key.
    pub fn key(&self, keys: &DataKeys, consultation: Uuid) -> String {
        let kind = match self.kind {
            ConsultationUnit::Household => "household",
            ConsultationUnit::Resident => "resident",
        };
        keys.lookup_hash(
            "consultation-unit",
            &format!("{consultation}:{kind}:{}", self.id),
        )
    }

    pub fn household_id(&self) -> Option<Uuid> {
        (self.kind == ConsultationUnit::Household).then_some(self.id)
    }

    pub fn resident_id(&self) -> Option<Uuid> {
        (self.kind == ConsultationUnit::Resident).then_some(self.id)
    }
}

/// The units the caller answers for: their own household (or themselves) where the
/// consultation is put to, and those they answer for as a family contact allowed to.
pub async fn own_units(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    seen: &Seen,
) -> AppResult<Vec<Unit>> {
    if seen.homes.is_empty() {
        return Ok(Vec::new());
    }
    let kind = unit_of(&seen.row)?;
    let home_of = |household: Uuid| seen.homes.iter().find(|h| h.household == household);
    let contacts: Vec<_> = contacts_acting(conn, viewer)
        .await?
        .into_iter()
        .filter(|c| Power::AnswerConsultations.allowed(c))
        .collect();
    let mut units = Vec::new();
    match kind {
        ConsultationUnit::Household => {
            let households = viewer
                .scope_ids(Role::Resident)
                .into_iter()
                .chain(contacts.iter().map(|c| c.household_id));
            for household in households {
                if let Some(home) = home_of(household) {
                    units.push(Unit {
                        kind,
                        id: household,
                        household,
                        building: home.building,
                    });
                }
            }
        }
        ConsultationUnit::Resident => {
            let mut ids = own_residents(conn, viewer).await?;
            ids.extend(contacts.iter().map(|c| c.resident_id));
            let residents = resident::Entity::find()
                .filter(resident::Column::Id.is_in(ids))
                .filter(resident::Column::ArchivedAt.is_null())
                .filter(resident::Column::MovedOutOn.is_null())
                .all(conn)
                .await?;
            for r in residents {
                if let Some(home) = home_of(r.household_id) {
                    units.push(Unit {
                        kind,
                        id: r.id,
                        household: r.household_id,
                        building: home.building,
                    });
                }
            }
        }
    }
    units.sort_by_key(|u| u.id);
    units.dedup();
    Ok(units)
}

/// The one unit the caller answers for: the one named (`forId`), or their only one.
pub fn pick_unit(units: &[Unit], named: Option<Uuid>) -> AppResult<Unit> {
    match (named, units) {
        (_, []) => Err(AppError::Forbidden(msg!(
            "this consultation is not put to a household or resident you answer for"
        ))),
        (None, [one]) => Ok(*one),
        (None, _) => Err(AppError::bad_input(
            "input.forId",
            msg!("you answer for several; name the household or resident"),
        )),
        (Some(id), units) => units.iter().find(|u| u.id == id).copied().ok_or_else(|| {
            AppError::bad_input(
                "input.forId",
                msg!("you do not answer this consultation for that household or resident"),
            )
        }),
    }
}
