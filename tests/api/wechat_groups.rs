//! The WeChat group registry and duty rotas (专人值守): staff register the community's
//! groups with the buildings they serve, the staff in them and who is on duty when;
//! `recordRequest` takes the group from the registry and remembers who was on duty; the
//! dashboard shows first-response times per group and per person on duty.

use chrono::{Duration, Timelike, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    requests::{Grids, MOVE, grids},
};

const CREATE: &str = "mutation($in: CreateWechatGroupInput!) { createWechatGroup(input: $in) { group { id name kind memberCount buildings { number } staff { name } } } }";
const ROTA: &str = "mutation($in: SetDutyRotaInput!) { setDutyRota(input: $in) { group { rota { weekday startsAt endsAt staff { userId } } onDutyNow { userId } } } }";
const GROUPS: &str = "query($c: ID!) { wechatGroups(communityId: $c) { id name kind memberCount buildings { number } staff { userId name } rota { weekday startsAt endsAt staff { name } } onDutyNow { name } permissions { canManage } } }";
const RECORD: &str = "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id wechatMessage { groupName groupId } } } }";
const DASHBOARD: &str = "query($c: ID!, $from: DateTime!, $to: DateTime!) { requestDashboard(communityId: $c, from: $from, to: $to) { firstResponseByWechatGroup { groupId groupName requests unanswered medianFirstResponseMinutes } firstResponseByPersonOnDuty { userId name requests unanswered } } }";

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

/// A rota with `morning` on duty before noon (China time) and `afternoon` after, every day.
fn whole_week(morning: &str, afternoon: &str) -> Vec<Value> {
    (1..=7)
        .flat_map(|day| {
            [
                json!({ "userId": morning, "weekday": day, "startsAt": "00:00", "endsAt": "12:00" }),
                json!({ "userId": afternoon, "weekday": day, "startsAt": "12:00", "endsAt": "24:00" }),
            ]
        })
        .collect()
}

fn message(group: Value, minutes_ago: i64) -> Value {
    json!({ "groupId": group, "senderNickname": "张伟(5栋)", "originalText": "楼道灯又坏了", "sentAt": Utc::now() - Duration::minutes(minutes_ago) })
}

