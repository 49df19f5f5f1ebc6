//! Activities and volunteers (issue 22): staff publish an activity, residents sign up and
//! cancel with a waiting list that fills cancelled places, capacity holds under concurrent
//! sign-ups, check-in by code (throttled), confirmed hours summed per year with a
//! certificate, deliveries to households by care level; tenancy and statement counts.

use base64::Engine;
use chrono::{Duration, Utc};
use entity::{activity, audit_entry, role_grant::Role};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{Caller, Scope, TestApp, data, error_code},
};

const CREATE: &str = "mutation($in: CreateActivityInput!) { createActivity(input: $in) { activity { id status checkInCode volunteerRoles { id name places } permissions { canManage } } } }";
const PUBLISH: &str = "mutation($id: ID!) { publishActivity(id: $id) { activity { status } } }";
const SIGN_UP: &str = "mutation($in: SignUpForActivityInput!) { signUpForActivity(input: $in) { signUp { id status onBehalf name role } } }";
const CANCEL: &str =
    "mutation($id: ID!) { cancelSignUp(id: $id) { signUp { status } promoted { id status } } }";
const ACTIVITY: &str = "query($id: ID!) { activity(id: $id) { title status confirmedCount waitingCount checkInCode permissions { canManage canSignUp } signUps(first: 10) { edges { node { status name } } } } }";

/// A login for the resident named `name` (a resident grant on their household).
async fn login(app: &TestApp, s: &FundSetup, name: &str, username: &str) -> Caller {
    let account = "mutation($id: ID!, $u: String!) { createResidentAccount(input: {residentId: $id, username: $u, initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&s.staff),
            account,
            json!({ "id": s.residents[name], "u": username }),
        )
        .await;
    let user: Uuid = data(&body)["createResidentAccount"]["userId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.skip_password_change(user).await;
    app.session(user, username).await
}

async fn create(app: &TestApp, staff: &Caller, extra: Value) -> Value {
    let start = Utc::now() + Duration::days(3);
    let mut input = json!({
        "communityId": app.tree.a1, "kind": "FREE_CLINIC", "title": "重阳义诊",
        "place": "社区党群服务中心", "startsAt": start, "endsAt": start + Duration::hours(2),
        "capacity": 1, "audience": "ALL_RESIDENTS",
        "volunteerRoles": [{ "name": "测血压", "places": 1 }]
    });
    if let (Value::Object(input), Value::Object(extra)) = (&mut input, extra) {
        input.extend(extra);
    }
    let body = app.gql(Some(staff), CREATE, json!({ "in": input })).await;
    data(&body)["createActivity"]["activity"].clone()
}

async fn published(app: &TestApp, staff: &Caller, extra: Value) -> Value {
    let a = create(app, staff, extra).await;
    data(
        &app.gql(Some(staff), PUBLISH, json!({ "id": a["id"] }))
            .await,
    );
    a
}

/// Moves an activity's times so that it is on now (began ten minutes ago, two hours long).
async fn started(app: &TestApp, id: &Value) {
    let start = Utc::now() - Duration::minutes(10);
    activity::Entity::update_many()
        .col_expr(activity::Column::StartsAt, Expr::value(start))
        .col_expr(
            activity::Column::EndsAt,
            Expr::value(start + Duration::hours(2)),
        )
        .col_expr(activity::Column::SignUpDeadline, Expr::value(start))
        .filter(activity::Column::Id.eq(id.as_str().unwrap().parse::<Uuid>().unwrap()))
        .exec(app.db().writer())
        .await
        .unwrap();
}

async fn sign_up(app: &TestApp, caller: &Caller, input: Value) -> Value {
    app.gql(Some(caller), SIGN_UP, json!({ "in": input })).await
}

