//! Mediation: staff open a case between households, its mediators hold sessions and close
//! it with an agreement; only staff and the case's mediators ever see it.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::json;

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    requests::grids,
};

const CASE: &str = "query($id: ID!) { mediationCase(id: $id) { title open outcome agreementText followUpOn parties { label } mediators { name kind } sessions { place notes } } }";

#[tokio::test]
async fn a_leaking_solar_heater_is_mediated_and_only_its_mediators_see_it() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let open = "mutation($in: OpenMediationCaseInput!) { openMediationCase(input: $in) { case { id open } } }";
    let input = json!({ "in": {
        "communityId": app.tree.a1,
        "title": "楼上太阳能热水器漏水",
        "parties": [
            { "householdId": g.s.households["张伟"], "label": "5栋1201住户" },
            { "householdId": g.s.households["李建国"], "label": "楼上住户" }
        ],
        "mediators": [
            { "userId": g.worker5.user_id.to_string(), "name": "网格员小周", "kind": "STAFF" },
            { "name": "王律师", "kind": "LAWYER" }
        ]
    } });
    assert_eq!(
        error_code(&app.gql(Some(&g.worker5), open, input.clone()).await),
        Some("FORBIDDEN")
    );
    let body = app.gql(Some(&g.s.staff), open, input).await;
    let id = data(&body)["openMediationCase"]["case"]["id"].clone();

    let session = "mutation($id: ID!, $at: DateTime!) { recordMediationSession(input: {caseId: $id, heldAt: $at, place: \"社区调解室\", notes: \"双方陈述，约定先修复管道\"}) { case { sessions { place } } } }";
    data(
        &app.gql(
            Some(&g.worker5),
            session,
            json!({ "id": id, "at": Utc::now() - Duration::hours(2) }),
        )
        .await,
    );
    let close = "mutation($in: CloseMediationCaseInput!) { closeMediationCase(input: $in) { case { open outcome } } }";
    let bare = json!({ "in": { "caseId": id, "outcome": "AGREEMENT" } });
    let body = app.gql(Some(&g.worker5), close, bare).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.agreementText"
    );
    let agreed = json!({ "in": { "caseId": id, "outcome": "AGREEMENT", "agreementText": "楼上住户三日内修复热水器并赔偿200元", "followUpOn": "2026-12-15" } });
    data(&app.gql(Some(&g.worker5), close, agreed.clone()).await);
    assert_eq!(
        error_code(&app.gql(Some(&g.worker5), close, agreed).await),
        Some("BAD_USER_INPUT")
    );
    let body = app.gql(Some(&g.s.staff), CASE, json!({ "id": id })).await;
    let case = data(&body)["mediationCase"].clone();
    assert_eq!(case["outcome"], "AGREEMENT");
    assert_eq!(case["followUpOn"], "2026-12-15");
    assert_eq!(case["sessions"][0]["place"], "社区调解室");

    // Not the other grid's worker, not the parties, not another community.
    let party = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                g.s.households["张伟"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for stranger in [&g.worker3, &party, &outsider] {
        let body = app.gql(Some(stranger), CASE, json!({ "id": id })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        let vars = json!({ "id": id, "at": Utc::now() });
        let body = app.gql(Some(stranger), session, vars).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        let vars = json!({ "in": { "caseId": id, "outcome": "NO_AGREEMENT" } });
        let body = app.gql(Some(stranger), close, vars).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
    }
    let list = "query($c: ID!) { mediationCases(communityId: $c) { nodes { title } } }";
    for (who, count) in [(&g.s.staff, 1), (&g.worker5, 1), (&g.worker3, 0)] {
        let body = app.gql(Some(who), list, json!({ "c": app.tree.a1 })).await;
        assert_eq!(
            data(&body)["mediationCases"]["nodes"]
                .as_array()
                .unwrap()
                .len(),
            count
        );
    }
}
