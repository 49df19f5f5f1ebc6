//! The demo's points (积分) in 幸福里社区, through the same services as the API: a rule set
//! (waste sorting, volunteering by the hour, meeting sign-in, good deeds), three rewards, a
//! month of awards in 和韵小区 (a weekly waste check of its first three buildings, by
//! building, with a household failing now and then; good deeds; volunteer hours come from
//! the activities' demo, awarded as hours are confirmed), one
//! redemption by the demo resident's household, and a ranking a dozen households opted in to.

use chrono::{Duration, Utc};
use entity::{app_user, building, points_account, resident, role_grant};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    sea_query::Expr,
};
use serde_json::json;
use uuid::Uuid;

use crate::{
    auth::Viewer,
    error::{AppError, AppResult, msg},
    idempotency::Key,
    points::{
        awards::{self, Award, Target},
        batch::{self, BatchAward, Recipients},
        catalogue::{self, RuleTerms},
        redemptions::{self, Redemption},
        rewards::{self, RewardTerms},
        types::PointsTrigger,
    },
};

fn key(user: &Viewer, name: &str) -> AppResult<Key> {
    Key::new(
        user.user_id,
        &format!("demo-points-{name}"),
        "demo",
        &json!({ "demo": name }),
    )
}

pub async fn load(
    conn: &impl ConnectionTrait,
    admin: &Viewer,
    worker: &Viewer,
    community: Uuid,
    compound: Uuid,
) -> AppResult<()> {
    let rule = |name: &str, points: i64, daily: Option<i64>, monthly: Option<i64>| RuleTerms {
        name: name.to_owned(),
        points,
        daily_cap: daily,
        monthly_cap: monthly,
    };
    let waste = catalogue::create_rule(
        conn,
        admin,
        community,
        PointsTrigger::WasteSorting,
        rule("垃圾分类检查合格", 2, Some(2), None),
    )
    .await?
    .value;
    catalogue::create_rule(
        conn,
        admin,
        community,
        PointsTrigger::VolunteerHour,
        rule("志愿服务（每小时）", 5, Some(20), Some(100)),
    )
    .await?;
    catalogue::create_rule(
        conn,
        admin,
        community,
        PointsTrigger::MeetingAttendance,
        rule("板凳议事签到", 1, Some(1), None),
    )
    .await?;
    let deed = catalogue::create_rule(
        conn,
        admin,
        community,
        PointsTrigger::Manual,
        rule("好人好事", 5, None, Some(20)),
    )
    .await?
    .value;
    let mut towel = None;
    for (name, description, price, stock) in [
        ("洗衣液", "2升装", 30, 20),
        ("大米5斤", "东北大米", 80, 10),
        ("毛巾", "纯棉毛巾一条", 15, 30),
    ] {
        let terms = RewardTerms {
            name: name.to_owned(),
            description: description.to_owned(),
            price,
        };
        let reward = rewards::create_reward(conn, admin, community, terms, stock).await?;
        towel = Some(reward.value.id);
    }
    // A weekly waste check of the first three buildings, recorded by staff.
    let buildings: Vec<Uuid> = building::Entity::find()
        .select_only()
        .column(building::Column::Id)
        .filter(building::Column::CompoundId.eq(compound))
        .order_by_asc(building::Column::Id)
        .limit(3)
        .into_tuple()
        .all(conn)
        .await?;
    let now = Utc::now();
    for week in 0..4_i64 {
        for (b, building) in buildings.iter().enumerate() {
            let batch = BatchAward {
                recipients: Recipients::Building {
                    id: *building,
                    except: Vec::new(),
                },
                rule_id: waste.id,
                quantity: 1,
                memo: "每周垃圾分类检查".to_owned(),
                occurred_at: Some(now - Duration::days(7 * week + 1)),
            };
            let key = key(admin, &format!("waste-{week}-{b}"))?;
            batch::award_batch(conn, admin, batch, key).await?;
        }
    }
    // A dozen households that opt in to the ranking below. Their volunteer hours come from
    // the demo's activities, which award them as the organiser confirms them.
    let volunteers: Vec<(Uuid, Uuid)> = resident::Entity::find()
        .select_only()
        .column(resident::Column::Id)
        .column(resident::Column::HouseholdId)
        .filter(resident::Column::CommunityId.eq(community))
        .filter(resident::Column::ArchivedAt.is_null())
        .order_by_asc(resident::Column::Id)
        .limit(12)
        .into_tuple()
        .all(conn)
        .await?;
    // The demo resident's household: two good deeds, then a towel.
    let login = app_user::Entity::find()
        .filter(app_user::Column::Username.eq("demo.resident"))
        .one(conn)
        .await?
        .ok_or(AppError::NotFound(msg!("user not found")))?;
    let home = role_grant::Entity::find()
        .filter(role_grant::Column::UserId.eq(login.id))
        .filter(role_grant::Column::Role.eq(role_grant::Role::Resident))
        .one(conn)
        .await?
        .and_then(|g| g.scope_id)
        .ok_or(AppError::NotFound(msg!("household not found")))?;
    for (i, memo) in ["帮独居老人买菜", "拾金不昧"].iter().enumerate() {
        let award = Award {
            target: Target::Household(home),
            rule_id: deed.id,
            quantity: 1,
            memo: (*memo).to_owned(),
            occurred_at: Some(now - Duration::days(10 - 5 * i as i64)),
        };
        awards::award(conn, worker, award, key(worker, &format!("deed-{i}"))?).await?;
    }
    let redemption = Redemption {
        target: Target::Household(home),
        reward_id: towel.ok_or(AppError::NotFound(msg!("reward not found")))?,
        quantity: 1,
        memo: "社区服务站领取".to_owned(),
    };
    redemptions::redeem(conn, admin, redemption, key(admin, "towel")?).await?;
    // The households that opted in to the ranking (the demo resident's among them), as
    // their residents would with `setPointsRankingOptIn`.
    let mut opted: Vec<Uuid> = volunteers.iter().map(|(_, h)| *h).collect();
    opted.push(home);
    points_account::Entity::update_many()
        .col_expr(points_account::Column::RankingOptIn, Expr::value(true))
        .filter(points_account::Column::HouseholdId.is_in(opted))
        .exec(conn)
        .await?;
    Ok(())
}
