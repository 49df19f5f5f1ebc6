//! Points earned without anyone pressing a button (issue 22): a resident's sign-in at a
//! bench meeting and a volunteer's confirmed hours award the community's rule for them,
//! once, in the same transaction as the act.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::{
    funds::fund_setup,
    helpers::{TestApp, data, error_code},
    meetings::open_meeting,
};

const MY_POINTS: &str = "{ myPoints { balance entries(first: 20) { edges { node { kind points quantity ruleId } } } } }";

fn entries(body: &Value) -> Vec<Value> {
    data(body)["myPoints"]["entries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn a_meeting_sign_in_earns_the_attendance_rule_once() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let rule = "mutation($c: ID!) { createPointsRule(input: {communityId: $c, name: \"板凳议事签到\", trigger: MEETING_ATTENDANCE, points: 1}) { rule { id } } }";
    let body = app
        .gql(Some(&s.staff), rule, json!({ "c": app.tree.a1 }))
        .await;
    let rule = data(&body)["createPointsRule"]["rule"]["id"].clone();
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let sign = "mutation($id: ID!) { signInToMeeting(input: {meetingId: $id}) { meeting { id } } }";
    data(
        &app.gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
            .await,
    );
    let mine = app.gql(Some(&s.treasurer), MY_POINTS, json!({})).await;
    assert_eq!(data(&mine)["myPoints"]["balance"], 1);
    assert_eq!(
        entries(&mine),
        [json!({ "kind": "AWARD", "points": 1, "quantity": 1, "ruleId": rule })]
    );

    // Signing in twice is refused, and earns nothing more.
    let again = app
        .gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
        .await;
    assert_eq!(error_code(&again), Some("CONFLICT"), "{again}");
    let mine = app.gql(Some(&s.treasurer), MY_POINTS, json!({})).await;
    assert_eq!(data(&mine)["myPoints"]["balance"], 1);
}

#[tokio::test]
async fn on_the_demo_confirmed_volunteer_hours_earn_points_by_the_hour() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.resident")
        .unwrap();
    let resident = crate::org::demo_login(&app, login).await;
    let body = app
        .gql(
            Some(&resident),
            "{ me { grants { communityId } } }",
            json!({}),
        )
        .await;
    let community = data(&body)["me"]["grants"][0]["communityId"].clone();
    let rules = app
        .gql(
            Some(&resident),
            "query($c: ID!) { pointsRules(communityId: $c, first: 20) { edges { node { id trigger points } } } }",
            json!({ "c": community }),
        )
        .await;
    let rule_of: HashMap<String, Value> = data(&rules)["pointsRules"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["trigger"].as_str().unwrap().to_owned(),
                e["node"].clone(),
            )
        })
        .collect();
    let volunteering = &rule_of["VOLUNTEER_HOUR"];
    assert_eq!(volunteering["points"], 5, "+5 an hour");

    // The clean-up day: 180 minutes confirmed by the organiser, 3 hours × 5.
    let mine = app.gql(Some(&resident), MY_POINTS, json!({})).await;
    let from_hours: Vec<_> = entries(&mine)
        .into_iter()
        .filter(|e| e["ruleId"] == volunteering["id"])
        .collect();
    assert_eq!(
        from_hours,
        [json!({ "kind": "AWARD", "points": 15, "quantity": 180, "ruleId": volunteering["id"] })]
    );
}
