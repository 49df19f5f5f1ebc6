//! Households and residents: validated, encrypted at rest, masked by default, revealed one
//! field at a time with a reason, every read of personal data audited, and nothing of it
//! visible to other communities or to roles that do not need it.

use entity::{audit_entry, resident, role_grant::Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{Caller, Scope, TestApp, data, error_code};

/// The textbook GB 11643 number (born 1949-12-31, female).
pub const ID_NUMBER: &str = "11010519491231002X";
pub const CREATE: &str = "mutation($in: CreateResidentInput!) { createResident(input: $in) { resident { id name gender birthDate documentNumber phone tags } } }";

/// A household in a new dwelling of `community`, created by `staff`.
pub async fn household(app: &TestApp, staff: &Caller, community: Uuid, compound: &str) -> Value {
    let building = app.compound_with_building(staff, community, compound).await;
    let dwelling = app.dwelling(staff, building, "301").await;
    let create = "mutation($d: ID!) { createHousehold(input: {dwellingId: $d, tenure: OWNER_OCCUPIED}) { household { id tenure } } }";
    let body = app.gql(Some(staff), create, json!({ "d": dwelling })).await;
    data(&body)["createHousehold"]["household"]["id"].clone()
}

pub fn resident_input(household: &Value, name: &str, number: &str, phone: &str) -> Value {
    json!({ "in": { "householdId": household, "name": name, "documentType": "MAINLAND_ID_CARD", "documentNumber": number, "phone": phone, "relation": "HEAD", "tags": ["ELDERLY_ALONE"] } })
}

#[tokio::test]
async fn residents_are_validated_encrypted_and_masked() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let body = app
        .gql(
            Some(&staff),
            CREATE,
            resident_input(&h, "王秀英", "11010519491231002x", "138 0013 5678"),
        )
        .await;
    let r = &data(&body)["createResident"]["resident"];
    assert_eq!(r["gender"], "FEMALE");
    assert_eq!(r["birthDate"], "1949-12-31");
    assert_eq!(r["documentNumber"], "110***********002X");
    assert_eq!(r["phone"], "138****5678");
    let id = Uuid::parse_str(r["id"].as_str().unwrap()).unwrap();

    // At rest: neither the number nor the phone is in the row.
    let row = resident::Entity::find_by_id(id)
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap();
    let stored = format!("{row:?}");
    assert!(
        !stored.contains("11010519491231002X") && !stored.contains("13800135678"),
        "{stored}"
    );

    let cases = [
        (
            resident_input(&h, "李四", "1.10105E+17", ""),
            "BAD_USER_INPUT",
            "Excel",
        ),
        (
            resident_input(&h, "李四", "110105194912310021", ""),
            "BAD_USER_INPUT",
            "check",
        ),
        (
            {
                let mut v = resident_input(&h, "李四", "", "12345");
                v["in"]["documentType"] = json!("NONE");
                v
            },
            "BAD_USER_INPUT",
            "mobile",
        ),
        (
            resident_input(&h, "李四", ID_NUMBER, ""),
            "CONFLICT",
            "document number",
        ),
    ];
    for (variables, code, words) in cases {
        let body = app.gql(Some(&staff), CREATE, variables.clone()).await;
        assert_eq!(error_code(&body), Some(code), "{variables}: {body}");
        let message = body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains(words), "{message}");
    }
}

