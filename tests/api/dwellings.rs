//! Dwellings: unit and room of a building with an exact floor area; isolation and cost.

use entity::role_grant::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

const CREATE: &str = "mutation($b: ID!, $u: Int!, $r: String!, $a: Area) { createDwelling(input: {buildingId: $b, unit: $u, room: $r, floorArea: $a}) { dwelling { id unit room floorArea building { number } } } }";

async fn building(app: &TestApp, staff: &Caller, community: Uuid, name: &str) -> Uuid {
    app.compound_with_building(staff, community, name).await
}

async fn dwelling(app: &TestApp, staff: &Caller, building: Uuid, room: &str) -> Uuid {
    app.dwelling(staff, building, room).await
}

#[tokio::test]
async fn dwellings_keep_exact_areas_and_valid_units() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let b = building(&app, &staff, app.tree.a1, "和韵小区").await;
    let body = app
        .gql(
            Some(&staff),
            CREATE,
            json!({ "b": b, "u": 2, "r": " 301 ", "a": "89.5" }),
        )
        .await;
    let d = &data(&body)["createDwelling"]["dwelling"];
    assert_eq!(
        (d["unit"].clone(), d["room"].clone(), d["floorArea"].clone()),
        (json!(2), json!("301"), json!("89.50"))
    );
    let id = d["id"].clone();

    let cases = [
        (
            json!({ "b": b, "u": 4, "r": "101", "a": "50" }),
            "BAD_USER_INPUT",
            Some("input.unit"),
        ),
        (
            json!({ "b": b, "u": 1, "r": "101", "a": "0" }),
            "BAD_USER_INPUT",
            Some("input.floorArea"),
        ),
        (
            json!({ "b": b, "u": 1, "r": "101", "a": "1.234" }),
            "BAD_USER_INPUT",
            None,
        ),
        (
            json!({ "b": b, "u": 1, "r": "  ", "a": null }),
            "BAD_USER_INPUT",
            Some("input.room"),
        ),
        (
            json!({ "b": b, "u": 2, "r": "301", "a": null }),
            "CONFLICT",
            None,
        ),
    ];
    for (variables, code, field) in cases {
        let body = app.gql(Some(&staff), CREATE, variables.clone()).await;
        assert_eq!(error_code(&body), Some(code), "{variables}: {body}");
        if let Some(field) = field {
            assert_eq!(body["errors"][0]["extensions"]["field"], field);
        }
    }
    // An explicit null clears a wrong area; leaving it out keeps it.
    let update = "mutation($id: ID!, $a: Area) { updateDwelling(input: {id: $id, floorArea: $a}) { dwelling { floorArea } } }";
    let body = app
        .gql(Some(&staff), update, json!({ "id": id, "a": null }))
        .await;
    assert!(data(&body)["updateDwelling"]["dwelling"]["floorArea"].is_null());
    let body = app.gql(Some(&staff), "mutation($id: ID!) { updateDwelling(input: {id: $id, room: \"302\"}) { dwelling { room floorArea } } }", json!({ "id": id })).await;
    assert_eq!(
        data(&body)["updateDwelling"]["dwelling"],
        json!({ "room": "302", "floorArea": null })
    );

    // Archiving the building archives its dwellings.
    let body = app
        .gql(
            Some(&staff),
            "mutation($id: ID!) { archiveBuilding(input: {id: $id}) { building { id } } }",
            json!({ "id": b }),
        )
        .await;
    data(&body);
    let list = app.gql(Some(&staff), "{ dwellings { totalCount } all: dwellings(filter: {includeArchived: true}) { totalCount } }", json!({})).await;
    assert_eq!(
        (
            data(&list)["dwellings"]["totalCount"].clone(),
            list["data"]["all"]["totalCount"].clone()
        ),
        (json!(0), json!(1))
    );
}

