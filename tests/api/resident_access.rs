//! Who reads which residents: grid workers their grids' (masked), a resident their own
//! household (in full), committee members and treasurers none; care levels derived and
//! overridden; filters; and a page of residents with their homes in bounded statements.

use entity::role_grant::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    roster::{ROSTER, compound_with_roster, import},
};

/// Community A1 with the test roster imported into 和韵小区 and building 3号楼 in grid_a1
/// (5栋 in no grid). Returns the admin and the residents' ids by name.
struct Neighbourhood {
    admin: Caller,
    ids: std::collections::HashMap<String, (String, String)>,
}

async fn neighbourhood(app: &TestApp) -> Neighbourhood {
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let compound = compound_with_roster(app, &admin, app.tree.a1, "和韵小区", ROSTER).await;
    let body = app
        .gql(
            Some(&admin),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": compound }),
        )
        .await;
    let building = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["number"] == "3号楼")
        .unwrap()["id"]
        .clone();
    let assign = "mutation($g: ID!, $b: [ID!]!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: $b}) { grid { id } } }";
    data(
        &app.gql(
            Some(&admin),
            assign,
            json!({ "g": app.tree.grid_a1, "b": [building] }),
        )
        .await,
    );
    let body = app
        .gql(
            Some(&admin),
            "{ residents { edges { node { id name householdId } } } }",
            json!({}),
        )
        .await;
    let ids = data(&body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            let n = &e["node"];
            (
                n["name"].as_str().unwrap().to_owned(),
                (
                    n["id"].as_str().unwrap().to_owned(),
                    n["householdId"].as_str().unwrap().to_owned(),
                ),
            )
        })
        .collect();
    Neighbourhood { admin, ids }
}

