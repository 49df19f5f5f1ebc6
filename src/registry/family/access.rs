//! Who may keep a resident's family contacts, and what a family contact may do. Staff of
//! the community (and admins above) and the resident's own household keep them; the grid
//! worker of the grid reads them. A family contact acts for the household only through
//! their login's grant and the flags of their current contact row.

use entity::{
    family_contact,
    role_grant::{GrantSource, Role},
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
    registry::access::ResidentAccess,
    tenancy::{Place, covers},
};

/// What a family contact may be allowed to do for the household, one flag each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Power {
    /// Vote on a households' consultation on the household's behalf.
    AnswerConsultations,
    /// Sign the resident in to a meeting.
    SignInToMeetings,
    /// See the household's announcements and their read receipts.
    ReceiveNotices,
}

impl Power {
    pub fn allowed(self, contact: &family_contact::Model) -> bool {
        match self {
            Self::AnswerConsultations => contact.may_answer_consultations,
            Self::SignInToMeetings => contact.may_sign_in_to_meetings,
            Self::ReceiveNotices => contact.may_receive_notices,
        }
    }

    /// The refusal when the contact exists but the flag is not set.
    pub fn refusal(self) -> Msg {
        match self {
            Self::AnswerConsultations => {
                msg!("this family contact may not answer consultations for the household")
            }
            Self::SignInToMeetings => {
                msg!("this family contact may not sign the resident in to meetings")
            }
            Self::ReceiveNotices => {
                msg!("this family contact does not receive the household's notices")
            }
        }
    }
}

/// The caller's current family contact rows: those their login's grants come from (so a
/// revoked grant or an ended row gives nothing). No statement for callers without such a
/// grant.
pub async fn contacts_acting(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
) -> AppResult<Vec<family_contact::Model>> {
    let rows: Vec<Uuid> = viewer
        .grants
        .iter()
        .filter(|g| g.role == Role::FamilyContact && g.source_kind == GrantSource::FamilyContact)
        .filter_map(|g| g.source_id)
        .collect();
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    Ok(family_contact::Entity::find()
        .filter(family_contact::Column::Id.is_in(rows))
        .filter(family_contact::Column::UserId.eq(viewer.user_id))
        .filter(family_contact::Column::EndedAt.is_null())
        .all(conn)
        .await?)
}

/// The households for which the caller, as a family contact, holds `power` now.
pub async fn households_with(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    power: Power,
) -> AppResult<Vec<Uuid>> {
    Ok(contacts_acting(conn, viewer)
        .await?
        .into_iter()
        .filter(|c| power.allowed(c))
        .map(|c| c.household_id)
        .collect())
}

/// The caller's contact row for `resident` if it allows `power`: `None` when the caller is
/// no family contact of the resident, FORBIDDEN when they are but the flag is not set.
pub async fn acting_for(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    residents: &[Uuid],
    power: Power,
) -> AppResult<Option<family_contact::Model>> {
    let mine: Vec<family_contact::Model> = contacts_acting(conn, viewer)
        .await?
        .into_iter()
        .filter(|c| residents.contains(&c.resident_id))
        .collect();
    if mine.is_empty() {
        return Ok(None);
    }
    mine.into_iter()
        .find(|c| power.allowed(c))
        .map(Some)
        .ok_or(AppError::Forbidden(power.refusal()))
}

/// Whether the caller keeps the family contacts of a member of `household` at `place`:
/// the community's staff (and admins), or a resident of that household.
pub fn keeps(viewer: &Viewer, household: Uuid, place: Place) -> bool {
    covers(&viewer.reach(Capability::ManageResidents), place)
        || viewer.scope_ids(Role::Resident).contains(&household)
}

pub fn check_keep(viewer: &Viewer, household: Uuid, place: Place) -> AppResult<()> {
    if keeps(viewer, household, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the community's staff and the resident's household keep family contacts"
        )))
    }
}

/// Whether the caller reads every family contact of a resident they may read (staff, the
/// grid's worker, the household); a family contact reads only their own row.
pub fn reads_all(access: &ResidentAccess, household: Uuid) -> bool {
    !access.keeps.is_nothing() || !access.grids.is_empty() || access.households.contains(&household)
}

/// The voting unit member the caller answers for as a family contact on a motion: `None`
/// when they are no contact of any of its voters; FORBIDDEN on an owners' motion (art.
/// 278: owners vote themselves) or when the contact may not answer consultations.
pub async fn ballot_member(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    motion: &entity::motion::Model,
) -> AppResult<Option<entity::motion_voter_member::Model>> {
    use entity::motion_voter_member;
    let contacts = contacts_acting(conn, viewer).await?;
    if contacts.is_empty() {
        return Ok(None);
    }
    let Some(member) = motion_voter_member::Entity::find()
        .filter(motion_voter_member::Column::MotionId.eq(motion.id))
        .filter(
            motion_voter_member::Column::ResidentId.is_in(contacts.iter().map(|c| c.resident_id)),
        )
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if motion.electorate != "households" {
        return Err(AppError::Forbidden(msg!(
            "an owners' vote (Civil Code art. 278) is cast by the owner, not by a family contact"
        )));
    }
    let allowed = contacts
        .iter()
        .any(|c| c.resident_id == member.resident_id && c.may_answer_consultations);
    if allowed {
        Ok(Some(member))
    } else {
        Err(AppError::Forbidden(Power::AnswerConsultations.refusal()))
    }
}
