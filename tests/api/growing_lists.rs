//! Lists that grow with time are Relay connections: announcements, meetings, mediation
//! cases, funds and a fund's statements, levies and expenses page like every other list,
//! in their documented order, including where the caller sees only some of the rows.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use crate::helpers::{Caller, TestApp, data, error_code};

/// Walks a connection `first` at a time; the nodes' `title`s in order, with the
/// `totalCount` the first page reported.
async fn walk(
    app: &TestApp,
    who: &Caller,
    query: &str,
    vars: Value,
    field: &str,
    first: i64,
) -> (Vec<String>, i64) {
    let (mut titles, mut after, mut total) = (Vec::new(), Value::Null, None);
    loop {
        let mut vars = vars.clone();
        vars["first"] = json!(first);
        vars["after"] = after.clone();
        let body = app.gql(Some(who), query, vars).await;
        let page = &data(&body)[field];
        total.get_or_insert(page["totalCount"].as_i64().unwrap());
        let edges = page["edges"].as_array().unwrap();
        assert!(edges.len() as i64 <= first);
        titles.extend(
            edges
                .iter()
                .map(|e| e["node"]["title"].as_str().unwrap().to_owned()),
        );
        if !page["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            return (titles, total.unwrap());
        }
        assert_eq!(edges.len() as i64, first, "only the last page is short");
        after = page["pageInfo"]["endCursor"].clone();
    }
}

const ANNOUNCEMENTS: &str = "query($c: ID!, $first: Int, $after: String) { announcements(communityId: $c, first: $first, after: $after) { totalCount edges { node { title } } pageInfo { hasNextPage endCursor } } }";

