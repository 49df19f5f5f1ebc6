//! Residents' points (积分): rules with caps, rewards, awards by staff, grid workers and in
//! batch for a building's waste check, redemptions with stock, reversals, the append-only
//! ledger, automatic awards, residents' history and the opt-in ranking.

use entity::{audit_entry, points_account, points_entry, role_grant::Role};
use jiedao::points::{automatic::award_automatic, types::PointsTrigger};
use sea_orm::{
    ColumnTrait, EntityTrait, QueryFilter, QueryOrder, TransactionTrait, sea_query::Expr,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    requests::{Grids, grids},
};

const RULE: &str = "mutation($in: CreatePointsRuleInput!) { createPointsRule(input: $in) { rule { id name trigger points dailyCap monthlyCap permissions { canEdit } } } }";
const REWARD: &str = "mutation($in: CreatePointsRewardInput!) { createPointsReward(input: $in) { reward { id name price stock permissions { canRedeem } } } }";
const AWARD: &str = "mutation($in: AwardPointsInput!) { awardPoints(input: $in) { entry { id seq kind points balanceAfter quantity } } }";
const BUILDING: &str = "mutation($in: AwardPointsToBuildingInput!) { awardPointsToBuilding(input: $in) { awarded results { householdId outcome entry { id points } } } }";
const REDEEM: &str = "mutation($in: RedeemRewardInput!) { redeemReward(input: $in) { entry { id kind points balanceAfter rewardQuantity } } }";
const REVERSE: &str = "mutation($in: ReversePointsEntryInput!) { reversePointsEntry(input: $in) { entry { id kind points balanceAfter reversesEntryId } } }";
const ACCOUNT: &str = "query($h: ID!) { pointsAccount(householdId: $h) { id balance rankingOptIn holder { building maskedName } entries(first: 20) { edges { node { seq kind points balanceAfter } } } } }";
const MY_POINTS: &str = "{ myPoints { balance rankingOptIn rank entries(first: 10) { edges { node { kind points memo } } } } }";
const OPT_IN: &str = "mutation($o: Boolean!) { setPointsRankingOptIn(input: {optIn: $o}) { account { rankingOptIn rank } } }";
const RANKING: &str = "query($c: ID!, $first: Int, $after: String) { pointsRanking(compoundId: $c, first: $first, after: $after) { edges { cursor node { rank building maskedName balance } } pageInfo { hasNextPage } } }";