#[tokio::test]
async fn a_full_clinic_keeps_a_waiting_list_and_a_cancellation_promotes_the_first_waiting() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let wang = s.treasurer.clone();
    let li = login(&app, &s, "李建国", "li.jianguo").await;
    let a = create(&app, &s.staff, json!({})).await;
    assert_eq!(a["status"], "DRAFT");
    assert_eq!(a["checkInCode"].as_str().unwrap().len(), 6);
    // A draft is the organisers': a resident is refused, another community sees nothing.
    let body = app
        .gql(Some(&wang), ACTIVITY, json!({ "id": a["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    data(
        &app.gql(Some(&s.staff), PUBLISH, json!({ "id": a["id"] }))
            .await,
    );
    let other = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&other), ACTIVITY, json!({ "id": a["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = sign_up(&app, &other, json!({ "activityId": a["id"] })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // A resident cannot create one, nor publish it.
    let start = Utc::now() + Duration::days(1);
    let input = json!({ "communityId": app.tree.a1, "kind": "CLEAN_UP", "title": "清洁日", "place": "小区", "startsAt": start, "endsAt": start + Duration::hours(1), "capacity": 5, "audience": "ALL_RESIDENTS" });
    let body = app.gql(Some(&wang), CREATE, json!({ "in": input })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&wang), PUBLISH, json!({ "id": a["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // 王秀英 takes the one place; 李建国 waits; nobody signs up twice.
    let body = sign_up(&app, &wang, json!({ "activityId": a["id"] })).await;
    let mine = data(&body)["signUpForActivity"]["signUp"].clone();
    assert_eq!(mine["status"], "CONFIRMED");
    assert_eq!(mine["name"], "王秀英");
    let body = sign_up(&app, &li, json!({ "activityId": a["id"] })).await;
    assert_eq!(
        data(&body)["signUpForActivity"]["signUp"]["status"],
        "WAITING"
    );
    let body = sign_up(&app, &li, json!({ "activityId": a["id"] })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    // A resident signs up only themself and their household.
    let body = sign_up(
        &app,
        &li,
        json!({ "activityId": a["id"], "residentId": s.residents["张伟"] }),
    )
    .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // Staff sign up 张伟 (no phone) on his behalf: the waiting list's second.
    let body = sign_up(
        &app,
        &s.staff,
        json!({ "activityId": a["id"], "residentId": s.residents["张伟"] }),
    )
    .await;
    let zhang = &data(&body)["signUpForActivity"]["signUp"];
    assert_eq!(
        (zhang["status"].as_str(), zhang["onBehalf"].as_bool()),
        (Some("WAITING"), Some(true))
    );

    // Residents see who comes by surname only; staff by name, and the code.
    let body = app.gql(Some(&li), ACTIVITY, json!({ "id": a["id"] })).await;
    let seen = &data(&body)["activity"];
    assert_eq!(seen["signUps"]["edges"][0]["node"]["name"], "王**");
    assert_eq!(seen["checkInCode"], Value::Null);
    assert_eq!(
        seen["permissions"],
        json!({ "canManage": false, "canSignUp": true })
    );
    assert_eq!(
        (
            seen["confirmedCount"].as_i64(),
            seen["waitingCount"].as_i64()
        ),
        (Some(1), Some(2))
    );
    // Another resident cannot cancel 王秀英's place.
    let body = app
        .gql(Some(&li), CANCEL, json!({ "id": mine["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // She cancels: 李建国, first in line, gets the place in the same transaction.
    let body = app
        .gql(Some(&wang), CANCEL, json!({ "id": mine["id"] }))
        .await;
    let done = &data(&body)["cancelSignUp"];
    assert_eq!(done["signUp"]["status"], "CANCELLED");
    assert_eq!(done["promoted"]["status"], "CONFIRMED");
    let body = app
        .gql(Some(&s.staff), ACTIVITY, json!({ "id": a["id"] }))
        .await;
    let seen = &data(&body)["activity"];
    assert_eq!(
        seen["signUps"]["edges"][1]["node"],
        json!({ "status": "CONFIRMED", "name": "李建国" })
    );
    assert_eq!(
        (
            seen["confirmedCount"].as_i64(),
            seen["waitingCount"].as_i64()
        ),
        (Some(1), Some(1))
    );
    // Signing up again puts her at the back of the queue.
    let body = sign_up(&app, &wang, json!({ "activityId": a["id"] })).await;
    assert_eq!(
        data(&body)["signUpForActivity"]["signUp"]["status"],
        "WAITING"
    );
    // Every change was audited.
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("cancelSignUp"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
    assert_eq!(audited.iter().filter(|e| e.outcome == "ok").count(), 1);
}

#[tokio::test]
async fn concurrent_sign_ups_never_over_fill_an_activity() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let a = published(&app, &s.staff, json!({ "capacity": 2 })).await;
    let names = ["王秀英", "李建国", "李小红", "张伟"];
    let tasks = names.iter().map(|name| {
        let input = json!({ "activityId": a["id"], "residentId": s.residents[*name] });
        let (app, staff) = (&app, &s.staff);
        async move { sign_up(app, staff, input).await }
    });
    let bodies = futures::future::join_all(tasks).await;
    let statuses: Vec<String> = bodies
        .iter()
        .map(|b| {
            data(b)["signUpForActivity"]["signUp"]["status"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| *s == "CONFIRMED").count(),
        2,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| *s == "WAITING").count(),
        2,
        "{statuses:?}"
    );
}

#[tokio::test]
async fn a_volunteer_checks_in_with_the_code_and_the_organiser_confirms_hours_for_the_certificate()
{
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let wang = s.treasurer.clone();
    let li = login(&app, &s, "李建国", "li.jianguo").await;
    let a = published(&app, &s.staff, json!({})).await;
    let role = a["volunteerRoles"][0]["id"].clone();
    let body = sign_up(
        &app,
        &wang,
        json!({ "activityId": a["id"], "roleId": role }),
    )
    .await;
    let mine = data(&body)["signUpForActivity"]["signUp"].clone();
    assert_eq!(
        (mine["status"].as_str(), mine["role"].as_str()),
        (Some("CONFIRMED"), Some("测血压"))
    );
    // The role's one place is taken: the next volunteer waits.
    let body = sign_up(&app, &li, json!({ "activityId": a["id"], "roleId": role })).await;
    assert_eq!(
        data(&body)["signUpForActivity"]["signUp"]["status"],
        "WAITING"
    );
    let code = a["checkInCode"].as_str().unwrap().to_owned();
    let by_code = "mutation($a: ID!, $c: String!) { checkInWithCode(input: {activityId: $a, code: $c}) { signUps { id checkedInAt checkedInWithCode } } }";
    // Not before half an hour ahead of the start.
    let body = app
        .gql(Some(&wang), by_code, json!({ "a": a["id"], "c": code }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    started(&app, &a["id"]).await;
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let body = app
        .gql(Some(&wang), by_code, json!({ "a": a["id"], "c": wrong }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.code");
    let body = app
        .gql(Some(&wang), by_code, json!({ "a": a["id"], "c": code }))
        .await;
    let checked = &data(&body)["checkInWithCode"]["signUps"][0];
    assert_eq!(checked["checkedInWithCode"], true);
    // A waiting volunteer has no place to check in to.
    let body = app
        .gql(Some(&li), by_code, json!({ "a": a["id"], "c": code }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // The organiser confirms the proposed two hours; a resident cannot; only once.
    let confirm = "mutation($in: ConfirmVolunteerHoursInput!) { confirmVolunteerHours(input: $in) { signUp { volunteerMinutes servedOn } } }";
    let body = app
        .gql(
            Some(&li),
            confirm,
            json!({ "in": { "signUpId": mine["id"] } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&s.staff),
            confirm,
            json!({ "in": { "signUpId": mine["id"] } }),
        )
        .await;
    assert_eq!(
        data(&body)["confirmVolunteerHours"]["signUp"]["volunteerMinutes"],
        120
    );
    let body = app
        .gql(
            Some(&s.staff),
            confirm,
            json!({ "in": { "signUpId": mine["id"], "minutes": 90 } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));

    // Summed per year: for staff, for herself; not for another resident or community.
    let year = chrono::Datelike::year(&jiedao::calendar::today());
    let hours = "query($r: ID!, $y: Int!) { volunteerHours(residentId: $r, year: $y) { name totalMinutes services { title role minutes } } }";
    let vars = json!({ "r": s.residents["王秀英"], "y": year });
    let body = app.gql(Some(&s.staff), hours, vars.clone()).await;
    assert_eq!(
        data(&body)["volunteerHours"],
        json!({ "name": "王秀英", "totalMinutes": 120, "services": [{ "title": "重阳义诊", "role": "测血压", "minutes": 120 }] })
    );
    let body = app.gql(Some(&li), hours, vars.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let other = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let body = app.gql(Some(&other), hours, vars).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let mine_q = "query($y: Int!) { myVolunteerHours(year: $y) { totalMinutes } }";
    let body = app.gql(Some(&wang), mine_q, json!({ "y": year })).await;
    assert_eq!(
        data(&body)["myVolunteerHours"],
        json!([{ "totalMinutes": 120 }])
    );
    let body = app.gql(Some(&wang), mine_q, json!({ "y": year - 1 })).await;
    assert_eq!(
        data(&body)["myVolunteerHours"],
        json!([{ "totalMinutes": 0 }])
    );

    // Her certificate, downloaded by herself.
    let export = "mutation($y: Int!) { exportVolunteerCertificate(input: {year: $y, format: CSV}) { fileName totalMinutes contentBase64 } }";
    let body = app.gql(Some(&wang), export, json!({ "y": year })).await;
    let file = &data(&body)["exportVolunteerCertificate"];
    assert_eq!(file["totalMinutes"], 120);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(file["contentBase64"].as_str().unwrap())
        .unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.contains("兹证明 王秀英"), "{text}");
    assert!(text.contains("2 小时 0 分钟"), "{text}");
    let export_for = "mutation($r: ID!, $y: Int!) { exportVolunteerCertificate(input: {residentId: $r, year: $y, format: XLSX}) { fileName } }";
    let body = app
        .gql(
            Some(&li),
            export_for,
            json!({ "r": s.residents["王秀英"], "y": year }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
}

#[tokio::test]
async fn wrong_check_in_codes_are_rate_limited() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let a = published(&app, &s.staff, json!({})).await;
    data(&sign_up(&app, &s.treasurer, json!({ "activityId": a["id"] })).await);
    started(&app, &a["id"]).await;
    let code = a["checkInCode"].as_str().unwrap();
    let wrong = if code == "999999" { "999998" } else { "999999" };
    let by_code = "mutation($a: ID!, $c: String!) { checkInWithCode(input: {activityId: $a, code: $c}) { signUps { id } } }";
    let mut codes = Vec::new();
    for _ in 0..6 {
        let body = app
            .gql(
                Some(&s.treasurer),
                by_code,
                json!({ "a": a["id"], "c": wrong }),
            )
            .await;
        codes.push(error_code(&body).unwrap().to_owned());
    }
    assert_eq!(codes[..5], ["BAD_USER_INPUT"; 5]);
    assert_eq!(codes[5], "RATE_LIMITED");
    // Even the right code waits out the lockout.
    let body = app
        .gql(
            Some(&s.treasurer),
            by_code,
            json!({ "a": a["id"], "c": code }),
        )
        .await;
    assert_eq!(error_code(&body), Some("RATE_LIMITED"));
}

#[tokio::test]
async fn a_festival_delivery_goes_to_special_hardship_households_and_volunteers_record_it() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let wang = s.treasurer.clone();
    let li = login(&app, &s, "李建国", "li.jianguo").await;
    // 张伟's household is special hardship by staff decision.
    let set = "mutation($h: ID!) { setHouseholdCareLevel(input: {householdId: $h, careLevel: SPECIAL_HARDSHIP, reason: \"低保边缘，独居\"}) { household { id } } }";
    data(
        &app.gql(Some(&s.staff), set, json!({ "h": s.households["张伟"] }))
            .await,
    );
    let a = create(&app, &s.staff, json!({ "kind": "DELIVERY", "title": "春节送温暖", "capacity": 0, "audience": "HOUSEHOLDS", "volunteerRoles": [{ "name": "送达", "places": 2 }] })).await;
    let add = "mutation($a: ID!) { addDeliveryHouseholds(input: {activityId: $a, careLevel: SPECIAL_HARDSHIP}) { households } }";
    let body = app.gql(Some(&wang), add, json!({ "a": a["id"] })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&s.staff), add, json!({ "a": a["id"] })).await;
    assert_eq!(data(&body)["addDeliveryHouseholds"]["households"], 1);
    data(
        &app.gql(Some(&s.staff), PUBLISH, json!({ "id": a["id"] }))
            .await,
    );
    // Nobody signs up to receive; 王秀英 volunteers to deliver.
    let body = sign_up(&app, &wang, json!({ "activityId": a["id"] })).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let role = a["volunteerRoles"][0]["id"].clone();
    data(
        &sign_up(
            &app,
            &wang,
            json!({ "activityId": a["id"], "roleId": role }),
        )
        .await,
    );
    started(&app, &a["id"]).await;
    let list = "query($id: ID!) { activity(id: $id) { deliveries(first: 10) { edges { node { id address outcome } } } } }";
    // A resident who is not a volunteer sees no doors.
    let body = app.gql(Some(&li), list, json!({ "id": a["id"] })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&wang), list, json!({ "id": a["id"] })).await;
    let door = data(&body)["activity"]["deliveries"]["edges"][0]["node"].clone();
    assert_eq!(door["address"], "5栋2单元1201");
    assert_eq!(door["outcome"], "PENDING");
    let record = "mutation($d: ID!) { recordDelivery(input: {deliveryId: $d, outcome: NOT_HOME, note: \"敲门无人应答\"}) { delivery { outcome note } } }";
    let body = app.gql(Some(&li), record, json!({ "d": door["id"] })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&wang), record, json!({ "d": door["id"] }))
        .await;
    assert_eq!(
        data(&body)["recordDelivery"]["delivery"]["outcome"],
        "NOT_HOME"
    );
}

#[tokio::test]
async fn lists_of_activities_and_sign_ups_cost_the_same_whatever_the_page_size() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let list = "query($c: ID!, $n: Int!) { activities(communityId: $c, upcoming: true, first: $n) { edges { node { id title confirmedCount waitingCount checkInCode volunteerRoles { name places confirmed } permissions { canManage canSignUp } } } } }";
    let sign_ups = "query($id: ID!, $n: Int!) { activity(id: $id) { signUps(first: $n) { edges { node { name status role proposedMinutes } } } } }";
    let nested = "query($c: ID!, $n: Int!) { activities(communityId: $c, upcoming: true, first: $n) { edges { node { id title signUps(first: 10) { edges { node { name status role proposedMinutes } } } waiting: signUps(status: WAITING, first: 10) { edges { node { name } } } } } } }";
    let mine = "query($n: Int!) { mySignUps(first: $n) { edges { node { status name role activity { title status } } } } }";
    let mut costs = Vec::new();
    let mut last = Value::Null;
    for round in 0..2 {
        for _ in 0..if round == 0 { 1 } else { 4 } {
            let a = published(&app, &s.staff, json!({ "capacity": 3 })).await;
            for name in ["王秀英", "李建国"] {
                data(
                    &sign_up(
                        &app,
                        &s.staff,
                        json!({ "activityId": a["id"], "residentId": s.residents[name] }),
                    )
                    .await,
                );
            }
            last = a["id"].clone();
        }
        if round == 1 {
            for name in ["李小红", "张伟"] {
                data(
                    &sign_up(
                        &app,
                        &s.staff,
                        json!({ "activityId": last, "residentId": s.residents[name] }),
                    )
                    .await,
                );
            }
        }
        let (body, staff_cost) = app
            .gql_cost(&s.staff, list, json!({ "c": app.tree.a1, "n": 20 }))
            .await;
        let edges = data(&body)["activities"]["edges"].as_array().unwrap().len();
        let (body, resident_cost) = app
            .gql_cost(&s.treasurer, list, json!({ "c": app.tree.a1, "n": 20 }))
            .await;
        data(&body);
        let (body, mine_cost) = app.gql_cost(&s.treasurer, mine, json!({ "n": 20 })).await;
        let own = data(&body)["mySignUps"]["edges"].as_array().unwrap().len();
        let (body, page_cost) = app
            .gql_cost(&s.treasurer, sign_ups, json!({ "id": last, "n": 20 }))
            .await;
        let shown = data(&body)["activity"]["signUps"]["edges"]
            .as_array()
            .unwrap()
            .len();
        let (body, nested_cost) = app
            .gql_cost(&s.staff, nested, json!({ "c": app.tree.a1, "n": 20 }))
            .await;
        let signed: usize = data(&body)["activities"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["signUps"]["edges"].as_array().unwrap().len())
            .sum();
        costs.push((
            (edges, own, shown, signed),
            (staff_cost, resident_cost, mine_cost, page_cost, nested_cost),
        ));
    }
    assert_eq!(costs[0].0, (1, 1, 2, 2));
    assert_eq!(costs[1].0, (5, 5, 4, 12));
    // Whatever the page size: the same statements (page, counts, roles, the caller's
    // residents; sign-ups with names, roles and activities).
    assert_eq!(costs[0].1, costs[1].1, "{costs:?}");
    let (staff, resident, mine, page, nested) = costs[1].1;
    assert!(staff <= 4 && resident <= 4 && mine <= 4, "{costs:?}");
    // The activity (a point read, its place) and the page with what it shows.
    assert!(page <= 5, "{costs:?}");
    // Activities with their sign-ups (all, and the waiting): the page of activities, one
    // statement per nested list for every activity, their names and roles.
    assert!(nested <= 6, "{costs:?}");
}
