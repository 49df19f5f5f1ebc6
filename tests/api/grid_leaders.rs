//! Grid leaders (网格长) and micro-grids (微网格): a leader of grids 1 and 2 moves a
//! request between them, reads both grids and their dashboard and nothing of grid 3; a
//! micro-grid leader reads only masked names and addresses of their micro-grid and files
//! requests for its households only.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    roster::compound_with_roster,
};

/// 3号楼 unit 1 (王秀英, 陈桂兰) and unit 2 (李建国) in grid 1, 5栋 in grid 2, 7栋 in grid 3.
const ROSTER: &str = "\u{feff}和韵小区居民台账\n\
姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n\
王秀英,女,11010519491231002X,13800135678,3号楼,1,301,89.50,户主,独居老人\n\
陈桂兰,女,,13700001234,3号楼,1,401,80.00,户主,\n\
李建国,男,110105195003070019,13900001111,3号楼,2,302,76.00,户主,退役军人、党员\n\
张伟,男,,13600002222,5栋,2,1201,102.3,户主,\n\
赵丽,女,,,7栋,1,101,80.00,户主,\n";

const RECORD: &str = "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id assigneeId gridId source } } }";
const REASSIGN: &str = "mutation($id: ID!, $u: ID!) { reassignRequest(input: {requestId: $id, assigneeId: $u}) { request { assigneeId gridId } } }";
const MOVE: &str = "mutation($id: ID!) { moveRequest(input: {requestId: $id, action: ACKNOWLEDGE}) { request { status } } }";
const CREATE: &str = "mutation($in: CreateMicroGridInput!) { createMicroGrid(input: $in) { microGrid { id name } } }";
const UPDATE: &str = "mutation($in: UpdateMicroGridInput!) { updateMicroGrid(input: $in) { microGrid { id name members { unit buildingNumber } } } }";
const ARCHIVE: &str =
    "mutation($id: ID!) { archiveMicroGrid(input: {id: $id}) { microGrid { archivedAt } } }";
const MICRO_GRIDS: &str = "query($g: ID!) { grid(id: $g) { microGrids(first: 20) { totalCount edges { node { id name members { unit buildingNumber } } } } } }";
const HOUSEHOLDS: &str = "query($m: ID!) { microGrid(id: $m) { name households(first: 20) { edges { node { id address members { maskedName } } } } } }";
const GRANT: &str = "mutation($u: ID!, $r: Role!, $s: ID!) { grantRole(input: {userId: $u, role: $r, scopeId: $s}) { grant { id role scopeKind } } }";

/// One compound of A1 over three grids, each with its worker; a leader of grids 1 and 2
/// (granted through `grantRole`, as community admins do).
struct Field {
    staff: Caller,
    grids: Vec<Uuid>,
    workers: Vec<Caller>,
    leader: Caller,
    buildings: HashMap<String, Uuid>,
    households: HashMap<String, Value>,
    residents: HashMap<String, Value>,
}

async fn field(app: &TestApp) -> Field {
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let compound = compound_with_roster(app, &staff, app.tree.a1, "和韵小区", ROSTER).await;
    let body = app
        .gql(
            Some(&staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } residents(first: 100) { edges { node { id name householdId } } } }",
            json!({ "c": compound }),
        )
        .await;
    let d = data(&body);
    let buildings: HashMap<String, Uuid> = d["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            let id = b["id"].as_str().unwrap().parse().unwrap();
            (b["number"].as_str().unwrap().to_owned(), id)
        })
        .collect();
    let (mut households, mut residents) = (HashMap::new(), HashMap::new());
    for e in d["residents"]["edges"].as_array().unwrap() {
        let name = e["node"]["name"].as_str().unwrap().to_owned();
        households.insert(name.clone(), e["node"]["householdId"].clone());
        residents.insert(name, e["node"]["id"].clone());
    }
    let create = "mutation($c: ID!, $n: String!) { createGrid(input: {communityId: $c, name: $n}) { grid { id } } }";
    let assign = "mutation($g: ID!, $b: ID!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: [$b]}) { grid { id } } }";
    let (mut grids, mut workers) = (Vec::new(), Vec::new());
    for (name, number) in [("一网格", "3号楼"), ("二网格", "5栋"), ("三网格", "7栋")] {
        let body = app
            .gql(Some(&admin), create, json!({ "c": app.tree.a1, "n": name }))
            .await;
        let grid: Uuid = data(&body)["createGrid"]["grid"]["id"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        data(
            &app.gql(
                Some(&admin),
                assign,
                json!({ "g": grid, "b": buildings[number] }),
            )
            .await,
        );
        workers.push(
            app.caller(Role::GridWorker, Scope::Below(app.tree.a1, grid))
                .await,
        );
        grids.push(grid);
    }
    let leader_id = app
        .user("qian.zhigang", Scope::Community(app.tree.a1))
        .await;
    for grid in &grids[..2] {
        let body = app
            .gql(
                Some(&admin),
                GRANT,
                json!({ "u": leader_id, "r": "GRID_LEADER", "s": grid }),
            )
            .await;
        assert_eq!(data(&body)["grantRole"]["grant"]["scopeKind"], "GRID");
    }
    let leader = app.session(leader_id, "qian.zhigang").await;
    Field {
        staff,
        grids,
        workers,
        leader,
        buildings,
        households,
        residents,
    }
}

