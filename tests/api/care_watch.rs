//! Care watch (关爱巡查): watches set by staff and grid workers, check-ins by whoever may
//! record them, alerts for missed check-ins (list, dashboard, scheduler), and devices
//! reporting through `POST /care/intake`.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use chrono::{DateTime, Duration, Utc};
use entity::{audit_entry, care_watch, notification_event, role_grant::Role, service_request};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    requests::{Grids, grids},
    roster::compound_with_roster,
};

const SET: &str = "mutation($h: ID!, $i: CareInterval) { setCareWatch(input: {householdId: $h, interval: $i}) { watch { interval status missedCheckIns setBy { name } } } }";
const CHECK_IN: &str = "mutation($in: RecordCareCheckInInput!) { recordCareCheckIn(input: $in) { checkIn { id kind note by { name device } } } }";
const ALERTS: &str = "query($c: ID!, $g: ID, $first: Int) { careAlerts(communityId: $c, gridId: $g, first: $first) { edges { node { householdId watch { missedCheckIns status nextDueAt } household { id dwelling { room } } } } pageInfo { hasNextPage } } }";
const WATCH: &str = "query($h: ID!) { careWatch(householdId: $h) { interval status missedCheckIns lastCheckInAt checkIns(first: 10) { edges { node { kind note at by { name device } } } } } }";
const REGISTER: &str = "mutation($h: ID!, $k: CareDeviceKind!, $l: String!) { registerCareDevice(input: {householdId: $h, kind: $k, label: $l}) { token device { id kind label } } }";

fn uuid(v: &Value) -> Uuid {
    v.as_str().unwrap().parse().unwrap()
}

async fn set_watch(app: &TestApp, caller: &Caller, household: &Value, interval: &str) -> Value {
    app.gql(Some(caller), SET, json!({ "h": household, "i": interval }))
        .await
}

async fn check_in(
    app: &TestApp,
    caller: &Caller,
    household: &Value,
    kind: &str,
    extra: Value,
) -> Value {
    let mut input = json!({ "householdId": household, "kind": kind });
    if let (Value::Object(input), Value::Object(extra)) = (&mut input, extra) {
        input.extend(extra);
    }
    app.gql(Some(caller), CHECK_IN, json!({ "in": input }))
        .await
}

/// Moves a watch's start back, as if it had been set `days` ago.
async fn started_days_ago(app: &TestApp, household: &Value, days: i64) {
    let since = Utc::now() - Duration::days(days);
    care_watch::Entity::update_many()
        .col_expr(care_watch::Column::Since, Expr::value(since))
        .col_expr(
            care_watch::Column::DueAt,
            Expr::value(since + Duration::days(1)),
        )
        .filter(care_watch::Column::HouseholdId.eq(uuid(household)))
        .exec(app.db().writer())
        .await
        .unwrap();
}

async fn alerts(app: &TestApp, caller: &Caller, grid: Option<&Value>) -> Value {
    app.gql(
        Some(caller),
        ALERTS,
        json!({ "c": app.tree.a1, "g": grid, "first": 20 }),
    )
    .await
}

fn edges(body: &Value) -> Vec<Value> {
    data(body)["careAlerts"]["edges"]
        .as_array()
        .unwrap()
        .clone()
}

