//! Resident requests: filed by residents or recorded by staff from WeChat, assigned to the
//! grid worker of the building's grid, moved through their statuses, rated and reopened;
//! seen only by their community's staff, their grid's worker and their household.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{Caller, Scope, TestApp, data, error_code},
};

const JPEG: &[u8] = b"\xFF\xD8\xFF\xE0\x00\x10JFIF\x00\x01 photo of the dark street lamp";
const REQUEST: &str = "query($id: ID!) { request(id: $id) { status assigneeId firstResponseOverdue resolutionOverdue rating events { kind statusTo body } permissions { canHandle canRate canReopen } } }";
pub const MOVE: &str = "mutation($id: ID!, $a: RequestAction!, $m: String!) { moveRequest(input: {requestId: $id, action: $a, message: $m}) { request { status } } }";

pub struct Grids {
    pub s: FundSetup,
    /// The grid worker of 3号楼 (王秀英, 李建国) and of 5栋 (张伟).
    pub worker3: Caller,
    pub worker5: Caller,
    /// A resident login for 王秀英's household (the treasurer's account).
    pub resident: Caller,
    pub grid3: Value,
}

pub async fn grids(app: &TestApp) -> Grids {
    let s = fund_setup(app).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let body = app
        .gql(
            Some(&s.staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": s.compound }),
        )
        .await;
    let buildings = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .clone();
    let building = |n: &str| buildings.iter().find(|b| b["number"] == n).unwrap()["id"].clone();
    let create = "mutation($c: ID!, $n: String!) { createGrid(input: {communityId: $c, name: $n}) { grid { id } } }";
    let assign = "mutation($g: ID!, $b: ID!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: [$b]}) { grid { id } } }";
    let (mut workers, mut ids) = (Vec::new(), Vec::new());
    for (name, number) in [("第7网格", "3号楼"), ("第8网格", "5栋")] {
        let body = app
            .gql(Some(&admin), create, json!({ "c": app.tree.a1, "n": name }))
            .await;
        let grid = data(&body)["createGrid"]["grid"]["id"].clone();
        data(
            &app.gql(
                Some(&admin),
                assign,
                json!({ "g": grid, "b": building(number) }),
            )
            .await,
        );
        ids.push(grid.clone());
        let grid = grid.as_str().unwrap().parse().unwrap();
        workers.push(
            app.caller(Role::GridWorker, Scope::Below(app.tree.a1, grid))
                .await,
        );
    }
    let worker5 = workers.pop().unwrap();
    let worker3 = workers.pop().unwrap();
    let resident = s.treasurer.clone();
    Grids {
        s,
        worker3,
        worker5,
        resident,
        grid3: ids[0].clone(),
    }
}

async fn submit(app: &TestApp, g: &Grids, household: &Value, photos: usize) -> Value {
    let submit = "mutation($in: SubmitRequestInput!) { submitRequest(input: $in) { request { id status category assigneeId gridId photos { url } } } }";
    let input = json!({ "in": { "householdId": household, "category": "repair", "title": "楼下路灯不亮", "description": "3号楼前的路灯晚上不亮", "photos": vec![Value::Null; photos] } });
    let files: Vec<(String, &str, &[u8])> = (0..photos)
        .map(|i| (format!("variables.in.photos.{i}"), "路灯.jpg", JPEG))
        .collect();
    let files: Vec<(&str, &str, &[u8])> =
        files.iter().map(|(p, n, b)| (p.as_str(), *n, *b)).collect();
    app.upload_files(&g.resident, submit, input, &files).await
}

#[tokio::test]
async fn a_residents_request_goes_to_the_grid_worker_and_back() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let own = g.s.households["王秀英"].clone();
    let body = submit(&app, &g, &own, 1).await;
    let request = data(&body)["submitRequest"]["request"].clone();
    assert_eq!(request["status"], "NEW");
    assert_eq!(request["assigneeId"], json!(g.worker3.user_id.to_string()));
    let id = request["id"].clone();
    // The photo: the grid worker downloads it; the other grid's worker cannot.
    let url = request["photos"][0]["url"].as_str().unwrap().to_owned();
    assert_eq!(
        app.download(Some(&g.worker3), &url).await.0,
        axum::http::StatusCode::OK
    );
    assert_eq!(
        app.download(Some(&g.worker5), &url).await.0,
        axum::http::StatusCode::NOT_FOUND
    );
    // Not for someone else's household.
    let body = submit(&app, &g, &g.s.households["张伟"], 0).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // The worker answers, notes something internal, fixes it and reports back.
    let mv = |who: &Caller, action: &str, message: &str| {
        let (who, action, message) = (who.clone(), action.to_owned(), message.to_owned());
        let app = &app;
        let id = id.clone();
        async move {
            app.gql(
                Some(&who),
                MOVE,
                json!({ "id": id, "a": action, "m": message }),
            )
            .await
        }
    };
    assert_eq!(
        error_code(&mv(&g.worker3, "CLOSE", "").await),
        Some("BAD_USER_INPUT")
    );
    assert_eq!(
        error_code(&mv(&g.resident, "ACKNOWLEDGE", "").await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&mv(&g.worker5, "ACKNOWLEDGE", "").await),
        Some("NOT_FOUND")
    );
    data(&mv(&g.worker3, "ACKNOWLEDGE", "马上去看").await);
    let note = "mutation($id: ID!) { replyToRequest(input: {requestId: $id, body: \"灯泡坏了，物业没有备件\", internal: true}) { request { id } } }";
    data(&app.gql(Some(&g.worker3), note, json!({ "id": id })).await);
    data(&mv(&g.worker3, "START", "").await);
    assert_eq!(
        error_code(&mv(&g.worker3, "RESOLVE", "").await),
        Some("BAD_USER_INPUT"),
        "say what was done"
    );
    data(&mv(&g.worker3, "RESOLVE", "已更换灯泡").await);

    // The resident sees the replies but not the internal note, rates it, and may reopen.
    let body = app
        .gql(Some(&g.resident), REQUEST, json!({ "id": id }))
        .await;
    let seen = data(&body)["request"].clone();
    assert_eq!(seen["status"], "RESOLVED");
    let kinds: Vec<&str> = seen["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(!kinds.contains(&"NOTE"), "{kinds:?}");
    assert_eq!(
        seen["permissions"],
        json!({ "canHandle": false, "canRate": true, "canReopen": true })
    );
    let body = app
        .gql(Some(&g.worker3), REQUEST, json!({ "id": id }))
        .await;
    assert!(
        data(&body)["request"]["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["kind"] == "NOTE")
    );
    let rate = "mutation($id: ID!, $r: Int!) { rateRequest(input: {requestId: $id, rating: $r, comment: \"很及时\"}) { request { rating } } }";
    assert_eq!(
        error_code(
            &app.gql(Some(&g.worker3), rate, json!({ "id": id, "r": 5 }))
                .await
        ),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(
            &app.gql(Some(&g.resident), rate, json!({ "id": id, "r": 6 }))
                .await
        ),
        Some("BAD_USER_INPUT")
    );
    data(
        &app.gql(Some(&g.resident), rate, json!({ "id": id, "r": 5 }))
            .await,
    );
    assert_eq!(
        error_code(&mv(&g.worker3, "REOPEN", "").await),
        Some("FORBIDDEN")
    );
    data(&mv(&g.resident, "REOPEN", "又不亮了").await);
    data(&mv(&g.worker3, "RESOLVE", "更换了线路").await);
    data(&mv(&g.resident, "CLOSE", "").await);
    let body = app
        .gql(Some(&g.resident), REQUEST, json!({ "id": id }))
        .await;
    assert_eq!(data(&body)["request"]["status"], "CLOSED");
}

#[tokio::test]
async fn staff_record_wechat_requests_and_overdue_ones_are_flagged() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let record = "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id source wechatMessage { groupName senderNickname originalText } assigneeId } } }";
    let message = json!({ "groupName": "和韵小区业主群", "senderNickname": "张伟(5栋)", "originalText": "我家楼上太阳能漏水", "sentAt": Utc::now() - Duration::hours(1) });
    let input = json!({ "in": { "householdId": g.s.households["张伟"], "source": "WECHAT", "wechatMessage": message, "category": "dispute", "title": "楼上太阳能漏水" } });
    let body = app.gql(Some(&g.s.staff), record, input.clone()).await;
    let request = data(&body)["recordRequest"]["request"].clone();
    assert_eq!(request["wechatMessage"]["senderNickname"], "张伟(5栋)");
    assert_eq!(request["assigneeId"], json!(g.worker5.user_id.to_string()));
    let id = request["id"].clone();
    // A grid worker does not record on a resident's behalf; another community sees nothing.
    assert_eq!(
        error_code(&app.gql(Some(&g.worker5), record, input).await),
        Some("FORBIDDEN")
    );
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    for stranger in [&outsider, &neighbour, &g.worker3] {
        let body = app.gql(Some(stranger), REQUEST, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
    }
    let list = "{ requests(first: 50) { totalCount } }";
    for (who, count) in [
        (&g.s.staff, 1),
        (&g.worker5, 1),
        (&g.worker3, 0),
        (&outsider, 0),
        (&neighbour, 0),
    ] {
        let body = app.gql(Some(who), list, json!({})).await;
        assert_eq!(data(&body)["requests"]["totalCount"], count);
    }

    // Overdue at the deadline's edge: a second before it, not; a second after, yes.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let uuid: uuid::Uuid = id.as_str().unwrap().parse().unwrap();
    for (offset, overdue) in [(1, false), (-1, true)] {
        entity::service_request::Entity::update_many()
            .col_expr(
                entity::service_request::Column::FirstResponseDueAt,
                Expr::value(Utc::now() + Duration::seconds(offset)),
            )
            .filter(entity::service_request::Column::Id.eq(uuid))
            .exec(app.db().writer())
            .await
            .unwrap();
        let body = app
            .gql(Some(&g.worker5), REQUEST, json!({ "id": id }))
            .await;
        assert_eq!(data(&body)["request"]["firstResponseOverdue"], overdue);
        let body = app
            .gql(
                Some(&g.s.staff),
                "{ requests(filter: {overdue: true}) { totalCount } }",
                json!({}),
            )
            .await;
        assert_eq!(data(&body)["requests"]["totalCount"], i32::from(overdue));
    }

    // Staff reassign it; a referral records the department's reply.
    let reassign = "mutation($id: ID!, $u: ID!) { reassignRequest(input: {requestId: $id, assigneeId: $u}) { request { assigneeId } } }";
    let to = json!({ "id": id, "u": g.worker3.user_id.to_string() });
    assert_eq!(
        error_code(&app.gql(Some(&g.worker5), reassign, to.clone()).await),
        Some("FORBIDDEN")
    );
    data(&app.gql(Some(&g.s.staff), reassign, to).await);
    let body = app
        .gql(Some(&g.worker3), REQUEST, json!({ "id": id }))
        .await;
    assert_eq!(
        data(&body)["request"]["status"],
        "NEW",
        "the new assignee sees it"
    );
    let refer = "mutation($id: ID!) { moveRequest(input: {requestId: $id, action: REFER, department: \"城管执法中队\"}) { request { status referredTo } } }";
    let body = app.gql(Some(&g.worker3), refer, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["moveRequest"]["request"]["referredTo"],
        "城管执法中队"
    );
}

#[tokio::test]
async fn a_request_list_costs_the_same_statements_however_long() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let own = g.s.households["王秀英"].clone();
    let query = "{ requests(first: 50) { edges { node { title firstResponseOverdue events { kind body } photos { url } followUps { method } permissions { canHandle } } } } }";
    let mut costs = Vec::new();
    for count in [2, 6] {
        while {
            let body = app
                .gql(Some(&g.worker3), "{ requests { totalCount } }", json!({}))
                .await;
            data(&body)["requests"]["totalCount"].as_i64().unwrap() < count
        } {
            data(&submit(&app, &g, &own, 1).await);
        }
        let before = app.db().statement_count();
        data(&app.gql(Some(&g.worker3), query, json!({})).await);
        costs.push(app.db().statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}

#[tokio::test]
async fn the_dashboard_counts_requests_per_grid_and_category_for_staff_only() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let own = g.s.households["王秀英"].clone();
    let first = data(&submit(&app, &g, &own, 0).await)["submitRequest"]["request"]["id"].clone();
    data(&submit(&app, &g, &own, 0).await);
    for (action, message) in [("ACKNOWLEDGE", ""), ("RESOLVE", "已修好")] {
        data(
            &app.gql(
                Some(&g.worker3),
                MOVE,
                json!({ "id": first, "a": action, "m": message }),
            )
            .await,
        );
    }
    let query = "query($c: ID!, $f: DateTime!, $t: DateTime!) { requestDashboard(communityId: $c, from: $f, to: $t) { byGrid { key open overdue resolvedToday } byCategory { key open } medianFirstResponseMinutes medianResolutionMinutes visitCoverage { grid visited households } } }";
    let vars = json!({ "c": app.tree.a1, "f": Utc::now() - Duration::days(1), "t": Utc::now() + Duration::days(1) });
    let body = app.gql(Some(&g.s.staff), query, vars.clone()).await;
    let d = data(&body)["requestDashboard"].clone();
    assert_eq!(
        d["byGrid"],
        json!([{ "key": "第7网格", "open": 1, "overdue": 0, "resolvedToday": 1 }])
    );
    assert_eq!(d["byCategory"], json!([{ "key": "repair", "open": 1 }]));
    assert_eq!(d["medianFirstResponseMinutes"], 0);
    assert_eq!(
        d["visitCoverage"],
        json!([
            { "grid": "第1网格", "visited": 0, "households": 0 },
            { "grid": "第7网格", "visited": 0, "households": 2 },
            { "grid": "第8网格", "visited": 0, "households": 1 }
        ])
    );
    assert_eq!(
        error_code(&app.gql(Some(&g.worker3), query, vars.clone()).await),
        Some("FORBIDDEN")
    );
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    assert_eq!(
        error_code(&app.gql(Some(&outsider), query, vars).await),
        Some("NOT_FOUND")
    );
}

#[tokio::test]
async fn every_grid_work_field_is_out_of_reach_for_other_communities_and_small_roles() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let own = g.s.households["王秀英"].clone();
    let id = data(&submit(&app, &g, &own, 0).await)["submitRequest"]["request"]["id"].clone();
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    // A resident of another household of the same community: a role too small for all of it.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let vars = json!({ "id": id, "c": app.tree.a1, "u": g.worker5.user_id.to_string() });
    let cases = [
        (
            "mutation($id: ID!) { replyToRequest(input: {requestId: $id, body: \"好\"}) { request { id } } }",
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!) { rateRequest(input: {requestId: $id, rating: 5}) { request { id } } }",
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!, $u: ID!) { reassignRequest(input: {requestId: $id, assigneeId: $u}) { request { id } } }",
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!) { recordReferralReply(input: {requestId: $id, reply: \"已处理\"}) { request { id } } }",
            "NOT_FOUND",
        ),
        (
            "mutation($id: ID!) { moveRequest(input: {requestId: $id, action: ACKNOWLEDGE}) { request { id } } }",
            "NOT_FOUND",
        ),
        (
            "mutation($c: ID!) { addRequestCategory(input: {communityId: $c, code: \"elevator\", name: \"电梯\", firstResponseHours: 2, resolveHours: 24}) { code } }",
            "FORBIDDEN",
        ),
        (
            "mutation($c: ID!) { publishAnnouncement(input: {communityId: $c, title: \"通知\", body: \"内容\", validUntil: \"2099-01-01T00:00:00Z\"}) { announcement { id } } }",
            "FORBIDDEN",
        ),
        (
            "mutation($c: ID!) { openMediationCase(input: {communityId: $c, title: \"纠纷\", parties: [], mediators: []}) { case { id } } }",
            "FORBIDDEN",
        ),
        (
            "query($c: ID!) { mediationCases(communityId: $c) { nodes { id } } }",
            "EMPTY",
        ),
        (
            "query($c: ID!, $f: DateTime! = \"2026-01-01T00:00:00Z\", $t: DateTime! = \"2027-01-01T00:00:00Z\") { requestDashboard(communityId: $c, from: $f, to: $t) { medianFirstResponseMinutes } }",
            "FORBIDDEN",
        ),
    ];
    for (query, small_role) in cases {
        // Another community: the object (or community) does not exist for it.
        let body = app.gql(Some(&outsider), query, vars.clone()).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "outsider: {query}");
        let body = app.gql(Some(&neighbour), query, vars.clone()).await;
        match small_role {
            "EMPTY" => assert_eq!(data(&body)["mediationCases"]["nodes"], json!([]), "{query}"),
            code => assert_eq!(error_code(&body), Some(code), "resident: {query}"),
        }
    }
    let body = app
        .gql(
            Some(&outsider),
            "query($c: ID!) { requestCategories(communityId: $c) { code } }",
            vars.clone(),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // A community's staff add a category, which then has its deadlines.
    let add = "mutation($c: ID!) { addRequestCategory(input: {communityId: $c, code: \"elevator\", name: \"电梯\", firstResponseHours: 2, resolveHours: 24}) { code resolveHours } }";
    let body = app.gql(Some(&g.s.staff), add, vars.clone()).await;
    let added = data(&body)["addRequestCategory"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        added
            .iter()
            .any(|c| c["code"] == "elevator" && c["resolveHours"] == 24)
    );
    assert_eq!(
        error_code(&app.gql(Some(&g.s.staff), add, vars.clone()).await),
        Some("CONFLICT")
    );

    // The list stays one short picker: 60 categories in all, built-in ones included.
    let more = "mutation($c: ID!, $code: String!) { addRequestCategory(input: {communityId: $c, code: $code, name: \"其他类别\", firstResponseHours: 24, resolveHours: 48}) { code } }";
    let code = |i: usize| {
        format!(
            "cat_{}{}",
            (b'a' + (i / 26) as u8) as char,
            (b'a' + (i % 26) as u8) as char
        )
    };
    for i in 0..51 {
        let vars = json!({ "c": app.tree.a1, "code": code(i) });
        data(&app.gql(Some(&g.s.staff), more, vars).await);
    }
    // Two staff add the 60th at once: one of them gets it.
    let (first, second) = tokio::join!(
        app.gql(
            Some(&g.s.staff),
            more,
            json!({ "c": app.tree.a1, "code": code(51) })
        ),
        app.gql(
            Some(&g.s.staff),
            more,
            json!({ "c": app.tree.a1, "code": code(52) })
        ),
    );
    let mut outcomes = [error_code(&first), error_code(&second)];
    outcomes.sort();
    assert_eq!(outcomes, [None, Some("CONFLICT")], "{first} {second}");
    let vars61 = json!({ "c": app.tree.a1, "code": code(53) });
    let body = app.gql(Some(&g.s.staff), more, vars61).await;
    assert_eq!(error_code(&body), Some("CONFLICT"), "{body}");
    let list = "query($c: ID!) { requestCategories(communityId: $c) { code } }";
    let body = app.gql(Some(&g.s.staff), list, vars).await;
    assert_eq!(
        data(&body)["requestCategories"].as_array().unwrap().len(),
        60
    );
}