fn uuid(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

fn key() -> String {
    Uuid::now_v7().to_string()
}

async fn rule(app: &TestApp, staff: &Caller, input: Value) -> Value {
    let mut input = input;
    input["communityId"] = json!(app.tree.a1);
    let body = app.gql(Some(staff), RULE, json!({ "in": input })).await;
    data(&body)["createPointsRule"]["rule"]["id"].clone()
}

async fn reward(app: &TestApp, staff: &Caller, name: &str, price: i64, stock: i64) -> Value {
    let input = json!({ "communityId": app.tree.a1, "name": name, "price": price, "stock": stock });
    let body = app.gql(Some(staff), REWARD, json!({ "in": input })).await;
    data(&body)["createPointsReward"]["reward"]["id"].clone()
}

async fn award(
    app: &TestApp,
    caller: &Caller,
    household: &Value,
    rule: &Value,
    extra: Value,
) -> Value {
    let mut input = json!({ "householdId": household, "ruleId": rule, "idempotencyKey": key() });
    if let (Value::Object(input), Value::Object(extra)) = (&mut input, extra) {
        input.extend(extra);
    }
    app.gql(Some(caller), AWARD, json!({ "in": input })).await
}

async fn redeem(
    app: &TestApp,
    caller: &Caller,
    household: &Value,
    reward: &Value,
    quantity: i64,
) -> Value {
    let input = json!({ "householdId": household, "rewardId": reward, "quantity": quantity, "idempotencyKey": key() });
    app.gql(Some(caller), REDEEM, json!({ "in": input })).await
}

async fn balance(app: &TestApp, staff: &Caller, household: &Value) -> i64 {
    let body = app
        .gql(Some(staff), ACCOUNT, json!({ "h": household }))
        .await;
    data(&body)["pointsAccount"]["balance"].as_i64().unwrap()
}

async fn building(app: &TestApp, g: &Grids, number: &str) -> Value {
    let body = app
        .gql(
            Some(&g.s.staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": g.s.compound }),
        )
        .await;
    data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["number"] == number)
        .unwrap()["id"]
        .clone()
}

async fn other_admin(app: &TestApp) -> Caller {
    app.caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await
}

#[tokio::test]
async fn grid_workers_award_under_rules_whose_caps_cut_and_then_refuse() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let li = g.s.households["李建国"].clone();
    let waste = rule(
        &app,
        &g.s.staff,
        json!({ "name": "垃圾分类检查合格", "trigger": "WASTE_SORTING", "points": 2, "dailyCap": 2 }),
    )
    .await;
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "好人好事", "trigger": "MANUAL", "points": 5, "monthlyCap": 8 }),
    )
    .await;
    // A second active rule for an automatic trigger is refused; manual rules are many.
    let body = app
        .gql(
            Some(&g.s.staff),
            RULE,
            json!({ "in": { "communityId": app.tree.a1, "name": "另一条", "trigger": "WASTE_SORTING", "points": 1 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(
            Some(&g.s.staff),
            RULE,
            json!({ "in": { "communityId": app.tree.a1, "name": "x", "trigger": "MANUAL", "points": 0 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.points");

    // The grid worker of 3号楼 awards; the daily cap refuses a second award the same day.
    let input = json!({ "householdId": li, "ruleId": waste, "idempotencyKey": "waste-check-0001" });
    let body = app
        .gql(Some(&g.worker3), AWARD, json!({ "in": input.clone() }))
        .await;
    let entry = data(&body)["awardPoints"]["entry"].clone();
    assert_eq!(entry["points"], 2);
    assert_eq!(entry["seq"], 1);
    assert_eq!(entry["balanceAfter"], 2);
    // A retry with the key gets the first answer; other input under it is CONFLICT.
    let body = app
        .gql(Some(&g.worker3), AWARD, json!({ "in": input.clone() }))
        .await;
    assert_eq!(data(&body)["awardPoints"]["entry"]["id"], entry["id"]);
    let mut other = input.clone();
    other["quantity"] = json!(2);
    let body = app
        .gql(Some(&g.worker3), AWARD, json!({ "in": other }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = award(&app, &g.worker3, &li, &waste, json!({})).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    // Yesterday's check counts on yesterday's cap.
    let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
    let body = award(
        &app,
        &g.worker3,
        &li,
        &waste,
        json!({ "occurredAt": yesterday }),
    )
    .await;
    assert_eq!(data(&body)["awardPoints"]["entry"]["points"], 2);

    // The monthly cap of 8 cuts a second 5 to 3, then refuses.
    let body = award(&app, &g.s.staff, &li, &deed, json!({})).await;
    assert_eq!(data(&body)["awardPoints"]["entry"]["points"], 5);
    let body = award(
        &app,
        &g.s.staff,
        &li,
        &deed,
        json!({ "memo": "帮邻居搬家" }),
    )
    .await;
    assert_eq!(data(&body)["awardPoints"]["entry"]["points"], 3);
    let body = award(&app, &g.s.staff, &li, &deed, json!({})).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(balance(&app, &g.s.staff, &li).await, 2 + 2 + 5 + 3);

    // Too small a role, another grid, another community.
    let body = award(&app, &g.worker5, &li, &deed, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = award(&app, &g.resident, &li, &deed, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let outsider = other_admin(&app).await;
    let body = award(&app, &outsider, &li, &deed, json!({})).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&g.resident),
            RULE,
            json!({ "in": { "communityId": app.tree.a1, "name": "自己给自己", "trigger": "MANUAL", "points": 100 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&outsider),
            RULE,
            json!({ "in": { "communityId": app.tree.a1, "name": "越界", "trigger": "MANUAL", "points": 1 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // Rules are read by everyone in the community, by no one outside it.
    let list = "query($c: ID!) { pointsRules(communityId: $c) { edges { node { name permissions { canEdit } } } } }";
    let body = app
        .gql(Some(&g.resident), list, json!({ "c": app.tree.a1 }))
        .await;
    let rules = data(&body)["pointsRules"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(rules.len(), 2);
    assert_eq!(rules[0]["node"]["permissions"]["canEdit"], false);
    let body = app
        .gql(Some(&outsider), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // Every award is in the audit log.
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("awardPoints"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(audited.len() >= 5, "{audited:?}");
}

#[tokio::test]
async fn a_buildings_waste_check_awards_every_household_but_those_that_failed() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let waste = rule(
        &app,
        &g.s.staff,
        json!({ "name": "垃圾分类检查合格", "trigger": "WASTE_SORTING", "points": 2, "dailyCap": 2 }),
    )
    .await;
    let three = building(&app, &g, "3号楼").await;
    let (wang, li) = (
        g.s.households["王秀英"].clone(),
        g.s.households["李建国"].clone(),
    );
    // 王秀英's household already had today's check: the cap reports it, not refuses.
    data(&award(&app, &g.worker3, &wang, &waste, json!({})).await);
    let input =
        json!({ "buildingId": three, "ruleId": waste, "idempotencyKey": "building-3-check" });
    let body = app
        .gql(Some(&g.worker3), BUILDING, json!({ "in": input.clone() }))
        .await;
    let payload = data(&body)["awardPointsToBuilding"].clone();
    assert_eq!(payload["awarded"], 1);
    let results = payload["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let of = |h: &Value| {
        results
            .iter()
            .find(|r| r["householdId"] == *h)
            .unwrap()
            .clone()
    };
    assert_eq!(of(&wang)["outcome"], "CAP_REACHED");
    assert_eq!(of(&wang)["entry"], Value::Null);
    assert_eq!(of(&li)["outcome"], "AWARDED");
    assert_eq!(of(&li)["entry"]["points"], 2);
    // A retry answers the first result and awards nothing more.
    let entries = app.count::<points_entry::Entity>().await;
    let body = app
        .gql(Some(&g.worker3), BUILDING, json!({ "in": input }))
        .await;
    assert_eq!(data(&body)["awardPointsToBuilding"], payload);
    assert_eq!(app.count::<points_entry::Entity>().await, entries);
    // Tomorrow's check leaves out the household that failed.
    let tomorrow_input = json!({ "buildingId": three, "ruleId": waste, "exceptHouseholdIds": [wang], "idempotencyKey": key(), "occurredAt": chrono::Utc::now() - chrono::Duration::days(1) });
    let body = app
        .gql(Some(&g.worker3), BUILDING, json!({ "in": tomorrow_input }))
        .await;
    let results = data(&body)["awardPointsToBuilding"]["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0]["householdId"], li);
    // Another grid's worker, a resident and another community may not.
    for (caller, code) in [
        (&g.worker5, "FORBIDDEN"),
        (&g.resident, "FORBIDDEN"),
        (&other_admin(&app).await, "NOT_FOUND"),
    ] {
        let input = json!({ "buildingId": three, "ruleId": waste, "idempotencyKey": key() });
        let body = app
            .gql(Some(caller), BUILDING, json!({ "in": input }))
            .await;
        assert_eq!(error_code(&body), Some(code), "{body}");
    }
    // A list of households in one go: the same rule, per household.
    let list = "mutation($in: AwardPointsToHouseholdsInput!) { awardPointsToHouseholds(input: $in) { awarded results { outcome } } }";
    let manual = rule(
        &app,
        &g.s.staff,
        json!({ "name": "楼道清洁", "trigger": "MANUAL", "points": 1 }),
    )
    .await;
    let input = json!({ "householdIds": [wang, li], "ruleId": manual, "idempotencyKey": key() });
    let body = app
        .gql(Some(&g.worker3), list, json!({ "in": input }))
        .await;
    assert_eq!(data(&body)["awardPointsToHouseholds"]["awarded"], 2);
    let zhang = g.s.households["张伟"].clone();
    let input = json!({ "householdIds": [li, zhang], "ruleId": manual, "idempotencyKey": key() });
    let body = app
        .gql(Some(&g.worker3), list, json!({ "in": input }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_redemption_takes_points_and_stock_together_and_its_reversal_restores_both() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let li = g.s.households["李建国"].clone();
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 10 }),
    )
    .await;
    data(&award(&app, &g.s.staff, &li, &deed, json!({ "quantity": 3 })).await);
    let soap = reward(&app, &g.s.staff, "洗衣液", 12, 1).await;
    let body = redeem(&app, &g.s.staff, &li, &soap, 1).await;
    let entry = data(&body)["redeemReward"]["entry"].clone();
    assert_eq!(entry["kind"], "REDEMPTION");
    assert_eq!(entry["points"], -12);
    assert_eq!(entry["balanceAfter"], 18);
    // Out of stock, then not enough points: CONFLICT both, nothing changes.
    let body = redeem(&app, &g.s.staff, &li, &soap, 1).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let rice = reward(&app, &g.s.staff, "大米5斤", 50, 10).await;
    let body = redeem(&app, &g.s.staff, &li, &rice, 1).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert_eq!(balance(&app, &g.s.staff, &li).await, 18);
    let body = redeem(&app, &g.s.staff, &li, &rice, 0).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.quantity");
    // Only staff redeem; another community sees nothing.
    let body = redeem(&app, &g.worker3, &li, &soap, 1).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = redeem(&app, &g.resident, &li, &soap, 1).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let outsider = other_admin(&app).await;
    let body = redeem(&app, &outsider, &li, &soap, 1).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // The reversal gives the points back and the soap back to the shelf, once.
    let reverse =
        json!({ "entryId": entry["id"], "reason": "居民退回奖品", "idempotencyKey": key() });
    let body = app
        .gql(Some(&g.worker3), REVERSE, json!({ "in": reverse.clone() }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&outsider), REVERSE, json!({ "in": reverse.clone() }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&g.s.staff), REVERSE, json!({ "in": reverse }))
        .await;
    let reversal = data(&body)["reversePointsEntry"]["entry"].clone();
    assert_eq!(reversal["points"], 12);
    assert_eq!(reversal["balanceAfter"], 30);
    assert_eq!(reversal["reversesEntryId"], entry["id"]);
    let again =
        json!({ "entryId": entry["id"], "reason": "再冲一次试试", "idempotencyKey": key() });
    let body = app
        .gql(Some(&g.s.staff), REVERSE, json!({ "in": again }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let rewards =
        "query($c: ID!) { pointsRewards(communityId: $c) { edges { node { name stock } } } }";
    let body = app
        .gql(Some(&g.resident), rewards, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(data(&body)["pointsRewards"]["edges"][0]["node"]["stock"], 1);
    // Reversing an award whose points were spent would go below zero: refused.
    data(&redeem(&app, &g.s.staff, &li, &soap, 1).await);
    let spend = redeem(&app, &g.s.staff, &li, &rice, 1).await;
    assert_eq!(error_code(&spend), Some("CONFLICT"));
    // The redemptions list is the staff's.
    let list = "query($c: ID!) { pointsRedemptions(communityId: $c) { edges { node { points rewardQuantity holder { dwelling maskedName } } } } }";
    let body = app
        .gql(Some(&g.s.staff), list, json!({ "c": app.tree.a1 }))
        .await;
    let edges = data(&body)["pointsRedemptions"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(edges.len(), 2);
    assert_eq!(edges[0]["node"]["holder"]["maskedName"], "李**");
    assert_eq!(edges[0]["node"]["holder"]["dwelling"], "3号楼1单元302");
    let body = app
        .gql(Some(&g.worker3), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&outsider), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn concurrent_redemptions_against_a_balance_covering_one_never_go_negative() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let li = g.s.households["李建国"].clone();
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 10 }),
    )
    .await;
    data(&award(&app, &g.s.staff, &li, &deed, json!({})).await);
    let towel = reward(&app, &g.s.staff, "毛巾", 8, 10).await;
    let (a, b, c) = tokio::join!(
        redeem(&app, &g.s.staff, &li, &towel, 1),
        redeem(&app, &g.s.staff, &li, &towel, 1),
        redeem(&app, &g.s.staff, &li, &towel, 1),
    );
    let codes: Vec<Option<&str>> = [&a, &b, &c].iter().map(|b| error_code(b)).collect();
    assert_eq!(codes.iter().filter(|c| c.is_none()).count(), 1, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| **c == Some("CONFLICT")).count(),
        2,
        "{codes:?}"
    );
    assert_eq!(balance(&app, &g.s.staff, &li).await, 2);
    let rewards = "query($c: ID!) { pointsRewards(communityId: $c) { edges { node { stock } } } }";
    let body = app
        .gql(Some(&g.s.staff), rewards, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(data(&body)["pointsRewards"]["edges"][0]["node"]["stock"], 9);
    // The ledger: seq 1, 2 without a gap, balances chaining to the account's.
    let entries = points_entry::Entity::find()
        .order_by_asc(points_entry::Column::Seq)
        .all(app.db().reader())
        .await
        .unwrap();
    let seqs: Vec<i64> = entries.iter().map(|e| e.seq).collect();
    assert_eq!(seqs, vec![1, 2]);
    assert_eq!(
        entries[1].balance_after,
        entries[0].balance_after + entries[1].points
    );
}

#[tokio::test]
async fn entries_are_append_only_in_the_database() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let li = g.s.households["李建国"].clone();
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 10 }),
    )
    .await;
    data(&award(&app, &g.s.staff, &li, &deed, json!({})).await);
    let conn = app.db().writer();
    let update = points_entry::Entity::update_many()
        .col_expr(points_entry::Column::Points, Expr::value(1000))
        .exec(conn)
        .await;
    assert!(update.is_err());
    let delete = points_entry::Entity::delete_many().exec(conn).await;
    assert!(delete.is_err());
    assert_eq!(balance(&app, &g.s.staff, &li).await, 10);
}

#[tokio::test]
async fn automatic_awards_follow_the_active_rule_and_never_twice_for_one_source() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let li_resident = uuid(&g.s.residents["李小红"]);
    let household = g.s.households["李小红"].clone();
    rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务每小时", "trigger": "VOLUNTEER_HOUR", "points": 5, "dailyCap": 20 }),
    )
    .await;
    let run = |trigger: PointsTrigger, quantity: i64, source: &'static str| {
        let app = &app;
        async move {
            let txn = app.db().writer().begin().await.unwrap();
            let entry = award_automatic(
                &txn,
                app.tree.a1,
                li_resident,
                trigger,
                quantity,
                source,
                None,
            )
            .await
            .unwrap();
            txn.commit().await.unwrap();
            entry
        }
    };
    // 90 minutes at 5 an hour: 7 (rounded down), to the household's account.
    let first = run(PointsTrigger::VolunteerHour, 90, "activity:a1:resident:r1")
        .await
        .unwrap();
    assert_eq!(first.points, 7);
    let again = run(PointsTrigger::VolunteerHour, 90, "activity:a1:resident:r1")
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert!(
        run(PointsTrigger::ActivityAttendance, 1, "activity:a1:att:r1")
            .await
            .is_none()
    );
    // The daily cap of 20 leaves 13, then nothing.
    let second = run(PointsTrigger::VolunteerHour, 240, "activity:a2:resident:r1")
        .await
        .unwrap();
    assert_eq!(second.points, 13);
    assert!(
        run(PointsTrigger::VolunteerHour, 60, "activity:a3:resident:r1")
            .await
            .is_none()
    );
    assert_eq!(balance(&app, &g.s.staff, &household).await, 20);
    // Another community's rule does not reach this community's resident.
    let outsider = other_admin(&app).await;
    let input = json!({ "communityId": app.tree.b1, "name": "志愿服务", "trigger": "VOLUNTEER_HOUR", "points": 5 });
    data(&app.gql(Some(&outsider), RULE, json!({ "in": input })).await);
    let txn = app.db().writer().begin().await.unwrap();
    let refused = award_automatic(
        &txn,
        app.tree.b1,
        li_resident,
        PointsTrigger::VolunteerHour,
        60,
        "x:1",
        None,
    )
    .await;
    assert_eq!(refused.unwrap_err().code(), "NOT_FOUND");
    txn.rollback().await.unwrap();
}

#[tokio::test]
async fn the_unit_is_chosen_until_points_are_awarded_and_residents_then_count_alone() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let set = "mutation($c: ID!, $u: PointsUnit!) { setPointsUnit(input: {communityId: $c, unit: $u}) { scheme { unit } } }";
    let body = app
        .gql(
            Some(&g.worker3),
            set,
            json!({ "c": app.tree.a1, "u": "RESIDENT" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&other_admin(&app).await),
            set,
            json!({ "c": app.tree.a1, "u": "RESIDENT" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&g.s.staff),
            set,
            json!({ "c": app.tree.a1, "u": "RESIDENT" }),
        )
        .await;
    assert_eq!(data(&body)["setPointsUnit"]["scheme"]["unit"], "RESIDENT");
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 3 }),
    )
    .await;
    // To a household: its head's account; to a resident: their own.
    let li = g.s.households["李建国"].clone();
    data(&award(&app, &g.s.staff, &li, &deed, json!({})).await);
    let input =
        json!({ "residentId": g.s.residents["李小红"], "ruleId": deed, "idempotencyKey": key() });
    data(
        &app.gql(Some(&g.s.staff), AWARD, json!({ "in": input }))
            .await,
    );
    let accounts = points_account::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(accounts.len(), 2);
    assert!(
        accounts
            .iter()
            .all(|a| a.resident_id.is_some() && a.household_id.is_none())
    );
    let body = app
        .gql(
            Some(&g.s.staff),
            set,
            json!({ "c": app.tree.a1, "u": "HOUSEHOLD" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
}

#[tokio::test]
async fn residents_see_their_history_and_opt_in_to_a_masked_ranking() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let (wang, li) = (
        g.s.households["王秀英"].clone(),
        g.s.households["李建国"].clone(),
    );
    let deed = rule(
        &app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 4 }),
    )
    .await;
    data(
        &award(
            &app,
            &g.s.staff,
            &wang,
            &deed,
            json!({ "memo": "社区义诊帮忙" }),
        )
        .await,
    );
    data(&award(&app, &g.s.staff, &li, &deed, json!({ "quantity": 3 })).await);
    let body = app.gql(Some(&g.resident), MY_POINTS, json!({})).await;
    let mine = data(&body)["myPoints"].clone();
    assert_eq!(mine["balance"], 4);
    assert_eq!(mine["rank"], Value::Null);
    assert_eq!(mine["entries"]["edges"][0]["node"]["memo"], "社区义诊帮忙");
    // Nobody ranks until they opt in.
    let body = app
        .gql(Some(&g.resident), RANKING, json!({ "c": g.s.compound }))
        .await;
    assert!(
        data(&body)["pointsRanking"]["edges"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let body = app
        .gql(Some(&g.resident), OPT_IN, json!({ "o": true }))
        .await;
    assert_eq!(data(&body)["setPointsRankingOptIn"]["account"]["rank"], 1);
    // 李建国's household opts in (as its own resident would) and ranks above.
    points_account::Entity::update_many()
        .col_expr(points_account::Column::RankingOptIn, Expr::value(true))
        .filter(points_account::Column::HouseholdId.eq(uuid(&li)))
        .exec(app.db().writer())
        .await
        .unwrap();
    let body = app
        .gql(Some(&g.resident), RANKING, json!({ "c": g.s.compound }))
        .await;
    let rows: Vec<Value> = data(&body)["pointsRanking"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect();
    assert_eq!(
        rows,
        vec![
            json!({ "rank": 1, "building": "3号楼", "maskedName": "李**", "balance": 12 }),
            json!({ "rank": 2, "building": "3号楼", "maskedName": "王**", "balance": 4 }),
        ]
    );
    let body = app.gql(Some(&g.resident), MY_POINTS, json!({})).await;
    assert_eq!(data(&body)["myPoints"]["rank"], 2);
    // A resident reads no other household's account; another community reads nothing.
    let body = app
        .gql(Some(&g.resident), ACCOUNT, json!({ "h": li }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&g.worker3), ACCOUNT, json!({ "h": li })).await;
    assert_eq!(data(&body)["pointsAccount"]["holder"]["building"], "3号楼");
    let outsider = other_admin(&app).await;
    let body = app.gql(Some(&outsider), ACCOUNT, json!({ "h": li })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&outsider), RANKING, json!({ "c": g.s.compound }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&g.worker3), RANKING, json!({ "c": g.s.compound }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&g.s.staff), MY_POINTS, json!({})).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // Opting out leaves the ranking.
    data(
        &app.gql(Some(&g.resident), OPT_IN, json!({ "o": false }))
            .await,
    );
    let body = app
        .gql(Some(&g.s.staff), RANKING, json!({ "c": g.s.compound }))
        .await;
    assert_eq!(
        data(&body)["pointsRanking"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

/// Opens `n` opted-in accounts in the compound with entries, straight in the database
/// (as awards and opt-ins would), for page-size measurements.
async fn many_accounts(app: &TestApp, g: &Grids, n: usize) {
    let deed = rule(
        app,
        &g.s.staff,
        json!({ "name": "志愿服务", "trigger": "MANUAL", "points": 1 }),
    )
    .await;
    for _ in 0..n {
        data(&award(app, &g.s.staff, &g.s.households["李建国"], &deed, json!({})).await);
    }
    for (i, name) in ["王秀英", "张伟"].iter().enumerate() {
        let h = g.s.households[*name].clone();
        for _ in 0..=i {
            data(&award(app, &g.s.staff, &h, &deed, json!({})).await);
        }
    }
    points_account::Entity::update_many()
        .col_expr(points_account::Column::RankingOptIn, Expr::value(true))
        .exec(app.db().writer())
        .await
        .unwrap();
    for i in 0..10 {
        rule(
            app,
            &g.s.staff,
            json!({ "name": format!("规则{i}"), "trigger": "MANUAL", "points": 1 }),
        )
        .await;
    }
}

#[tokio::test]
async fn lists_cost_the_same_statements_whatever_the_page_size() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    many_accounts(&app, &g, 12).await;
    for i in 0..12 {
        reward(&app, &g.s.staff, &format!("奖品{i}"), 1, 100).await;
    }
    let li = g.s.households["李建国"].clone();
    let rewards =
        "query($c: ID!) { pointsRewards(communityId: $c, first: 12) { edges { node { id } } } }";
    let body = app
        .gql(Some(&g.s.staff), rewards, json!({ "c": app.tree.a1 }))
        .await;
    let ids: Vec<Value> = data(&body)["pointsRewards"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect();
    for id in ids.iter().take(10) {
        data(&redeem(&app, &g.s.staff, &li, id, 1).await);
    }
    let lists = [
        (
            "query($h: ID!, $first: Int) { pointsAccount(householdId: $h) { entries(first: $first) { edges { node { seq points kind } } } } }",
            json!({ "h": li }),
        ),
        (
            "query($c: ID!, $first: Int) { pointsRules(communityId: $c, first: $first) { edges { node { name permissions { canEdit } } } } }",
            json!({ "c": app.tree.a1 }),
        ),
        (
            "query($c: ID!, $first: Int) { pointsRewards(communityId: $c, first: $first) { edges { node { name stock permissions { canRedeem } } } } }",
            json!({ "c": app.tree.a1 }),
        ),
        (
            "query($k: ID!, $first: Int) { pointsRanking(compoundId: $k, first: $first) { edges { node { rank building maskedName balance } } } }",
            json!({ "k": g.s.compound }),
        ),
        (
            "query($c: ID!, $first: Int) { pointsRedemptions(communityId: $c, first: $first) { edges { node { points holder { dwelling maskedName } } } } }",
            json!({ "c": app.tree.a1 }),
        ),
    ];
    for (query, vars) in lists {
        let mut costs = Vec::new();
        // The compound has three households to rank.
        let most = if query.contains("pointsRanking") {
            3
        } else {
            10
        };
        for first in [1, most] {
            let mut vars = vars.clone();
            vars["first"] = json!(first);
            let (body, cost) = app.gql_cost(&g.s.staff, query, vars).await;
            let edges = data(&body).as_object().unwrap().values().next().unwrap();
            let edges = edges
                .get("edges")
                .or_else(|| edges["entries"].get("edges"))
                .unwrap();
            assert_eq!(edges.as_array().unwrap().len(), first, "{query}");
            costs.push(cost);
        }
        assert_eq!(costs[0], costs[1], "{query}: {costs:?}");
        // pointsAccount's page sits under the account's own lookups (household, scheme,
        // account) and is one statement.
        let budget = if query.contains("pointsAccount") {
            5
        } else {
            4
        };
        assert!(costs[1] <= budget, "{query}: {costs:?}");
    }
}

#[tokio::test]
async fn the_demo_holds_a_rule_set_a_month_of_awards_and_one_redemption() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.resident")
        .unwrap();
    let resident = crate::org::demo_login(&app, login).await;
    let body = app
        .gql(
            Some(&resident),
            "{ me { grants { communityId } } }",
            json!({}),
        )
        .await;
    let community = data(&body)["me"]["grants"][0]["communityId"].clone();
    let rules = "query($c: ID!) { pointsRules(communityId: $c) { edges { node { trigger } } } pointsRewards(communityId: $c) { edges { node { name stock } } } }";
    let body = app
        .gql(Some(&resident), rules, json!({ "c": community }))
        .await;
    assert_eq!(
        data(&body)["pointsRules"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        4
    );
    assert_eq!(
        data(&body)["pointsRewards"]["edges"][2]["node"]["stock"],
        29
    );
    let body = app.gql(Some(&resident), MY_POINTS, json!({})).await;
    let mine = data(&body)["myPoints"].clone();
    assert_eq!(mine["rankingOptIn"], true);
    assert!(mine["rank"].as_i64().unwrap() >= 1);
    let kinds: Vec<&str> = mine["entries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "REDEMPTION").count(),
        1,
        "one redemption: {kinds:?}"
    );
    assert!(
        kinds.iter().filter(|k| **k == "AWARD").count() >= 5,
        "{kinds:?}"
    );
    // A month of awards: four weekly waste checks over three buildings, and more.
    let awarded = points_entry::Entity::find()
        .filter(points_entry::Column::Kind.eq("award"))
        .all(app.db().reader())
        .await
        .unwrap();
    let days: std::collections::BTreeSet<_> = awarded.iter().map(|e| e.day).collect();
    assert!(days.len() >= 5, "{days:?}");
    assert!(awarded.len() > 50, "{}", awarded.len());
}

#[tokio::test]
async fn rules_and_rewards_change_and_archive_only_by_the_communitys_staff() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let outsider = other_admin(&app).await;
    let waste = rule(
        &app,
        &g.s.staff,
        json!({ "name": "垃圾分类", "trigger": "WASTE_SORTING", "points": 2 }),
    )
    .await;
    let soap = reward(&app, &g.s.staff, "洗衣液", 30, 5).await;
    let update_rule = "mutation($in: UpdatePointsRuleInput!) { updatePointsRule(input: $in) { rule { points dailyCap } } }";
    let archive_rule = "mutation($id: ID!) { archivePointsRule(id: $id) { rule { archived permissions { canEdit } } } }";
    let update_reward = "mutation($in: UpdatePointsRewardInput!) { updatePointsReward(input: $in) { reward { price stock } } }";
    let archive_reward =
        "mutation($id: ID!) { archivePointsReward(id: $id) { reward { archived } } }";
    let scheme = "query($c: ID!) { pointsScheme(communityId: $c) { unit permissions { canChangeUnit canManage } } }";
    let rule_in =
        json!({ "in": { "id": waste, "name": "垃圾分类检查合格", "points": 3, "dailyCap": 3 } });
    let reward_in = json!({ "in": { "id": soap, "name": "洗衣液", "price": 25, "addStock": -2 } });
    for (caller, code) in [
        (&g.resident, "FORBIDDEN"),
        (&g.worker3, "FORBIDDEN"),
        (&outsider, "NOT_FOUND"),
    ] {
        for (query, vars) in [
            (update_rule, rule_in.clone()),
            (archive_rule, json!({ "id": waste })),
            (update_reward, reward_in.clone()),
            (archive_reward, json!({ "id": soap })),
        ] {
            let body = app.gql(Some(caller), query, vars).await;
            assert_eq!(error_code(&body), Some(code), "{query}: {body}");
        }
    }
    let body = app
        .gql(Some(&outsider), scheme, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&g.resident), scheme, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        data(&body)["pointsScheme"],
        json!({ "unit": "HOUSEHOLD", "permissions": { "canChangeUnit": false, "canManage": false } })
    );
    let body = app.gql(Some(&g.s.staff), update_rule, rule_in).await;
    assert_eq!(
        data(&body)["updatePointsRule"]["rule"],
        json!({ "points": 3, "dailyCap": 3 })
    );
    let body = app.gql(Some(&g.s.staff), update_reward, reward_in).await;
    assert_eq!(
        data(&body)["updatePointsReward"]["reward"],
        json!({ "price": 25, "stock": 3 })
    );
    let too_many = json!({ "in": { "id": soap, "name": "洗衣液", "price": 25, "addStock": -4 } });
    let body = app.gql(Some(&g.s.staff), update_reward, too_many).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    // Archiving the waste rule frees its trigger for a new one; an archived rule awards nothing.
    let body = app
        .gql(Some(&g.s.staff), archive_rule, json!({ "id": waste }))
        .await;
    assert_eq!(
        data(&body)["archivePointsRule"]["rule"],
        json!({ "archived": true, "permissions": { "canEdit": false } })
    );
    let body = award(
        &app,
        &g.s.staff,
        &g.s.households["李建国"],
        &waste,
        json!({}),
    )
    .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    rule(
        &app,
        &g.s.staff,
        json!({ "name": "垃圾分类（新）", "trigger": "WASTE_SORTING", "points": 1 }),
    )
    .await;
    let body = app
        .gql(Some(&g.s.staff), archive_reward, json!({ "id": soap }))
        .await;
    assert_eq!(
        data(&body)["archivePointsReward"]["reward"]["archived"],
        true
    );
    let body = redeem(&app, &g.s.staff, &g.s.households["李建国"], &soap, 1).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
}
