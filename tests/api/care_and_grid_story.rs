//! The seeds' stories of care and the grid, walked on the demo data as the people in them
//! would: an elderly resident living alone who missed two daily check-ins shows up in their
//! grid worker's alerts; a daughter checks in on her father and answers a consultation for
//! him; a repair was reported fixed with a photo; the grid leader moves a request from one
//! of their grids to the other.

use serde_json::{Value, json};

use crate::{
    helpers::{Caller, TestApp, data, error_code},
    meetings::{motion, open_meeting, vote},
};

async fn demo_caller(app: &TestApp, demo: &jiedao::bootstrap::Demo, username: &str) -> Caller {
    let login = demo.logins.iter().find(|l| l.username == username).unwrap();
    crate::org::demo_login(app, login).await
}

async fn user_id(app: &TestApp, who: &Caller) -> Value {
    data(&app.gql(Some(who), "{ me { id } }", json!({})).await)["me"]["id"].clone()
}

async fn first_grant_scope(app: &TestApp, who: &Caller) -> (Value, Value) {
    let body = app
        .gql(
            Some(who),
            "{ me { grants { communityId scopeId } } }",
            json!({}),
        )
        .await;
    let grant = data(&body)["me"]["grants"][0].clone();
    (grant["communityId"].clone(), grant["scopeId"].clone())
}

