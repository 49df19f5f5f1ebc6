//! Follow-ups (回访) on resolved requests: one per resolution, an unsatisfied resident
//! reopens the request, an in-person follow-up counts as a home visit, and only the
//! request's handlers record or read them.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    requests::{MOVE, grids},
};

const FOLLOW_UP: &str = "mutation($in: RecordFollowUpInput!) { recordFollowUp(input: $in) { followUp { method spokeWith satisfied visitId } request { status followUps { method satisfied } } } }";
const AWAITING: &str = "{ requests(filter: {awaitingFollowUp: true}) { edges { node { id } } } }";
const PLAN: &str =
    "query($g: ID!) { visitPlan(gridId: $g) { households { householdId lastVisitedOn } } }";

fn follow_up(request: &Value, method: &str, satisfied: Option<bool>) -> Value {
    json!({ "in": { "requestId": request, "method": method, "contactedAt": Utc::now(), "spokeWith": "李建国", "satisfied": satisfied, "notes": "路灯已经亮了" } })
}

async fn awaiting(app: &TestApp, caller: &Caller) -> Vec<Value> {
    let body = app.gql(Some(caller), AWAITING, json!({})).await;
    data(&body)["requests"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"]["id"].clone())
        .collect()
}

#[tokio::test]
async fn a_resolved_request_is_followed_up_once_and_an_unhappy_resident_reopens_it() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let household = g.s.households["李建国"].clone();
    let record =
        "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id } } }";
    let input = json!({ "in": { "householdId": household, "source": "PHONE", "category": "repair", "title": "楼道灯不亮" } });
    let body = app.gql(Some(&g.s.staff), record, input).await;
    let id = data(&body)["recordRequest"]["request"]["id"].clone();
    let worker = &g.worker3;
    let mv = |action: &str| json!({ "id": id, "a": action, "m": "已更换灯泡" });

    // Not before it is resolved.
    let body = app
        .gql(Some(worker), FOLLOW_UP, follow_up(&id, "PHONE", Some(true)))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    data(&app.gql(Some(worker), MOVE, mv("ACKNOWLEDGE")).await);
    data(&app.gql(Some(worker), MOVE, mv("RESOLVE")).await);
    assert_eq!(awaiting(&app, worker).await, vec![id.clone()]);

    // Another grid's worker, another community's staff, a resident: NOT_FOUND.
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for caller in [&g.worker5, &outsider, &g.resident] {
        let body = app
            .gql(Some(caller), FOLLOW_UP, follow_up(&id, "PHONE", Some(true)))
            .await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        assert!(awaiting(&app, caller).await.is_empty());
    }
    // Not in the future, nor before the resolution.
    let mut future = follow_up(&id, "PHONE", Some(true));
    future["in"]["contactedAt"] = json!(Utc::now() + Duration::hours(1));
    let body = app.gql(Some(worker), FOLLOW_UP, future).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let mut early = follow_up(&id, "PHONE", Some(true));
    early["in"]["contactedAt"] = json!(Utc::now() - Duration::hours(1));
    let body = app.gql(Some(worker), FOLLOW_UP, early).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));

    // The resident says the lamp still flickers: the request is reopened.
    let body = app
        .gql(
            Some(worker),
            FOLLOW_UP,
            follow_up(&id, "PHONE", Some(false)),
        )
        .await;
    let done = &data(&body)["recordFollowUp"];
    assert_eq!(done["followUp"]["method"], "PHONE");
    assert_eq!(done["followUp"]["visitId"], Value::Null);
    assert_eq!(done["request"]["status"], "REOPENED");
    assert!(awaiting(&app, worker).await.is_empty());

    // Fixed for good; this time the worker goes round in person, which is a home visit.
    data(&app.gql(Some(worker), MOVE, mv("START")).await);
    data(&app.gql(Some(worker), MOVE, mv("RESOLVE")).await);
    let body = app
        .gql(Some(worker), FOLLOW_UP, follow_up(&id, "VISIT", Some(true)))
        .await;
    let done = &data(&body)["recordFollowUp"];
    assert!(done["followUp"]["visitId"].is_string());
    assert_eq!(done["request"]["status"], "RESOLVED");
    assert_eq!(
        done["request"]["followUps"],
        json!([{ "method": "PHONE", "satisfied": false }, { "method": "VISIT", "satisfied": true }])
    );
    let body = app.gql(Some(worker), PLAN, json!({ "g": g.grid3 })).await;
    let visited = data(&body)["visitPlan"]["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["householdId"] == household)
        .unwrap()["lastVisitedOn"]
        .clone();
    assert!(
        visited.is_string(),
        "the follow-up visit counts in the plan"
    );

    // One follow-up per resolution.
    let body = app
        .gql(Some(worker), FOLLOW_UP, follow_up(&id, "PHONE", Some(true)))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert!(awaiting(&app, worker).await.is_empty());
    // Staff read the follow-ups; a resident of the household next door sees nothing.
    let query = "query($id: ID!) { request(id: $id) { followUps { spokeWith } } }";
    let body = app.gql(Some(&g.s.staff), query, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["request"]["followUps"][1]["spokeWith"],
        "李建国"
    );
    let body = app.gql(Some(&g.resident), query, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // The household it is about sees its request, but not the handlers' follow-up notes.
    let li: uuid::Uuid = household.as_str().unwrap().parse().unwrap();
    let reporter = app
        .caller(Role::Resident, Scope::Below(app.tree.a1, li))
        .await;
    let body = app.gql(Some(&reporter), query, json!({ "id": id })).await;
    assert_eq!(data(&body)["request"]["followUps"], json!([]));
}
