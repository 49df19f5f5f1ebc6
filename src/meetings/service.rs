//! Meetings: scheduling and their course (scheduled → open → closed, or cancelled), the
//! agenda, sign-in (by the resident, or by staff on behalf of someone without a phone),
//! and minutes whose every edit is a new version.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::{
    agenda_item, dwelling, household, meeting, meeting_attendance, meeting_minutes, resident,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter,
    QueryOrder,
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::access::{
    check_minutes_keeper, check_organise, lives_there, meeting_place, own_residents,
    readable_compound, visible_meeting,
};
use crate::points::{automatic::award_automatic, types::PointsTrigger};
use crate::{
    audit::Audited,
    auth::{Viewer, viewer::Place},
    error::{AppError, AppResult, Term, msg, on_unique_violation},
    graphql::clean_name,
};

pub const KINDS: [&str; 3] = ["bench", "committee", "assembly"];

/// A meeting of a compound, or (without one) of the whole community.
pub struct NewMeeting {
    pub compound_id: Option<Uuid>,
    pub community_id: Option<Uuid>,
    pub kind: &'static str,
    pub title: String,
    pub starts_at: DateTime<Utc>,
    pub place: String,
}

fn done(meeting: meeting::Model, place: Place) -> Audited<meeting::Model> {
    let id = meeting.id;
    Audited::new(meeting, place, id)
}

pub async fn schedule(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    new: NewMeeting,
) -> AppResult<Audited<meeting::Model>> {
    let (community, compound, place) = match (new.compound_id, new.community_id) {
        (Some(id), None) => {
            let (compound, place) =
                readable_compound(conn, viewer, id, msg!("compound not found")).await?;
            (compound.community_id, Some(compound.id), place)
        }
        (None, Some(id)) => (
            id,
            None,
            meeting_place(conn, viewer, id, None, msg!("community not found")).await?,
        ),
        _ => {
            return Err(AppError::bad_input(
                "input.compoundId",
                msg!("give a compound, or a community for a meeting of the whole community"),
            ));
        }
    };
    check_organise(viewer, compound, place)?;
    let now = Utc::now();
    let meeting = meeting::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        compound_id: Set(compound),
        kind: Set(new.kind.to_owned()),
        title: Set(clean_name("input.title", &new.title, 200)?),
        starts_at: Set(new.starts_at),
        place: Set(clean_name("input.place", &new.place, 200)?),
        status: Set("scheduled".into()),
        cancel_reason: Set(None),
        minutes_published_at: Set(None),
        created_by: Set(viewer.user_id),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(conn)
    .await?;
    Ok(done(meeting, place))
}

/// A meeting the caller organises.
async fn organised(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
) -> AppResult<(meeting::Model, Place)> {
    let (meeting, place) = visible_meeting(conn, viewer, id).await?;
    check_organise(viewer, meeting.compound_id, place)?;
    Ok((meeting, place))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Step {
    Open,
    Close,
    Cancel,
}

/// Moves a meeting on: scheduled → open → closed; scheduled or open → cancelled (with a
/// reason).
pub async fn advance(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    id: Uuid,
    step: Step,
    reason: &str,
) -> AppResult<Audited<meeting::Model>> {
    let (meeting, place) = organised(conn, viewer, id).await?;
    let (from, to): (&[&str], &str) = match step {
        Step::Open => (&["scheduled"], "open"),
        Step::Close => (&["open"], "closed"),
        Step::Cancel => (&["scheduled", "open"], "cancelled"),
    };
    if !from.contains(&meeting.status.as_str()) {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!(
                "a {status} meeting cannot become {to}",
                status = Term(&meeting.status),
                to = Term(to)
            ),
        ));
    }
    let mut update: meeting::ActiveModel = meeting.into();
    if step == Step::Cancel {
        let reason = reason.trim();
        if reason.chars().count() < 2 {
            return Err(AppError::bad_input(
                "input.reason",
                msg!("say why it is cancelled"),
            ));
        }
        update.cancel_reason = Set(Some(reason.chars().take(500).collect()));
    }
    update.status = Set(to.into());
    update.updated_at = Set(Utc::now());
    Ok(done(update.update(conn).await?, place))
}

