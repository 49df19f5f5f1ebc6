//! The registry's compounds and buildings: who keeps them, isolation between communities
//! (down to the database's composite keys), archiving, and batched reads.

use entity::role_grant::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

const CREATE_COMPOUND: &str = "mutation($c: ID!, $n: String!) { createCompound(input: {communityId: $c, name: $n, address: \"幸福路1号\"}) { compound { id name hasPropertyCompany permissions { canEdit } } } }";
const CREATE_BUILDING: &str = "mutation($c: ID!, $n: String!) { createBuilding(input: {compoundId: $c, number: $n, units: 3, floors: 6}) { building { id number compound { name } } } }";

async fn compound(app: &TestApp, staff: &Caller, community: Uuid, name: &str) -> Uuid {
    let body = app
        .gql(
            Some(staff),
            CREATE_COMPOUND,
            json!({ "c": community, "n": name }),
        )
        .await;
    Uuid::parse_str(
        data(&body)["createCompound"]["compound"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

async fn building(app: &TestApp, staff: &Caller, compound: Uuid, number: &str) -> Uuid {
    let body = app
        .gql(
            Some(staff),
            CREATE_BUILDING,
            json!({ "c": compound, "n": number }),
        )
        .await;
    Uuid::parse_str(
        data(&body)["createBuilding"]["building"]["id"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

#[tokio::test]
async fn staff_keep_compounds_and_buildings_of_their_community() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let id = compound(&app, &staff, app.tree.a1, "和韵小区").await;
    let b23 = building(&app, &staff, id, "23").await;
    building(&app, &staff, id, "24").await;

    let body = app.gql(Some(&staff), "query($id: ID!) { compound(id: $id) { name address community { name } buildings { number units floors } permissions { canEdit canArchive } } }", json!({ "id": id })).await;
    let c = &data(&body)["compound"];
    assert_eq!(c["community"]["name"], "A1社区");
    assert_eq!(
        c["buildings"],
        json!([{ "number": "23", "units": 3, "floors": 6 }, { "number": "24", "units": 3, "floors": 6 }])
    );
    assert_eq!(
        c["permissions"],
        json!({ "canEdit": true, "canArchive": true })
    );

    let body = app.gql(Some(&staff), "mutation($id: ID!) { updateCompound(input: {id: $id, hasPropertyCompany: true}) { compound { name hasPropertyCompany } } }", json!({ "id": id })).await;
    assert_eq!(
        data(&body)["updateCompound"]["compound"],
        json!({ "name": "和韵小区", "hasPropertyCompany": true })
    );
    let body = app.gql(Some(&staff), "mutation($id: ID!) { updateBuilding(input: {id: $id, floors: 0}) { building { floors } } }", json!({ "id": b23 })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.floors");

    let dup = app
        .gql(
            Some(&staff),
            CREATE_COMPOUND,
            json!({ "c": app.tree.a1, "n": "和韵小区" }),
        )
        .await;
    assert_eq!(error_code(&dup), Some("CONFLICT"));
    let dup = app
        .gql(Some(&staff), CREATE_BUILDING, json!({ "c": id, "n": "23" }))
        .await;
    assert_eq!(error_code(&dup), Some("CONFLICT"));

    // Archiving keeps the rows and takes them out of the default lists.
    let body = app.gql(Some(&staff), "mutation($id: ID!) { archiveCompound(input: {id: $id}) { compound { archivedAt buildings(includeArchived: true) { archivedAt } } } }", json!({ "id": id })).await;
    let archived = &data(&body)["archiveCompound"]["compound"];
    assert!(archived["archivedAt"].is_string());
    assert!(
        archived["buildings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|b| b["archivedAt"].is_string())
    );
    let list = app
        .gql(
            Some(&staff),
            "{ compounds { totalCount } all: compounds(includeArchived: true) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&list)["compounds"]["totalCount"], 0);
    assert_eq!(list["data"]["all"]["totalCount"], 1);
    let body = app
        .gql(Some(&staff), CREATE_BUILDING, json!({ "c": id, "n": "25" }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
}

#[tokio::test]
async fn other_communities_and_small_roles_cannot_read_or_change_the_registry() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let id = compound(&app, &staff, t.a1, "CANARY-和韵小区").await;
    let b = building(&app, &staff, id, "CANARY-23").await;

    let a2_staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a2))
        .await;
    let b1_admin = app
        .caller(Role::CommunityAdmin, Scope::Community(t.b1))
        .await;
    let street_b = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.b))
        .await;
    let mutations: [(&str, Value); 6] = [
        (
            "mutation($id: ID!) { updateCompound(input: {id: $id, name: \"x\"}) { compound { id } } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { archiveCompound(input: {id: $id}) { compound { id } } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { updateBuilding(input: {id: $id, units: 2}) { building { id } } }",
            json!({ "id": b }),
        ),
        (
            "mutation($id: ID!) { archiveBuilding(input: {id: $id}) { building { id } } }",
            json!({ "id": b }),
        ),
        (CREATE_BUILDING, json!({ "c": id, "n": "99" })),
        (CREATE_COMPOUND, json!({ "c": t.a1, "n": "偷建小区" })),
    ];
    for outsider in [&a2_staff, &b1_admin, &street_b] {
        for (query, variables) in [
            (
                "query($id: ID!) { compound(id: $id) { name } }",
                json!({ "id": id }),
            ),
            (
                "query($id: ID!) { building(id: $id) { number } }",
                json!({ "id": b }),
            ),
        ] {
            assert_eq!(
                error_code(&app.gql(Some(outsider), query, variables).await),
                Some("NOT_FOUND")
            );
        }
        for (query, variables) in &mutations {
            let body = app.gql(Some(outsider), query, variables.clone()).await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        }
        let list = app
            .gql(
                Some(outsider),
                "{ compounds { edges { node { name buildings { number } } } } }",
                json!({}),
            )
            .await;
        assert!(!list.to_string().contains("CANARY"), "{list}");
    }

    // Inside the community, roles below staff and the street admin above read but do not
    // change the registry.
    let resident = app
        .caller(Role::Resident, Scope::Below(t.a1, Uuid::now_v7()))
        .await;
    let treasurer = app
        .caller(Role::Treasurer, Scope::Below(t.a1, Uuid::now_v7()))
        .await;
    let street_a = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    for reader in [&resident, &treasurer, &street_a] {
        let body = app
            .gql(
                Some(reader),
                "query($id: ID!) { compound(id: $id) { name permissions { canEdit } } }",
                json!({ "id": id }),
            )
            .await;
        assert_eq!(data(&body)["compound"]["permissions"]["canEdit"], false);
        for (query, variables) in &mutations {
            let body = app.gql(Some(reader), query, variables.clone()).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}");
        }
    }
}

#[tokio::test]
async fn the_database_refuses_a_building_pointing_into_another_community() {
    let app = TestApp::new().await;
    let staff_a1 = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let staff_b1 = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let compound_b1 = compound(&app, &staff_b1, app.tree.b1, "B1小区").await;
    compound(&app, &staff_a1, app.tree.a1, "A1小区").await;
    // Straight to the table, past every service check.
    let row = |community: Uuid| entity::building::ActiveModel {
        id: Set(Uuid::now_v7()),
        community_id: Set(community),
        compound_id: Set(compound_b1),
        number: Set(format!("direct-{community}")),
        units: Set(1),
        floors: Set(1),
        created_at: Set(chrono::Utc::now()),
        archived_at: Set(None),
    };
    let refused = row(app.tree.a1).insert(app.db().writer()).await;
    assert!(
        refused.is_err(),
        "a community-A1 building in a community-B1 compound must be refused"
    );
    // The same row with the compound's own community is accepted: the key is what refused.
    row(app.tree.b1).insert(app.db().writer()).await.unwrap();
}

#[tokio::test]
async fn compounds_with_buildings_cost_the_same_statements_whatever_their_number() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let query = "{ compounds(first: 100) { edges { node { name community { name } buildings { number compound { name } } } } } }";
    let mut costs = Vec::new();
    for (round, count) in [(0, 2), (1, 25)] {
        for i in 0..count {
            let id = compound(&app, &staff, app.tree.a1, &format!("小区{round}-{i}")).await;
            for n in 1..=3 {
                building(&app, &staff, id, &n.to_string()).await;
            }
        }
        let before = app.db().statement_count();
        data(&app.gql(Some(&staff), query, json!({})).await);
        costs.push(app.db().statement_count() - before);
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
    assert!(costs[1] <= 9, "{costs:?}");
}
