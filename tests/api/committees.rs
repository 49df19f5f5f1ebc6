//! Self-management committees: appointments grant powers and ending them takes exactly
//! those powers away, in one transaction; terms bound positions; only the community's
//! staff manage; the contact card shows exactly what members chose to publish.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    roster::{ROSTER, compound_with_roster},
};

const APPOINT: &str = "mutation($in: AppointCommitteeMemberInput!) { appointCommitteeMember(input: $in) { positionId } }";
const END: &str = "mutation($id: ID!) { endCommitteePosition(input: {positionId: $id, reason: \"辞职\"}) { committee { positions { position memberName } } } }";
const ME: &str = "{ me { grants { role source active scopeId } } }";

struct Setup {
    staff: Caller,
    compound: Value,
    committee: Value,
    /// Resident ids by name.
    residents: std::collections::HashMap<String, Value>,
}

async fn setup(app: &TestApp) -> Setup {
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let compound = compound_with_roster(app, &staff, app.tree.a1, "和韵小区", ROSTER).await;
    let today = Utc::now().date_naive();
    let create = "mutation($in: CreateCommitteeInput!) { createCommittee(input: $in) { committee { id name settings { approvalsRequired resolutionThreshold noticeDays } } } }";
    let body = app
        .gql(
            Some(&staff),
            create,
            json!({ "in": { "compoundId": compound, "termStartsOn": today - Duration::days(30), "termEndsOn": today + Duration::days(3 * 365) } }),
        )
        .await;
    let c = &data(&body)["createCommittee"]["committee"];
    assert_eq!(c["name"], "和韵小区自管会");
    assert_eq!(
        c["settings"],
        json!({ "approvalsRequired": 2, "resolutionThreshold": null, "noticeDays": 7 })
    );
    let body = app
        .gql(
            Some(&staff),
            "{ residents { edges { node { id name } } } }",
            json!({}),
        )
        .await;
    let residents = data(&body)["residents"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["name"].as_str().unwrap().to_owned(),
                e["node"]["id"].clone(),
            )
        })
        .collect();
    Setup {
        staff,
        compound,
        committee: c["id"].clone(),
        residents,
    }
}

/// A login for a resident (through the API), and a session for it.
async fn login_for(app: &TestApp, staff: &Caller, resident: &Value, username: &str) -> Caller {
    let create = "mutation($id: ID!, $u: String!) { createResidentAccount(input: {residentId: $id, username: $u, initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(staff),
            create,
            json!({ "id": resident, "u": username }),
        )
        .await;
    let user = Uuid::parse_str(
        data(&body)["createResidentAccount"]["userId"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    // As if the resident had changed the initial password at first login.
    let mut row: entity::app_user::ActiveModel = entity::app_user::Entity::find_by_id(user)
        .one(app.db().reader())
        .await
        .unwrap()
        .unwrap()
        .into();
    row.must_change_password = Set(false);
    row.update(app.db().writer()).await.unwrap();
    app.session(user, username).await
}

/// A new session for a caller whose sessions ended (grants changing end them).
async fn again(app: &TestApp, caller: &Caller) -> Caller {
    app.session(caller.user_id, &caller.username).await
}

async fn active_roles(app: &TestApp, caller: &Caller) -> Vec<String> {
    let body = app.gql(Some(caller), ME, json!({})).await;
    let mut roles: Vec<String> = data(&body)["me"]["grants"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["active"] == true)
        .map(|g| g["role"].as_str().unwrap().to_owned())
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

fn appoint(s: &Setup, name: &str, position: &str, extra: Value) -> Value {
    let mut input = json!({ "committeeId": s.committee, "residentId": s.residents[name], "position": position });
    if let (Some(input), Some(extra)) = (input.as_object_mut(), extra.as_object()) {
        input.extend(extra.clone());
    }
    json!({ "in": input })
}

#[tokio::test]
async fn holding_a_position_grants_powers_and_ending_it_takes_only_its_own() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let wang = login_for(&app, &s.staff, &s.residents["王秀英"], "wang.xiuying").await;
    let li = login_for(&app, &s.staff, &s.residents["李建国"], "li.jianguo").await;
    assert_eq!(active_roles(&app, &wang).await, vec!["RESIDENT"]);

    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "王秀英", "TREASURER", json!({ "publishPhone": true })),
        )
        .await;
    let treasurer = data(&body)["appointCommitteeMember"]["positionId"].clone();
    assert_eq!(
        active_roles(&app, &wang).await,
        vec!["COMMITTEE_MEMBER", "RESIDENT", "TREASURER"]
    );
    // Only one treasurer at a time.
    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "李建国", "TREASURER", json!({})),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));

    // A director who is also a building leader keeps committee_member until both end.
    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "李建国", "DIRECTOR", json!({})),
        )
        .await;
    let director = data(&body)["appointCommitteeMember"]["positionId"].clone();
    let body = app
        .gql(
            Some(&s.staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": s.compound }),
        )
        .await;
    let building = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["number"] == "3号楼")
        .unwrap()["id"]
        .clone();
    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(
                &s,
                "李建国",
                "BUILDING_LEADER",
                json!({ "buildingId": building }),
            ),
        )
        .await;
    let leader = data(&body)["appointCommitteeMember"]["positionId"].clone();
    data(
        &app.gql(Some(&s.staff), END, json!({ "id": director }))
            .await,
    );
    let li = again(&app, &li).await;
    assert_eq!(
        active_roles(&app, &li).await,
        vec!["COMMITTEE_MEMBER", "RESIDENT"]
    );
    data(&app.gql(Some(&s.staff), END, json!({ "id": leader })).await);
    let li = again(&app, &li).await;
    assert_eq!(active_roles(&app, &li).await, vec!["RESIDENT"]);

    // Ending the treasurer's position ends her sessions too: the old token is refused.
    let body = app
        .gql(Some(&s.staff), END, json!({ "id": treasurer }))
        .await;
    assert_eq!(
        data(&body)["endCommitteePosition"]["committee"]["positions"],
        json!([])
    );
    let body = app.gql(Some(&wang), ME, json!({})).await;
    assert_eq!(error_code(&body), Some("UNAUTHENTICATED"));

    // The history keeps who held what, and the end; the audit log has each step.
    let history = "query($c: ID!) { committee(compoundId: $c) { positions(history: true) { position memberName endReason } } }";
    let body = app
        .gql(Some(&s.staff), history, json!({ "c": s.compound }))
        .await;
    let positions = data(&body)["committee"]["positions"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(positions.len(), 3);
    assert!(positions.iter().all(|p| p["endReason"] == "辞职"));
}