fn check_not_over(meeting: &meeting::Model) -> AppResult<()> {
    if matches!(meeting.status.as_str(), "closed" | "cancelled") {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!("the meeting is {status}", status = Term(&meeting.status)),
        ));
    }
    Ok(())
}

/// Adds an agenda item at the end. `refs` cite what raised the topic (`{kind, id}`).
pub async fn add_agenda_item(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    meeting_id: Uuid,
    title: &str,
    notes: &str,
    refs: Vec<(String, Uuid)>,
) -> AppResult<Audited<meeting::Model>> {
    let (meeting, place) = organised(conn, viewer, meeting_id).await?;
    check_not_over(&meeting)?;
    let last = agenda_item::Entity::find()
        .filter(agenda_item::Column::MeetingId.eq(meeting.id))
        .order_by_desc(agenda_item::Column::Position)
        .one(conn)
        .await?
        .map_or(0, |i| i.position);
    let mut cited = Vec::new();
    for (kind, id) in refs {
        cited.push(json!({ "kind": clean_name("input.refs", &kind, 40)?, "id": id }));
    }
    agenda_item::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(meeting.community_id),
        meeting_id: Set(meeting.id),
        position: Set(last + 1),
        title: Set(clean_name("input.title", title, 200)?),
        notes: Set(notes.trim().chars().take(5_000).collect()),
        refs: Set(Value::Array(cited)),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await?;
    Ok(done(meeting, place))
}

/// Signs a person in. Without `resident`, the caller signs themselves in (their account's
/// resident in the compound); with it, an organiser signs in someone else (`on_behalf`).
pub async fn sign_in(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    meeting_id: Uuid,
    on_behalf_of: Option<Uuid>,
) -> AppResult<Audited<meeting::Model>> {
    let (meeting, place) = visible_meeting(conn, viewer, meeting_id).await?;
    if meeting.status != "open" {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!("sign-in is possible while the meeting is open"),
        ));
    }
    let candidates = match on_behalf_of {
        Some(id) => {
            if let Err(refused) = check_organise(viewer, meeting.compound_id, place) {
                let acting = crate::registry::family::access::acting_for(
                    conn,
                    viewer,
                    &[id],
                    crate::registry::family::access::Power::SignInToMeetings,
                )
                .await?;
                if acting.is_none() {
                    return Err(refused);
                }
            }
            vec![id]
        }
        None => own_residents(conn, viewer).await?,
    };
    let mut person = None;
    for r in resident::Entity::find()
        .filter(resident::Column::Id.is_in(candidates))
        .filter(resident::Column::CommunityId.eq(meeting.community_id))
        .filter(resident::Column::MovedOutOn.is_null())
        .all(conn)
        .await?
    {
        if lives_there(
            conn,
            &[r.household_id],
            meeting.community_id,
            meeting.compound_id,
        )
        .await?
        {
            person = Some(r);
            break;
        }
    }
    let Some(person) = person else {
        return Err(match on_behalf_of {
            Some(_) => AppError::NotFound(msg!("resident not found")),
            None => {
                AppError::Forbidden(msg!("only residents of the compound or community sign in"))
            }
        });
    };
    meeting_attendance::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(meeting.community_id),
        meeting_id: Set(meeting.id),
        resident_id: Set(person.id),
        household_id: Set(person.household_id),
        signed_in_by: Set(viewer.user_id),
        on_behalf: Set(on_behalf_of.is_some()),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map_err(|e| on_unique_violation(e, msg!("already signed in")))?;
    // Under the community's attendance rule, if it has one (板凳议事 +1), in this transaction.
    award_automatic(
        conn,
        meeting.community_id,
        person.id,
        PointsTrigger::MeetingAttendance,
        1,
        &format!("meeting-attendance:{}:{}", meeting.id, person.id),
        Some(viewer.user_id),
    )
    .await?;
    Ok(done(meeting, place))
}

/// Attendance in numbers: people, households, and the households' dwellings' floor area.
#[derive(Clone, Copy, Debug, Default)]
pub struct Attendance {
    pub people: i64,
    pub households: i64,
    pub area_hundredths: i64,
}

