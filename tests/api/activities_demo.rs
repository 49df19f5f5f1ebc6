//! Activities on the demo data, as a frontend would see them with the demo logins: the
//! free clinic, the clean-up day and the festival delivery the demo holds; and the README's
//! examples, run as written (parsed from the README) with the variables it says where to
//! take from.

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Caller, TestApp, data, error_code};

async fn demo_caller(app: &TestApp, demo: &jiedao::bootstrap::Demo, username: &str) -> Caller {
    let login = demo.logins.iter().find(|l| l.username == username).unwrap();
    crate::org::demo_login(app, login).await
}

async fn community_of(app: &TestApp, who: &Caller) -> Value {
    let body = app
        .gql(Some(who), "{ me { grants { communityId } } }", json!({}))
        .await;
    data(&body)["me"]["grants"][0]["communityId"].clone()
}

const LIST: &str = "query($c: ID!) { activities(communityId: $c, first: 20) { edges { node { id kind title status startsAt confirmedCount waitingCount volunteerRoles { name places confirmed } } } } }";
const SIGN_UPS: &str = "query($id: ID!) { activity(id: $id) { signUps(first: 50) { edges { node { name status role onBehalf checkedInAt attendanceConfirmedAt volunteerMinutes } } } } }";
const DELIVERIES: &str = "query($id: ID!) { activity(id: $id) { deliveries(first: 50) { edges { node { address outcome note } } } } }";

fn by_kind(list: &Value) -> HashMap<String, Value> {
    list["activities"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["kind"].as_str().unwrap().to_owned(),
                e["node"].clone(),
            )
        })
        .collect()
}

fn nodes<'a>(body: &'a Value, path: &[&str]) -> Vec<&'a Value> {
    let mut at = data(body);
    for p in path {
        at = &at[p];
    }
    at["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["node"])
        .collect()
}

/// China's calendar year of an RFC 3339 instant.
fn year_of(at: &Value) -> i32 {
    let at: DateTime<Utc> = at.as_str().unwrap().parse().unwrap();
    (at + Duration::hours(8)).year()
}

