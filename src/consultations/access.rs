//! Who sees, runs and answers a consultation. Organisers are the community's staff and
//! admins (any scope in the community) and, for a compound's consultation, its committee
//! (members and treasurer). Respondents are the residents of the households in its scope
//! and family contacts allowed to answer for such a household (`mayAnswerConsultations`).
//! Another community's consultation is NOT_FOUND; so is, for a resident, a draft or a
//! consultation put to other homes: like another compound's meetings it is not their
//! business, and hiding it keeps a committee's plans inside its compound. Inside a
//! consultation, an action the caller's standing does not allow is FORBIDDEN.

use std::collections::HashSet;

use entity::{
    building, consultation, consultation_building, dwelling, household, role_grant::Role,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query},
};
use uuid::Uuid;

use crate::{
    auth::{Capability, Viewer},
    error::{AppError, AppResult, msg},
    tenancy::{Place, covers, place_of},
};

/// Where a household lives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Home {
    pub household: Uuid,
    pub building: Uuid,
    pub compound: Uuid,
    pub community: Uuid,
}

/// Where these (current) households live, in one statement.
pub async fn homes_of(conn: &impl ConnectionTrait, households: &[Uuid]) -> AppResult<Vec<Home>> {
    if households.is_empty() {
        return Ok(Vec::new());
    }
    let query = Query::select()
        .expr_as(
            Expr::col((household::Entity, household::Column::Id)),
            "household_id",
        )
        .expr_as(
            Expr::col((building::Entity, building::Column::Id)),
            "building_id",
        )
        .expr_as(
            Expr::col((building::Entity, building::Column::CompoundId)),
            "compound_id",
        )
        .expr_as(
            Expr::col((household::Entity, household::Column::CommunityId)),
            "community_id",
        )
        .from(household::Entity)
        .inner_join(
            dwelling::Entity,
            Expr::col((dwelling::Entity, dwelling::Column::Id))
                .equals((household::Entity, household::Column::DwellingId)),
        )
        .inner_join(
            building::Entity,
            Expr::col((building::Entity, building::Column::Id))
                .equals((dwelling::Entity, dwelling::Column::BuildingId)),
        )
        .and_where(
            Expr::col((household::Entity, household::Column::Id)).is_in(households.iter().copied()),
        )
        .and_where(Expr::col((household::Entity, household::Column::ArchivedAt)).is_null())
        .to_owned();
    let mut homes = Vec::new();
    for row in conn.query_all(&query).await? {
        homes.push(Home {
            household: row.try_get("", "household_id")?,
            building: row.try_get("", "building_id")?,
            compound: row.try_get("", "compound_id")?,
            community: row.try_get("", "community_id")?,
        });
    }
    Ok(homes)
}

/// The buildings a building-scoped consultation is put to (none otherwise).
pub async fn scope_buildings(
    conn: &impl ConnectionTrait,
    row: &consultation::Model,
) -> AppResult<Vec<Uuid>> {
    if !row.building_scoped {
        return Ok(Vec::new());
    }
    Ok(consultation_building::Entity::find()
        .filter(consultation_building::Column::ConsultationId.eq(row.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.building_id)
        .collect())
}

/// Whether a consultation is put to a home.
pub fn covers_home(row: &consultation::Model, buildings: &[Uuid], home: &Home) -> bool {
    home.community == row.community_id
        && row.compound_id.is_none_or(|c| c == home.compound)
        && (!row.building_scoped || buildings.contains(&home.building))
}

/// Staff of the community; for a compound's consultation also its committee.
pub fn is_organiser(viewer: &Viewer, compound: Option<Uuid>, place: Place) -> bool {
    covers(&viewer.reach(Capability::ManageCommittees), place)
        || compound.is_some_and(|compound| committee_compounds(viewer).contains(&compound))
}

/// The compounds whose committee the caller sits on.
pub fn committee_compounds(viewer: &Viewer) -> Vec<Uuid> {
    let mut ids = viewer.scope_ids(Role::CommitteeMember);
    ids.extend(viewer.scope_ids(Role::Treasurer));
    ids
}

pub fn check_organise(viewer: &Viewer, row: &consultation::Model, place: Place) -> AppResult<()> {
    if is_organiser(viewer, row.compound_id, place) {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "only the community's staff and the compound's committee run a consultation"
        )))
    }
}