/// Attendance of each of these meetings, in four statements however many meetings.
pub async fn attendance_of(
    conn: &impl ConnectionTrait,
    meetings: &[Uuid],
) -> AppResult<HashMap<Uuid, Attendance>> {
    let rows = meeting_attendance::Entity::find()
        .filter(meeting_attendance::Column::MeetingId.is_in(meetings.iter().copied()))
        .all(conn)
        .await?;
    let dwelling_of: HashMap<Uuid, Uuid> = household::Entity::find()
        .filter(household::Column::Id.is_in(rows.iter().map(|r| r.household_id)))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.id, h.dwelling_id))
        .collect();
    let area_of: HashMap<Uuid, i64> = dwelling::Entity::find()
        .filter(dwelling::Column::Id.is_in(dwelling_of.values().copied()))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| (d.id, d.floor_area_hundredths.unwrap_or(0)))
        .collect();
    let mut out: HashMap<Uuid, Attendance> = meetings
        .iter()
        .map(|m| (*m, Attendance::default()))
        .collect();
    let mut seen: HashSet<(Uuid, Uuid)> = HashSet::new();
    let mut seen_dwellings: HashSet<(Uuid, Uuid)> = HashSet::new();
    for row in rows {
        let a = out.entry(row.meeting_id).or_default();
        a.people += 1;
        if seen.insert((row.meeting_id, row.household_id)) {
            a.households += 1;
            if let Some(dwelling) = dwelling_of.get(&row.household_id)
                && seen_dwellings.insert((row.meeting_id, *dwelling))
            {
                a.area_hundredths += area_of.get(dwelling).copied().unwrap_or(0);
            }
        }
    }
    Ok(out)
}

/// Writes the minutes: a new version each time, so the history stays.
pub async fn write_minutes(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    meeting_id: Uuid,
    body: &str,
) -> AppResult<Audited<meeting::Model>> {
    let (meeting, place) = visible_meeting(conn, viewer, meeting_id).await?;
    check_minutes_keeper(conn, viewer, meeting.compound_id, place).await?;
    let body = body.trim();
    if body.is_empty() || body.chars().count() > 50_000 {
        return Err(AppError::bad_input(
            "input.body",
            msg!("minutes have 1 to 50000 characters"),
        ));
    }
    let version = latest_minutes(conn, meeting.id)
        .await?
        .map_or(0, |m| m.version)
        + 1;
    meeting_minutes::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(meeting.community_id),
        meeting_id: Set(meeting.id),
        version: Set(version),
        body: Set(body.to_owned()),
        written_by: Set(viewer.user_id),
        created_at: Set(Utc::now()),
    }
    .insert(conn)
    .await
    .map_err(|e| {
        on_unique_violation(
            e,
            msg!("the minutes were just changed; reload and edit again"),
        )
    })?;
    Ok(done(meeting, place))
}

pub async fn latest_minutes(
    conn: &impl ConnectionTrait,
    meeting: Uuid,
) -> AppResult<Option<meeting_minutes::Model>> {
    Ok(meeting_minutes::Entity::find()
        .filter(meeting_minutes::Column::MeetingId.eq(meeting))
        .order_by_desc(meeting_minutes::Column::Version)
        .one(conn)
        .await?)
}

/// Publishes the minutes of a closed meeting to the compound's residents.
pub async fn publish_minutes(
    conn: &impl ConnectionTrait,
    viewer: &Viewer,
    meeting_id: Uuid,
) -> AppResult<Audited<meeting::Model>> {
    let (meeting, place) = visible_meeting(conn, viewer, meeting_id).await?;
    check_minutes_keeper(conn, viewer, meeting.compound_id, place).await?;
    if meeting.status != "closed" {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!("minutes are published once the meeting is closed"),
        ));
    }
    if latest_minutes(conn, meeting.id).await?.is_none() {
        return Err(AppError::bad_input(
            "input.meetingId",
            msg!("write the minutes first"),
        ));
    }
    let mut update: meeting::ActiveModel = meeting.into();
    update.minutes_published_at = Set(Some(Utc::now()));
    update.updated_at = Set(Utc::now());
    Ok(done(update.update(conn).await?, place))
}