#[tokio::test]
async fn dwellings_filter_by_compound_building_and_grid() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let b1 = building(&app, &admin, app.tree.a1, "和韵小区").await;
    let b2 = building(&app, &admin, app.tree.a1, "芳华小区").await;
    for room in ["101", "102"] {
        dwelling(&app, &admin, b1, room).await;
    }
    dwelling(&app, &admin, b2, "201").await;
    let assign = "mutation($g: ID!, $b: [ID!]!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: $b}) { grid { id } } }";
    data(
        &app.gql(
            Some(&admin),
            assign,
            json!({ "g": app.tree.grid_a1, "b": [b2] }),
        )
        .await,
    );
    let query = "query($f: DwellingFilter) { dwellings(filter: $f) { totalCount edges { node { room } } } }";
    for (filter, rooms) in [
        (json!({ "buildingId": b1 }), vec!["101", "102"]),
        (json!({ "gridId": app.tree.grid_a1 }), vec!["201"]),
        (json!({}), vec!["101", "102", "201"]),
    ] {
        let body = app.gql(Some(&admin), query, json!({ "f": filter })).await;
        let got: Vec<&str> = data(&body)["dwellings"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["room"].as_str().unwrap())
            .collect();
        assert_eq!(got, rooms, "{filter}");
    }
}

#[tokio::test]
async fn dwellings_are_out_of_reach_for_other_communities_and_read_only_below_staff() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let b = building(&app, &staff, t.a1, "和韵小区").await;
    let d = dwelling(&app, &staff, b, "CANARY-101").await;
    let writes = [
        (CREATE, json!({ "b": b, "u": 1, "r": "999", "a": null })),
        (
            "mutation($id: ID!) { updateDwelling(input: {id: $id, room: \"x\"}) { dwelling { id } } }",
            json!({ "id": d }),
        ),
        (
            "mutation($id: ID!) { archiveDwelling(input: {id: $id}) { dwelling { id } } }",
            json!({ "id": d }),
        ),
    ];
    let outsiders = [
        app.caller(Role::CommunityStaff, Scope::Community(t.a2))
            .await,
        app.caller(Role::CommunityAdmin, Scope::Community(t.b1))
            .await,
    ];
    for outsider in &outsiders {
        let body = app
            .gql(
                Some(outsider),
                "query($id: ID!) { dwelling(id: $id) { room } }",
                json!({ "id": d }),
            )
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        for (query, variables) in &writes {
            assert_eq!(
                error_code(&app.gql(Some(outsider), query, variables.clone()).await),
                Some("NOT_FOUND"),
                "{query}"
            );
        }
        let list = app
            .gql(
                Some(outsider),
                "{ dwellings { edges { node { room } } } }",
                json!({}),
            )
            .await;
        assert!(!list.to_string().contains("CANARY"));
    }
    let resident = app
        .caller(Role::Resident, Scope::Below(t.a1, Uuid::now_v7()))
        .await;
    let worker = app
        .caller(Role::GridWorker, Scope::Below(t.a1, t.grid_a1))
        .await;
    for reader in [&resident, &worker] {
        for (query, variables) in &writes {
            assert_eq!(
                error_code(&app.gql(Some(reader), query, variables.clone()).await),
                Some("FORBIDDEN"),
                "{query}"
            );
        }
    }

    // The database refuses a B1 dwelling in an A1 building, even directly.
    let row = |community: Uuid| entity::dwelling::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        building_id: Set(b),
        unit: Set(1),
        room: Set(format!("direct-{community}")),
        floor_area_hundredths: Set(None),
        created_at: Set(chrono::Utc::now()),
        archived_at: Set(None),
    };
    assert!(row(t.b1).insert(app.db().writer()).await.is_err());
    row(t.a1).insert(app.db().writer()).await.unwrap();
}

#[tokio::test]
async fn dwelling_pages_cost_the_same_statements_whatever_their_size() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let query = "{ dwellings(first: 100) { edges { node { room building { number grid { name } compound { name } } } } } }";
    let mut costs = Vec::new();
    for (round, count) in [(0, 2), (1, 30)] {
        for i in 0..count {
            let b = building(&app, &admin, app.tree.a1, &format!("小区{round}-{i}")).await;
            dwelling(&app, &admin, b, "101").await;
        }
        let before = app.db().statement_count();
        data(&app.gql(Some(&admin), query, json!({})).await);
        costs.push(app.db().statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}