fn names(body: &Value) -> Vec<String> {
    let mut names: Vec<String> = data(body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

const LIST: &str = "query($f: ResidentFilter) { residents(filter: $f) { totalCount edges { node { name documentNumber phone } } } }";
const ONE: &str = "query($id: ID!) { resident(id: $id) { name } }";
const HOUSEHOLD: &str = "query($id: ID!) { household(id: $id) { id } }";

#[tokio::test]
async fn grid_workers_read_their_grids_residents_masked_and_nothing_else() {
    let app = TestApp::new().await;
    let n = neighbourhood(&app).await;
    let worker = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.a1, app.tree.grid_a1),
        )
        .await;
    let body = app.gql(Some(&worker), LIST, json!({})).await;
    assert_eq!(names(&body), vec!["李小红", "李建国", "王秀英"]);
    assert!(
        data(&body)["residents"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["node"]["phone"].as_str().unwrap().contains("****")),
        "masked"
    );
    // The question: every elderly resident living alone in the grid, in one query.
    let filter = json!({ "f": { "gridId": app.tree.grid_a1, "tag": "ELDERLY_ALONE" } });
    let body = app.gql(Some(&worker), LIST, filter.clone()).await;
    assert_eq!(names(&body), vec!["王秀英"]);

    let (outside, outside_household) = &n.ids["张伟"];
    for (query, id) in [(ONE, outside), (HOUSEHOLD, outside_household)] {
        let body = app.gql(Some(&worker), query, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    // A worker of another grid of the same community, and of another community.
    let create = "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"第二网格\"}) { grid { id } } }";
    let body = app
        .gql(Some(&n.admin), create, json!({ "c": app.tree.a1 }))
        .await;
    let grid2 = Uuid::parse_str(data(&body)["createGrid"]["grid"]["id"].as_str().unwrap()).unwrap();
    let (wang, wang_household) = &n.ids["王秀英"];
    for other in [
        app.caller(Role::GridWorker, Scope::Below(app.tree.a1, grid2))
            .await,
        app.caller(
            Role::GridWorker,
            Scope::Below(app.tree.b1, app.tree.grid_b1),
        )
        .await,
    ] {
        let body = app.gql(Some(&other), LIST, filter.clone()).await;
        assert_eq!(data(&body)["residents"]["totalCount"], 0);
        for (query, id) in [(ONE, wang), (HOUSEHOLD, wang_household)] {
            let body = app.gql(Some(&other), query, json!({ "id": id })).await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        }
    }
    // Committee members and treasurers see no personal data at all.
    for role in [Role::Treasurer, Role::CommitteeMember] {
        let caller = app
            .caller(role, Scope::Below(app.tree.a1, Uuid::now_v7()))
            .await;
        let body = app.gql(Some(&caller), LIST, filter.clone()).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let body = app.gql(Some(&caller), ONE, json!({ "id": wang })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
    }
    // Grid workers read; they do not edit or reveal.
    let reveal = "mutation($id: ID!) { revealResidentField(input: {residentId: $id, field: PHONE, reason: \"回访电话\"}) { value } }";
    let body = app.gql(Some(&worker), reveal, json!({ "id": wang })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_resident_reads_their_own_household_in_full_and_no_other() {
    let app = TestApp::new().await;
    let n = neighbourhood(&app).await;
    let (_, li_household) = &n.ids["李建国"];
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, Uuid::parse_str(li_household).unwrap()),
        )
        .await;
    let body = app.gql(Some(&resident), LIST, json!({})).await;
    assert_eq!(names(&body), vec!["李小红", "李建国"]);
    let phones: Vec<&str> = data(&body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["phone"].as_str().unwrap())
        .collect();
    assert!(
        phones.contains(&"13900001111"),
        "their own household unmasked: {phones:?}"
    );
    let (wang, wang_household) = &n.ids["王秀英"];
    for (query, id) in [(ONE, wang), (HOUSEHOLD, wang_household)] {
        let body = app.gql(Some(&resident), query, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    let members = "query($id: ID!) { household(id: $id) { head { name } members { name } } }";
    let body = app
        .gql(Some(&resident), members, json!({ "id": li_household }))
        .await;
    assert_eq!(data(&body)["household"]["head"]["name"], "李建国");
    assert_eq!(
        data(&body)["household"]["members"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let dashboard = "query($c: ID!) { residentDashboard(communityId: $c) { residents } }";
    let body = app
        .gql(Some(&resident), dashboard, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn care_levels_follow_tags_and_staff_overrides_need_a_reason() {
    let app = TestApp::new().await;
    let n = neighbourhood(&app).await;
    let (wang, wang_household) = &n.ids["王秀英"];
    let level =
        "query($id: ID!) { household(id: $id) { careLevel derivedCareLevel careLevelReason } }";
    let body = app
        .gql(Some(&n.admin), level, json!({ "id": wang_household }))
        .await;
    assert_eq!(data(&body)["household"]["careLevel"], "KEY_GROUP");

    let set = "mutation($in: SetCareLevelInput!) { setHouseholdCareLevel(input: $in) { household { careLevel derivedCareLevel careLevelReason } } }";
    let no_reason =
        json!({ "in": { "householdId": wang_household, "careLevel": "SPECIAL_HARDSHIP" } });
    let body = app.gql(Some(&n.admin), set, no_reason.clone()).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let worker = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.a1, app.tree.grid_a1),
        )
        .await;
    let with_reason = json!({ "in": { "householdId": wang_household, "careLevel": "SPECIAL_HARDSHIP", "reason": "独居且失能, 民政认定特困" } });
    let body = app.gql(Some(&worker), set, with_reason.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&n.admin), set, with_reason).await;
    assert_eq!(
        data(&body)["setHouseholdCareLevel"]["household"],
        json!({ "careLevel": "SPECIAL_HARDSHIP", "derivedCareLevel": "KEY_GROUP", "careLevelReason": "独居且失能, 民政认定特困" })
    );
    let filter = json!({ "f": { "careLevel": "SPECIAL_HARDSHIP" } });
    let body = app.gql(Some(&n.admin), LIST, filter).await;
    assert_eq!(names(&body), vec!["王秀英"]);

    // Dropping the tag changes the derived level; the override still wins.
    let update = "mutation($id: ID!) { updateResident(input: {id: $id, tags: []}) { resident { tags household { careLevel derivedCareLevel } } } }";
    let body = app.gql(Some(&n.admin), update, json!({ "id": wang })).await;
    assert_eq!(
        data(&body)["updateResident"]["resident"]["household"],
        json!({ "careLevel": "SPECIAL_HARDSHIP", "derivedCareLevel": "ORDINARY" })
    );
    let dashboard = "query($c: ID!) { residentDashboard(communityId: $c) { residents households byTag { tag residents } byCareLevel { careLevel households } } }";
    let body = app
        .gql(Some(&n.admin), dashboard, json!({ "c": app.tree.a1 }))
        .await;
    let d = &data(&body)["residentDashboard"];
    assert_eq!(
        (d["residents"].clone(), d["households"].clone()),
        (json!(4), json!(3))
    );
    assert!(
        d["byTag"]
            .as_array()
            .unwrap()
            .contains(&json!({ "tag": "VETERAN", "residents": 1 }))
    );
    assert!(
        d["byCareLevel"]
            .as_array()
            .unwrap()
            .contains(&json!({ "careLevel": "SPECIAL_HARDSHIP", "households": 1 }))
    );
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&outsider), dashboard, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&outsider), update, json!({ "id": wang }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn residents_filter_by_age_and_place() {
    let app = TestApp::new().await;
    let n = neighbourhood(&app).await;
    for (filter, expected) in [
        (json!({ "minAge": 75 }), vec!["李建国", "王秀英"]),
        (
            json!({ "minAge": 70, "maxAge": 90 }),
            vec!["李建国", "王秀英"],
        ),
        (json!({ "maxAge": 60 }), vec![]),
        (json!({ "search": "5678" }), vec!["王秀英"]),
        (json!({ "search": "李" }), vec!["李小红", "李建国"]),
    ] {
        let body = app.gql(Some(&n.admin), LIST, json!({ "f": filter })).await;
        assert_eq!(names(&body), expected, "{filter}");
    }
    let body = app
        .gql(
            Some(&n.admin),
            LIST,
            json!({ "f": { "minAge": 80, "maxAge": 70 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn a_page_of_residents_with_their_homes_costs_the_same_whatever_its_size() {
    let app = TestApp::new().await;
    let n = neighbourhood(&app).await;
    let query = "{ residents(first: 100) { edges { node { name household { careLevel members { name } dwelling { room building { number compound { name } grid { name } } } } } } } }";
    let before = app.db().statement_count();
    let body = app.gql(Some(&n.admin), query, json!({})).await;
    let small = app.db().statement_count() - before;
    assert_eq!(
        data(&body)["residents"]["edges"].as_array().unwrap().len(),
        4
    );

    let create = "mutation($c: ID!) { createCompound(input: {communityId: $c, name: \"芳华里\"}) { compound { id } } }";
    let body = app
        .gql(Some(&n.admin), create, json!({ "c": app.tree.a1 }))
        .await;
    let compound = data(&body)["createCompound"]["compound"]["id"].clone();
    let mut roster = String::from("姓名,楼栋,单元,房号,与户主关系\n");
    for i in 0..60 {
        roster.push_str(&format!(
            "居民{i},{},1,{}0{},户主\n",
            i % 6 + 1,
            i / 6 + 1,
            i % 3 + 1
        ));
    }
    data(
        &import(
            &app,
            &n.admin,
            &compound,
            "big.csv",
            roster.as_bytes(),
            "ALL_OR_NOTHING",
        )
        .await,
    );
    let before = app.db().statement_count();
    let body = app.gql(Some(&n.admin), query, json!({})).await;
    let large = app.db().statement_count() - before;
    assert_eq!(
        data(&body)["residents"]["edges"].as_array().unwrap().len(),
        64
    );
    assert_eq!(small, large, "statements for 4 and for 64 residents");
}

/// The "done when": the roster of 和韵小区 (138 households, 310 residents) imports,
/// the grid worker finds every elderly resident living alone in their grid in one query,
/// and a worker of another grid, a treasurer or another community's staff find none.
#[tokio::test]
async fn the_hexun_roster_imports_and_only_its_grid_worker_finds_its_elderly() {
    let app = TestApp::new().await.with_homes().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let shape = jiedao::bootstrap::demo_roster::Shape {
        buildings: 6,
        units: 2,
        floors: 6,
        rooms: 2,
    };
    let roster = jiedao::bootstrap::demo_roster::roster(&shape, 138, 310, 7);
    let create = "mutation($c: ID!) { createCompound(input: {communityId: $c, name: \"和韵小区\"}) { compound { id buildings { id } } } }";
    let body = app
        .gql(Some(&admin), create, json!({ "c": app.tree.a1 }))
        .await;
    let compound = data(&body)["createCompound"]["compound"]["id"].clone();
    let body = import(
        &app,
        &admin,
        &compound,
        "和韵小区.csv",
        roster.as_bytes(),
        "ALL_OR_NOTHING",
    )
    .await;
    let report = &data(&body)["importResidents"];
    assert_eq!(
        (
            report["householdsCreated"].clone(),
            report["residentsCreated"].clone()
        ),
        (json!(138), json!(310))
    );
    let body = app
        .gql(
            Some(&admin),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": compound }),
        )
        .await;
    let in_grid: Vec<Value> = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["number"] == "3号楼" || b["number"] == "4号楼")
        .map(|b| b["id"].clone())
        .collect();
    let assign = "mutation($g: ID!, $b: [ID!]!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: $b}) { grid { id } } }";
    data(
        &app.gql(
            Some(&admin),
            assign,
            json!({ "g": app.tree.grid_a1, "b": in_grid }),
        )
        .await,
    );
    let mut expected: Vec<String> = roster
        .lines()
        .filter(|l| l.contains("独居老人") && (l.contains(",3号楼,") || l.contains(",4号楼,")))
        .map(|l| l.split(',').next().unwrap().to_owned())
        .collect();
    expected.sort();
    assert!(!expected.is_empty());

    let worker = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.a1, app.tree.grid_a1),
        )
        .await;
    let query = "query($g: ID!) { residents(first: 100, filter: {gridId: $g, tag: ELDERLY_ALONE}) { totalCount edges { node { name } } } }";
    let body = app
        .gql(Some(&worker), query, json!({ "g": app.tree.grid_a1 }))
        .await;
    assert_eq!(names(&body), expected);

    let create = "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"第2网格\"}) { grid { id } } }";
    let body = app
        .gql(Some(&admin), create, json!({ "c": app.tree.a1 }))
        .await;
    let grid2 = Uuid::parse_str(data(&body)["createGrid"]["grid"]["id"].as_str().unwrap()).unwrap();
    let other_worker = app
        .caller(Role::GridWorker, Scope::Below(app.tree.a1, grid2))
        .await;
    let body = app
        .gql(Some(&other_worker), query, json!({ "g": app.tree.grid_a1 }))
        .await;
    assert_eq!(data(&body)["residents"]["totalCount"], 0);
    let treasurer = app
        .caller(
            Role::Treasurer,
            Scope::Below(app.tree.a1, app.tree.compound_a1),
        )
        .await;
    let body = app
        .gql(Some(&treasurer), query, json!({ "g": app.tree.grid_a1 }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&outsider), query, json!({ "g": app.tree.grid_a1 }))
        .await;
    assert_eq!(data(&body)["residents"]["totalCount"], 0);
}
