//! Who may touch a household's care watch. Staff (community admins and staff) and the
//! household's grid worker (or its grid leader) set watches, record check-ins and read them;
//! the household's own residents read theirs and check in themselves (kind SELF); its family
//! contacts read them and record that they saw them (FAMILY); the leader of its micro-grid,
//! a volunteer neighbour, records visits and meals (VOLUNTEER, MEAL_DELIVERED) but reads
//! nothing of its care; only staff register devices. Outside the caller's reach a household is NOT_FOUND; inside it, a smaller role
//! (a committee member, a resident of another household, another grid's worker) is
//! FORBIDDEN. Which recorder may record which kind is one function, [`may_record`], so
//! new recorders (family contacts, micro-grid leaders) are one variant each.

use std::collections::HashMap;

use entity::{dwelling, grid_building, household, role_grant::Role};
use sea_orm::{
    ConnectionTrait,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use super::types::CheckInKind;
use crate::{
    auth::{Capability, Viewer},
    error::{AppError, AppResult, Msg, msg},
    registry::micro_grid_access::leads_household,
    tenancy::{Place, covers, place_of, visible_household},
};

/// Who records a check-in, as the rules see them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CheckInBy {
    /// Community staff or admins (the user).
    Staff(Uuid),
    /// A grid worker of the household's grid (the user).
    GridWorker(Uuid),
    /// A resident of the household, with their own login (the user).
    Member(Uuid),
    /// A family contact of one of the household's residents (the user).
    Family(Uuid),
    /// The leader of the household's micro-grid, a volunteer neighbour (the user).
    Volunteer(Uuid),
    /// A registered device of the household (the device).
    Device(Uuid),
}

impl CheckInBy {
    pub fn user(self) -> Option<Uuid> {
        match self {
            Self::Staff(u)
            | Self::GridWorker(u)
            | Self::Member(u)
            | Self::Family(u)
            | Self::Volunteer(u) => Some(u),
            Self::Device(_) => None,
        }
    }

    pub fn device(self) -> Option<Uuid> {
        match self {
            Self::Device(d) => Some(d),
            _ => None,
        }
    }
}

/// Whether `by` may record a check-in of `kind`: people who look after the household
/// record how they saw it; a resident only that they are well (SELF); a device only
/// itself.
pub fn may_record(by: CheckInBy, kind: CheckInKind) -> bool {
    match by {
        CheckInBy::Staff(_) | CheckInBy::GridWorker(_) => kind != CheckInKind::Device,
        CheckInBy::Member(_) => kind == CheckInKind::Myself,
        CheckInBy::Family(_) => kind == CheckInKind::Family,
        CheckInBy::Volunteer(_) => {
            matches!(kind, CheckInKind::Volunteer | CheckInKind::MealDelivered)
        }
        CheckInBy::Device(_) => kind == CheckInKind::Device,
    }
}

/// How the caller stands toward a household they can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CareRole {
    Staff,
    GridWorker,
    Member,
    Family,
    /// Records check-ins, reads nothing of the household's care.
    Volunteer,
    /// Sees the household's community, nothing of its care.
    Outsider,
}

/// A household the caller can see, where it sits and how the caller stands toward it.
pub struct CareHousehold {
    pub household: household::Model,
    pub place: Place,
    pub role: CareRole,
}

impl CareHousehold {
    /// The caller as a check-in recorder, if they are one at all.
    pub fn recorder(&self, viewer: &Viewer) -> Option<CheckInBy> {
        let user = viewer.user_id;
        match self.role {
            CareRole::Staff => Some(CheckInBy::Staff(user)),
            CareRole::GridWorker => Some(CheckInBy::GridWorker(user)),
            CareRole::Member => Some(CheckInBy::Member(user)),
            CareRole::Family => Some(CheckInBy::Family(user)),
            CareRole::Volunteer => Some(CheckInBy::Volunteer(user)),
            CareRole::Outsider => None,
        }
    }

    fn require(&self, allowed: &[CareRole], refusal: Msg) -> AppResult<()> {
        if allowed.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::Forbidden(refusal))
        }
    }

    /// Setting or ending a watch: staff and the household's grid worker.
    pub fn check_watch(&self) -> AppResult<()> {
        self.require(
            &[CareRole::Staff, CareRole::GridWorker],
            msg!("only community staff and the household's grid worker set a care watch"),
        )
    }

    /// Reading a household's care: staff, the grid worker, the household itself and its
    /// family contacts.
    pub fn check_read(&self) -> AppResult<()> {
        self.require(
            &[
                CareRole::Staff,
                CareRole::GridWorker,
                CareRole::Member,
                CareRole::Family,
            ],
            msg!("care data is for community staff, the grid worker, the household and its family contacts"),
        )
    }

    /// Registering and revoking devices: staff.
    pub fn check_devices(&self) -> AppResult<()> {
        self.require(
            &[CareRole::Staff],
            msg!("only community staff register care devices"),
        )
    }
}

/// Where households are: their building and the grid covering it now, in one statement.
pub async fn places_of(
    conn: &impl ConnectionTrait,
    households: impl IntoIterator<Item = Uuid>,
) -> AppResult<HashMap<Uuid, (Uuid, Option<Uuid>)>> {
    let ids: Vec<Uuid> = households.into_iter().collect();
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let query = Query::select()
        .expr_as(
            Expr::col((household::Entity, household::Column::Id)),
            "household_id",
        )
        .expr_as(
            Expr::col((dwelling::Entity, dwelling::Column::BuildingId)),
            "building_id",
        )
        .expr_as(
            Expr::col((grid_building::Entity, grid_building::Column::GridId)),
            "grid_id",
        )
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .left_join(
            grid_building::Entity,
            Expr::col((grid_building::Entity, grid_building::Column::BuildingId))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
        .and_where(Expr::col((household::Entity, household::Column::Id)).is_in(ids))
        .to_owned();
    let mut places = HashMap::new();
    for row in conn.query_all(&query).await? {
        let household: Uuid = row.try_get("", "household_id")?;
        let building: Uuid = row.try_get("", "building_id")?;
        let grid: Option<Uuid> = row.try_get("", "grid_id")?;
        places.insert(household, (building, grid));
    }
    Ok(places)
}

/// A current household the caller can see (NOT_FOUND otherwise), with their role to it.
pub async fn care_household(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<CareHousehold> {
    let household = visible_household(conn, viewer, id).await?;
    if household.archived_at.is_some() {
        return Err(AppError::NotFound(msg!("household not found")));
    }
    let place = place_of(conn, viewer, household.community_id).await?;
    // Staff and the household need no lookup; only a grid worker's grid is looked up.
    let role = if covers(&viewer.reach(Capability::ManageResidents), place) {
        CareRole::Staff
    } else if viewer.scope_ids(Role::Resident).contains(&household.id) {
        CareRole::Member
    } else if viewer
        .scope_ids(Role::FamilyContact)
        .contains(&household.id)
    {
        CareRole::Family
    } else {
        let grids = viewer.work_grids();
        let grid = if grids.is_empty() {
            None
        } else {
            places_of(conn, [household.id])
                .await?
                .get(&household.id)
                .and_then(|(_, grid)| *grid)
        };
        if grid.is_some_and(|g| grids.contains(&g)) {
            CareRole::GridWorker
        } else if leads_household(conn, viewer, household.id).await? {
            CareRole::Volunteer
        } else {
            CareRole::Outsider
        }
    };
    Ok(CareHousehold {
        household,
        place,
        role,
    })
}
