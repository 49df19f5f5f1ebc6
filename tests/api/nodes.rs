//! Global object identification: `node(id:)` and `nodes(ids:)` refetch any object with
//! exactly the reach of the object's own root field, for every kind of caller.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    helpers::{Caller, TestApp, data, error_code},
    org::demo_login,
};

const NODE: &str = "query($id: ID!) { node(id: $id) { __typename id } }";

/// What a caller got: the data, or the error code.
fn outcome(body: &Value) -> String {
    error_code(body).map_or_else(|| "OK".to_owned(), str::to_owned)
}

/// One object to refetch: its type, its ID, and the root field that serves it (for a
/// fund's parts and a committee, the parent's field and the parent's ID).
struct Probe {
    typename: &'static str,
    id: Value,
    root: &'static str,
    root_id: Value,
    through_parent: bool,
}

fn ids(list: &Value) -> Vec<Value> {
    list["nodes"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|n| n["id"].clone())
        .collect()
}

async fn demo_app() -> (TestApp, Vec<Caller>) {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let mut callers = Vec::new();
    for login in &demo.logins {
        callers.push(demo_login(&app, login).await);
    }
    (app, callers)
}

fn caller<'a>(callers: &'a [Caller], username: &str) -> &'a Caller {
    callers.iter().find(|c| c.username == username).unwrap()
}

