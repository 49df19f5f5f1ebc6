//! A month of grid work in one community, end to end through the API (the grid-work
//! issue's "done when"): requests from WeChat messages handled, followed up and rated;
//! every household visited on its schedule, with the one left out visible as overdue; a
//! dispute mediated; and an urgent water-cut notice read by every household the dashboard
//! says it reached.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use jiedao::bootstrap::demo_roster::{Shape, roster};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data},
    requests::MOVE,
    roster::compound_with_roster,
};

const PLAN: &str = "query($g: ID!) { visitPlan(gridId: $g) { done due overdue households { householdId label careLevel status overdueSince } } }";
const VISIT: &str = "mutation($in: RecordVisitInput!) { recordVisit(input: $in) { visit { id } } }";
const RECORD: &str = "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id assigneeId } } }";
const DASHBOARD: &str = "query($c: ID!, $from: DateTime!, $to: DateTime!) { requestDashboard(communityId: $c, from: $from, to: $to) { byGrid { key open overdue resolvedToday } medianFirstResponseMinutes medianResolutionMinutes visitCoverage { grid visited households } urgentNotices { announcementId households householdsRead } } }";

/// A grid of the compound: its worker and its households by id with their care level.
struct Grid {
    name: String,
    id: Value,
    worker: Caller,
    households: Vec<(Value, String)>,
}

async fn plan(app: &TestApp, caller: &Caller, grid: &Value) -> Value {
    let body = app.gql(Some(caller), PLAN, json!({ "g": grid })).await;
    data(&body)["visitPlan"].clone()
}

async fn visit(app: &TestApp, worker: &Caller, household: &Value, days_ago: i64) {
    let at = Utc::now() - Duration::days(days_ago) - Duration::hours(1);
    let input = json!({ "in": { "householdId": household, "visitedAt": at, "met": "本人", "notes": "身体尚好" } });
    data(&app.gql(Some(worker), VISIT, input).await);
}

async fn dashboard(app: &TestApp, staff: &Caller) -> Value {
    let vars = json!({ "c": app.tree.a1, "from": Utc::now() - Duration::days(31), "to": Utc::now() + Duration::minutes(1) });
    let body = app.gql(Some(staff), DASHBOARD, vars).await;
    data(&body)["requestDashboard"].clone()
}

/// Staff record a message from the compound's WeChat group; it goes to the household's
/// grid worker.
async fn from_wechat(
    app: &TestApp,
    staff: &Caller,
    (household, category, text): (&Value, &str, &str),
) -> (Value, Value) {
    let message = json!({ "groupName": "和韵小区邻里群", "senderNickname": "邻居", "originalText": text, "sentAt": Utc::now() - Duration::hours(3) });
    let input = json!({ "in": { "householdId": household, "source": "WECHAT", "wechatMessage": message, "category": category, "title": text } });
    let body = app.gql(Some(staff), RECORD, input).await;
    let request = &data(&body)["recordRequest"]["request"];
    (request["id"].clone(), request["assigneeId"].clone())
}

/// The worker acknowledges, fixes and follows up; the resident rates it.
async fn handle(app: &TestApp, worker: &Caller, resident: &Caller, request: &Value, done: &str) {
    for action in ["ACKNOWLEDGE", "START", "RESOLVE"] {
        let vars = json!({ "id": request, "a": action, "m": done });
        data(&app.gql(Some(worker), MOVE, vars).await);
    }
    let follow_up =
        "mutation($in: RecordFollowUpInput!) { recordFollowUp(input: $in) { request { status } } }";
    let input = json!({ "in": { "requestId": request, "method": "PHONE", "contactedAt": Utc::now(), "spokeWith": "户主", "satisfied": true } });
    let body = app.gql(Some(worker), follow_up, input).await;
    assert_eq!(
        data(&body)["recordFollowUp"]["request"]["status"],
        "RESOLVED"
    );
    let rate = "mutation($id: ID!) { rateRequest(input: {requestId: $id, rating: 5, comment: \"处理及时\"}) { request { rating } } }";
    let body = app
        .gql(Some(resident), rate, json!({ "id": request }))
        .await;
    assert_eq!(data(&body)["rateRequest"]["request"]["rating"], 5);
}

