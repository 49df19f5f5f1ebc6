//! Complete contact cards (联络卡): the community office's phone and address, the party
//! secretary, and the work phones staff and grid workers publish. A resident's own phone
//! never appears unless a committee member chose to publish it (masked).

use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    helpers::{Caller, Scope, TestApp, data, error_code},
    requests::grids,
};

const SET_PHONE: &str = "mutation($u: ID!, $p: String) { setWorkPhone(input: {userId: $u, workPhone: $p}) { user { workPhone } } }";
const SET_OFFICE: &str = "mutation($in: SetCommunityOfficeInput!) { setCommunityOffice(input: $in) { community { officePhone officeAddress partySecretaryUserId } } }";
const CARD: &str = "query($c: ID!) { compoundContactCard(compoundId: $c) { officePhone officeAddress partySecretary { name phone } staff { name phone } gridWorkers { grid name phone } committee { name phone } } }";

async fn name_of(app: &TestApp, who: &Caller) -> Value {
    data(
        &app.gql(Some(who), "{ me { displayName } }", json!({}))
            .await,
    )["me"]["displayName"]
        .clone()
}

#[tokio::test]
async fn the_card_carries_the_office_the_party_secretary_and_published_work_phones() {
    let app = TestApp::new().await;
    let g = grids(&app).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let staff = &g.s.staff;

    // Staff publish their own work phone; an admin publishes a grid worker's.
    let body = app
        .gql(
            Some(staff),
            SET_PHONE,
            json!({ "u": staff.user_id.to_string(), "p": "139 5710 0102" }),
        )
        .await;
    assert_eq!(
        data(&body)["setWorkPhone"]["user"]["workPhone"],
        "13957100102"
    );
    let body = app
        .gql(
            Some(&admin),
            SET_PHONE,
            json!({ "u": g.worker3.user_id.to_string(), "p": "+86 139-5710-0133" }),
        )
        .await;
    assert_eq!(
        data(&body)["setWorkPhone"]["user"]["workPhone"],
        "13957100133"
    );
    // Not a resident (their phone stays in the registry), not another community's admin,
    // not a made-up number.
    let body = app
        .gql(
            Some(&g.resident),
            SET_PHONE,
            json!({ "u": g.resident.user_id.to_string(), "p": "13957100999" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&outsider),
            SET_PHONE,
            json!({ "u": g.worker3.user_id.to_string(), "p": "13957100999" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(staff),
            SET_PHONE,
            json!({ "u": staff.user_id.to_string(), "p": "12345" }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.workPhone");

    // The office and its party secretary: the community's admins set them.
    let office = json!({ "in": { "communityId": app.tree.a1, "officePhone": "0571-86012345", "officeAddress": "幸福里12号 社区党群服务中心", "partySecretaryUserId": admin.user_id.to_string() } });
    assert_eq!(
        error_code(&app.gql(Some(staff), SET_OFFICE, office.clone()).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.gql(Some(&outsider), SET_OFFICE, office.clone()).await),
        Some("NOT_FOUND")
    );
    let elsewhere = json!({ "in": { "communityId": app.tree.a1, "partySecretaryUserId": outsider.user_id.to_string() } });
    let body = app.gql(Some(&admin), SET_OFFICE, elsewhere).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.partySecretaryUserId"
    );
    let body = app.gql(Some(&admin), SET_OFFICE, office).await;
    assert_eq!(
        data(&body)["setCommunityOffice"]["community"]["officePhone"],
        "057186012345"
    );
    data(
        &app.gql(
            Some(&admin),
            SET_PHONE,
            json!({ "u": admin.user_id.to_string(), "p": "13957100101" }),
        )
        .await,
    );

    // A resident of the compound reads the card.
    let body = app
        .gql(Some(&g.resident), CARD, json!({ "c": g.s.compound }))
        .await;
    let card = &data(&body)["compoundContactCard"];
    assert_eq!(card["officePhone"], "057186012345");
    assert_eq!(card["officeAddress"], "幸福里12号 社区党群服务中心");
    assert_eq!(
        card["partySecretary"],
        json!({ "name": name_of(&app, &admin).await, "phone": "13957100101" })
    );
    let staff_entry = json!({ "name": name_of(&app, staff).await, "phone": "13957100102" });
    assert!(
        card["staff"].as_array().unwrap().contains(&staff_entry),
        "{card}"
    );
    let worker = card["gridWorkers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["grid"] == "第7网格")
        .unwrap()
        .clone();
    assert_eq!(worker["phone"], "13957100133");
    assert!(!card.to_string().contains("13957100999"));

    // Withdrawn, it is gone from the card.
    data(
        &app.gql(
            Some(staff),
            SET_PHONE,
            json!({ "u": staff.user_id.to_string(), "p": null }),
        )
        .await,
    );
    let body = app
        .gql(Some(&g.resident), CARD, json!({ "c": g.s.compound }))
        .await;
    let staff_entry = json!({ "name": name_of(&app, staff).await, "phone": null });
    assert!(
        data(&body)["compoundContactCard"]["staff"]
            .as_array()
            .unwrap()
            .contains(&staff_entry)
    );
}

#[tokio::test]
async fn the_demo_card_names_real_looking_people_with_their_work_phones() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.resident")
        .unwrap();
    let resident = crate::org::demo_login(&app, login).await;
    let compounds = "{ compounds(first: 1) { edges { node { id name } } } }";
    let compound = data(&app.gql(Some(&resident), compounds, json!({})).await)["compounds"]["edges"][0]["node"]["id"].clone();
    let body = app
        .gql(Some(&resident), CARD, json!({ "c": compound }))
        .await;
    let card = &data(&body)["compoundContactCard"];
    assert_eq!(card["officePhone"], "057186012345");
    assert_eq!(
        card["partySecretary"],
        json!({ "name": "王丽华", "phone": "13957100101" })
    );
    assert!(
        card["staff"]
            .as_array()
            .unwrap()
            .contains(&json!({ "name": "赵敏", "phone": "13957100102" })),
        "{card}"
    );
    assert!(
        card["gridWorkers"]
            .as_array()
            .unwrap()
            .contains(&json!({ "grid": "第1网格", "name": "周建华", "phone": "13957100111" })),
        "{card}"
    );
    assert!(
        !card.to_string().contains("demo."),
        "usernames on the card: {card}"
    );
}
