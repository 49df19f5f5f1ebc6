//! Family contacts follow their resident: when the resident moves to another household the
//! contacts (and their logins' grants) move with them; when the resident moves out the
//! contacts end, with their logins' grants and sessions. Called in the transaction of the
//! move, like the resident's own account grant.

use chrono::Utc;
use entity::{
    family_contact, resident,
    role_grant::{self, GrantSource, Role},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
};

use crate::{
    error::AppResult,
    identity::{
        grants::{GrantRow, insert_grant},
        sessions::end_sessions_of,
    },
    live::LiveEvent,
    tenancy::Place,
};

/// Keeps the resident's current contacts with them; the live events of the logins whose
/// access changed.
pub async fn follow_resident(
    conn: &impl ConnectionTrait,
    resident: &resident::Model,
) -> AppResult<Vec<LiveEvent>> {
    let moved_out = resident.archived_at.is_some();
    let stale = family_contact::Entity::find()
        .filter(family_contact::Column::ResidentId.eq(resident.id))
        .filter(family_contact::Column::EndedAt.is_null())
        .all(conn)
        .await?
        .into_iter()
        .filter(|c| moved_out || c.household_id != resident.household_id);
    let now = Utc::now();
    let mut events = Vec::new();
    for contact in stale {
        let mut row: family_contact::ActiveModel = contact.clone().into();
        if moved_out {
            row.ended_at = Set(Some(now));
        } else {
            row.household_id = Set(resident.household_id);
        }
        row.updated_at = Set(now);
        row.update(conn).await?;
        let Some(user_id) = contact.user_id else {
            continue;
        };
        let grants = role_grant::Entity::find()
            .filter(role_grant::Column::SourceKind.eq(GrantSource::FamilyContact))
            .filter(role_grant::Column::SourceId.eq(contact.id))
            .filter(role_grant::Column::RevokedAt.is_null())
            .all(conn)
            .await?;
        let place = grants.first().map(Place::of_grant);
        for grant in grants {
            let mut update: role_grant::ActiveModel = grant.into();
            update.revoked_at = Set(Some(now));
            update.update(conn).await?;
        }
        match (moved_out, place) {
            (true, _) => end_sessions_of(conn, user_id, None, "resident moved out", now).await?,
            (false, Some(place)) => {
                insert_grant(
                    conn,
                    GrantRow {
                        user_id,
                        role: Role::FamilyContact,
                        scope_id: Some(resident.household_id),
                        place,
                        valid_from: now,
                        valid_until: None,
                        source: (GrantSource::FamilyContact, Some(contact.id)),
                        granted_by: None,
                    },
                )
                .await?;
            }
            (false, None) => {}
        }
        events.push(LiveEvent::AccessChanged { user_id });
    }
    Ok(events)
}