/// A consultation as the caller sees it.
pub struct Seen {
    pub row: consultation::Model,
    pub place: Place,
    pub organiser: bool,
    /// The caller's homes (as a resident or family contact) the consultation is put to.
    pub homes: Vec<Home>,
}

/// A consultation the caller may see: organisers see it from its draft on, respondents
/// once published; NOT_FOUND for anyone else.
pub async fn visible_consultation(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<Seen> {
    let not_found = || AppError::NotFound(msg!("consultation not found"));
    let row = consultation::Entity::find_by_id(id)
        .filter(
            viewer
                .reach(Capability::ReadOrg)
                .community_condition(consultation::Column::CommunityId),
        )
        .one(conn)
        .await?
        .ok_or_else(not_found)?;
    let place = place_of(conn, viewer, row.community_id)
        .await
        .map_err(|e| e.hidden_as(msg!("consultation not found")))?;
    let organiser = is_organiser(viewer, row.compound_id, place);
    let acted_for = viewer.households_acted_for();
    let homes = if acted_for.is_empty() {
        Vec::new()
    } else {
        let homes = homes_of(conn, &acted_for).await?;
        let buildings = if homes.iter().any(|h| h.community == row.community_id) {
            scope_buildings(conn, &row).await?
        } else {
            Vec::new()
        };
        homes
            .into_iter()
            .filter(|h| covers_home(&row, &buildings, h))
            .collect()
    };
    if !organiser && (row.status == "draft" || homes.is_empty()) {
        return Err(not_found());
    }
    Ok(Seen {
        row,
        place,
        organiser,
        homes,
    })
}

/// What a caller lists of a community: the condition, where it is, and their homes there.
pub struct Listing {
    pub condition: Condition,
    pub place: Place,
    pub homes: Vec<Home>,
}

/// The consultations of a community the caller sees: all for staff; for others those of
/// their committee's compound and the published ones put to a home of theirs.
pub async fn listed(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    community: Uuid,
) -> AppResult<Listing> {
    let place = place_of(conn, viewer, community).await?;
    let mine = Condition::all().add(consultation::Column::CommunityId.eq(community));
    let homes: Vec<Home> = homes_of(conn, &viewer.households_acted_for())
        .await?
        .into_iter()
        .filter(|h| h.community == community)
        .collect();
    if covers(&viewer.reach(Capability::ManageCommittees), place) {
        return Ok(Listing {
            condition: mine,
            place,
            homes,
        });
    }
    let mut any = Condition::any();
    let committees = committee_compounds(viewer);
    if !committees.is_empty() {
        any = any.add(consultation::Column::CompoundId.is_in(committees));
    }
    if !homes.is_empty() {
        let compounds: HashSet<Uuid> = homes.iter().map(|h| h.compound).collect();
        let buildings: HashSet<Uuid> = homes.iter().map(|h| h.building).collect();
        any = any.add(
            Condition::all()
                .add(consultation::Column::Status.ne("draft"))
                .add(
                    Condition::any()
                        .add(consultation::Column::CompoundId.is_null())
                        .add(consultation::Column::CompoundId.is_in(compounds)),
                )
                .add(
                    Condition::any()
                        .add(consultation::Column::BuildingScoped.eq(false))
                        .add(
                            consultation::Column::Id.in_subquery(
                                Query::select()
                                    .column(consultation_building::Column::ConsultationId)
                                    .from(consultation_building::Entity)
                                    .and_where(
                                        consultation_building::Column::BuildingId.is_in(buildings),
                                    )
                                    .to_owned(),
                            ),
                        ),
                ),
        );
    }
    let condition = if committee_compounds(viewer).is_empty() && homes.is_empty() {
        entity::reach::never()
    } else {
        mine.add(any)
    };
    Ok(Listing {
        condition,
        place,
        homes,
    })
}
