//! Resolutions on public notice (公示 of a passed motion): a share link that opens the
//! motion, its exact tally, the notice period and the objection counts, naming nobody.

use serde_json::{Value, json};

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{Caller, TestApp, data},
    notices::get,
};

/// A resolution of 和韵小区 passed at a bench meeting by households, two yes and one no:
/// (the director 李建国, the member 张伟, the motion's id).
pub async fn passed_resolution(app: &TestApp, s: &FundSetup) -> (Caller, Caller, Value) {
    use crate::{
        funds::appoint_with_login,
        meetings::{close, end_window, motion, open_meeting, vote},
    };
    let li = appoint_with_login(app, s, "李建国", "li.director", "DIRECTOR").await;
    let zhang = appoint_with_login(app, s, "张伟", "zhang.member", "MEMBER").await;
    let meeting = open_meeting(app, &li, &s.compound).await;
    let m = motion(app, &li, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    data(&vote(app, &li, &m, "YES").await);
    data(&vote(app, &zhang, &m, "NO").await);
    data(&vote(app, &s.treasurer, &m, "YES").await);
    end_window(app, &m).await;
    let closed = close(app, &li, &m).await;
    assert_eq!(data(&closed)["closeVoting"]["motion"]["passed"], true);
    (li, zhang, m)
}

#[tokio::test]
async fn a_resolution_on_notice_opens_at_its_link_with_its_exact_tally_and_nothing_personal() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let (li, zhang, m) = passed_resolution(&app, &s).await;

    let publish = "mutation($id: ID!) { publishResolutionNotice(input: {motionId: $id, days: 7}) { motion { noticeUntil } shareToken link } }";
    let body = app.gql(Some(&li), publish, json!({ "id": m })).await;
    let payload = &data(&body)["publishResolutionNotice"];
    let token = payload["shareToken"].as_str().unwrap();
    // The test client sends no Host: the link falls back to the listen address.
    assert_eq!(
        payload["link"],
        json!(format!("http://127.0.0.1:8080/r/{token}"))
    );

    let before = app.db().statement_count();
    let (status, headers, doc) = get(&app, &format!("/r/{token}.json")).await;
    let cost = app.db().statement_count() - before;
    assert_eq!(
        cost, 3,
        "the motion, the names around it, the objection counts"
    );
    assert_eq!(status, 200, "{doc}");
    assert_eq!(headers["cache-control"], "public, max-age=60");
    assert_eq!(doc["format"], "jiedao-resolution/1");
    assert_eq!(doc["title"], "动用维修基金更换道闸电机");
    assert_eq!(doc["compoundName"], "和韵小区");
    assert_eq!(doc["passed"], true);
    assert_eq!(doc["onNotice"], true);
    assert_eq!(doc["electorate"], "households");
    let tally = &doc["tally"];
    assert_eq!(
        (tally["yes"]["heads"].clone(), tally["no"]["heads"].clone()),
        (json!(2), json!(1)),
        "{tally}"
    );
    assert_eq!(doc["objections"], 0);
    for secret in ["李建国", "张伟", "王秀英"] {
        assert!(
            !doc.to_string().contains(secret),
            "{secret} must not be public"
        );
    }

    // An objection shows as a count.
    let object = "mutation($id: ID!, $b: String!) { lodgeObjection(input: {motionId: $id, body: $b}) { objection { id } } }";
    data(
        &app.gql(
            Some(&zhang),
            object,
            json!({ "id": m, "b": "报价偏高，请再比价" }),
        )
        .await,
    );
    let (_, _, doc) = get(&app, &format!("/r/{token}.json")).await;
    assert_eq!(
        (doc["objections"].clone(), doc["objectionsAnswered"].clone()),
        (json!(1), json!(0))
    );

    // Published again: a new period and link; the old link no longer opens.
    let body = app.gql(Some(&li), publish, json!({ "id": m })).await;
    let again = data(&body)["publishResolutionNotice"]["shareToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_ne!(again, token);
    assert_eq!(get(&app, &format!("/r/{token}.json")).await.0, 404);
    assert_eq!(get(&app, &format!("/r/{again}.json")).await.0, 200);
    let (status, _, body) = get(&app, "/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.json").await;
    assert_eq!(
        (status, body["errors"][0]["extensions"]["code"].clone()),
        (404, json!("NOT_FOUND"))
    );
}
