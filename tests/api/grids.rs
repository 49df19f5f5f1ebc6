//! Grids: community admins define them over buildings; a building is in one grid at a
//! time; grid workers are grants on a grid.

use entity::role_grant::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

const ASSIGN: &str = "mutation($g: ID!, $b: [ID!]!) { assignBuildingsToGrid(input: {gridId: $g, buildingIds: $b}) { grid { name buildings { number grid { name } } } } }";

async fn building(
    app: &TestApp,
    staff: &Caller,
    community: Uuid,
    name: &str,
    number: &str,
) -> Uuid {
    let body = app
        .gql(Some(staff), "mutation($c: ID!, $n: String!) { createCompound(input: {communityId: $c, name: $n}) { compound { id } } }", json!({ "c": community, "n": name }))
        .await;
    let compound = body["data"]["createCompound"]["compound"]["id"].clone();
    let compound = if compound.is_null() {
        // Created before in this test: look it up by name.
        let list = app
            .gql(
                Some(staff),
                "{ compounds(first: 100) { edges { node { id name } } } }",
                json!({}),
            )
            .await;
        list["data"]["compounds"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["node"]["name"] == name)
            .unwrap()["node"]["id"]
            .clone()
    } else {
        compound
    };
    let body = app
        .gql(Some(staff), "mutation($c: ID!, $n: String!) { createBuilding(input: {compoundId: $c, number: $n, units: 2, floors: 6}) { building { id } } }", json!({ "c": compound, "n": number }))
        .await;
    Uuid::parse_str(
        data(&body)["createBuilding"]["building"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

async fn grid(app: &TestApp, admin: &Caller, community: Uuid, name: &str) -> Uuid {
    let body = app
        .gql(Some(admin), "mutation($c: ID!, $n: String!) { createGrid(input: {communityId: $c, name: $n}) { grid { id } } }", json!({ "c": community, "n": name }))
        .await;
    Uuid::parse_str(data(&body)["createGrid"]["grid"]["id"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn admins_define_grids_and_a_building_is_in_one_grid_at_a_time() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let b23 = building(&app, &admin, t.a1, "和韵小区", "23").await;
    let b24 = building(&app, &admin, t.a1, "和韵小区", "24").await;
    let g2 = grid(&app, &admin, t.a1, "第2网格").await;
    let g3 = grid(&app, &admin, t.a1, "第3网格").await;

    let body = app
        .gql(Some(&admin), ASSIGN, json!({ "g": g2, "b": [b23, b24] }))
        .await;
    assert_eq!(
        data(&body)["assignBuildingsToGrid"]["grid"]["buildings"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    // Moving 24 to grid 3 takes it out of grid 2.
    let body = app
        .gql(Some(&admin), ASSIGN, json!({ "g": g3, "b": [b24] }))
        .await;
    assert_eq!(
        data(&body)["assignBuildingsToGrid"]["grid"]["buildings"],
        json!([{ "number": "24", "grid": { "name": "第3网格" } }])
    );
    let body = app
        .gql(
            Some(&admin),
            "query($id: ID!) { grid(id: $id) { buildings { number } } }",
            json!({ "id": g2 }),
        )
        .await;
    assert_eq!(
        data(&body)["grid"]["buildings"],
        json!([{ "number": "23" }])
    );

    // A grid worker is a grant on the grid, listed on it.
    let worker = app.user("wang.wanggeyuan", Scope::Community(t.a1)).await;
    let grant = app
        .gql(Some(&admin), "mutation($u: ID!, $g: ID!) { grantRole(input: {userId: $u, role: GRID_WORKER, scopeId: $g}) { grant { scopeName communityId } } }", json!({ "u": worker, "g": g3 }))
        .await;
    assert_eq!(
        data(&grant)["grantRole"]["grant"]["communityId"],
        t.a1.to_string()
    );
    assert_eq!(data(&grant)["grantRole"]["grant"]["scopeName"], "第3网格");
    let body = app
        .gql(
            Some(&admin),
            "query($id: ID!) { grid(id: $id) { workers { displayName } permissions { canEdit } } }",
            json!({ "id": g3 }),
        )
        .await;
    assert_eq!(
        data(&body)["grid"]["workers"],
        json!([{ "displayName": "wang.wanggeyuan 显示名" }])
    );
    assert_eq!(body["data"]["grid"]["permissions"]["canEdit"], true);

    let body = app.gql(Some(&admin), "mutation($b: ID!) { releaseBuildingFromGrid(input: {buildingId: $b}) { building { grid { name } } } }", json!({ "b": b23 })).await;
    assert!(data(&body)["releaseBuildingFromGrid"]["building"]["grid"].is_null());
    let again = app.gql(Some(&admin), "mutation($b: ID!) { releaseBuildingFromGrid(input: {buildingId: $b}) { building { id } } }", json!({ "b": b23 })).await;
    assert_eq!(error_code(&again), Some("CONFLICT"));

    let body = app.gql(Some(&admin), "mutation($g: ID!) { archiveGrid(input: {id: $g}) { grid { archivedAt buildings { number } } } }", json!({ "g": g3 })).await;
    assert_eq!(data(&body)["archiveGrid"]["grid"]["buildings"], json!([]));
    let body = app
        .gql(
            Some(&admin),
            "{ grids { edges { node { name } } } }",
            json!({}),
        )
        .await;
    let names: Vec<&str> = data(&body)["grids"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["第1网格", "第2网格"]);
    let renamed = app
        .gql(
            Some(&admin),
            "mutation($g: ID!) { renameGrid(input: {id: $g, name: \"第1网格\"}) { grid { id } } }",
            json!({ "g": g2 }),
        )
        .await;
    assert_eq!(error_code(&renamed), Some("CONFLICT"));
}

#[tokio::test]
async fn grids_are_out_of_reach_for_other_communities_and_staff_cannot_define_them() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let b23 = building(&app, &admin, t.a1, "和韵小区", "23").await;
    let admin_b1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.b1))
        .await;
    let b1_building = building(&app, &admin_b1, t.b1, "B1小区", "1").await;

    // Another community's admin: NOT_FOUND for every ID of A1.
    for (query, variables) in [
        (
            "query($id: ID!) { grid(id: $id) { name } }",
            json!({ "id": t.grid_a1 }),
        ),
        (
            "mutation($id: ID!) { renameGrid(input: {id: $id, name: \"x\"}) { grid { id } } }",
            json!({ "id": t.grid_a1 }),
        ),
        (
            "mutation($id: ID!) { archiveGrid(input: {id: $id}) { grid { id } } }",
            json!({ "id": t.grid_a1 }),
        ),
        (ASSIGN, json!({ "g": t.grid_a1, "b": [b23] })),
        (
            "mutation($b: ID!) { releaseBuildingFromGrid(input: {buildingId: $b}) { building { id } } }",
            json!({ "b": b23 }),
        ),
        (
            "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"x\"}) { grid { id } } }",
            json!({ "c": t.a1 }),
        ),
    ] {
        let body = app.gql(Some(&admin_b1), query, variables).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    // Nor can A1's admin put B1's building into an A1 grid.
    let body = app
        .gql(
            Some(&admin),
            ASSIGN,
            json!({ "g": t.grid_a1, "b": [b1_building] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // Staff, grid workers and the street admin see grids but do not define them.
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let worker = app
        .caller(Role::GridWorker, Scope::Below(t.a1, t.grid_a1))
        .await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    for caller in [&staff, &worker, &street] {
        let body = app
            .gql(
                Some(caller),
                "query($id: ID!) { grid(id: $id) { name permissions { canEdit } } }",
                json!({ "id": t.grid_a1 }),
            )
            .await;
        assert_eq!(data(&body)["grid"]["permissions"]["canEdit"], false);
        let body = app
            .gql(Some(caller), ASSIGN, json!({ "g": t.grid_a1, "b": [b23] }))
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let body = app.gql(Some(caller), "mutation($c: ID!) { createGrid(input: {communityId: $c, name: \"x\"}) { grid { id } } }", json!({ "c": t.a1 })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        for (query, variables) in [
            (
                "mutation($id: ID!) { renameGrid(input: {id: $id, name: \"x\"}) { grid { id } } }",
                json!({ "id": t.grid_a1 }),
            ),
            (
                "mutation($id: ID!) { archiveGrid(input: {id: $id}) { grid { id } } }",
                json!({ "id": t.grid_a1 }),
            ),
            (
                "mutation($b: ID!) { releaseBuildingFromGrid(input: {buildingId: $b}) { building { id } } }",
                json!({ "b": b23 }),
            ),
        ] {
            let body = app.gql(Some(caller), query, variables).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}");
        }
    }

    // The database refuses linking a B1 building to an A1 grid, even directly.
    let row = |community: Uuid, grid: Uuid| entity::grid_building::ActiveModel {
        building_id: Set(b1_building),
        community_id: Set(community),
        grid_id: Set(grid),
        assigned_at: Set(chrono::Utc::now()),
    };
    assert!(
        row(t.a1, t.grid_a1)
            .insert(app.db().writer())
            .await
            .is_err()
    );
    assert!(
        row(t.b1, t.grid_a1)
            .insert(app.db().writer())
            .await
            .is_err()
    );
    row(t.b1, t.grid_b1)
        .insert(app.db().writer())
        .await
        .unwrap();
}

#[tokio::test]
async fn grid_lists_cost_the_same_statements_whatever_their_size() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let query = "{ grids(first: 100) { edges { node { name buildings { number grid { name } } workers { displayName } } } } }";
    let mut costs = Vec::new();
    for (round, count) in [(0, 1), (1, 12)] {
        for i in 0..count {
            let g = grid(&app, &admin, app.tree.a1, &format!("网格{round}-{i}")).await;
            let b = building(&app, &admin, app.tree.a1, &format!("小区{round}-{i}"), "1").await;
            data(
                &app.gql(Some(&admin), ASSIGN, json!({ "g": g, "b": [b] }))
                    .await,
            );
            let worker = app
                .user(&format!("w{round}x{i}"), Scope::Community(app.tree.a1))
                .await;
            app.grant(worker, Role::GridWorker, Scope::Below(app.tree.a1, g))
                .await;
        }
        let before = app.db().statement_count();
        data(&app.gql(Some(&admin), query, json!({})).await);
        costs.push(app.db().statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}
