//! Resident accounts and binding codes (single use, expiring), dwelling owners, and the
//! audit trail of who looked at whose data.

use chrono::{Duration, Utc};
use entity::{binding_code, role_grant::Role};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    roster::{ROSTER, compound_with_roster},
};

const ISSUE: &str =
    "mutation($id: ID!) { issueBindingCode(input: {residentId: $id}) { code expiresAt } }";
const REGISTER: &str =
    "mutation($in: RegisterResidentInput!) { registerResident(input: $in) { userId residentId } }";
const LOGIN: &str = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";

/// A1 with the test roster imported; returns the staff member and 李建国's resident id.
async fn setup(app: &TestApp) -> (crate::helpers::Caller, Value) {
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    compound_with_roster(app, &staff, app.tree.a1, "和韵小区", ROSTER).await;
    let body = app
        .gql(
            Some(&staff),
            "{ residents(filter: {search: \"李建国\"}) { edges { node { id } } } }",
            json!({}),
        )
        .await;
    let id = data(&body)["residents"]["edges"][0]["node"]["id"].clone();
    (staff, id)
}

fn register(code: &str, username: &str) -> Value {
    json!({ "in": { "code": code, "username": username, "password": "梧桐树下的长椅-2026" } })
}

#[tokio::test]
async fn a_binding_code_makes_one_account_that_reads_its_own_household() {
    let app = TestApp::new().await;
    let (staff, li) = setup(&app).await;
    let body = app.gql(Some(&staff), ISSUE, json!({ "id": li })).await;
    let code = data(&body)["issueBindingCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(code.len(), 10);

    let body = app
        .gql(None, REGISTER, register(&code.to_lowercase(), "li.jianguo"))
        .await;
    assert_eq!(data(&body)["registerResident"]["residentId"], li);
    // Single use: the same code does not make a second account.
    let body = app
        .gql(None, REGISTER, register(&code, "someone.else"))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));

    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "u": "li.jianguo", "p": "梧桐树下的长椅-2026" }),
        )
        .await;
    let token = data(&body)["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = crate::helpers::Caller {
        user_id: Uuid::nil(),
        session_id: Uuid::nil(),
        username: "li.jianguo".into(),
        token,
    };
    let body = app
        .gql(
            Some(&me),
            "{ residents { edges { node { name phone } } } }",
            json!({}),
        )
        .await;
    let mut seen: Vec<(String, String)> = data(&body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["name"].as_str().unwrap().to_owned(),
                e["node"]["phone"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    seen.sort();
    assert_eq!(
        seen,
        vec![
            ("李小红".to_owned(), "13900002222".to_owned()),
            ("李建国".to_owned(), "13900001111".to_owned())
        ]
    );
    // A resident with an account gets no second one.
    let body = app.gql(Some(&staff), ISSUE, json!({ "id": li })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));

    // Moving out ends the account's reach.
    let out = "mutation($id: ID!) { moveOutResident(input: {id: $id}) { resident { id } } }";
    data(&app.gql(Some(&staff), out, json!({ "id": li })).await);
    let body = app
        .gql(Some(&me), "{ residents { totalCount } }", json!({}))
        .await;
    assert!(body.get("errors").is_some(), "{body}");
}

#[tokio::test]
async fn expired_and_reissued_codes_do_not_work_and_guessing_is_throttled() {
    let app = TestApp::new().await;
    let (staff, li) = setup(&app).await;
    let body = app.gql(Some(&staff), ISSUE, json!({ "id": li })).await;
    let first = data(&body)["issueBindingCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app.gql(Some(&staff), ISSUE, json!({ "id": li })).await;
    let second = data(&body)["issueBindingCode"]["code"]
        .as_str()
        .unwrap()
        .to_owned();
    let body = app
        .gql(None, REGISTER, register(&first, "first.code"))
        .await;
    assert_eq!(
        error_code(&body),
        Some("BAD_USER_INPUT"),
        "replaced by the second"
    );

    for code in binding_code::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap()
    {
        let mut expired: binding_code::ActiveModel = code.into();
        expired.expires_at = Set(Utc::now() - Duration::minutes(1));
        expired.update(app.db().writer()).await.unwrap();
    }
    let body = app
        .gql(None, REGISTER, register(&second, "second.code"))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "expired");

    let mut codes = Vec::new();
    for i in 0..30 {
        let body = app
            .gql(None, REGISTER, register(&format!("GUESS{i:05}"), "guesser"))
            .await;
        codes.push(error_code(&body).map(str::to_owned));
    }
    assert!(
        codes.contains(&Some("RATE_LIMITED".to_owned())),
        "{codes:?}"
    );
}