/// Staff record a phoned-in request for a household; its id.
async fn record(app: &TestApp, f: &Field, head: &str) -> Value {
    let input = json!({ "in": { "householdId": f.households[head], "source": "PHONE", "category": "repair", "title": "楼道灯不亮" } });
    let body = app.gql(Some(&f.staff), RECORD, input).await;
    data(&body)["recordRequest"]["request"]["id"].clone()
}

fn uid(caller: &Caller) -> String {
    caller.user_id.to_string()
}

#[tokio::test]
async fn a_grid_leader_reassigns_between_two_grids() {
    let app = TestApp::new().await;
    let f = field(&app).await;
    let request = record(&app, &f, "王秀英").await;
    let far = record(&app, &f, "赵丽").await;
    let to_worker2 = json!({ "id": request, "u": uid(&f.workers[1]) });

    // A grid worker cannot hand their request to another grid.
    let body = app
        .gql(Some(&f.workers[0]), REASSIGN, to_worker2.clone())
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // The leader of grids 1 and 2 can; the request follows its new worker into grid 2.
    let body = app.gql(Some(&f.leader), REASSIGN, to_worker2).await;
    let moved = &data(&body)["reassignRequest"]["request"];
    assert_eq!(moved["assigneeId"], uid(&f.workers[1]));
    assert_eq!(moved["gridId"], f.grids[1].to_string());

    // Worker 1 no longer handles it (nor sees it); worker 2 does; staff still do.
    let id = json!({ "id": request });
    let body = app.gql(Some(&f.workers[0]), MOVE, id.clone()).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app.gql(Some(&f.workers[1]), MOVE, id).await;
    assert_eq!(
        data(&body)["moveRequest"]["request"]["status"],
        "ACKNOWLEDGED"
    );

    // Grid 3 is not the leader's: neither its requests nor its worker.
    let body = app
        .gql(
            Some(&f.leader),
            REASSIGN,
            json!({ "id": far, "u": uid(&f.workers[0]) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&f.leader),
            REASSIGN,
            json!({ "id": request, "u": uid(&f.workers[2]) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.assigneeId");

    // A grid leader of another community reaches none of it.
    let other = app
        .caller(
            Role::GridLeader,
            Scope::Below(app.tree.b1, app.tree.grid_b1),
        )
        .await;
    let body = app
        .gql(
            Some(&other),
            REASSIGN,
            json!({ "id": request, "u": uid(&f.workers[0]) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn a_grid_leader_reads_both_grids_masked_with_their_dashboard_and_card() {
    let app = TestApp::new().await;
    let f = field(&app).await;
    record(&app, &f, "王秀英").await;
    record(&app, &f, "张伟").await;
    record(&app, &f, "赵丽").await;

    let body = app
        .gql(
            Some(&f.leader),
            "{ residents(first: 50) { edges { node { name phone } } } }",
            json!({}),
        )
        .await;
    let people: HashMap<String, Value> = data(&body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["name"].as_str().unwrap().to_owned(),
                e["node"]["phone"].clone(),
            )
        })
        .collect();
    assert!(people.contains_key("王秀英") && people.contains_key("张伟"));
    assert!(
        !people.contains_key("赵丽"),
        "grid 3 is not theirs: {people:?}"
    );
    let phone = people["张伟"].as_str().unwrap();
    assert!(
        phone.contains('*') && !phone.contains("13600002222"),
        "{phone}"
    );

    let dashboard = "query($c: ID!, $from: DateTime!, $to: DateTime!) { requestDashboard(communityId: $c, from: $from, to: $to) { byGrid { key open } visitCoverage { grid households } } }";
    let vars = json!({ "c": app.tree.a1, "from": Utc::now() - Duration::days(7), "to": Utc::now() + Duration::days(1) });
    let body = app.gql(Some(&f.leader), dashboard, vars.clone()).await;
    let d = &data(&body)["requestDashboard"];
    let keys: Vec<&str> = d["byGrid"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["一网格", "二网格"]);
    let covered: Vec<&str> = d["visitCoverage"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["grid"].as_str().unwrap())
        .collect();
    assert_eq!(covered, ["一网格", "二网格"]);
    let body = app.gql(Some(&f.staff), dashboard, vars.clone()).await;
    assert_eq!(
        data(&body)["requestDashboard"]["byGrid"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    let body = app.gql(Some(&f.workers[0]), dashboard, vars.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let other = app
        .caller(
            Role::GridLeader,
            Scope::Below(app.tree.b1, app.tree.grid_b1),
        )
        .await;
    let body = app.gql(Some(&other), dashboard, vars).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Visit plans of their grids, not of grid 3.
    let plan = "query($g: ID!) { visitPlan(gridId: $g) { households { label } } }";
    let body = app
        .gql(Some(&f.leader), plan, json!({ "g": f.grids[1] }))
        .await;
    assert_eq!(
        data(&body)["visitPlan"]["households"][0]["label"],
        "5栋2单元1201"
    );
    let body = app
        .gql(Some(&f.leader), plan, json!({ "g": f.grids[2] }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // The compound's contact card names the leader for each of their grids.
    let phone = "mutation($u: ID!) { setWorkPhone(input: {userId: $u, workPhone: \"13912345678\"}) { user { id } } }";
    data(
        &app.gql(Some(&f.leader), phone, json!({ "u": f.leader.user_id }))
            .await,
    );
    let compound = "query($b: ID!) { building(id: $b) { compound { id } } }";
    let body = app
        .gql(
            Some(&f.staff),
            compound,
            json!({ "b": f.buildings["3号楼"] }),
        )
        .await;
    let compound = data(&body)["building"]["compound"]["id"].clone();
    let card = "query($c: ID!) { compoundContactCard(compoundId: $c) { gridWorkers { grid } gridLeaders { grid name phone } } }";
    let body = app
        .gql(Some(&f.staff), card, json!({ "c": compound }))
        .await;
    let card = &data(&body)["compoundContactCard"];
    assert_eq!(card["gridWorkers"].as_array().unwrap().len(), 3);
    let leaders = card["gridLeaders"].as_array().unwrap();
    let mut grids: Vec<&str> = leaders
        .iter()
        .map(|l| l["grid"].as_str().unwrap())
        .collect();
    grids.sort_unstable();
    assert_eq!(grids, ["一网格", "二网格"]);
    assert!(leaders.iter().all(|l| l["name"] == "qian.zhigang 显示名"));
    assert!(leaders.iter().all(|l| l["phone"] == "13912345678"));
}

/// The leader's micro-grid over unit 1 of 3号楼; its id.
async fn micro_grid(app: &TestApp, f: &Field) -> Value {
    let input = json!({ "in": { "gridId": f.grids[0], "name": "3号楼1单元微网格", "members": [{ "buildingId": f.buildings["3号楼"], "unit": 1 }] } });
    let body = app.gql(Some(&f.leader), CREATE, input).await;
    data(&body)["createMicroGrid"]["microGrid"]["id"].clone()
}

#[tokio::test]
async fn micro_grids_are_defined_inside_their_grid() {
    let app = TestApp::new().await;
    let f = field(&app).await;
    let micro = micro_grid(&app, &f).await;
    let other_staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;

    let create = |grid: Uuid, building: &str, unit: Option<i32>| json!({ "in": { "gridId": grid, "name": "试点", "members": [{ "buildingId": f.buildings[building], "unit": unit }] } });
    // Only buildings (and units) the grid covers.
    for input in [
        create(f.grids[0], "5栋", None),
        create(f.grids[0], "3号楼", Some(9)),
    ] {
        let body = app.gql(Some(&f.leader), CREATE, input).await;
        assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "input.members");
    }
    // Grid 3 is not the leader's; a worker defines none; another community sees no grid.
    let body = app
        .gql(Some(&f.leader), CREATE, create(f.grids[2], "7栋", None))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&f.workers[0]),
            CREATE,
            create(f.grids[0], "3号楼", None),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&other_staff),
            CREATE,
            create(f.grids[0], "3号楼", None),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Staff widen it to the whole building; the grid lists it with its members.
    let update = json!({ "in": { "id": micro, "name": "3号楼微网格", "members": [{ "buildingId": f.buildings["3号楼"] }] } });
    let body = app.gql(Some(&f.workers[0]), UPDATE, update.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&other_staff), UPDATE, update.clone()).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app.gql(Some(&f.staff), UPDATE, update).await;
    let members = &data(&body)["updateMicroGrid"]["microGrid"]["members"];
    assert_eq!(
        members,
        &json!([{ "unit": null, "buildingNumber": "3号楼" }])
    );
    let body = app
        .gql(Some(&f.workers[0]), MICRO_GRIDS, json!({ "g": f.grids[0] }))
        .await;
    let list = &data(&body)["grid"]["microGrids"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["edges"][0]["node"]["name"], "3号楼微网格");
    let body = app
        .gql(Some(&other_staff), HOUSEHOLDS, json!({ "m": micro }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Archiving: not by a worker nor another community; the list then leaves it out.
    let id = json!({ "id": micro });
    let body = app.gql(Some(&f.workers[0]), ARCHIVE, id.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&other_staff), ARCHIVE, id.clone()).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app.gql(Some(&f.leader), ARCHIVE, id.clone()).await;
    assert!(data(&body)["archiveMicroGrid"]["microGrid"]["archivedAt"].is_string());
    let body = app.gql(Some(&f.leader), ARCHIVE, id).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(Some(&f.staff), MICRO_GRIDS, json!({ "g": f.grids[0] }))
        .await;
    assert_eq!(data(&body)["grid"]["microGrids"]["totalCount"], 0);
}

/// 陈桂兰 (3号楼1单元401) with a resident account, appointed leader of `micro` by the grid
/// leader through `grantRole`.
async fn micro_grid_leader(app: &TestApp, f: &Field, micro: &Value) -> Caller {
    let account = "mutation($id: ID!) { createResidentAccount(input: {residentId: $id, username: \"chen.guilan\", initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&f.staff),
            account,
            json!({ "id": f.residents["陈桂兰"] }),
        )
        .await;
    let user: Uuid = data(&body)["createResidentAccount"]["userId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.skip_password_change(user).await;
    let vars = json!({ "u": user, "r": "MICRO_GRID_LEADER", "s": micro });
    let body = app.gql(Some(&f.workers[0]), GRANT, vars.clone()).await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "a grid worker appoints no one"
    );
    let other_admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app.gql(Some(&other_admin), GRANT, vars.clone()).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app.gql(Some(&f.leader), GRANT, vars).await;
    assert_eq!(data(&body)["grantRole"]["grant"]["scopeKind"], "MICRO_GRID");
    app.session(user, "chen.guilan").await
}

#[tokio::test]
async fn a_micro_grid_leader_sees_masked_names_and_addresses_and_files_for_them_only() {
    let app = TestApp::new().await;
    let f = field(&app).await;
    let micro = micro_grid(&app, &f).await;
    let chen = micro_grid_leader(&app, &f, &micro).await;

    let body = app
        .gql(Some(&chen), HOUSEHOLDS, json!({ "m": micro }))
        .await;
    let homes: Vec<(String, Vec<String>)> = data(&body)["microGrid"]["households"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let names = e["node"]["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["maskedName"].as_str().unwrap().to_owned())
                .collect();
            (e["node"]["address"].as_str().unwrap().to_owned(), names)
        })
        .collect();
    assert_eq!(
        homes,
        [
            ("3号楼1单元301".to_owned(), vec!["王**".to_owned()]),
            ("3号楼1单元401".to_owned(), vec!["陈**".to_owned()]),
        ]
    );
    // Nothing else is there to ask for, and the registry gives a neighbour nothing.
    let body = app
        .gql(
            Some(&chen),
            "query($m: ID!) { microGrid(id: $m) { households { edges { node { members { phone } } } } } }",
            json!({ "m": micro }),
        )
        .await;
    assert_eq!(error_code(&body), Some("GRAPHQL_VALIDATION_FAILED"));
    let body = app
        .gql(
            Some(&chen),
            "query($id: ID!) { resident(id: $id) { name } }",
            json!({ "id": f.residents["王秀英"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Another micro-grid's households are not theirs to read.
    let input = json!({ "in": { "gridId": f.grids[1], "name": "5栋微网格", "members": [{ "buildingId": f.buildings["5栋"] }] } });
    let body = app.gql(Some(&f.staff), CREATE, input).await;
    let next = data(&body)["createMicroGrid"]["microGrid"]["id"].clone();
    let body = app.gql(Some(&chen), HOUSEHOLDS, json!({ "m": next })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // A request for a household of the micro-grid goes to grid 1's worker as usual.
    let file = |head: &str| json!({ "in": { "householdId": f.households[head], "source": "NEIGHBOUR", "category": "repair", "title": "王阿姨家水管漏水" } });
    let body = app.gql(Some(&chen), RECORD, file("王秀英")).await;
    let filed = &data(&body)["recordRequest"]["request"];
    assert_eq!(filed["assigneeId"], uid(&f.workers[0]));
    assert_eq!(filed["source"], "NEIGHBOUR");
    let body = app
        .gql(
            Some(&f.workers[0]),
            "query($id: ID!) { request(id: $id) { title } }",
            json!({ "id": filed["id"] }),
        )
        .await;
    assert_eq!(data(&body)["request"]["title"], "王阿姨家水管漏水");
    // Next door (unit 2) and another community are out of reach.
    let body = app.gql(Some(&chen), RECORD, file("李建国")).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let app_b = json!({ "in": { "householdId": app.tree.household_b1, "source": "NEIGHBOUR", "category": "repair", "title": "x" } });
    let body = app.gql(Some(&chen), RECORD, app_b).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Once the micro-grid is archived its leader reads and files nothing for it.
    let archive = json!({ "id": micro });
    data(&app.gql(Some(&f.leader), ARCHIVE, archive).await);
    let body = app
        .gql(Some(&chen), HOUSEHOLDS, json!({ "m": micro }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&chen), RECORD, file("王秀英")).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn micro_grid_lists_keep_to_their_statement_budgets() {
    let app = TestApp::new().await;
    let f = field(&app).await;
    let micro = micro_grid(&app, &f).await;
    for unit in [1, 2] {
        let input = json!({ "in": { "gridId": f.grids[0], "name": format!("{unit}单元"), "members": [{ "buildingId": f.buildings["3号楼"], "unit": unit }] } });
        data(&app.gql(Some(&f.staff), CREATE, input).await);
    }
    let page = "query($g: ID!) { grid(id: $g) { microGrids(first: 20) { edges { node { id name members { unit buildingNumber } } } } } }";
    let (body, cost) = app
        .gql_cost(&f.staff, page, json!({ "g": f.grids[0] }))
        .await;
    let edges = &data(&body)["grid"]["microGrids"]["edges"];
    assert_eq!(edges.as_array().unwrap().len(), 3);
    assert_eq!(edges[2]["node"]["members"][0]["buildingNumber"], "3号楼");
    // The grid, the page, the members, their buildings: whatever the number of micro-grids.
    assert!(cost <= 4, "grid.microGrids: {cost}");
    let (body, cost) = app
        .gql_cost(&f.staff, HOUSEHOLDS, json!({ "m": micro }))
        .await;
    let edges = data(&body)["microGrid"]["households"]["edges"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(edges, 2);
    // The micro-grid, the page, the addresses, the members, and the audit row.
    assert!(cost <= 4 + 1, "microGrid.households: {cost}");
}

#[tokio::test]
async fn the_demo_has_a_grid_leader_and_a_micro_grid_leader() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = |name: &str| {
        let login = demo.logins.iter().find(|l| l.username == name).unwrap();
        crate::org::demo_login(&app, login)
    };
    let leader = login("demo.gridlead").await;
    let body = app
        .gql(
            Some(&leader),
            "{ me { displayName grants { role } } }",
            json!({}),
        )
        .await;
    let me = &data(&body)["me"];
    assert_eq!(me["displayName"], "钱志刚");
    assert_eq!(
        me["grants"],
        json!([{ "role": "GRID_LEADER" }, { "role": "GRID_LEADER" }])
    );

    let volunteer = login("demo.microgrid").await;
    let body = app
        .gql(
            Some(&volunteer),
            "{ me { grants { role scopeId } } }",
            json!({}),
        )
        .await;
    let grants = data(&body)["me"]["grants"].as_array().unwrap().clone();
    let micro = grants
        .iter()
        .find(|g| g["role"] == "MICRO_GRID_LEADER")
        .unwrap()["scopeId"]
        .clone();
    assert!(grants.iter().any(|g| g["role"] == "RESIDENT"));
    let body = app
        .gql(Some(&volunteer), HOUSEHOLDS, json!({ "m": micro }))
        .await;
    let households = data(&body)["microGrid"]["households"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(households.len() > 1, "{households:?}");
    let name = households[0]["node"]["members"][0]["maskedName"]
        .as_str()
        .unwrap();
    assert!(name.ends_with('*'), "{name}");
}
