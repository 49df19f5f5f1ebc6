//! Grants that come from committee positions (ARCHITECTURE.md §3: a grant's source may be
//! the position that created it). Every position gives `committee_member` on its compound,
//! the treasurer's also `treasurer`, valid for the position's days; ending a position
//! revokes just its grants and ends its holder's sessions. They are grants, so identity
//! owns them: committees appoint and end positions through here, and the registry calls
//! here when a resident gets a login or moves out.

use chrono::{DateTime, Utc};
use entity::{
    committee,
    committee_position::{self, Position},
    role_grant::{self, GrantSource, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

use super::{
    grants::{GrantRow, insert_grant},
    sessions::end_sessions_of,
};
use crate::{
    auth::viewer::Place,
    calendar,
    error::{AppError, AppResult, msg},
};

/// The roles a position gives on its compound.
fn roles_of(position: Position) -> &'static [Role] {
    match position {
        Position::Treasurer => &[Role::CommitteeMember, Role::Treasurer],
        _ => &[Role::CommitteeMember],
    }
}

/// Positions of a committee in force at an instant: begun, not past their last day, not
/// ended early.
pub fn in_force_at(at: DateTime<Utc>) -> Condition {
    let day = calendar::day_of(at);
    Condition::all()
        .add(committee_position::Column::StartsOn.lte(day))
        .add(committee_position::Column::EndsOn.gte(day))
        .add(
            Condition::any()
                .add(committee_position::Column::EndedAt.is_null())
                .add(committee_position::Column::EndedAt.gt(at)),
        )
}

/// The grants a position carries, valid for its days.
pub async fn grant_powers(
    conn: &impl ConnectionTrait,
    committee: &committee::Model,
    position: &committee_position::Model,
    user_id: Uuid,
    place: Place,
) -> AppResult<()> {
    for role in roles_of(position.position) {
        insert_grant(
            conn,
            GrantRow {
                user_id,
                role: *role,
                scope_id: Some(committee.compound_id),
                place,
                valid_from: calendar::start_of_day(position.starts_on),
                valid_until: Some(calendar::end_of_day(position.ends_on)),
                source: (GrantSource::CommitteePosition, Some(position.id)),
                granted_by: position.appointed_by,
            },
        )
        .await?;
    }
    Ok(())
}

/// Ends a position now (or refuses one already ended): the position row records it, its
/// grants are revoked and its holders' sessions end. Returns the users affected.
pub async fn end(
    conn: &impl ConnectionTrait,
    position: committee_position::Model,
    reason: &str,
    by: Option<Uuid>,
) -> AppResult<(committee_position::Model, Vec<Uuid>)> {
    let now = Utc::now();
    if position.ended_at.is_some() || position.ends_on < calendar::day_of(now) {
        return Err(AppError::Conflict(msg!("the position has already ended")));
    }
    let mut update: committee_position::ActiveModel = position.into();
    update.ended_at = Set(Some(now));
    update.end_reason = Set(Some(reason.chars().take(500).collect()));
    let position = update.update(conn).await?;
    let grants = role_grant::Entity::find()
        .filter(role_grant::Column::SourceKind.eq(GrantSource::CommitteePosition))
        .filter(role_grant::Column::SourceId.eq(position.id))
        .filter(role_grant::Column::RevokedAt.is_null())
        .all(conn)
        .await?;
    let mut users = Vec::new();
    for grant in grants {
        let user = grant.user_id;
        let mut revoke: role_grant::ActiveModel = grant.into();
        revoke.revoked_at = Set(Some(now));
        revoke.revoked_by = Set(by);
        revoke.update(conn).await?;
        end_sessions_of(conn, user, None, "committee position ended", now).await?;
        users.push(user);
    }
    Ok((position, users))
}

/// A resident's positions not ended: held now, or starting later.
async fn open_positions_of(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
) -> AppResult<Vec<committee_position::Model>> {
    Ok(committee_position::Entity::find()
        .filter(committee_position::Column::ResidentId.eq(resident_id))
        .filter(committee_position::Column::EndedAt.is_null())
        .filter(committee_position::Column::EndsOn.gte(calendar::today()))
        .all(conn)
        .await?)
}

/// When a resident moves out, their positions end with it.
pub async fn end_positions_of_resident(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    by: Option<Uuid>,
) -> AppResult<()> {
    let positions = open_positions_of(conn, resident_id).await?;
    for position in positions {
        end(conn, position, "moved out", by).await?;
    }
    Ok(())
}

/// When a resident gets a login, the positions they hold (now or later) start giving it
/// their powers.
pub async fn grant_positions_to_account(
    conn: &impl ConnectionTrait,
    resident_id: Uuid,
    user_id: Uuid,
    place: Place,
) -> AppResult<()> {
    let positions = open_positions_of(conn, resident_id).await?;
    for position in positions {
        if let Some(committee) = committee::Entity::find_by_id(position.committee_id)
            .one(conn)
            .await?
        {
            grant_powers(conn, &committee, &position, user_id, place).await?;
        }
    }
    Ok(())
}