#[tokio::test]
async fn requests_from_a_registered_group_count_toward_its_first_response_times_and_the_person_on_duty()
 {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let staff_id = g.s.staff.user_id.to_string();
    let worker_id = g.worker3.user_id.to_string();
    let b3 = building(&app, &g, "3号楼").await;
    let input = json!({ "in": { "communityId": app.tree.a1, "name": "和韵小区3号楼楼栋群", "kind": "BUILDING", "memberCount": 86, "buildingIds": [b3], "staffUserIds": [staff_id, worker_id] } });
    let body = app.gql(Some(&g.s.staff), CREATE, input.clone()).await;
    let group = data(&body)["createWechatGroup"]["group"].clone();
    assert_eq!(group["kind"], "BUILDING");
    assert_eq!(group["buildings"], json!([{ "number": "3号楼" }]));
    assert_eq!(group["staff"].as_array().unwrap().len(), 2);
    // One name per community.
    let body = app.gql(Some(&g.s.staff), CREATE, input).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));

    // The grid worker answers mornings, the staff member afternoons.
    let rota =
        json!({ "in": { "groupId": group["id"], "shifts": whole_week(&worker_id, &staff_id) } });
    let body = app.gql(Some(&g.s.staff), ROTA, rota).await;
    let set = &data(&body)["setDutyRota"]["group"];
    assert_eq!(set["rota"].as_array().unwrap().len(), 14);
    let china_hour = |minutes_ago: i64| {
        (Utc::now() - Duration::minutes(minutes_ago) + Duration::hours(8)).hour()
    };
    let expected_on_duty = |minutes_ago: i64| {
        if china_hour(minutes_ago) < 12 {
            &worker_id
        } else {
            &staff_id
        }
    };
    assert_eq!(set["onDutyNow"]["userId"], json!(expected_on_duty(0)));

    // Two messages from the group: one answered, one not; one from a group nobody
    // registered keeps its name and counts for no group.
    let household = g.s.households["王秀英"].clone();
    let record = |msg: Value, title: &str| json!({ "in": { "householdId": household, "source": "WECHAT", "wechatMessage": msg, "category": "repair", "title": title } });
    let body = app
        .gql(
            Some(&g.s.staff),
            RECORD,
            record(message(group["id"].clone(), 90), "楼道灯坏了"),
        )
        .await;
    let answered = data(&body)["recordRequest"]["request"].clone();
    assert_eq!(
        answered["wechatMessage"]["groupName"],
        "和韵小区3号楼楼栋群"
    );
    assert_eq!(answered["wechatMessage"]["groupId"], group["id"]);
    // A name typed as registered links the group too.
    let by_name = json!({ "groupName": " 和韵小区3号楼楼栋群 ", "senderNickname": "王秀英", "originalText": "电梯异响", "sentAt": Utc::now() - Duration::minutes(5) });
    let body = app
        .gql(Some(&g.s.staff), RECORD, record(by_name, "电梯异响"))
        .await;
    assert_eq!(
        data(&body)["recordRequest"]["request"]["wechatMessage"]["groupId"],
        group["id"]
    );
    let other = json!({ "groupName": "和韵小区业主群", "senderNickname": "李", "originalText": "停车", "sentAt": Utc::now() - Duration::minutes(5) });
    let body = app
        .gql(Some(&g.s.staff), RECORD, record(other, "停车难"))
        .await;
    let unregistered = &data(&body)["recordRequest"]["request"]["wechatMessage"];
    assert_eq!(unregistered["groupName"], "和韵小区业主群");
    assert_eq!(unregistered["groupId"], Value::Null);

    let body = app
        .gql(
            Some(&g.worker3),
            MOVE,
            json!({ "id": answered["id"], "a": "ACKNOWLEDGE", "m": "" }),
        )
        .await;
    data(&body);
    let window = json!({ "c": app.tree.a1, "from": Utc::now() - Duration::days(1), "to": Utc::now() + Duration::hours(1) });
    let body = app.gql(Some(&g.s.staff), DASHBOARD, window).await;
    let dashboard = &data(&body)["requestDashboard"];
    let by_group = dashboard["firstResponseByWechatGroup"].as_array().unwrap();
    assert_eq!(by_group.len(), 1);
    assert_eq!(by_group[0]["groupName"], "和韵小区3号楼楼栋群");
    assert_eq!(by_group[0]["requests"], 2);
    assert_eq!(by_group[0]["unanswered"], 1);
    // Counted from the message, posted 90 minutes before it was answered.
    let minutes = by_group[0]["medianFirstResponseMinutes"].as_i64().unwrap();
    assert!((89..=91).contains(&minutes), "{minutes}");
    let by_person = dashboard["firstResponseByPersonOnDuty"].as_array().unwrap();
    let answered_by = by_person
        .iter()
        .find(|p| p["userId"] == json!(expected_on_duty(90)))
        .unwrap();
    assert!(answered_by["requests"].as_i64().unwrap() >= 1);
    assert_eq!(
        by_person
            .iter()
            .map(|p| p["requests"].as_i64().unwrap())
            .sum::<i64>(),
        2
    );
}

