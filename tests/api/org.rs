//! Street offices and communities: who creates them, input rules, nested lists without
//! per-row queries.

use entity::{community, role_grant::Role, street_office};
use serde_json::json;

use crate::helpers::{Scope, TestApp, data, error_code};

const CREATE_OFFICE: &str = "mutation($in: CreateStreetOfficeInput!) { createStreetOffice(input: $in) { streetOffice { id name divisionCode permissions { canCreateCommunity canGrantStreetAdmin } } } }";
const CREATE_COMMUNITY: &str = "mutation($s: ID!, $n: String!) { createCommunity(input: {streetOfficeId: $s, name: $n}) { community { id name streetOffice { id } } } }";

#[tokio::test]
async fn platform_admins_create_street_offices_and_street_admins_communities() {
    let app = TestApp::new().await;
    let platform = app.platform_admin().await;
    let body = app
        .gql(
            Some(&platform),
            CREATE_OFFICE,
            json!({ "in": { "name": " 新街道 ", "divisionCode": "110105002" } }),
        )
        .await;
    let office = &data(&body)["createStreetOffice"]["streetOffice"];
    assert_eq!(office["name"], "新街道");
    assert_eq!(office["permissions"]["canGrantStreetAdmin"], true);
    let office_id = uuid::Uuid::parse_str(office["id"].as_str().unwrap()).unwrap();

    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(office_id))
        .await;
    let body = app
        .gql(
            Some(&street),
            CREATE_COMMUNITY,
            json!({ "s": office_id, "n": "和平社区" }),
        )
        .await;
    assert_eq!(
        data(&body)["createCommunity"]["community"]["streetOffice"]["id"],
        office_id.to_string()
    );

    let cases = [
        (json!({ "in": { "name": "新街道" } }), "CONFLICT", None),
        (
            json!({ "in": { "name": "   " } }),
            "BAD_USER_INPUT",
            Some("input.name"),
        ),
        (
            json!({ "in": { "name": "另一个", "divisionCode": "12AB" } }),
            "BAD_USER_INPUT",
            Some("input.divisionCode"),
        ),
    ];
    for (variables, code, field) in cases {
        let body = app
            .gql(Some(&platform), CREATE_OFFICE, variables.clone())
            .await;
        assert_eq!(error_code(&body), Some(code), "{variables}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["extensions"]["field"], field);
        }
    }
    let body = app
        .gql(
            Some(&street),
            CREATE_COMMUNITY,
            json!({ "s": office_id, "n": "和平社区" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let body = app
        .gql(
            Some(&street),
            CREATE_OFFICE,
            json!({ "in": { "name": "越权街道" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let body = app
        .gql(
            Some(&admin),
            CREATE_OFFICE,
            json!({ "in": { "name": "越权街道" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert_eq!(app.count::<street_office::Entity>().await, 3);
    assert_eq!(app.count::<community::Entity>().await, 4);
}

#[tokio::test]
async fn nested_org_lists_cost_the_same_statements_whatever_their_size() {
    let app = TestApp::new().await;
    let platform = app.platform_admin().await;
    // One root list per request: root fields run concurrently, and each list's cost is
    // what this test pins down.
    let queries = [
        "{ streetOffices(first: 100) { edges { node { name communities { name streetOffice { name } } } } } }",
        "{ communities(first: 100) { edges { node { name streetOffice { name communities { name } } } } } }",
    ];
    let mut costs = Vec::new();
    for round in 0..2 {
        if round == 1 {
            for i in 0..20 {
                let office = app.street_office(&format!("街道{i}")).await;
                for j in 0..3 {
                    app.community(office, &format!("社区{j}")).await;
                }
            }
        }
        for query in queries {
            let (body, cost) = app.gql_cost(&platform, query, json!({})).await;
            data(&body);
            costs.push(cost);
        }
    }
    // The page, and one batch per nested level (the caller is known: no statement).
    assert_eq!(
        &costs[..2],
        &costs[2..],
        "22 street offices cost what 2 do: {costs:?}"
    );
    assert!(costs.iter().all(|c| *c <= 8), "{costs:?}");
}

/// Logs a demo account in through the API, as its user would.
pub async fn demo_login(
    app: &TestApp,
    login: &jiedao::bootstrap::DemoLogin,
) -> crate::helpers::Caller {
    let query = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";
    let vars = json!({ "u": login.username, "p": login.password });
    let body = app.gql(None, query, vars).await;
    crate::helpers::Caller {
        user_id: uuid::Uuid::nil(),
        session_id: uuid::Uuid::nil(),
        username: login.username.to_owned(),
        token: data(&body)["login"]["accessToken"]
            .as_str()
            .unwrap()
            .to_owned(),
    }
}

#[tokio::test]
async fn the_demo_data_loads_once_and_its_logins_work() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let logins = demo.logins;
    assert_eq!(logins.len(), 13);
    assert_eq!(
        (demo.compounds, demo.buildings, demo.dwellings, demo.grids),
        (2, 9, 342, 3)
    );
    assert_eq!((demo.households, demo.residents), (138 + 172, 310 + 398));
    assert!(jiedao::bootstrap::demo_loaded(app.db()).await.unwrap());
    let again = app.seed_demo().await.err().unwrap();
    assert_eq!(again.code(), "CONFLICT");

    let sign_in = |username: &str| {
        let login = logins.iter().find(|l| l.username == username).unwrap();
        demo_login(&app, login)
    };
    let caller = sign_in("demo.street").await;
    let body = app
        .gql(
            Some(&caller),
            "{ streetOffices { edges { node { name communities { name } } } } }",
            json!({}),
        )
        .await;
    let office = &data(&body)["streetOffices"]["edges"][0]["node"];
    assert_eq!(office["name"], jiedao::bootstrap::DEMO_STREET_OFFICE);
    assert_eq!(office["communities"].as_array().unwrap().len(), 2);

    // The demo grid worker finds the dwellings of grid 3: all of 芳华里.
    let worker = sign_in("demo.grid3").await;
    let me = app
        .gql(
            Some(&worker),
            "{ me { grants { role scopeName } } grids { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&me)["me"]["grants"],
        json!([{ "role": "GRID_WORKER", "scopeName": "第3网格" }])
    );
    let grid = me["data"]["grids"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "第3网格")
        .unwrap()["node"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&worker),
            "query($g: ID!) { dwellings(filter: {gridId: $g}) { totalCount } }",
            json!({ "g": grid }),
        )
        .await;
    assert_eq!(data(&body)["dwellings"]["totalCount"], 198);

    // 第1网格's worker has a month of grid work to look at: the WeChat group's requests
    // at every stage, a visit plan with the skipped households overdue, a mediation under
    // way; staff see the urgent water-cut notice on the dashboard.
    let grid1 = sign_in("demo.grid1").await;
    let body = app
        .gql(
            Some(&grid1),
            "{ requests(filter: {assignedToMe: true}) { edges { node { status source } } } grids { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let mine: Vec<serde_json::Value> = data(&body)["requests"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["status"].clone())
        .collect();
    assert_eq!(
        mine,
        json!(["RESOLVED", "IN_PROGRESS", "REFERRED", "NEW", "ACKNOWLEDGED"])
            .as_array()
            .unwrap()
            .clone()
    );
    let grid = data(&body)["grids"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["name"] == "第1网格")
        .unwrap()["node"]["id"]
        .clone();
    let body = app
        .gql(
            Some(&grid1),
            "query($g: ID!) { visitPlan(gridId: $g) { done due overdue } }",
            json!({ "g": grid }),
        )
        .await;
    let plan = &data(&body)["visitPlan"];
    assert_eq!(
        plan["overdue"], 7,
        "every tenth of 72 households skipped: {plan}"
    );
    let staff = sign_in("demo.xingfu.staff").await;
    let body = app
        .gql(Some(&staff), "{ me { grants { scopeId } } }", json!({}))
        .await;
    let community = data(&body)["me"]["grants"][0]["scopeId"].clone();
    let query = "query($c: ID!, $from: DateTime!, $to: DateTime!) { mediationCases(communityId: $c) { nodes { title open } } requestDashboard(communityId: $c, from: $from, to: $to) { urgentNotices { title households householdsRead } } }";
    let vars = json!({ "c": community, "from": chrono::Utc::now() - chrono::Duration::days(30), "to": chrono::Utc::now() });
    let body = app.gql(Some(&staff), query, vars).await;
    assert_eq!(
        data(&body)["mediationCases"]["nodes"],
        json!([{ "title": "楼上太阳能热水器漏水", "open": true }])
    );
    assert_eq!(
        data(&body)["requestDashboard"]["urgentNotices"],
        json!([{ "title": "和韵小区明日停水通知", "households": 138, "householdsRead": 0 }])
    );

    // The committee of 和韵小区: a director, a treasurer, three building leaders; the
    // treasurer login (and no other demo login) holds the treasurer role.
    let mut treasurers = Vec::new();
    for demo_login in &logins {
        let who = self::demo_login(&app, demo_login).await;
        let me = app
            .gql(Some(&who), "{ me { grants { role active } } }", json!({}))
            .await;
        let grants = data(&me)["me"]["grants"].as_array().unwrap().clone();
        if grants
            .iter()
            .any(|g| g["role"] == "TREASURER" && g["active"] == true)
        {
            treasurers.push(demo_login.username);
        }
        if demo_login.username == "demo.treasurer" {
            let body = app
                .gql(Some(&who), "{ me { grants { scopeId role } } }", json!({}))
                .await;
            let compound = data(&body)["me"]["grants"]
                .as_array()
                .unwrap()
                .iter()
                .find(|g| g["role"] == "TREASURER")
                .unwrap()["scopeId"]
                .clone();
            let query = "query($c: ID!) { committee(compoundId: $c) { positions { position } } }";
            let body = app.gql(Some(&who), query, json!({ "c": compound })).await;
            let mut positions: Vec<String> = data(&body)["committee"]["positions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["position"].as_str().unwrap().to_owned())
                .collect();
            positions.sort();
            // The demo bench meeting: 20 households signed in, the owners' motion passed
            // under art. 278, the minutes published and the resolution on notice.
            let query = "query($c: ID!) { meetingsOfCompound(compoundId: $c) { nodes { status attendance { households } minutes { version } motions { passed noticeUntil tally { eligible { heads } participating { heads } } } } } }";
            let body = app.gql(Some(&who), query, json!({ "c": compound })).await;
            let meeting = &data(&body)["meetingsOfCompound"]["nodes"][0];
            assert_eq!(meeting["status"], "CLOSED");
            assert_eq!(meeting["attendance"]["households"], 20);
            assert_eq!(meeting["minutes"]["version"], 1);
            let motion = &meeting["motions"][0];
            assert_eq!(motion["passed"], true);
            assert!(motion["noticeUntil"].is_string());
            // 144 flats: 138 households' heads own theirs; six stand empty, unowned, and
            // still count, as the law counts every exclusive part.
            assert_eq!(motion["tally"]["eligible"]["heads"], 144);
            assert_eq!(motion["tally"]["participating"]["heads"], 100);
            assert_eq!(
                positions,
                vec![
                    "BUILDING_LEADER",
                    "BUILDING_LEADER",
                    "BUILDING_LEADER",
                    "DIRECTOR",
                    "TREASURER"
                ]
            );
        }
    }
    assert_eq!(treasurers, vec!["demo.treasurer"]);

    // The demo fund's statement opens without a login, and its chain holds.
    let public = "query($t: String!) { publicStatement(shareToken: $t) { fundName closingBalance toSeq entries { kind } } }";
    let body = app
        .gql(None, public, json!({ "t": demo.statement_token }))
        .await;
    let statement = &data(&body)["publicStatement"];
    assert_eq!(statement["fundName"], "门禁维修基金");
    assert_eq!(statement["closingBalance"], "4650.00");
    assert_eq!(statement["toSeq"], 43);
}