#[tokio::test]
async fn terms_bound_positions_and_a_position_in_the_future_gives_no_power_yet() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let wang = login_for(&app, &s.staff, &s.residents["王秀英"], "wang.xiuying").await;
    let today = Utc::now().date_naive();
    let next_month = today + Duration::days(30);
    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "王秀英", "SECRETARY", json!({ "startsOn": next_month })),
        )
        .await;
    data(&body);
    assert_eq!(active_roles(&app, &wang).await, vec!["RESIDENT"]);
    let at = "query($c: ID!, $at: DateTime) { committee(compoundId: $c) { positions(at: $at) { position } } }";
    for (when, count) in [
        (Utc::now(), 0),
        (Utc::now() + Duration::days(40), 1),
        (Utc::now() + Duration::days(4 * 365), 0),
    ] {
        let body = app
            .gql(
                Some(&s.staff),
                at,
                json!({ "c": s.compound, "at": when.to_rfc3339() }),
            )
            .await;
        assert_eq!(
            data(&body)["committee"]["positions"]
                .as_array()
                .unwrap()
                .len(),
            count,
            "{when}"
        );
    }
    // Beyond the term, and a new term before the current one ends, are refused.
    let body = app
        .gql(
            Some(&s.staff),
            APPOINT,
            appoint(
                &s,
                "李建国",
                "MEMBER",
                json!({ "endsOn": today + Duration::days(5 * 365) }),
            ),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let term = "mutation($id: ID!, $s: Date!, $e: Date!) { startCommitteeTerm(input: {committeeId: $id, startsOn: $s, endsOn: $e}) { committee { termStartsOn } } }";
    let body = app
        .gql(
            Some(&s.staff),
            term,
            json!({ "id": s.committee, "s": today, "e": today + Duration::days(100) }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn only_the_communitys_staff_change_the_committee_and_outsiders_see_nothing() {
    let app = TestApp::new().await.with_homes().await;
    let s = setup(&app).await;
    let li = login_for(&app, &s.staff, &s.residents["李建国"], "li.jianguo").await;
    data(
        &app.gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "李建国", "DIRECTOR", json!({})),
        )
        .await,
    );
    let settings = "mutation($id: ID!) { updateCommitteeSettings(input: {committeeId: $id, settings: {approvalsRequired: 1, resolutionThreshold: \"500.00\"}}) { committee { settings { approvalsRequired resolutionThreshold } } } }";
    let read = "query($c: ID!) { committee(compoundId: $c) { name positions { memberName } } }";
    // A committee member (the director) and a resident cannot change it; both can read it.
    let wang = login_for(&app, &s.staff, &s.residents["王秀英"], "wang.xiuying").await;
    for caller in [&li, &wang] {
        let body = app
            .gql(Some(caller), settings, json!({ "id": s.committee }))
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let body = app
            .gql(
                Some(caller),
                APPOINT,
                appoint(&s, "张伟", "MEMBER", json!({})),
            )
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let body = app
            .gql(Some(caller), read, json!({ "c": s.compound }))
            .await;
        assert_eq!(
            data(&body)["committee"]["positions"][0]["memberName"],
            "李建国"
        );
    }
    // Another community: NOT_FOUND for everything.
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    for (query, variables) in [
        (settings, json!({ "id": s.committee })),
        (read, json!({ "c": s.compound })),
        (APPOINT, appoint(&s, "张伟", "MEMBER", json!({}))),
        (
            "query($c: ID!) { compoundContactCard(compoundId: $c) { compound } }",
            json!({ "c": s.compound }),
        ),
    ] {
        let body = app.gql(Some(&outsider), query, variables).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    // A resident of another compound of the community does not read this one's committee.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let body = app
        .gql(Some(&neighbour), read, json!({ "c": s.compound }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    let body = app
        .gql(Some(&s.staff), settings, json!({ "id": s.committee }))
        .await;
    assert_eq!(
        data(&body)["updateCommitteeSettings"]["committee"]["settings"],
        json!({ "approvalsRequired": 1, "resolutionThreshold": "500.00" })
    );

    // Someone living in another compound serves only with a stated override.
    let create = "mutation($h: ID!) { createResident(input: {householdId: $h, name: \"外来\", documentType: NONE, relation: HEAD}) { resident { id } } }";
    let body = app
        .gql(
            Some(&s.staff),
            create,
            json!({ "h": app.tree.household_a1 }),
        )
        .await;
    let elsewhere = data(&body)["createResident"]["resident"]["id"].clone();
    let mut input = appoint(&s, "李建国", "MEMBER", json!({}));
    input["in"]["residentId"] = elsewhere;
    let body = app.gql(Some(&s.staff), APPOINT, input.clone()).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    input["in"]["residencyOverride"] = json!("业主本人, 房屋在本小区, 暂住他处");
    data(&app.gql(Some(&s.staff), APPOINT, input).await);
}

#[tokio::test]
async fn the_contact_card_shows_exactly_what_members_published() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    data(
        &app.gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "王秀英", "TREASURER", json!({ "publishPhone": true })),
        )
        .await,
    );
    data(
        &app.gql(
            Some(&s.staff),
            APPOINT,
            appoint(&s, "李建国", "DIRECTOR", json!({ "publishPhone": false })),
        )
        .await,
    );
    let wang = login_for(&app, &s.staff, &s.residents["王秀英"], "wang.xiuying").await;
    let card = "query($c: ID!) { compoundContactCard(compoundId: $c) { compound community communityStaff committee { name position phone } } }";
    let body = app.gql(Some(&wang), card, json!({ "c": s.compound })).await;
    let c = &data(&body)["compoundContactCard"];
    assert_eq!(c["compound"], "和韵小区");
    assert_eq!(
        c["committee"],
        json!([
            { "name": "王秀英", "position": "TREASURER", "phone": "138****5678" },
            { "name": "李建国", "position": "DIRECTOR", "phone": null }
        ])
    );
    assert_eq!(c["communityStaff"].as_array().unwrap().len(), 1);
    let text = body.to_string();
    assert!(!text.contains("13800135678") && !text.contains("13900001111"));
}

#[tokio::test]
async fn a_committee_role_names_its_compound() {
    let app = TestApp::new().await;
    let s = crate::funds::fund_setup(&app).await;
    let body = app
        .gql(
            Some(&s.treasurer),
            "{ me { grants { role scopeKind scopeName } } }",
            serde_json::json!({}),
        )
        .await;
    let grants = data(&body)["me"]["grants"].as_array().unwrap().clone();
    let treasurer = grants.iter().find(|g| g["role"] == "TREASURER").unwrap();
    assert_eq!(treasurer["scopeKind"], "COMPOUND");
    assert_eq!(treasurer["scopeName"], "和韵小区");
}