async fn missed_events(app: &TestApp) -> Vec<notification_event::Model> {
    notification_event::Entity::find()
        .filter(notification_event::Column::EventType.eq("care.check_in_missed"))
        .all(app.db().reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn an_elderly_resident_missing_two_daily_check_ins_raises_an_alert_to_their_grid_worker() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let household = g.s.households["李建国"].clone();
    let body = set_watch(&app, &g.s.staff, &household, "DAILY").await;
    let watch = &data(&body)["setCareWatch"]["watch"];
    assert_eq!(watch["interval"], "DAILY");
    assert_eq!(watch["status"], "OK");
    // Set three days ago; the last meal was delivered two days and an hour ago.
    started_days_ago(&app, &household, 3).await;
    let at = Utc::now() - Duration::days(2) - Duration::hours(1);
    let body = check_in(
        &app,
        &g.worker3,
        &household,
        "MEAL_DELIVERED",
        json!({ "at": at, "note": "午饭送到，老人精神不错" }),
    )
    .await;
    assert_eq!(
        data(&body)["recordCareCheckIn"]["checkIn"]["by"]["device"],
        false
    );
    // The grid worker sees the household, two check-ins missed; the other grid's does not.
    let mine = edges(&alerts(&app, &g.worker3, None).await);
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["node"]["householdId"], household);
    assert_eq!(mine[0]["node"]["household"]["id"], household);
    assert_eq!(mine[0]["node"]["watch"]["missedCheckIns"], 2);
    assert_eq!(mine[0]["node"]["watch"]["status"], "MISSED");
    assert!(edges(&alerts(&app, &g.worker5, None).await).is_empty());
    assert_eq!(
        edges(&alerts(&app, &g.s.staff, Some(&g.grid3)).await).len(),
        1
    );
    // On the staff dashboard, under the grid.
    let dashboard = "query($c: ID!, $from: DateTime!, $to: DateTime!) { requestDashboard(communityId: $c, from: $from, to: $to) { careAlerts { grid missed } } }";
    let body = app
        .gql(
            Some(&g.s.staff),
            dashboard,
            json!({ "c": app.tree.a1, "from": Utc::now() - Duration::days(30), "to": Utc::now() }),
        )
        .await;
    assert_eq!(
        data(&body)["requestDashboard"]["careAlerts"],
        json!([{ "grid": "第7网格", "missed": 1 }])
    );
    // One scheduler tick raises it to the grid, once however often it looks.
    let services = &app.state.services;
    jiedao::notifications::scheduler::run_once(services, Utc::now())
        .await
        .unwrap();
    jiedao::notifications::scheduler::run_once(services, Utc::now())
        .await
        .unwrap();
    let events = missed_events(&app).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].grid_id, Some(uuid(&g.grid3)));
    assert_eq!(events[0].facts["missedCheckIns"], 2);
    assert_eq!(events[0].facts["householdId"], household);
    let facts = events[0].facts.to_string();
    assert!(
        !facts.contains("李建国") && !facts.contains("午饭"),
        "{facts}"
    );
    // A call today clears it.
    data(&check_in(&app, &g.worker3, &household, "CALL", json!({})).await);
    assert!(edges(&alerts(&app, &g.worker3, None).await).is_empty());
    let body = app
        .gql(Some(&g.worker3), WATCH, json!({ "h": household }))
        .await;
    assert_eq!(data(&body)["careWatch"]["status"], "OK");
}

#[tokio::test]
async fn check_ins_come_from_staff_the_grid_worker_and_the_household_itself() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let own = g.s.households["王秀英"].clone();
    let committee = app
        .caller(
            Role::CommitteeMember,
            Scope::Below(app.tree.a1, uuid(&g.s.compound)),
        )
        .await;
    let elsewhere = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    // Not watched yet: nothing to check in to.
    let body = check_in(&app, &g.worker3, &own, "VISIT", json!({})).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // Who may set the watch.
    assert_eq!(
        error_code(&set_watch(&app, &g.resident, &own, "DAILY").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&set_watch(&app, &committee, &own, "DAILY").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&set_watch(&app, &g.worker5, &own, "DAILY").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&set_watch(&app, &elsewhere, &own, "DAILY").await),
        Some("NOT_FOUND")
    );
    let body = set_watch(&app, &g.worker3, &own, "EVERY_3_DAYS").await;
    assert_eq!(
        data(&body)["setCareWatch"]["watch"]["interval"],
        "EVERY_3_DAYS"
    );
    // Each allowed caller, each with the kinds they may record.
    for (caller, kind, note) in [
        (&g.s.staff, "VISIT", "入户看望，血压正常"),
        (&g.worker3, "CALL", "电话联系，说腿疼"),
        (&g.resident, "SELF", "我很好"),
    ] {
        let body = check_in(&app, caller, &own, kind, json!({ "note": note })).await;
        assert_eq!(data(&body)["recordCareCheckIn"]["checkIn"]["kind"], kind);
    }
    // Refused: a resident recording a visit, a device kind by a person, the other grid's
    // worker, a committee member, another community, a time in the future.
    for (caller, kind, code) in [
        (&g.resident, "VISIT", "FORBIDDEN"),
        (&g.worker3, "DEVICE", "FORBIDDEN"),
        (&g.worker5, "CALL", "FORBIDDEN"),
        (&committee, "VISIT", "FORBIDDEN"),
        (&elsewhere, "VISIT", "NOT_FOUND"),
    ] {
        let body = check_in(&app, caller, &own, kind, json!({})).await;
        assert_eq!(error_code(&body), Some(code), "{kind}: {body}");
    }
    let body = check_in(
        &app,
        &g.worker3,
        &own,
        "CALL",
        json!({ "at": Utc::now() + Duration::days(1) }),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.at");
    // The household reads its own check-ins with their notes; the read is audited.
    let body = app.gql(Some(&g.resident), WATCH, json!({ "h": own })).await;
    let watch = &data(&body)["careWatch"];
    assert_eq!(watch["status"], "OK");
    let notes: Vec<&str> = watch["checkIns"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["note"].as_str().unwrap())
        .collect();
    assert_eq!(notes, ["我很好", "电话联系，说腿疼", "入户看望，血压正常"]);
    assert_eq!(watch["checkIns"]["edges"][0]["node"]["by"]["name"], "本人");
    let reads = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("readPersonalData"))
        .filter(audit_entry::Column::ActorUserId.eq(g.resident.user_id))
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(
        reads.iter().any(|r| r.subject_ids == json!([own])),
        "{reads:?}"
    );
    // A point read costs two statements; with a page of check-ins and who made them, four,
    // and the audit row of the notes read.
    let point = "query($h: ID!) { careWatch(householdId: $h) { status nextDueAt } }";
    let (body, cost) = app.gql_cost(&g.s.staff, point, json!({ "h": own })).await;
    assert_eq!(data(&body)["careWatch"]["status"], "OK");
    assert!(cost <= 2, "{cost}");
    let (body, cost) = app.gql_cost(&g.s.staff, WATCH, json!({ "h": own })).await;
    assert_eq!(
        data(&body)["careWatch"]["checkIns"]["edges"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert!(cost <= 5, "{cost}");
    // Nobody else reads it.
    for (caller, code) in [
        (&g.worker5, "FORBIDDEN"),
        (&committee, "FORBIDDEN"),
        (&elsewhere, "NOT_FOUND"),
    ] {
        let body = app.gql(Some(caller), WATCH, json!({ "h": own })).await;
        assert_eq!(error_code(&body), Some(code), "{body}");
    }
    // Ending the watch: nothing is due any more.
    let body = app
        .gql(Some(&g.s.staff), SET, json!({ "h": own, "i": null }))
        .await;
    assert_eq!(data(&body)["setCareWatch"]["watch"], Value::Null);
    let body = app.gql(Some(&g.worker3), WATCH, json!({ "h": own })).await;
    assert_eq!(data(&body)["careWatch"], Value::Null);
}

async fn intake(app: &TestApp, token: &str, body: &str) -> (StatusCode, Value) {
    let request = Request::post("/care/intake")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_owned()))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    (status, body)
}