#[tokio::test]
async fn announcements_page_newest_first_also_for_a_grid_worker_who_sees_only_some() {
    let app = TestApp::new().await.with_homes().await;
    let g = crate::requests::grids(&app).await;
    let s = &g.s;
    let body = app
        .gql(
            Some(&s.staff),
            "query($g: ID!) { grid(id: $g) { buildings { id } } }",
            json!({ "g": g.grid3 }),
        )
        .await;
    let building3 = data(&body)["grid"]["buildings"][0]["id"].clone();
    let publish = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id } } }";
    // Eleven notices by turns: for the compound, for a building of grid 3, for the whole
    // community.
    let mut published = Vec::new();
    for i in 0..11 {
        let title = format!("通知{i:02}");
        let buildings = if i % 3 == 1 {
            vec![building3.clone()]
        } else {
            vec![]
        };
        let compound = if i % 3 == 2 {
            Value::Null
        } else {
            s.compound.clone()
        };
        let input = json!({ "communityId": app.tree.a1, "compoundId": compound, "buildingIds": buildings, "urgent": false, "title": title, "body": "请留意。", "validUntil": Utc::now() + Duration::days(2) });
        data(
            &app.gql(Some(&s.staff), publish, json!({ "in": input }))
                .await,
        );
        published.push(title);
    }
    let all: Vec<String> = published.iter().rev().cloned().collect();
    let vars = json!({ "c": app.tree.a1 });
    let (titles, total) = walk(
        &app,
        &s.staff,
        ANNOUNCEMENTS,
        vars.clone(),
        "announcements",
        4,
    )
    .await;
    assert_eq!(
        (titles.clone(), total),
        (all.clone(), 11),
        "staff: every notice, newest first"
    );

    // Worker 5's grid has no building 3: they see the whole-compound and whole-community
    // notices only, still newest first and complete across pages.
    let (titles, total) = walk(
        &app,
        &g.worker5,
        ANNOUNCEMENTS,
        vars.clone(),
        "announcements",
        2,
    )
    .await;
    let expected: Vec<String> = all
        .iter()
        .filter(|t| t[6..].parse::<i32>().unwrap() % 3 != 1)
        .cloned()
        .collect();
    assert_eq!((titles, total), (expected.clone(), expected.len() as i64));
    let (titles, _) = walk(
        &app,
        &g.worker3,
        ANNOUNCEMENTS,
        vars.clone(),
        "announcements",
        3,
    )
    .await;
    assert_eq!(titles, all, "worker 3's grid holds building 3");

    // A cursor of one list is refused by another, and garbage is refused.
    let body = app
        .gql(
            Some(&s.staff),
            ANNOUNCEMENTS,
            json!({ "c": app.tree.a1, "first": 1 }),
        )
        .await;
    let cursor = data(&body)["announcements"]["pageInfo"]["endCursor"].clone();
    let meetings = "query($c: ID!, $after: String) { meetingsOfCompound(compoundId: $c, after: $after) { totalCount } }";
    let body = app
        .gql(
            Some(&s.staff),
            meetings,
            json!({ "c": s.compound, "after": cursor }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    let body = app
        .gql(
            Some(&s.staff),
            ANNOUNCEMENTS,
            json!({ "c": app.tree.a1, "after": "garbage!" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    // Another community's staff see none of it.
    let other = app
        .caller(
            entity::role_grant::Role::CommunityStaff,
            crate::helpers::Scope::Community(app.tree.b1),
        )
        .await;
    let body = app
        .gql(Some(&other), ANNOUNCEMENTS, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn meetings_page_by_when_they_start_not_when_they_were_scheduled() {
    let app = TestApp::new().await.with_homes().await;
    let s = crate::funds::fund_setup(&app).await;
    let schedule =
        "mutation($in: ScheduleMeetingInput!) { scheduleMeeting(input: $in) { meeting { id } } }";
    // Scheduled in one order, starting in another; two start at the same minute.
    let now = Utc::now();
    let starts = [3, 1, 5, 1, 4, 2];
    for (i, days) in starts.iter().enumerate() {
        let input = json!({ "compoundId": s.compound, "kind": "BENCH", "title": format!("议事{i}"), "startsAt": now + Duration::days(*days), "place": "长椅" });
        data(
            &app.gql(Some(&s.staff), schedule, json!({ "in": input }))
                .await,
        );
    }
    let query = "query($c: ID!, $first: Int, $after: String) { meetingsOfCompound(compoundId: $c, first: $first, after: $after) { totalCount edges { node { title } } pageInfo { hasNextPage endCursor } } }";
    let (titles, total) = walk(
        &app,
        &s.staff,
        query,
        json!({ "c": s.compound }),
        "meetingsOfCompound",
        2,
    )
    .await;
    // Latest start first; of the two on day 1, the one scheduled later first.
    assert_eq!(
        titles,
        ["议事2", "议事4", "议事0", "议事5", "议事3", "议事1"]
    );
    assert_eq!(total, 6);
}

#[tokio::test]
async fn a_funds_expenses_page_newest_first() {
    let app = TestApp::new().await.with_homes().await;
    let s = crate::funds::fund_setup(&app).await;
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    for i in 0..5 {
        let input = json!({ "fundId": s.fund, "payeeName": "李师傅", "amount": format!("{}.00", 10 + i), "purpose": format!("维修{i}") });
        data(
            &app.gql(Some(&s.treasurer), draft, json!({ "in": input }))
                .await,
        );
    }
    let query = "query($f: ID!, $after: String) { fund(id: $f) { expenses(first: 2, after: $after) { totalCount nodes { purpose } pageInfo { hasNextPage endCursor } } } }";
    let mut purposes = Vec::new();
    let mut after = Value::Null;
    loop {
        let body = app
            .gql(
                Some(&s.treasurer),
                query,
                json!({ "f": s.fund, "after": after }),
            )
            .await;
        let page = &data(&body)["fund"]["expenses"];
        assert_eq!(page["totalCount"], 5);
        purposes.extend(
            page["nodes"]
                .as_array()
                .unwrap()
                .iter()
                .map(|n| n["purpose"].clone()),
        );
        if page["pageInfo"]["hasNextPage"] == false {
            break;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
    assert_eq!(
        purposes,
        ["维修4", "维修3", "维修2", "维修1", "维修0"]
            .map(Value::from)
            .to_vec()
    );
}
