//! Who may read which households and residents, and how much of them (issue 4, PIPL):
//! community admins and staff keep their communities' residents (masked, reveal with a
//! reason); grid workers read the residents of their grids (masked); a resident reads their
//! own household in full; a family contact reads the household they act for (names and
//! masked phones, never document numbers); committee members and treasurers read none of it.

use entity::{
    reach::{Reach, never},
    role_grant::Role,
};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer},
    error::{AppResult, Msg, msg},
    tenancy::{Place, households_in_grids, place_for},
};

#[derive(Clone, Debug)]
pub struct ResidentAccess {
    /// Communities whose residents the caller keeps.
    pub keeps: Reach,
    /// Grids the caller works in.
    pub grids: Vec<Uuid>,
    /// Households the caller belongs to.
    pub households: Vec<Uuid>,
    /// Households the caller is a family contact of.
    pub families: Vec<Uuid>,
}

/// How much of a resident a caller sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Detail {
    /// Document number and phone masked.
    Masked,
    /// Everything: the caller's own household.
    Full,
    /// A family contact: phone masked, no document number at all.
    Family,
}

impl ResidentAccess {
    pub fn of(viewer: &Viewer) -> Self {
        Self {
            keeps: viewer.reach(Capability::ManageResidents),
            grids: viewer.work_grids(),
            households: viewer.scope_ids(Role::Resident),
            families: viewer.scope_ids(Role::FamilyContact),
        }
    }

    pub fn is_nothing(&self) -> bool {
        self.keeps.is_nothing()
            && self.grids.is_empty()
            && self.households.is_empty()
            && self.families.is_empty()
    }

    /// The rows the caller may read of a table of households or residents, filtered by the
    /// row's own columns: its `community_id` for the communities the caller keeps (never
    /// a walk through every household of the community), its household for grid workers'
    /// grids and the caller's own household.
    pub fn condition<C: ColumnTrait, H: ColumnTrait>(
        &self,
        community_id: C,
        household_id: H,
    ) -> Condition {
        let mut any = Condition::any();
        if !self.keeps.is_nothing() {
            any = any.add(self.keeps.community_condition(community_id));
        }
        if !self.grids.is_empty() {
            any = any.add(household_id.in_subquery(households_in_grids(&self.grids)));
        }
        if !self.households.is_empty() || !self.families.is_empty() {
            let ids = self.households.iter().chain(&self.families).copied();
            any = any.add(household_id.is_in(ids));
        }
        if self.is_nothing() { never() } else { any }
    }

    /// How much of a member of `household` the caller sees (given that they may read it).
    pub fn detail(&self, household: Uuid) -> Detail {
        if self.households.contains(&household) {
            Detail::Full
        } else if self.families.contains(&household) && self.keeps.is_nothing() {
            Detail::Family
        } else {
            Detail::Masked
        }
    }
}

const KEEPS_RESIDENTS: Msg = msg!("only the community's admins and staff keep its residents");

/// Where a community sits, if the caller keeps its residents (community admins and
/// staff): NOT_FOUND outside reach, FORBIDDEN for smaller roles.
pub async fn residents_place(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Place> {
    place_for(
        conn,
        viewer,
        community,
        Capability::ManageResidents,
        KEEPS_RESIDENTS,
    )
    .await
}
