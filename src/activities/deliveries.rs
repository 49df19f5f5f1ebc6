//! Deliveries (送温暖): a delivery activity goes to a set of households, picked by care
//! level (special-hardship households at festivals), and a volunteer records each visit:
//! delivered or not at home. The list carries each household's address and nothing else
//! of it: volunteers need the door, not the registry.

use chrono::Utc;
use entity::{activity_delivery, activity_sign_up, building, dwelling, household};
use sea_orm::{
    ActiveModelTrait,
    ActiveValue::Set,
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    sea_query::{Query, SelectStatement},
};
use uuid::Uuid;

use super::{
    access::{SeenActivity, own_residents_in, visible_activity},
    types::{ActivityKind, ActivityStatus, DeliveryOutcome, SignUpStatus},
};
use crate::{
    audit::Audited,
    auth::Viewer,
    error::{AppError, AppResult, msg},
    graphql::StoredEnum,
    registry::care::CareLevel,
    tenancy::{visible, visible_compound},
};

const NOTE_MAX_CHARS: usize = 500;
/// A delivery round is a few dozen doors; a community has a few hundred such households.
const MAX_HOUSEHOLDS: u64 = 2_000;

/// FORBIDDEN unless the caller delivers for this activity: its organisers and its
/// confirmed volunteers.
pub async fn check_deliverer(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    seen: &SeenActivity,
) -> AppResult<()> {
    if seen.organiser {
        return Ok(());
    }
    let own = own_residents_in(conn, viewer, seen.activity.community_id).await?;
    let volunteers = activity_sign_up::Entity::find()
        .filter(activity_sign_up::Column::ActivityId.eq(seen.activity.id))
        .filter(activity_sign_up::Column::ResidentId.is_in(own))
        .filter(activity_sign_up::Column::RoleId.is_not_null())
        .filter(activity_sign_up::Column::Status.eq(SignUpStatus::Confirmed.stored()))
        .one(conn)
        .await?;
    if volunteers.is_some() {
        Ok(())
    } else {
        Err(AppError::Forbidden(msg!(
            "deliveries are for the activity's organisers and confirmed volunteers"
        )))
    }
}

/// Adds the current households of a care level (in one compound, or the whole
/// community) to a delivery activity; households already on it stay as they are.
/// Returns how many households the activity now goes to.
pub async fn add_households(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    activity: Uuid,
    level: CareLevel,
    compound: Option<Uuid>,
) -> AppResult<Audited<u64>> {
    let seen = visible_activity(conn, viewer, activity).await?;
    seen.check_organiser()?;
    if seen.activity.kind != ActivityKind::Delivery.stored()
        || !matches!(
            seen.status()?,
            ActivityStatus::Draft | ActivityStatus::Published
        )
    {
        return Err(AppError::Conflict(msg!(
            "households are added to a delivery activity that has not closed"
        )));
    }
    let community = seen.activity.community_id;
    if let Some(id) = compound
        && visible_compound(conn, viewer, id).await?.community_id != community
    {
        return Err(AppError::NotFound(msg!("compound not found")));
    }
    // The level in force: a staff override wins over the derived level.
    let level = level.as_str();
    let at_level = Condition::any()
        .add(household::Column::CareLevelOverride.eq(level))
        .add(
            Condition::all()
                .add(household::Column::CareLevelOverride.is_null())
                .add(household::Column::CareLevelDerived.eq(level)),
        );
    let mut select = household::Entity::find()
        .select_only()
        .column(household::Column::Id)
        .filter(household::Column::CommunityId.eq(community))
        .filter(household::Column::ArchivedAt.is_null())
        .filter(at_level);
    if let Some(compound) = compound {
        select = select.filter(household::Column::DwellingId.in_subquery(dwellings_of(compound)));
    }
    let ids: Vec<Uuid> = select.limit(MAX_HOUSEHOLDS).into_tuple().all(conn).await?;
    for id in &ids {
        activity_delivery::Entity::insert(activity_delivery::ActiveModel {
            id: Set(Uuid::now_v7()),
            community_id: Set(community),
            activity_id: Set(activity),
            household_id: Set(*id),
            outcome: Set(DeliveryOutcome::Pending.stored().to_owned()),
            note: Set(String::new()),
            recorded_by: Set(None),
            recorded_at: Set(None),
        })
        .on_conflict_do_nothing_on([
            activity_delivery::Column::ActivityId,
            activity_delivery::Column::HouseholdId,
            activity_delivery::Column::CommunityId,
        ])
        .exec(conn)
        .await?;
    }
    let total = sea_orm::PaginatorTrait::count(
        activity_delivery::Entity::find()
            .filter(activity_delivery::Column::ActivityId.eq(activity)),
        conn,
    )
    .await?;
    Ok(Audited::new(total, seen.place, activity))
}

/// The dwellings of a compound's buildings.
fn dwellings_of(compound: Uuid) -> SelectStatement {
    Query::select()
        .column(dwelling::Column::Id)
        .from(dwelling::Entity)
        .and_where(
            dwelling::Column::BuildingId.in_subquery(
                Query::select()
                    .column(building::Column::Id)
                    .from(building::Entity)
                    .and_where(building::Column::CompoundId.eq(compound))
                    .to_owned(),
            ),
        )
        .to_owned()
}

/// A volunteer (or the organiser) records what happened at a door.
pub async fn record(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    delivery: Uuid,
    outcome: DeliveryOutcome,
    note: &str,
) -> AppResult<Audited<activity_delivery::Model>> {
    let row =
        visible::<activity_delivery::Entity>(conn, viewer, delivery, msg!("delivery not found"))
            .await?;
    let seen = visible_activity(conn, viewer, row.activity_id).await?;
    check_deliverer(conn, viewer, &seen).await?;
    if seen.status()? != ActivityStatus::Published || Utc::now() < seen.activity.starts_at {
        return Err(AppError::Conflict(msg!(
            "deliveries are recorded while the activity is on"
        )));
    }
    if outcome == DeliveryOutcome::Pending {
        return Err(AppError::bad_input(
            "input.outcome",
            msg!("record DELIVERED or NOT_HOME"),
        ));
    }
    let note = note.trim();
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::bad_input(
            "input.note",
            msg!("a note is at most {max} characters", max = NOTE_MAX_CHARS),
        ));
    }
    let mut done: activity_delivery::ActiveModel = row.into();
    done.outcome = Set(outcome.stored().to_owned());
    done.note = Set(note.to_owned());
    done.recorded_by = Set(Some(viewer.user_id));
    done.recorded_at = Set(Some(Utc::now()));
    Ok(Audited::new(done.update(conn).await?, seen.place, delivery))
}