#[tokio::test]
async fn the_registry_is_for_the_people_who_work_in_the_community_and_only_staff_change_it() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let staff_id = g.s.staff.user_id.to_string();
    let worker_id = g.worker3.user_id.to_string();
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let input = json!({ "in": { "communityId": app.tree.a1, "name": "第7网格居民群", "kind": "GRID", "gridId": g.grid3, "staffUserIds": [staff_id, worker_id] } });
    // Grid workers, residents and another community's admin do not register groups.
    assert_eq!(
        error_code(&app.gql(Some(&g.worker3), CREATE, input.clone()).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.gql(Some(&g.resident), CREATE, input.clone()).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.gql(Some(&outsider), CREATE, input.clone()).await),
        Some("NOT_FOUND")
    );
    let body = app.gql(Some(&g.s.staff), CREATE, input).await;
    let group = data(&body)["createWechatGroup"]["group"]["id"].clone();

    // The grid worker reads the registry; a resident does not; another community sees
    // nothing of it.
    let body = app
        .gql(Some(&g.worker3), GROUPS, json!({ "c": app.tree.a1 }))
        .await;
    let listed = &data(&body)["wechatGroups"][0];
    assert_eq!(listed["name"], "第7网格居民群");
    assert_eq!(listed["permissions"]["canManage"], false);
    assert_eq!(
        error_code(
            &app.gql(Some(&g.resident), GROUPS, json!({ "c": app.tree.a1 }))
                .await
        ),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(
            &app.gql(Some(&outsider), GROUPS, json!({ "c": app.tree.a1 }))
                .await
        ),
        Some("NOT_FOUND")
    );
    let one = "query($id: ID!) { wechatGroup(id: $id) { name } }";
    assert_eq!(
        error_code(&app.gql(Some(&outsider), one, json!({ "id": group })).await),
        Some("NOT_FOUND")
    );
    let rota = json!({ "in": { "groupId": group, "shifts": whole_week(&worker_id, &staff_id) } });
    let rename = "mutation($id: ID!) { updateWechatGroup(input: {groupId: $id, name: \"改名\"}) { group { name } } }";
    let archive =
        "mutation($id: ID!) { archiveWechatGroup(input: {groupId: $id}) { group { archivedAt } } }";
    for (who, code) in [
        (&g.worker3, "FORBIDDEN"),
        (&g.resident, "FORBIDDEN"),
        (&outsider, "NOT_FOUND"),
    ] {
        assert_eq!(
            error_code(&app.gql(Some(who), ROTA, rota.clone()).await),
            Some(code)
        );
        for change in [rename, archive] {
            let body = app.gql(Some(who), change, json!({ "id": group })).await;
            assert_eq!(error_code(&body), Some(code), "{change}");
        }
        let body = app.gql(Some(who), one, json!({ "id": group })).await;
        let expected = if std::ptr::eq(who, &g.worker3) {
            None
        } else {
            Some(code)
        };
        assert_eq!(error_code(&body), expected);
    }

    // Only the group's staff go on its rota, at real times of a day.
    let stranger = g.worker5.user_id.to_string();
    let bad = [
        (
            json!([{ "userId": stranger, "weekday": 1, "startsAt": "08:00", "endsAt": "12:00" }]),
            "input.shifts.0.userId",
        ),
        (
            json!([{ "userId": worker_id, "weekday": 8, "startsAt": "08:00", "endsAt": "12:00" }]),
            "input.shifts.0.weekday",
        ),
        (
            json!([{ "userId": worker_id, "weekday": 1, "startsAt": "8点", "endsAt": "12:00" }]),
            "input.shifts.0.startsAt",
        ),
        (
            json!([{ "userId": worker_id, "weekday": 1, "startsAt": "20:00", "endsAt": "08:00" }]),
            "input.shifts.0.endsAt",
        ),
    ];
    for (shifts, field) in bad {
        let body = app
            .gql(
                Some(&g.s.staff),
                ROTA,
                json!({ "in": { "groupId": group, "shifts": shifts } }),
            )
            .await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{field}");
        assert_eq!(body["errors"][0]["extensions"]["field"], field);
    }
    data(&app.gql(Some(&g.s.staff), ROTA, rota).await);
    // Taking the grid worker out of the group takes them off its rota.
    let update = "mutation($in: UpdateWechatGroupInput!) { updateWechatGroup(input: $in) { group { staff { userId } rota { staff { userId } } } } }";
    let body = app
        .gql(
            Some(&g.s.staff),
            update,
            json!({ "in": { "groupId": group, "staffUserIds": [staff_id] } }),
        )
        .await;
    let updated = &data(&body)["updateWechatGroup"]["group"];
    assert_eq!(updated["rota"].as_array().unwrap().len(), 7);
    assert!(
        updated["rota"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["staff"]["userId"] == json!(staff_id))
    );
    // Someone who does not work in the community is nobody's group staff.
    let body = app
        .gql(
            Some(&g.s.staff),
            update,
            json!({ "in": { "groupId": group, "staffUserIds": [g.resident.user_id.to_string()] } }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.staffUserIds"
    );

    // Another community's group is not a group to record from.
    let theirs =
        json!({ "in": { "communityId": app.tree.b1, "name": "别的社区群", "kind": "RESIDENTS" } });
    let body = app.gql(Some(&outsider), CREATE, theirs).await;
    let foreign = data(&body)["createWechatGroup"]["group"]["id"].clone();
    let input = json!({ "in": { "householdId": g.s.households["王秀英"], "source": "WECHAT", "wechatMessage": message(foreign, 5), "category": "repair", "title": "灯" } });
    let body = app.gql(Some(&g.s.staff), RECORD, input).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.wechatMessage.groupId"
    );

    // Archived groups leave the list.
    let archive =
        "mutation($id: ID!) { archiveWechatGroup(input: {groupId: $id}) { group { archivedAt } } }";
    data(
        &app.gql(Some(&g.s.staff), archive, json!({ "id": group }))
            .await,
    );
    let body = app
        .gql(Some(&g.s.staff), GROUPS, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(data(&body)["wechatGroups"], json!([]));
}