#[tokio::test]
async fn reveal_needs_a_reason_and_every_read_is_audited() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let body = app
        .gql(
            Some(&staff),
            CREATE,
            resident_input(&h, "王秀英", ID_NUMBER, "13800135678"),
        )
        .await;
    let id = data(&body)["createResident"]["resident"]["id"].clone();

    let reveal = "mutation($id: ID!, $r: String!) { revealResidentField(input: {residentId: $id, field: PHONE, reason: $r}) { value } }";
    let body = app
        .gql(Some(&staff), reveal, json!({ "id": id, "r": "" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .gql(
            Some(&staff),
            reveal,
            json!({ "id": id, "r": "独居老人走访，需电话联系" }),
        )
        .await;
    assert_eq!(data(&body)["revealResidentField"]["value"], "13800135678");

    let list = app.gql(Some(&staff), "{ residents(filter: {search: \"5678\"}) { totalCount edges { node { name phone } } } }", json!({})).await;
    assert_eq!(
        data(&list)["residents"]["edges"],
        json!([{ "node": { "name": "王秀英", "phone": "138****5678" } }])
    );
    let by_name = app
        .gql(
            Some(&staff),
            "{ residents(filter: {search: \"秀英\"}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&by_name)["residents"]["totalCount"], 1, "by name");
    let by_tag = app
        .gql(
            Some(&staff),
            "{ residents(filter: {tag: ELDERLY_ALONE}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&by_tag)["residents"]["totalCount"], 1, "by tag");
    let other_tag = app
        .gql(
            Some(&staff),
            "{ residents(filter: {tag: VETERAN}) { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data(&other_tag)["residents"]["totalCount"], 0);

    let entries = audit_entry::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    let revealed = entries
        .iter()
        .find(|e| e.action == "revealResidentField" && e.outcome == "ok")
        .unwrap();
    assert_eq!(
        revealed.target_id.map(|t| t.to_string()),
        id.as_str().map(str::to_owned)
    );
    assert!(revealed.input.to_string().contains("独居老人走访"));
    let reads: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "readPersonalData")
        .collect();
    assert!(
        reads.len() >= 2,
        "the create answer and the list were both reads"
    );
    assert!(reads.iter().all(|e| e.subject_ids == json!([id])
        && e.community_id == Some(app.tree.a1)
        && e.actor_user_id == Some(staff.user_id)));
    let text = serde_json::to_string(&entries.iter().map(|e| e.input.clone()).collect::<Vec<_>>())
        .unwrap();
    assert!(
        !text.contains("13800135678") && !text.contains(ID_NUMBER),
        "no personal data in audit inputs"
    );
}

#[tokio::test]
async fn residents_are_out_of_reach_for_other_communities_and_small_roles() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(t.a1))
        .await;
    let h = household(&app, &staff, t.a1, "和韵小区").await;
    let body = app
        .gql(
            Some(&staff),
            CREATE,
            resident_input(&h, "CANARY王", ID_NUMBER, "13800135678"),
        )
        .await;
    let id = data(&body)["createResident"]["resident"]["id"].clone();

    let body = app
        .gql(
            Some(&staff),
            "query($id: ID!) { household(id: $id) { dwellingId } }",
            json!({ "id": h }),
        )
        .await;
    let dwelling = data(&body)["household"]["dwellingId"].clone();
    let attempts = [
        (
            "mutation($d: ID!) { createHousehold(input: {dwellingId: $d, tenure: RENTING}) { household { id } } }",
            json!({ "d": dwelling }),
        ),
        (
            "query($id: ID!) { resident(id: $id) { name } }",
            json!({ "id": id }),
        ),
        (
            "query($id: ID!) { household(id: $id) { id } }",
            json!({ "id": h }),
        ),
        (
            "mutation($id: ID!) { revealResidentField(input: {residentId: $id, field: DOCUMENT_NUMBER, reason: \"just looking\"}) { value } }",
            json!({ "id": id }),
        ),
        (
            "mutation($id: ID!) { moveOutResident(input: {id: $id}) { resident { id } } }",
            json!({ "id": id }),
        ),
        (CREATE, resident_input(&h, "偷录", "", "")),
    ];
    let outsiders = [
        app.caller(Role::CommunityStaff, Scope::Community(t.a2))
            .await,
        app.caller(Role::CommunityAdmin, Scope::Community(t.b1))
            .await,
    ];
    for outsider in &outsiders {
        for (query, variables) in &attempts {
            let body = app.gql(Some(outsider), query, variables.clone()).await;
            assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        }
        let list = app
            .gql(
                Some(outsider),
                "{ residents { edges { node { name } } } }",
                json!({}),
            )
            .await;
        assert!(!list.to_string().contains("CANARY"));
    }
    let small = [
        app.caller(Role::Treasurer, Scope::Below(t.a1, Uuid::now_v7()))
            .await,
        app.caller(Role::CommitteeMember, Scope::Below(t.a1, Uuid::now_v7()))
            .await,
        app.caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
            .await,
    ];
    for caller in &small {
        for (query, variables) in &attempts {
            let body = app.gql(Some(caller), query, variables.clone()).await;
            assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}");
        }
        let list = app
            .gql(Some(caller), "{ residents { totalCount } }", json!({}))
            .await;
        assert_eq!(error_code(&list), Some("FORBIDDEN"));
    }
    let reads = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("readPersonalData"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert!(
        reads.iter().all(|e| e.actor_user_id == Some(staff.user_id)),
        "only the staff member read personal data"
    );

    // Moving out archives: the resident leaves the default list but is kept.
    let body = app
        .gql(
            Some(&staff),
            "mutation($id: ID!) { moveOutResident(input: {id: $id}) { resident { movedOutAt } } }",
            json!({ "id": id }),
        )
        .await;
    assert!(data(&body)["moveOutResident"]["resident"]["movedOutAt"].is_string());
    let list = app.gql(Some(&staff), "{ residents { totalCount } all: residents(filter: {includeMovedOut: true}) { totalCount } }", json!({})).await;
    assert_eq!(
        (
            data(&list)["residents"]["totalCount"].clone(),
            list["data"]["all"]["totalCount"].clone()
        ),
        (json!(0), json!(1))
    );
}

#[tokio::test]
async fn resident_pages_cost_the_same_statements_whatever_their_size() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let query = "{ residents(first: 100) { totalCount edges { node { name documentNumber phone tags } } } }";
    let mut costs = Vec::new();
    for (round, count) in [(0, 2), (1, 30)] {
        for i in 0..count {
            let mut input = resident_input(&h, &format!("居民{round}-{i}"), "", "13800135678");
            input["in"]["documentType"] = json!("NONE");
            input["in"]["relation"] = json!("CHILD");
            data(&app.gql(Some(&staff), CREATE, input).await);
        }
        let before = app.db().statement_count();
        let body = app.gql(Some(&staff), query, json!({})).await;
        costs.push(app.db().statement_count() - before);
        assert_eq!(
            data(&body)["residents"]["edges"][0]["node"]["phone"],
            "138****5678"
        );
    }
    assert_eq!(costs[0], costs[1], "{costs:?}");
}