async fn register(app: &TestApp, g: &Grids, household: &Value, kind: &str) -> (String, Value) {
    let body = app
        .gql(
            Some(&g.s.staff),
            REGISTER,
            json!({ "h": household, "k": kind, "l": "卧室报警按钮" }),
        )
        .await;
    let payload = &data(&body)["registerCareDevice"];
    (
        payload["token"].as_str().unwrap().to_owned(),
        payload["device"]["id"].clone(),
    )
}

#[tokio::test]
async fn devices_check_in_and_an_alarm_files_one_urgent_request_for_the_grid_worker() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let household = g.s.households["李建国"].clone();
    let elsewhere = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    // Only staff register devices.
    for (caller, code) in [(&g.worker3, "FORBIDDEN"), (&elsewhere, "NOT_FOUND")] {
        let body = app
            .gql(
                Some(caller),
                REGISTER,
                json!({ "h": household, "k": "GATEWAY", "l": "网关" }),
            )
            .await;
        assert_eq!(error_code(&body), Some(code));
    }
    let (gateway, _) = register(&app, &g, &household, "GATEWAY").await;
    let (alarm, alarm_id) = register(&app, &g, &household, "ALARM").await;
    assert!(
        gateway.starts_with("jdev_") && gateway.len() > 40,
        "{gateway}"
    );
    data(&set_watch(&app, &g.s.staff, &household, "DAILY").await);
    started_days_ago(&app, &household, 3).await;
    assert_eq!(edges(&alerts(&app, &g.worker3, None).await).len(), 1);
    // A heartbeat is a check-in and clears the alert; a second one at once is too soon.
    let (status, body) = intake(&app, &gateway, r#"{"event": "heartbeat"}"#).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["checkInId"].is_string());
    assert!(edges(&alerts(&app, &g.worker3, None).await).is_empty());
    let (status, _) = intake(&app, &gateway, r#"{"event": "heartbeat"}"#).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    let body = app
        .gql(Some(&g.worker3), WATCH, json!({ "h": household }))
        .await;
    let last = &data(&body)["careWatch"]["checkIns"]["edges"][0]["node"];
    assert_eq!(last["kind"], "DEVICE");
    assert_eq!(
        last["by"],
        json!({ "name": "卧室报警按钮", "device": true })
    );
    // Refused: a made-up token, a malformed body.
    let (status, body) = intake(&app, "jdev_not-a-real-token", r#"{"event": "heartbeat"}"#).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    let (status, body) = intake(&app, &alarm, r#"{"event": "fire"}"#).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    // An alarm files one urgent safety request for the grid worker, however often pressed.
    let (status, first) = intake(&app, &alarm, r#"{"event": "alarm"}"#).await;
    assert_eq!(status, StatusCode::OK, "{first}");
    let (_, again) = intake(&app, &alarm, r#"{"event": "alarm"}"#).await;
    assert_eq!(again["repeatedAlarm"], true);
    assert_eq!(again["requestId"], first["requestId"]);
    let filed = service_request::Entity::find()
        .filter(service_request::Column::HouseholdId.eq(uuid(&household)))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(filed.len(), 1);
    assert_eq!(filed[0].id, uuid(&first["requestId"]));
    assert_eq!(filed[0].source, "device");
    assert_eq!(filed[0].category, "safety");
    assert_eq!(filed[0].urgency, "urgent");
    assert_eq!(filed[0].assignee_id, Some(g.worker3.user_id));
    let raised: Vec<String> = notification_event::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event_type)
        .collect();
    for kind in ["care.alarm", "request.assigned"] {
        assert_eq!(
            raised.iter().filter(|t| *t == kind).count(),
            1,
            "{raised:?}"
        );
    }
    // Staff see the devices; the grid worker may not; a revoked token stops at once.
    let devices = "query($h: ID!) { careDevices(householdId: $h) { label kind lastAlarmAt } }";
    let body = app
        .gql(Some(&g.s.staff), devices, json!({ "h": household }))
        .await;
    let listed = data(&body)["careDevices"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 2);
    assert!(listed[1]["lastAlarmAt"].is_string());
    let body = app
        .gql(Some(&g.worker3), devices, json!({ "h": household }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let revoke = "mutation($id: ID!) { revokeCareDevice(id: $id) { device { revokedAt } } }";
    assert_eq!(
        error_code(
            &app.gql(Some(&g.worker3), revoke, json!({ "id": alarm_id }))
                .await
        ),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(
            &app.gql(Some(&elsewhere), revoke, json!({ "id": alarm_id }))
                .await
        ),
        Some("NOT_FOUND")
    );
    data(
        &app.gql(Some(&g.s.staff), revoke, json!({ "id": alarm_id }))
            .await,
    );
    let (status, _) = intake(&app, &alarm, r#"{"event": "alarm"}"#).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn care_alerts_cost_the_same_few_statements_for_two_or_eight_households() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let mut roster =
        String::from("姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n");
    for (n, name) in [
        "赵桂兰",
        "钱德明",
        "孙秀珍",
        "周福海",
        "吴玉梅",
        "郑国强",
        "冯淑芬",
        "陈永年",
    ]
    .iter()
    .enumerate()
    {
        roster.push_str(&format!(
            "{name},,,,9号楼,1,{}01,60.00,户主,独居老人\n",
            n + 1
        ));
    }
    compound_with_roster(&app, &g.s.staff, app.tree.a1, "颐养小区", &roster).await;
    let watched: Vec<Value> = entity::household::Entity::find()
        .filter(entity::household::Column::CommunityId.eq(app.tree.a1))
        .all(app.db().reader())
        .await
        .unwrap()
        .into_iter()
        .map(|h| json!(h.id))
        .collect();
    assert!(watched.len() >= 8, "{}", watched.len());
    for household in watched.iter().take(8) {
        data(&set_watch(&app, &g.s.staff, household, "WEEKLY").await);
    }
    let due: DateTime<Utc> = Utc::now() - Duration::days(9);
    care_watch::Entity::update_many()
        .col_expr(care_watch::Column::DueAt, Expr::value(due))
        .exec(app.db().writer())
        .await
        .unwrap();
    let mut costs = Vec::new();
    for first in [2, 8] {
        let (body, cost) = app
            .gql_cost(
                &g.s.staff,
                ALERTS,
                json!({ "c": app.tree.a1, "g": null, "first": first }),
            )
            .await;
        assert_eq!(edges(&body).len(), first);
        assert_eq!(edges(&body)[0]["node"]["watch"]["missedCheckIns"], 2);
        costs.push(cost);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
    assert!(costs[1] <= 3, "{costs:?}");
    // A committee member may not list them; another community's staff cannot see it.
    let committee = app
        .caller(
            Role::CommitteeMember,
            Scope::Below(app.tree.a1, uuid(&g.s.compound)),
        )
        .await;
    assert_eq!(
        error_code(&alerts(&app, &committee, None).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&alerts(&app, &g.resident, None).await),
        Some("FORBIDDEN")
    );
    let elsewhere = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    assert_eq!(
        error_code(&alerts(&app, &elsewhere, None).await),
        Some("NOT_FOUND")
    );
}