#[tokio::test]
async fn accounts_and_codes_are_staff_work_in_their_own_community() {
    let app = TestApp::new().await;
    let (_, li) = setup(&app).await;
    let create = "mutation($id: ID!) { createResidentAccount(input: {residentId: $id, username: \"li.by.staff\", initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let worker = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.a1, app.tree.grid_a1),
        )
        .await;
    for query in [ISSUE, create] {
        let body = app.gql(Some(&outsider), query, json!({ "id": li })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        let body = app.gql(Some(&worker), query, json!({ "id": li })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}");
    }
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    data(&app.gql(Some(&admin), create, json!({ "id": li })).await);
    let body = app
        .gql(
            None,
            LOGIN,
            json!({ "u": "li.by.staff", "p": "梧桐树下的长椅-2026" }),
        )
        .await;
    assert!(data(&body)["login"]["accessToken"].is_string());
}

#[tokio::test]
async fn owners_are_recorded_for_staff_and_every_look_at_a_person_is_listed() {
    let app = TestApp::new().await;
    let (staff, li) = setup(&app).await;
    let body = app
        .gql(
            Some(&staff),
            "query($id: ID!) { resident(id: $id) { household { dwelling { id } } } }",
            json!({ "id": li }),
        )
        .await;
    let dwelling = data(&body)["resident"]["household"]["dwelling"]["id"].clone();
    let add = "mutation($in: AddDwellingOwnerInput!) { addDwellingOwner(input: $in) { ownerId } }";
    data(
        &app.gql(
            Some(&staff),
            add,
            json!({ "in": { "dwellingId": dwelling, "residentId": li } }),
        )
        .await,
    );
    data(&app.gql(Some(&staff), add, json!({ "in": { "dwellingId": dwelling, "outsideName": "李建华", "outsideContact": "13512345678" } })).await);
    let owners = "query($id: ID!) { dwelling(id: $id) { owners { name outsideContact } } }";
    let body = app
        .gql(Some(&staff), owners, json!({ "id": dwelling }))
        .await;
    assert_eq!(
        data(&body)["dwelling"]["owners"],
        json!([{ "name": "李建国", "outsideContact": null }, { "name": "李建华", "outsideContact": "135****5678" }])
    );
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(
            Some(&outsider),
            add,
            json!({ "in": { "dwellingId": dwelling, "outsideName": "某人" } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let resident = app
        .caller(Role::Resident, Scope::Below(app.tree.a1, Uuid::now_v7()))
        .await;
    let body = app
        .gql(Some(&resident), owners, json!({ "id": dwelling }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // Who looked at 李建国: the staff member's reads are listed for the community's admin.
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let looks = "query($id: ID!) { auditEntries(subjectId: $id, first: 100) { edges { node { actorUserId action } } } }";
    let body = app.gql(Some(&admin), looks, json!({ "id": li })).await;
    let entries = data(&body)["auditEntries"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        entries
            .iter()
            .any(|e| e["node"]["action"] == "readPersonalData"
                && e["node"]["actorUserId"] == json!(staff.user_id)),
        "{entries:?}"
    );
    let body = app.gql(Some(&outsider), looks, json!({ "id": li })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn a_logged_in_user_claims_a_resident_and_reads_the_household_at_once() {
    let app = TestApp::new().await;
    let (staff, li) = setup(&app).await;
    let claim = "mutation($c: String!) { claimResident(input: {code: $c}) { residentId } }";
    let household = "{ residents { edges { node { name } } } }";
    // Someone with a login already (a tenant's account, say), known to the server.
    let user = app.user("li.login", Scope::Community(app.tree.a1)).await;
    let me = app.session(user, "li.login").await;
    let body = app.gql(Some(&me), household, json!({})).await;
    assert!(body.get("errors").is_some(), "no household yet: {body}");

    let body = app
        .gql(Some(&me), claim, json!({ "c": "WRONG12345" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app.gql(Some(&staff), ISSUE, json!({ "id": li })).await;
    let code = data(&body)["issueBindingCode"]["code"].clone();
    let body = app.gql(Some(&me), claim, json!({ "c": code })).await;
    assert_eq!(data(&body)["claimResident"]["residentId"], li);
    // The next request of the same session already holds the household.
    let body = app.gql(Some(&me), household, json!({})).await;
    assert_eq!(
        data(&body)["residents"]["edges"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    // Single use, for anyone else too.
    let other = app.user("other.login", Scope::Community(app.tree.a1)).await;
    let other = app.session(other, "other.login").await;
    let body = app.gql(Some(&other), claim, json!({ "c": code })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}