#[tokio::test]
async fn a_community_runs_a_month_of_grid_work() {
    let app = TestApp::new().await;
    let a1 = app.tree.a1;
    let staff = app.caller(Role::CommunityStaff, Scope::Community(a1)).await;
    let admin = app.caller(Role::CommunityAdmin, Scope::Community(a1)).await;
    let shape = Shape {
        buildings: 2,
        units: 1,
        floors: 6,
        rooms: 2,
    };
    let compound =
        compound_with_roster(&app, &staff, a1, "和韵小区", &roster(&shape, 24, 52, 11)).await;
    // Everyone has lived here for months: no household is new this month.
    entity::household::Entity::update_many()
        .col_expr(
            entity::household::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(120)),
        )
        .filter(entity::household::Column::CommunityId.eq(a1))
        .exec(app.db().writer())
        .await
        .unwrap();

    // One grid per building, each with its grid worker.
    let body = app
        .gql(
            Some(&staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": compound }),
        )
        .await;
    let buildings = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(buildings.len(), 2);
    let mut grids = Vec::new();
    for (n, building) in buildings.iter().enumerate() {
        let name = format!("和韵{}号楼网格", n + 1);
        let create = "mutation($c: ID!, $n: String!) { createGrid(input: {communityId: $c, name: $n}) { grid { id } } }";
        let body = app
            .gql(Some(&admin), create, json!({ "c": a1, "n": name }))
            .await;
        let id = data(&body)["createGrid"]["grid"]["id"].clone();
        let assign = "mutation($g: ID!, $b: ID!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: [$b]}) { grid { id } } }";
        data(
            &app.gql(
                Some(&admin),
                assign,
                json!({ "g": id, "b": building["id"] }),
            )
            .await,
        );
        let grid: Uuid = id.as_str().unwrap().parse().unwrap();
        let worker = app.caller(Role::GridWorker, Scope::Below(a1, grid)).await;
        grids.push(Grid {
            name,
            id,
            worker,
            households: Vec::new(),
        });
    }

    // Staff set care levels: in each grid one special-hardship household (weekly) and one
    // key-group household (monthly); the roster's tags decide the rest.
    let set = "mutation($h: ID!, $l: CareLevel!) { setHouseholdCareLevel(input: {householdId: $h, careLevel: $l, reason: \"入户核实\"}) { household { careLevel } } }";
    for grid in &mut grids {
        let start = plan(&app, &staff, &grid.id).await;
        let ids: Vec<Value> = start["households"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| h["householdId"].clone())
            .collect();
        assert_eq!(ids.len(), 12);
        for (household, level) in [(&ids[0], "SPECIAL_HARDSHIP"), (&ids[1], "KEY_GROUP")] {
            data(
                &app.gql(Some(&staff), set, json!({ "h": household, "l": level }))
                    .await,
            );
        }
        let start = plan(&app, &grid.worker, &grid.id).await;
        // A month ago nobody had been visited for a long time: all overdue.
        assert_eq!(start["overdue"], 12, "{}", grid.name);
        grid.households = start["households"]
            .as_array()
            .unwrap()
            .iter()
            .map(|h| {
                (
                    h["householdId"].clone(),
                    h["careLevel"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
    }
    let residents: HashMap<String, Caller> = {
        let mut residents = HashMap::new();
        for (household, _) in grids.iter().flat_map(|g| &g.households) {
            let id: Uuid = household.as_str().unwrap().parse().unwrap();
            let caller = app.caller(Role::Resident, Scope::Below(a1, id)).await;
            residents.insert(household.as_str().unwrap().to_owned(), caller);
        }
        residents
    };
    let resident_of = |household: &Value| &residents[household.as_str().unwrap()];

    // The month of visits, on each household's schedule: weekly ones every week, monthly
    // ones and everyone else once. Grid 2's worker forgets one key-group household.
    let forgotten = grids[1]
        .households
        .iter()
        .find(|(_, level)| level == "KEY_GROUP")
        .unwrap()
        .0
        .clone();
    for grid in &grids {
        for (household, level) in &grid.households {
            let days: &[i64] = match level.as_str() {
                "SPECIAL_HARDSHIP" => &[28, 21, 14, 7, 0],
                _ if *household == forgotten => &[],
                "KEY_GROUP" => &[0],
                _ => &[3],
            };
            for days_ago in days {
                visit(&app, &grid.worker, household, *days_ago).await;
            }
        }
    }
    for grid in &grids {
        let now = plan(&app, &grid.worker, &grid.id).await;
        let late: Vec<&Value> = now["households"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|h| h["status"] == "OVERDUE")
            .collect();
        if grid.households.iter().any(|(h, _)| *h == forgotten) {
            // Only the forgotten household is overdue, listed first with since when.
            assert_eq!(late.len(), 1, "{now}");
            assert_eq!(late[0]["householdId"], forgotten);
            assert!(late[0]["overdueSince"].is_string());
            assert_eq!(now["households"][0]["householdId"], forgotten);
        } else {
            assert!(late.is_empty(), "{now}");
        }
        assert_eq!(
            now["done"].as_i64().unwrap() + now["due"].as_i64().unwrap() + late.len() as i64,
            12
        );
    }
    // The dashboard's coverage agrees with the plans; the late visit clears the overdue one.
    let coverage = dashboard(&app, &staff).await["visitCoverage"].clone();
    for grid in &grids {
        let now = plan(&app, &staff, &grid.id).await;
        let row = coverage
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["grid"] == grid.name.as_str())
            .unwrap();
        assert_eq!(
            (row["visited"].clone(), row["households"].clone()),
            (now["done"].clone(), json!(12))
        );
    }
    visit(&app, &grids[1].worker, &forgotten, 0).await;
    assert_eq!(
        plan(&app, &grids[1].worker, &grids[1].id).await["overdue"],
        0
    );

    // Requests from the WeChat group, each to its building's worker.
    let messages = [
        (0, 2, "repair", "楼下路灯不亮"),
        (0, 5, "sanitation", "垃圾桶满了没人清"),
        (1, 3, "parking", "消防通道被车堵了"),
        (1, 8, "repair", "单元门禁坏了"),
    ];
    let mut filed = Vec::new();
    for (grid, index, category, text) in messages {
        let household = grids[grid].households[index].0.clone();
        let (id, assignee) = from_wechat(&app, &staff, (&household, category, text)).await;
        assert_eq!(
            assignee,
            json!(grids[grid].worker.user_id.to_string()),
            "{text}"
        );
        filed.push((grid, household, id));
    }
    // One sits unanswered past its first-response deadline: flagged and listed.
    let late_id: Uuid = filed[3].2.as_str().unwrap().parse().unwrap();
    entity::service_request::Entity::update_many()
        .col_expr(
            entity::service_request::Column::FirstResponseDueAt,
            Expr::value(Utc::now() - Duration::hours(1)),
        )
        .filter(entity::service_request::Column::Id.eq(late_id))
        .exec(app.db().writer())
        .await
        .unwrap();
    let overdue = "{ requests(filter: {overdue: true}) { edges { node { id } } } }";
    let body = app.gql(Some(&grids[1].worker), overdue, json!({})).await;
    assert_eq!(
        data(&body)["requests"]["edges"],
        json!([{ "node": { "id": filed[3].2 } }])
    );
    let d = dashboard(&app, &staff).await;
    let grid2 = d["byGrid"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["key"] == grids[1].name.as_str())
        .unwrap()
        .clone();
    assert_eq!(
        (grid2["open"].clone(), grid2["overdue"].clone()),
        (json!(2), json!(1))
    );
    for (grid, household, id) in &filed {
        handle(
            &app,
            &grids[*grid].worker,
            resident_of(household),
            id,
            "已处理，请查看",
        )
        .await;
    }

    // A dispute: water leaking from the flat upstairs. Staff mediate with the grid worker
    // and a lawyer; the two households agree, and the request is resolved with the outcome.
    let (below, above) = (&grids[0].households[2].0, &grids[0].households[4].0);
    let (dispute, _) = from_wechat(
        &app,
        &staff,
        (below, "dispute", "楼上太阳能热水器漏水到我家"),
    )
    .await;
    let open =
        "mutation($in: OpenMediationCaseInput!) { openMediationCase(input: $in) { case { id } } }";
    let input = json!({ "in": { "communityId": a1, "requestId": dispute, "title": "楼上热水器漏水", "parties": [
        { "householdId": below, "label": "楼下住户" }, { "householdId": above, "label": "楼上住户" }
    ], "mediators": [
        { "userId": grids[0].worker.user_id.to_string(), "name": "网格员", "kind": "STAFF" },
        { "name": "社区法律顾问", "kind": "LAWYER" }
    ] } });
    let body = app.gql(Some(&staff), open, input).await;
    let case = data(&body)["openMediationCase"]["case"]["id"].clone();
    let session = "mutation($id: ID!, $at: DateTime!) { recordMediationSession(input: {caseId: $id, heldAt: $at, place: \"社区调解室\", notes: \"双方到场\"}) { case { id } } }";
    let at = Utc::now() - Duration::hours(2);
    data(
        &app.gql(
            Some(&grids[0].worker),
            session,
            json!({ "id": case, "at": at }),
        )
        .await,
    );
    let close = "mutation($in: CloseMediationCaseInput!) { closeMediationCase(input: $in) { case { open outcome agreementText } } }";
    let follow_up_on = (Utc::now() + Duration::days(14)).date_naive();
    let agreed = json!({ "in": { "caseId": case, "outcome": "AGREEMENT", "agreementText": "楼上三日内修好热水器，赔偿楼下刷墙费用300元", "followUpOn": follow_up_on } });
    let body = app.gql(Some(&grids[0].worker), close, agreed).await;
    assert_eq!(
        data(&body)["closeMediationCase"]["case"]["outcome"],
        "AGREEMENT"
    );
    handle(
        &app,
        &grids[0].worker,
        resident_of(below),
        &dispute,
        "双方已达成调解协议",
    )
    .await;

    // Every request handled, followed up and rated; nothing open or late.
    let d = dashboard(&app, &staff).await;
    for row in d["byGrid"].as_array().unwrap() {
        assert_eq!(
            (row["open"].clone(), row["overdue"].clone()),
            (json!(0), json!(0)),
            "{row}"
        );
    }
    let resolved: i64 = d["byGrid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["resolvedToday"].as_i64().unwrap())
        .sum();
    assert_eq!(resolved, 5);
    assert!(d["medianResolutionMinutes"].is_i64());
    let awaiting = "{ requests(filter: {awaitingFollowUp: true}) { edges { node { id } } } }";
    let body = app.gql(Some(&staff), awaiting, json!({})).await;
    assert_eq!(data(&body)["requests"]["edges"], json!([]));
    let ratings = "{ requests(first: 50) { edges { node { rating } } } }";
    let body = app.gql(Some(&staff), ratings, json!({})).await;
    let rated = data(&body)["requests"]["edges"].as_array().unwrap().clone();
    assert_eq!(rated.len(), 5);
    assert!(rated.iter().all(|e| e["node"]["rating"] == 5));

    // The urgent water-cut notice: the dashboard says it reached all 24 households, and
    // each of them reads it.
    let publish = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id } } }";
    let input = json!({ "in": { "communityId": a1, "compoundId": compound, "urgent": true, "title": "明日停水通知", "body": "明日8:00-18:00管网改造停水，请提前储水。", "validUntil": Utc::now() + Duration::days(2) } });
    let body = app.gql(Some(&staff), publish, input).await;
    let notice = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();
    let reached = &dashboard(&app, &staff).await["urgentNotices"];
    assert_eq!(
        reached,
        &json!([{ "announcementId": notice, "households": 24, "householdsRead": 0 }])
    );
    let read = "mutation($id: ID!) { markAnnouncementRead(id: $id) { announcement { id } } }";
    let list = "query($c: ID!) { announcements(communityId: $c) { nodes { id } } }";
    for resident in residents.values() {
        let body = app.gql(Some(resident), list, json!({ "c": a1 })).await;
        assert_eq!(data(&body)["announcements"]["nodes"][0]["id"], notice);
        data(&app.gql(Some(resident), read, json!({ "id": notice })).await);
    }
    let reached = &dashboard(&app, &staff).await["urgentNotices"];
    assert_eq!(
        reached,
        &json!([{ "announcementId": notice, "households": 24, "householdsRead": 24 }])
    );
    // The grid workers' view adds up to the same: nobody left to knock on.
    let reach =
        "query($id: ID!) { announcement(id: $id) { reach { households householdsRead unread } } }";
    for grid in &grids {
        let body = app
            .gql(Some(&grid.worker), reach, json!({ "id": notice }))
            .await;
        assert_eq!(
            data(&body)["announcement"]["reach"],
            json!({ "households": 12, "householdsRead": 12, "unread": [] })
        );
    }
}
