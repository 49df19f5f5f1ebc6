//! Announcements: staff publish to a community, a compound or buildings; the households
//! they reach read them; staff see which households have not read an urgent one.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::json;

use crate::{
    funds::fund_setup,
    helpers::{Scope, TestApp, data, error_code},
};

const PUBLISH: &str = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id urgent } } }";
const REACH: &str = "query($id: ID!) { announcement(id: $id) { title reach { households householdsRead unread } } }";

#[tokio::test]
async fn an_urgent_water_cut_notice_is_read_by_every_household_it_reaches() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let body = app
        .gql(
            Some(&s.staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": s.compound }),
        )
        .await;
    let building3 = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["number"] == "3号楼")
        .unwrap()["id"]
        .clone();
    let input = json!({ "in": { "communityId": app.tree.a1, "compoundId": s.compound, "buildingIds": [building3], "urgent": true, "title": "3号楼明日停水", "body": "明日9:00-15:00管道检修停水，请提前储水。", "validUntil": Utc::now() + Duration::days(2) } });
    // Only staff publish.
    let body = app.gql(Some(&s.treasurer), PUBLISH, input.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&s.staff), PUBLISH, input).await;
    let id = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();

    // 3号楼 has two households (王秀英's and 李建国's); 5栋 (张伟) is not reached.
    let body = app.gql(Some(&s.staff), REACH, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["announcement"]["reach"],
        json!({ "households": 2, "householdsRead": 0, "unread": ["3号楼1单元301", "3号楼1单元302"] })
    );
    let household =
        |name: &str| -> uuid::Uuid { s.households[name].as_str().unwrap().parse().unwrap() };
    let wang = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, household("王秀英")),
        )
        .await;
    let li = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, household("李建国")),
        )
        .await;
    let zhang = app
        .caller(Role::Resident, Scope::Below(app.tree.a1, household("张伟")))
        .await;
    let list = "query($c: ID!) { announcements(communityId: $c) { nodes { title } } }";
    let body = app
        .gql(Some(&zhang), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(data(&body)["announcements"]["nodes"], json!([]));
    let body = app.gql(Some(&zhang), REACH, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let body = app.gql(Some(&outsider), REACH, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let mark = "mutation($id: ID!) { markAnnouncementRead(id: $id) { announcement { id } } }";
    for stranger in [&outsider, &zhang] {
        let body = app.gql(Some(stranger), mark, json!({ "id": id })).await;
        assert_eq!(
            error_code(&body),
            Some("NOT_FOUND"),
            "not reached: nothing to mark"
        );
    }

    let read = "mutation($id: ID!) { markAnnouncementRead(id: $id) { announcement { id } } }";
    for resident in [&wang, &wang, &li] {
        let body = app
            .gql(Some(resident), list, json!({ "c": app.tree.a1 }))
            .await;
        assert_eq!(
            data(&body)["announcements"]["nodes"][0]["title"],
            "3号楼明日停水"
        );
        data(&app.gql(Some(resident), read, json!({ "id": id })).await);
    }
    // A resident sees the notice but not who has read it.
    let body = app.gql(Some(&li), REACH, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app.gql(Some(&s.staff), REACH, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["announcement"]["reach"],
        json!({ "households": 2, "householdsRead": 2, "unread": [] })
    );
}

#[tokio::test]
async fn a_grid_worker_sees_the_notices_of_their_grid_and_who_there_has_not_read_them() {
    let app = TestApp::new().await.with_homes().await;
    let g = crate::requests::grids(&app).await;
    let s = &g.s;
    let publish = |title: &str, buildings: Vec<serde_json::Value>| json!({ "in": { "communityId": app.tree.a1, "compoundId": s.compound, "buildingIds": buildings, "urgent": true, "title": title, "body": "请提前储水。", "validUntil": Utc::now() + Duration::days(2) } });
    let body = app
        .gql(Some(&s.staff), PUBLISH, publish("小区停水", vec![]))
        .await;
    let whole = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();
    let grid3_buildings = "query($g: ID!) { grid(id: $g) { buildings { id } } }";
    let body = app
        .gql(Some(&s.staff), grid3_buildings, json!({ "g": g.grid3 }))
        .await;
    let building3 = data(&body)["grid"]["buildings"][0]["id"].clone();
    let body = app
        .gql(
            Some(&s.staff),
            PUBLISH,
            publish("3号楼停电", vec![building3]),
        )
        .await;
    let only3 = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();

    // Each worker sees the receipts of their own grid's households only.
    let body = app
        .gql(Some(&g.worker3), REACH, json!({ "id": whole }))
        .await;
    assert_eq!(
        data(&body)["announcement"]["reach"],
        json!({ "households": 2, "householdsRead": 0, "unread": ["3号楼1单元301", "3号楼1单元302"] })
    );
    let body = app
        .gql(Some(&g.worker5), REACH, json!({ "id": whole }))
        .await;
    let reach5 = data(&body)["announcement"]["reach"].clone();
    assert!(
        reach5["unread"]
            .as_array()
            .unwrap()
            .iter()
            .all(|label| label.as_str().unwrap().starts_with("5栋")),
        "{reach5}"
    );
    let body = app.gql(Some(&s.staff), REACH, json!({ "id": whole })).await;
    let all = data(&body)["announcement"]["reach"]["households"]
        .as_i64()
        .unwrap();
    let in5 = reach5["households"].as_i64().unwrap();
    assert!(
        in5 > 0 && all >= 2 + in5,
        "staff see every grid's households"
    );

    // A notice for 3号楼 only is not the 5栋 worker's, nor another community's worker's.
    let list = "query($c: ID!) { announcements(communityId: $c) { nodes { title } } }";
    let titles = |body: &serde_json::Value| data(body)["announcements"]["nodes"].clone();
    let body = app
        .gql(Some(&g.worker3), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        titles(&body),
        json!([{ "title": "3号楼停电" }, { "title": "小区停水" }])
    );
    let body = app
        .gql(Some(&g.worker5), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(titles(&body), json!([{ "title": "小区停水" }]));
    let body = app
        .gql(Some(&g.worker5), REACH, json!({ "id": only3 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let elsewhere = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.b1, app.tree.grid_b1),
        )
        .await;
    let body = app
        .gql(Some(&elsewhere), REACH, json!({ "id": whole }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));

    // 王秀英 reads it: the 3号楼 worker knows to knock on 302 alone. A grid worker has no
    // household of their own to mark it read for.
    let wang: uuid::Uuid = s.households["王秀英"].as_str().unwrap().parse().unwrap();
    let wang = app
        .caller(Role::Resident, Scope::Below(app.tree.a1, wang))
        .await;
    let read = "mutation($id: ID!) { markAnnouncementRead(id: $id) { announcement { id } } }";
    data(&app.gql(Some(&wang), read, json!({ "id": whole })).await);
    let body = app
        .gql(Some(&g.worker3), read, json!({ "id": whole }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&g.worker3), REACH, json!({ "id": whole }))
        .await;
    assert_eq!(
        data(&body)["announcement"]["reach"],
        json!({ "households": 2, "householdsRead": 1, "unread": ["3号楼1单元302"] })
    );
}