#[tokio::test]
async fn the_group_list_costs_the_same_statements_for_one_group_as_for_many() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let staff_id = g.s.staff.user_id.to_string();
    let worker_id = g.worker3.user_id.to_string();
    let b3 = building(&app, &g, "3号楼").await;
    let mut costs = Vec::new();
    for n in 0..4 {
        let input = json!({ "in": { "communityId": app.tree.a1, "name": format!("楼栋群{n}"), "kind": "BUILDING", "buildingIds": [b3], "staffUserIds": [staff_id, worker_id] } });
        let body = app.gql(Some(&g.s.staff), CREATE, input).await;
        let group = data(&body)["createWechatGroup"]["group"]["id"].clone();
        let rota =
            json!({ "in": { "groupId": group, "shifts": whole_week(&worker_id, &staff_id) } });
        data(&app.gql(Some(&g.s.staff), ROTA, rota).await);
        let (body, cost) = app
            .gql_cost(&g.s.staff, GROUPS, json!({ "c": app.tree.a1 }))
            .await;
        assert_eq!(data(&body)["wechatGroups"].as_array().unwrap().len(), n + 1);
        costs.push(cost);
    }
    // The groups, their buildings, staff and shifts, the building rows and the names.
    assert!(costs[0] <= 7, "{costs:?}");
    assert!(costs.iter().all(|c| *c == costs[0]), "{costs:?}");
}

#[tokio::test]
async fn the_demo_community_has_its_groups_on_duty_and_their_requests_on_the_dashboard() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.grid1")
        .unwrap();
    let worker = crate::org::demo_login(&app, login).await;
    let me = "{ me { grants { communityId } } }";
    let community =
        data(&app.gql(Some(&worker), me, json!({})).await)["me"]["grants"][0]["communityId"]
            .clone();
    let body = app
        .gql(Some(&worker), GROUPS, json!({ "c": community }))
        .await;
    let groups = data(&body)["wechatGroups"].as_array().unwrap().clone();
    assert_eq!(groups.len(), 3);
    let neighbourhood = groups
        .iter()
        .find(|g| g["name"] == "和韵小区邻里群")
        .unwrap();
    assert_eq!(neighbourhood["memberCount"], 412);
    assert_eq!(neighbourhood["rota"].as_array().unwrap().len(), 12);
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.xingfu.staff")
        .unwrap();
    let staff = crate::org::demo_login(&app, login).await;
    let window =
        json!({ "c": community, "from": Utc::now() - Duration::days(3), "to": Utc::now() });
    let body = app.gql(Some(&staff), DASHBOARD, window).await;
    let by_group = &data(&body)["requestDashboard"]["firstResponseByWechatGroup"];
    assert_eq!(by_group[0]["groupName"], "和韵小区邻里群");
    assert_eq!(by_group[0]["requests"], 5);
    // Referring counts as a response; the rubbish bins still wait for one.
    assert_eq!(by_group[0]["unanswered"], 1);
}