/// One object of every kind the demo holds, found through the lists as the street office.
async fn probes(app: &TestApp, callers: &[Caller]) -> Vec<Probe> {
    let street = caller(callers, "demo.street");
    let treasurer = caller(callers, "demo.treasurer");
    let staff = caller(callers, "demo.xingfu.staff");
    let mut probes = Vec::new();
    let mut add = |typename, id: Value, root, root_id: Option<Value>| {
        probes.push(Probe {
            typename,
            root_id: root_id.clone().unwrap_or_else(|| id.clone()),
            through_parent: root_id.is_some(),
            id,
            root,
        });
    };
    let body = app.gql(Some(street), "{ streetOffices { nodes { id } } communities { nodes { id } } compounds { nodes { id buildings { id } } } grids { nodes { id } } dwellings(first: 1) { nodes { id } } users(first: 1) { nodes { id } } }", json!({})).await;
    let d = data(&body);
    add(
        "StreetOffice",
        ids(&d["streetOffices"])[0].clone(),
        "query($id: ID!) { streetOffice(id: $id) { id } }",
        None,
    );
    add(
        "Dwelling",
        ids(&d["dwellings"])[0].clone(),
        "query($id: ID!) { dwelling(id: $id) { id } }",
        None,
    );
    add(
        "Grid",
        ids(&d["grids"])[0].clone(),
        "query($id: ID!) { grid(id: $id) { id } }",
        None,
    );
    add(
        "User",
        ids(&d["users"])[0].clone(),
        "query($id: ID!) { user(id: $id) { id } }",
        None,
    );
    let communities = ids(&d["communities"]);
    let compounds = d["compounds"]["nodes"].as_array().unwrap().clone();
    for community in &communities {
        add(
            "Community",
            community.clone(),
            "query($id: ID!) { community(id: $id) { id } }",
            None,
        );
    }
    add(
        "Building",
        compounds[0]["buildings"][0]["id"].clone(),
        "query($id: ID!) { building(id: $id) { id } }",
        None,
    );

    let body = app.gql(Some(staff), "{ residents(first: 1) { nodes { id household { id } } } requests(first: 1) { nodes { id } } }", json!({})).await;
    let d = data(&body);
    let resident = &d["residents"]["nodes"][0];
    add(
        "Resident",
        resident["id"].clone(),
        "query($id: ID!) { resident(id: $id) { id } }",
        None,
    );
    add(
        "Household",
        resident["household"]["id"].clone(),
        "query($id: ID!) { household(id: $id) { id } }",
        None,
    );
    add(
        "ServiceRequest",
        ids(&d["requests"])[0].clone(),
        "query($id: ID!) { request(id: $id) { id } }",
        None,
    );
    for community in &communities {
        let body = app.gql(Some(staff), "query($c: ID!) { announcements(communityId: $c) { nodes { id } } mediationCases(communityId: $c) { nodes { id } } }", json!({ "c": community })).await;
        if let Some(d) = body.get("data").filter(|d| !d.is_null()) {
            for id in ids(&d["announcements"]).into_iter().take(1) {
                add(
                    "Announcement",
                    id,
                    "query($id: ID!) { announcement(id: $id) { id } }",
                    None,
                );
            }
            for id in ids(&d["mediationCases"]).into_iter().take(1) {
                add(
                    "MediationCase",
                    id,
                    "query($id: ID!) { mediationCase(id: $id) { id } }",
                    None,
                );
            }
        }
    }
    for compound in &compounds {
        let c = compound["id"].clone();
        let body = app.gql(Some(treasurer), "query($c: ID!) { committee(compoundId: $c) { id } fundsOfCompound(compoundId: $c) { nodes { id ledger(first: 1) { nodes { id } } statements(first: 1) { nodes { id } } levies(first: 1) { nodes { id } } } } meetingsOfCompound(compoundId: $c) { nodes { id motions { id } } } }", json!({ "c": c })).await;
        // A compound out of the treasurer's reach: its fields are refused.
        if body.get("errors").is_some() {
            continue;
        }
        let d = &body["data"];
        add(
            "Compound",
            c.clone(),
            "query($id: ID!) { compound(id: $id) { id } }",
            None,
        );
        if !d["committee"].is_null() {
            add(
                "Committee",
                d["committee"]["id"].clone(),
                "query($id: ID!) { committee(compoundId: $id) { id } }",
                Some(c.clone()),
            );
        }
        for fund in d["fundsOfCompound"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .take(1)
        {
            let f = fund["id"].clone();
            // The demo's funds have no expense yet: the treasurer drafts one.
            let draft =
                "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
            let input = json!({ "fundId": f, "payeeName": "李师傅", "amount": "120.00", "purpose": "换楼道灯" });
            let body = app
                .gql(Some(treasurer), draft, json!({ "in": input }))
                .await;
            let expense = data(&body)["draftExpense"]["expense"]["id"].clone();
            add(
                "Expense",
                expense,
                "query($id: ID!) { expense(id: $id) { id } }",
                None,
            );
            add(
                "Fund",
                f.clone(),
                "query($id: ID!) { fund(id: $id) { id } }",
                None,
            );
            let fund_root = "query($id: ID!) { fund(id: $id) { id } }";
            for (typename, list) in [
                ("LedgerEntry", "ledger"),
                ("PublishedStatement", "statements"),
                ("Levy", "levies"),
            ] {
                for id in ids(&fund[list]) {
                    add(typename, id, fund_root, Some(f.clone()));
                }
            }
        }
        for meeting in d["meetingsOfCompound"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .take(1)
        {
            add(
                "Meeting",
                meeting["id"].clone(),
                "query($id: ID!) { meeting(id: $id) { id } }",
                None,
            );
            for motion in meeting["motions"].as_array().unwrap().iter().take(1) {
                add(
                    "Motion",
                    motion["id"].clone(),
                    "query($id: ID!) { motion(id: $id) { id } }",
                    None,
                );
            }
        }
    }
    probes
}

#[tokio::test]
async fn node_refetches_every_kind_of_object_with_the_reach_of_its_own_field() {
    let (app, callers) = demo_app().await;
    let probes = probes(&app, &callers).await;
    let kinds: BTreeSet<&str> = probes.iter().map(|p| p.typename).collect();
    assert_eq!(kinds.len(), 20, "every kind of node: {kinds:?}");
    let (mut served, mut refused) = (0, 0);
    for probe in &probes {
        for who in &callers {
            let root = outcome(
                &app.gql(Some(who), probe.root, json!({ "id": probe.root_id }))
                    .await,
            );
            let body = app.gql(Some(who), NODE, json!({ "id": probe.id })).await;
            let node = outcome(&body);
            let expected = match (probe.through_parent, root.as_str()) {
                // A committee field answers null without an error where there is none.
                (true, "OK") | (false, _) => root.clone(),
                (true, _) => "NOT_FOUND".to_owned(),
            };
            assert_eq!(
                node, expected,
                "{} {} as {}",
                probe.typename, probe.id, who.username
            );
            if node == "OK" {
                served += 1;
                assert_eq!(
                    data(&body)["node"],
                    json!({ "__typename": probe.typename, "id": probe.id })
                );
            } else {
                refused += 1;
                // `"node": null` beside the error, not `data: null` or a missing key.
                assert_eq!(body["data"].get("node"), Some(&Value::Null), "{body}");
            }
        }
    }
    assert!(
        served > 0 && refused > 0,
        "served {served}, refused {refused}"
    );
}

#[tokio::test]
async fn nodes_answers_in_order_with_null_and_an_error_where_out_of_reach() {
    let (app, callers) = demo_app().await;
    let street = caller(&callers, "demo.street");
    let guangming = caller(&callers, "demo.guangming.admin");
    let body = app
        .gql(
            Some(street),
            "{ communities { nodes { id name } } }",
            json!({}),
        )
        .await;
    let communities = data(&body)["communities"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    let xingfu = communities
        .iter()
        .find(|c| c["name"] == "幸福里社区")
        .unwrap()["id"]
        .clone();
    let own = communities
        .iter()
        .find(|c| c["name"] == "光明社区")
        .unwrap()["id"]
        .clone();
    let unknown = uuid::Uuid::now_v7().to_string();
    let query = "query($ids: [ID!]!) { nodes(ids: $ids) { id ... on Community { name } } }";
    let vars = json!({ "ids": [own, xingfu, "not-an-id", unknown] });
    let body = app.gql(Some(guangming), query, vars).await;
    assert_eq!(
        body["data"]["nodes"],
        json!([{ "id": own, "name": "光明社区" }, null, null, null])
    );
    let errors = body["errors"].as_array().unwrap();
    let at: Vec<(Value, Value)> = errors
        .iter()
        .map(|e| (e["path"].clone(), e["extensions"]["code"].clone()))
        .collect();
    assert_eq!(
        at,
        [1, 2, 3]
            .map(|i| (json!(["nodes", i]), json!("NOT_FOUND")))
            .to_vec(),
        "the other community's ID looks like an unknown one"
    );
    let many: Vec<String> = (0..101).map(|_| unknown.clone()).collect();
    let body = app
        .gql(Some(guangming), query, json!({ "ids": many }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app.gql(None, NODE, json!({ "id": own })).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));
}

#[tokio::test]
async fn a_node_costs_its_own_field_and_one_statement_more() {
    let (app, callers) = demo_app().await;
    let staff = caller(&callers, "demo.xingfu.staff");
    let body = app
        .gql(
            Some(staff),
            "{ residents(first: 1) { nodes { id } } }",
            json!({}),
        )
        .await;
    let id = data(&body)["residents"]["nodes"][0]["id"].clone();
    let (body, direct) = app
        .gql_cost(
            staff,
            "query($id: ID!) { resident(id: $id) { name phone } }",
            json!({ "id": id }),
        )
        .await;
    let name = data(&body)["resident"]["name"].clone();
    let (body, through_node) = app
        .gql_cost(
            staff,
            "query($id: ID!) { node(id: $id) { ... on Resident { name phone } } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(data(&body)["node"]["name"], name);
    assert_eq!(through_node, direct + 1, "one statement finds the table");
}
