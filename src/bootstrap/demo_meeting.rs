//! The demo bench meeting of 和韵小区, run through the same services as the API: the
//! households' heads registered as owners of their flats, a meeting with an agenda and
//! twenty households signed in, an owners' motion to use the 门禁维修基金 decided under
//! art. 278 from paper ballots, the minutes published and the resolution on notice (its
//! share token returned for the console).

use chrono::{Duration, Utc};
use entity::{building, compound, dwelling, household, motion, resident};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use uuid::Uuid;

use crate::{
    auth::Viewer,
    crypto::DataKeys,
    error::AppResult,
    meetings::{
        motions::{self, NewMotion},
        notice,
        service::{self, NewMeeting, Step},
        tally::{Choice, Electorate, Majority},
    },
    registry::owners::{NewOwner, add_owner},
};

/// Each household's head in 和韵小区, with the household's dwelling, oldest first.
async fn heads(
    conn: &impl ConnectionTrait,
    compound: &compound::Model,
) -> AppResult<Vec<(resident::Model, Uuid)>> {
    let buildings: Vec<Uuid> = building::Entity::find()
        .filter(building::Column::CompoundId.eq(compound.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|b| b.id)
        .collect();
    let dwellings: Vec<Uuid> = dwelling::Entity::find()
        .filter(dwelling::Column::BuildingId.is_in(buildings))
        .all(conn)
        .await?
        .into_iter()
        .map(|d| d.id)
        .collect();
    let households: std::collections::HashMap<Uuid, Uuid> = household::Entity::find()
        .filter(household::Column::DwellingId.is_in(dwellings))
        .all(conn)
        .await?
        .into_iter()
        .map(|h| (h.id, h.dwelling_id))
        .collect();
    Ok(resident::Entity::find()
        .filter(resident::Column::HouseholdId.is_in(households.keys().copied()))
        .filter(resident::Column::Relation.eq("head"))
        .order_by_asc(resident::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .filter_map(|r| households.get(&r.household_id).map(|d| (r.clone(), *d)))
        .collect())
}

pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    keys: &DataKeys,
    compound: &compound::Model,
) -> AppResult<String> {
    let heads = heads(conn, compound).await?;
    for (head, dwelling) in &heads {
        add_owner(conn, admin, keys, *dwelling, NewOwner::Resident(head.id)).await?;
    }
    let meeting = service::schedule(
        conn,
        admin,
        NewMeeting {
            compound_id: Some(compound.id),
            community_id: None,
            kind: "bench",
            title: "门禁道闸维修议事".into(),
            starts_at: Utc::now() - Duration::days(8),
            place: "3号楼前长椅".into(),
        },
    )
    .await?
    .value;
    service::advance(conn, admin, meeting.id, Step::Open, "").await?;
    for title in [
        "道闸损坏情况通报",
        "维修方案与报价（320元）",
        "动用门禁维修基金表决",
    ] {
        service::add_agenda_item(conn, admin, meeting.id, title, "", Vec::new()).await?;
    }
    for (head, _) in heads.iter().take(20) {
        service::sign_in(conn, admin, meeting.id, Some(head.id)).await?;
    }
    let motion = motions::create(
        conn,
        admin,
        NewMotion {
            meeting_id: meeting.id,
            title: "动用门禁维修基金320元更换道闸电机".into(),
            body: "由平安门禁维修部更换道闸电机，费用从门禁维修基金列支。".into(),
            electorate: Electorate::Owners,
            majority: Majority::Ordinary,
            hide_results: true,
            amount_fen: Some(32_000),
        },
    )
    .await?
    .value;
    motions::open_voting(conn, admin, motion.id, Utc::now() + Duration::days(7)).await?;
    let units = entity::motion_voter::Entity::find()
        .filter(entity::motion_voter::Column::MotionId.eq(motion.id))
        .order_by_asc(entity::motion_voter::Column::Label)
        .all(conn)
        .await?;
    for (n, unit) in units.iter().take(100).enumerate() {
        let choice = [
            Choice::Yes,
            Choice::Yes,
            Choice::Yes,
            Choice::No,
            Choice::Abstain,
        ][n % 5];
        let reference = format!("纸质票-{:03}", n + 1);
        motions::record_paper(conn, admin, motion.id, unit.id, choice, &reference).await?;
    }
    // The demo's week of voting is over.
    motion::Entity::update_many()
        .col_expr(
            motion::Column::VotingClosesAt,
            Expr::value(Utc::now() - Duration::hours(1)),
        )
        .filter(motion::Column::Id.eq(motion.id))
        .exec(conn)
        .await?;
    motions::close(conn, admin, motion.id).await?;
    service::advance(conn, admin, meeting.id, Step::Close, "").await?;
    let minutes = "到会20户。通报道闸损坏情况，讨论维修方案。业主表决：同意动用门禁维修基金320元更换道闸电机，表决通过（见表决结果）。";
    service::write_minutes(conn, admin, meeting.id, minutes).await?;
    service::publish_minutes(conn, admin, meeting.id).await?;
    let (_, token) = notice::publish_notice(conn, admin, motion.id, None)
        .await?
        .value;
    Ok(token)
}