#[tokio::test]
async fn the_seeds_stories_of_care_and_the_grid_run_on_the_demo_data() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let worker1 = demo_caller(&app, &demo, "demo.grid1").await;
    let worker2 = demo_caller(&app, &demo, "demo.grid2").await;
    let staff = demo_caller(&app, &demo, "demo.xingfu.staff").await;
    let daughter = demo_caller(&app, &demo, "demo.family").await;
    let leader = demo_caller(&app, &demo, "demo.gridlead").await;
    let resident = demo_caller(&app, &demo, "demo.resident").await;
    let (community, grid1) = first_grant_scope(&app, &worker1).await;
    let (_, grid2) = first_grant_scope(&app, &worker2).await;
    let (worker1_id, worker2_id) = (user_id(&app, &worker1).await, user_id(&app, &worker2).await);

    // 1. Nobody has seen one of 周建华's elderly residents for two days: the alert is his.
    let alerts = "query($c: ID!) { careAlerts(communityId: $c, first: 10) { edges { node { householdId watch { status missedCheckIns } } } } }";
    let body = app
        .gql(Some(&worker1), alerts, json!({ "c": community }))
        .await;
    let edges = data(&body)["careAlerts"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        edges
            .iter()
            .any(|e| e["node"]["watch"]["status"] == "MISSED"
                && e["node"]["watch"]["missedCheckIns"].as_i64() >= Some(2)),
        "{edges:?}"
    );
    // Another grid's worker is not alerted about it.
    let body = app
        .gql(Some(&worker2), alerts, json!({ "c": community }))
        .await;
    let theirs = data(&body)["careAlerts"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(theirs.iter().all(|e| !edges.contains(e)));

    // 2. The daughter: her father's household goes under a daily watch; she says she saw
    // him, and reads that he is well looked after; she answers a consultation for him.
    let (_, father_household) = first_grant_scope(&app, &daughter).await;
    let set = "mutation($h: ID!) { setCareWatch(input: {householdId: $h, interval: DAILY}) { watch { status } } }";
    data(
        &app.gql(Some(&staff), set, json!({ "h": father_household }))
            .await,
    );
    let check_in = "mutation($h: ID!, $k: CheckInKind!) { recordCareCheckIn(input: {householdId: $h, kind: $k, note: \"视频通话，爸爸说午饭吃了饺子\"}) { checkIn { kind by { name } } } }";
    let body = app
        .gql(
            Some(&daughter),
            check_in,
            json!({ "h": father_household, "k": "FAMILY" }),
        )
        .await;
    assert_eq!(
        data(&body)["recordCareCheckIn"]["checkIn"]["kind"],
        "FAMILY"
    );
    // She records what she saw, not a grid worker's visit.
    let body = app
        .gql(
            Some(&daughter),
            check_in,
            json!({ "h": father_household, "k": "VISIT" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let watch = "query($h: ID!) { careWatch(householdId: $h) { status checkIns(first: 5) { edges { node { kind } } } } }";
    let body = app
        .gql(Some(&daughter), watch, json!({ "h": father_household }))
        .await;
    assert_eq!(data(&body)["careWatch"]["status"], "OK");
    let compounds = "{ compounds(first: 1) { edges { node { id name } } } }";
    let compound = data(&app.gql(Some(&resident), compounds, json!({})).await)["compounds"]
        ["edges"][0]["node"]["id"]
        .clone();
    let meeting = open_meeting(&app, &staff, &compound).await;
    let consultation = motion(&app, &staff, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    data(&vote(&app, &daughter, &consultation, "YES").await);
    let voters = "query($id: ID!) { motion(id: $id) { voters { voted castBy castFor } } }";
    let body = app
        .gql(Some(&staff), voters, json!({ "id": consultation }))
        .await;
    let cast: Vec<Value> = data(&body)["motion"]["voters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["voted"] == true)
        .cloned()
        .collect();
    assert_eq!(cast.len(), 1);
    assert_eq!(cast[0]["castBy"], user_id(&app, &daughter).await);
    assert!(cast[0]["castFor"].is_string());

    // The micro-grid's volunteer leader brings a watched neighbour a meal and says so;
    // they read nothing of the neighbour's care.
    let volunteer = demo_caller(&app, &demo, "demo.microgrid").await;
    let body = app
        .gql(
            Some(&volunteer),
            "{ me { grants { role scopeId } } }",
            json!({}),
        )
        .await;
    let micro = data(&body)["me"]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["role"] == "MICRO_GRID_LEADER")
        .unwrap()["scopeId"]
        .clone();
    let households =
        "query($id: ID!) { microGrid(id: $id) { households(first: 1) { edges { node { id } } } } }";
    let body = app
        .gql(Some(&volunteer), households, json!({ "id": micro }))
        .await;
    let neighbour = data(&body)["microGrid"]["households"]["edges"][0]["node"]["id"].clone();
    data(&app.gql(Some(&staff), set, json!({ "h": neighbour })).await);
    let body = app
        .gql(
            Some(&volunteer),
            check_in,
            json!({ "h": neighbour, "k": "MEAL_DELIVERED" }),
        )
        .await;
    assert_eq!(
        data(&body)["recordCareCheckIn"]["checkIn"]["kind"],
        "MEAL_DELIVERED"
    );
    let body = app
        .gql(Some(&volunteer), watch, json!({ "h": neighbour }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // 3. The street lamp: fixed, with a photo of it lit.
    let list = "query($f: RequestFilter) { requests(first: 50, filter: $f) { edges { node { id title status assigneeId gridId proof: photos(stage: RESOLUTION) { fileName } } } } }";
    let body = app
        .gql(
            Some(&worker1),
            list,
            json!({ "f": { "status": "RESOLVED" } }),
        )
        .await;
    let resolved = data(&body)["requests"]["edges"].as_array().unwrap().clone();
    let lamp = resolved
        .iter()
        .find(|e| e["node"]["title"].as_str().unwrap().contains("路灯"))
        .unwrap();
    assert_eq!(
        lamp["node"]["proof"],
        json!([{ "fileName": "路灯已修好.png" }])
    );

    // 4. The grid leader of grids 1 and 2 hands a grid 1 request to 吴芳 of grid 2.
    let body = app
        .gql(Some(&leader), list, json!({ "f": { "gridId": grid1 } }))
        .await;
    let open = data(&body)["requests"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| {
            e["node"]["assigneeId"] == worker1_id
                && !["RESOLVED", "CLOSED"].contains(&e["node"]["status"].as_str().unwrap())
        })
        .unwrap()["node"]["id"]
        .clone();
    let reassign = "mutation($id: ID!, $u: ID!) { reassignRequest(input: {requestId: $id, assigneeId: $u}) { request { assigneeId gridId } } }";
    let to = json!({ "id": open, "u": worker2_id });
    // A grid worker cannot do it.
    assert_eq!(
        error_code(&app.gql(Some(&worker1), reassign, to.clone()).await),
        Some("FORBIDDEN")
    );
    let body = app.gql(Some(&leader), reassign, to).await;
    let moved = &data(&body)["reassignRequest"]["request"];
    assert_eq!(moved["assigneeId"], worker2_id);
    assert_eq!(moved["gridId"], grid2);
    let one = "query($id: ID!) { request(id: $id) { assigneeId } }";
    let body = app.gql(Some(&worker2), one, json!({ "id": open })).await;
    assert_eq!(data(&body)["request"]["assigneeId"], worker2_id);
}