#[tokio::test]
async fn the_demo_holds_a_clinic_a_clean_up_day_and_a_festival_delivery() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let staff = demo_caller(&app, &demo, "demo.xingfu.staff").await;
    let resident = demo_caller(&app, &demo, "demo.resident").await;
    let other = demo_caller(&app, &demo, "demo.guangming.admin").await;
    let community = community_of(&app, &staff).await;
    let list = app.gql(Some(&staff), LIST, json!({ "c": community })).await;
    let kinds = by_kind(data(&list));
    assert_eq!(kinds.len(), 3, "{kinds:?}");

    // The clinic: full, one waiting; a cancellation promoted the first waiting; three
    // checked in, two confirmed; everyone signed up by staff on their behalf.
    let clinic = &kinds["FREE_CLINIC"];
    assert_eq!(clinic["status"], "PUBLISHED");
    assert_eq!(
        (
            clinic["confirmedCount"].as_i64(),
            clinic["waitingCount"].as_i64()
        ),
        (Some(4), Some(1))
    );
    let body = app
        .gql(Some(&staff), SIGN_UPS, json!({ "id": clinic["id"] }))
        .await;
    let rows = nodes(&body, &["activity", "signUps"]);
    let count = |f: &dyn Fn(&Value) -> bool| rows.iter().filter(|r| f(r)).count();
    assert_eq!(count(&|r| r["status"] == "CANCELLED"), 1);
    assert_eq!(count(&|r| r["status"] == "WAITING"), 1);
    assert_eq!(
        count(&|r| r["role"].is_null() && r["checkedInAt"].is_string()),
        3
    );
    assert_eq!(count(&|r| r["attendanceConfirmedAt"].is_string()), 2);
    assert!(rows.iter().all(|r| r["onBehalf"] == true), "{rows:?}");

    // The clean-up: finished, three volunteers in two roles, checked in, minutes confirmed.
    let clean_up = &kinds["CLEAN_UP"];
    assert_eq!(clean_up["status"], "FINISHED");
    let roles: Vec<(&str, i64)> = clean_up["volunteerRoles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap(),
                r["confirmed"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(roles, [("楼道清扫", 2), ("垃圾分类引导", 1)]);
    let body = app
        .gql(Some(&staff), SIGN_UPS, json!({ "id": clean_up["id"] }))
        .await;
    let mut minutes: Vec<i64> = nodes(&body, &["activity", "signUps"])
        .iter()
        .inspect(|r| assert!(r["checkedInAt"].is_string(), "{r}"))
        .map(|r| r["volunteerMinutes"].as_i64().unwrap())
        .collect();
    minutes.sort_unstable();
    assert_eq!(minutes, [150, 180, 180]);

    // The delivery: the special-hardship households, three doors recorded by the demo
    // resident as a volunteer, who sees the list too.
    let delivery = &kinds["DELIVERY"];
    assert_eq!(delivery["status"], "PUBLISHED");
    for who in [&staff, &resident] {
        let body = app
            .gql(Some(who), DELIVERIES, json!({ "id": delivery["id"] }))
            .await;
        let doors = nodes(&body, &["activity", "deliveries"]);
        let outcome = |o: &str| doors.iter().filter(|d| d["outcome"] == o).count();
        assert_eq!((outcome("DELIVERED"), outcome("NOT_HOME")), (2, 1));
        assert!(outcome("PENDING") >= 1 && doors.iter().all(|d| d["address"] != ""));
    }

    // The resident's side: their sign-ups and their year's hours.
    let body = app
        .gql(
            Some(&resident),
            "{ mySignUps(first: 10) { edges { node { status role activity { kind } } } } }",
            json!({}),
        )
        .await;
    let mine: BTreeSet<&str> = nodes(&body, &["mySignUps"])
        .iter()
        .map(|n| n["activity"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(mine, BTreeSet::from(["CLEAN_UP", "DELIVERY"]));
    let body = app
        .gql(Some(&resident), "query($y: Int!) { myVolunteerHours(year: $y) { totalMinutes services { role minutes } } }", json!({ "y": year_of(&clean_up["startsAt"]) }))
        .await;
    assert_eq!(data(&body)["myVolunteerHours"][0]["totalMinutes"], 180);

    // Another community's admin does not reach them.
    let body = app.gql(Some(&other), LIST, json!({ "c": community })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(Some(&other), SIGN_UPS, json!({ "id": clinic["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

/// The README's activity operations by name.
fn readme_operations() -> HashMap<String, String> {
    let readme = include_str!("../../README.md");
    let section = &readme[readme.find("## Activities and volunteers").unwrap()..];
    let block = &section[section.find("```graphql\n").unwrap() + 11..];
    let block = &block[..block.find("```").unwrap()];
    let mut ops: Vec<String> = Vec::new();
    for line in block.lines().filter(|l| !l.starts_with('#')) {
        if line.starts_with("query ") || line.starts_with("mutation ") {
            ops.push(String::new());
        }
        let op = ops.last_mut().expect("the block starts with an operation");
        op.push_str(line);
        op.push('\n');
    }
    ops.into_iter()
        .map(|op| {
            let name = op.split_whitespace().nth(1).unwrap();
            let name = name.split(['(', '{']).next().unwrap().to_owned();
            (name, op)
        })
        .collect()
}

struct Readme<'a> {
    app: &'a TestApp,
    ops: HashMap<String, String>,
    ran: BTreeSet<String>,
}

impl Readme<'_> {
    async fn run(&mut self, name: &str, who: &Caller, vars: Value) -> Value {
        let op = self
            .ops
            .get(name)
            .unwrap_or_else(|| panic!("{name} is not in the README"));
        self.ran.insert(name.to_owned());
        let body = self.app.gql(Some(who), op, vars).await;
        data(&body).clone()
    }
}

fn edges(v: &Value) -> Vec<Value> {
    v["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

#[tokio::test]
async fn readme_activity_examples_run_on_the_demo() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let staff = demo_caller(&app, &demo, "demo.xingfu.staff").await;
    let resident = demo_caller(&app, &demo, "demo.resident").await;
    let mut readme = Readme {
        app: &app,
        ops: readme_operations(),
        ran: BTreeSet::new(),
    };
    let community = community_of(&app, &staff).await;

    let starts = Utc::now() + Duration::days(3);
    let vars = json!({ "community": community, "startsAt": starts, "endsAt": starts + Duration::hours(2) });
    let created = readme.run("CreateActivity", &staff, vars).await;
    let new = created["createActivity"]["activity"]["id"].clone();
    readme
        .run("PublishActivity", &staff, json!({ "activity": new }))
        .await;
    let list = readme
        .run("Activities", &resident, json!({ "community": community }))
        .await;
    let kinds: HashMap<String, Value> = edges(&list["activities"])
        .into_iter()
        .map(|n| (n["kind"].as_str().unwrap().to_owned(), n))
        .collect();
    assert_eq!(list["activities"]["totalCount"], 4);
    let (clinic, clean_up, delivery) = (
        &kinds["FREE_CLINIC"]["id"],
        &kinds["CLEAN_UP"],
        &kinds["DELIVERY"]["id"],
    );

    let signed = readme
        .run(
            "SignUp",
            &resident,
            json!({ "activity": new, "role": null }),
        )
        .await;
    let id = signed["signUpForActivity"]["signUp"]["id"].clone();
    assert_eq!(signed["signUpForActivity"]["signUp"]["status"], "CONFIRMED");
    readme
        .run("CancelSignUp", &resident, json!({ "signUp": id }))
        .await;

    // Staff check in the promoted clinic-goer and confirm attendance.
    let clinic_rows = readme
        .run("ActivitySignUps", &staff, json!({ "activity": clinic }))
        .await;
    let rows = edges(&clinic_rows["activity"]["signUps"]);
    let waiting_in = rows
        .iter()
        .find(|r| r["status"] == "CONFIRMED" && r["checkedInAt"].is_null())
        .expect("a confirmed clinic-goer not yet checked in");
    readme
        .run(
            "CheckInParticipant",
            &staff,
            json!({ "signUp": waiting_in["id"] }),
        )
        .await;
    readme
        .run(
            "ConfirmAttendance",
            &staff,
            json!({ "signUp": waiting_in["id"] }),
        )
        .await;

    // The resident checks in to the delivery with the code; the organiser confirms hours.
    let rows = readme
        .run("ActivitySignUps", &staff, json!({ "activity": delivery }))
        .await;
    let code = rows["activity"]["checkInCode"].clone();
    let checked = readme
        .run(
            "CheckInWithCode",
            &resident,
            json!({ "activity": delivery, "code": code }),
        )
        .await;
    assert_eq!(
        checked["checkInWithCode"]["signUps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let mine = readme.run("MySignUps", &resident, json!({})).await;
    let volunteering = edges(&mine["mySignUps"])
        .into_iter()
        .find(|n| n["activity"]["kind"] == "DELIVERY")
        .unwrap();
    let hours = readme
        .run(
            "ConfirmVolunteerHours",
            &staff,
            json!({ "signUp": volunteering["id"] }),
        )
        .await;
    assert_eq!(
        hours["confirmVolunteerHours"]["signUp"]["volunteerMinutes"],
        300
    );

    // Hours: staff read a clean-up volunteer's; the resident their own and the certificate.
    let year = year_of(&clean_up["startsAt"]);
    let rows = readme
        .run(
            "ActivitySignUps",
            &staff,
            json!({ "activity": clean_up["id"] }),
        )
        .await;
    let volunteer = edges(&rows["activity"]["signUps"])[0]["residentId"].clone();
    let theirs = readme
        .run(
            "VolunteerHours",
            &staff,
            json!({ "resident": volunteer, "year": year }),
        )
        .await;
    assert!(theirs["volunteerHours"]["totalMinutes"].as_i64() >= Some(150));
    let own = readme
        .run("MyVolunteerHours", &resident, json!({ "year": year }))
        .await;
    assert!(own["myVolunteerHours"][0]["totalMinutes"].as_i64() >= Some(180));
    let file = readme
        .run(
            "ExportVolunteerCertificate",
            &resident,
            json!({ "year": year }),
        )
        .await;
    assert!(
        file["exportVolunteerCertificate"]["contentBase64"]
            .as_str()
            .unwrap()
            .len()
            > 100
    );

    // Deliveries: adding the households again keeps them; the resident records a door.
    let added = readme
        .run(
            "AddDeliveryHouseholds",
            &staff,
            json!({ "activity": delivery }),
        )
        .await;
    let doors = readme
        .run("Deliveries", &resident, json!({ "activity": delivery }))
        .await;
    let doors = edges(&doors["activity"]["deliveries"]);
    assert_eq!(added["addDeliveryHouseholds"]["households"], doors.len());
    let pending = doors.iter().find(|d| d["outcome"] == "PENDING").unwrap();
    readme
        .run(
            "RecordDelivery",
            &resident,
            json!({ "delivery": pending["id"] }),
        )
        .await;

    let all: BTreeSet<String> = readme.ops.keys().cloned().collect();
    assert_eq!(readme.ran, all, "every README example runs");
}
