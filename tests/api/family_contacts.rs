//! Family contacts (家属联系人): a daughter acts for her father, an elderly resident living
//! alone without a phone, as far as the flags staff set allow; removing her or clearing a
//! flag stops her at once; she sees nothing of other households, and owners' votes
//! (art. 278) are never hers to cast.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    funds::{FundSetup, fund_setup_with},
    helpers::{Caller, Scope, TestApp, data, error_code},
    meetings::{motion, open_meeting, vote},
    roster::ROSTER,
};

const ADD: &str = "mutation($in: AddFamilyContactInput!) { addFamilyContact(input: $in) { familyContact { id name relation phone mayAnswerConsultations maySignInToMeetings mayReceiveNotices hasAccount permissions { canUpdate canCreateAccount canRevealPhone } } } }";
const UPDATE: &str = "mutation($in: UpdateFamilyContactInput!) { updateFamilyContact(input: $in) { familyContact { id mayAnswerConsultations maySignInToMeetings mayReceiveNotices } } }";
const REMOVE: &str =
    "mutation($id: ID!) { removeFamilyContact(input: {id: $id}) { familyContact { endedAt } } }";
const ACCOUNT: &str = "mutation($id: ID!, $u: String!) { createFamilyContactAccount(input: {familyContactId: $id, username: $u, initialPassword: \"梧桐树下的长椅-2026\"}) { userId familyContact { hasAccount } } }";
const REVEAL: &str = "mutation($id: ID!, $r: String!) { revealFamilyContactPhone(input: {familyContactId: $id, reason: $r}) { value } }";
const RESIDENT: &str = "query($id: ID!) { resident(id: $id) { name phone documentNumber familyContacts { name relation phone } } }";
const VOTERS: &str = "query($id: ID!) { motion(id: $id) { voters { voted castBy castFor } tally { participating { heads } yes { heads } } } }";
const SIGN_IN: &str = "mutation($id: ID!, $r: ID!) { signInOnBehalf(input: {meetingId: $id, residentId: $r}) { meeting { attendance { people households } } } }";

/// 和韵小区's roster with 刘德福, 81, living alone in 3-303 without a phone.
async fn setup(app: &TestApp) -> FundSetup {
    let roster = format!("{ROSTER}刘德福,男,,,3号楼,1,303,80.00,户主,独居老人\n");
    fund_setup_with(app, &roster, "王秀英").await
}

/// Staff add 刘晓燕 as 刘德福's daughter with these flags; the contact's id.
async fn daughter(app: &TestApp, s: &FundSetup, flags: Value) -> Value {
    let mut input = json!({ "residentId": s.residents["刘德福"], "name": "刘晓燕", "relation": "DAUGHTER", "phone": "139 0571 0001" });
    input
        .as_object_mut()
        .unwrap()
        .extend(flags.as_object().unwrap().clone());
    let body = app.gql(Some(&s.staff), ADD, json!({ "in": input })).await;
    data(&body)["addFamilyContact"]["familyContact"]["id"].clone()
}

/// The contact's own login, created by staff, logged in (password already changed).
async fn login(app: &TestApp, s: &FundSetup, contact: &Value, username: &str) -> Caller {
    let body = app
        .gql(
            Some(&s.staff),
            ACCOUNT,
            json!({ "id": contact, "u": username }),
        )
        .await;
    assert_eq!(
        data(&body)["createFamilyContactAccount"]["familyContact"]["hasAccount"],
        true
    );
    let user: Uuid = data(&body)["createFamilyContactAccount"]["userId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.skip_password_change(user).await;
    app.session(user, username).await
}

#[tokio::test]
async fn a_daughter_answers_a_consultation_for_her_father() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({ "mayAnswerConsultations": true })).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;

    // She reads her father's record: his name, never his document number; her own row.
    let body = app
        .gql(
            Some(&xiaoyan),
            RESIDENT,
            json!({ "id": s.residents["刘德福"] }),
        )
        .await;
    let father = &data(&body)["resident"];
    assert_eq!(father["name"], "刘德福");
    assert_eq!(father["documentNumber"], Value::Null);
    assert_eq!(
        father["familyContacts"],
        json!([{ "name": "刘晓燕", "relation": "DAUGHTER", "phone": "139****0001" }])
    );

    // The household's ballot, cast by her on his behalf, is counted.
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let m = motion(&app, &s.staff, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    data(&vote(&app, &xiaoyan, &m, "YES").await);
    let body = app.gql(Some(&s.staff), VOTERS, json!({ "id": m })).await;
    let motion = &data(&body)["motion"];
    let cast: Vec<&Value> = motion["voters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["voted"] == true)
        .collect();
    assert_eq!(cast.len(), 1);
    assert_eq!(cast[0]["castBy"], json!(xiaoyan.user_id.to_string()));
    assert_eq!(cast[0]["castFor"], s.residents["刘德福"]);
    assert_eq!(motion["tally"]["participating"]["heads"], 1);
    assert_eq!(motion["tally"]["yes"]["heads"], 1);
}

#[tokio::test]
async fn without_the_flag_or_once_removed_a_family_contact_cannot_act() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({})).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let m = motion(&app, &s.staff, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;

    // Her grant ends only with the contact: an admin cannot revoke it on its own.
    let body = app
        .gql(Some(&xiaoyan), "{ me { grants { id } } }", json!({}))
        .await;
    let grant = data(&body)["me"]["grants"][0]["id"].clone();
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let revoke = "mutation($id: ID!) { revokeRole(input: {grantId: $id}) { grant { id } } }";
    let body = app.gql(Some(&admin), revoke, json!({ "id": grant })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));

    // No flag: FORBIDDEN, saying why.
    let body = vote(&app, &xiaoyan, &m, "YES").await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("征询")
            || body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("consultations")
    );
    // Staff set the flag: she votes at once; they clear it: she cannot change the ballot.
    let set = |flag: bool| json!({ "in": { "id": contact, "mayAnswerConsultations": flag } });
    data(&app.gql(Some(&s.staff), UPDATE, set(true)).await);
    data(&vote(&app, &xiaoyan, &m, "YES").await);
    data(&app.gql(Some(&s.staff), UPDATE, set(false)).await);
    assert_eq!(
        error_code(&vote(&app, &xiaoyan, &m, "NO").await),
        Some("FORBIDDEN")
    );

    // Removed: her grant ends with her sessions; a new session can do nothing either.
    data(&app.gql(Some(&s.staff), UPDATE, set(true)).await);
    let body = app
        .gql(Some(&s.staff), REMOVE, json!({ "id": contact }))
        .await;
    assert!(data(&body)["removeFamilyContact"]["familyContact"]["endedAt"].is_string());
    assert_eq!(
        error_code(&vote(&app, &xiaoyan, &m, "NO").await),
        Some("UNAUTHENTICATED")
    );
    let again = app.session(xiaoyan.user_id, "liu.xiaoyan").await;
    assert!(error_code(&vote(&app, &again, &m, "NO").await).is_some());
    let body = app
        .gql(
            Some(&again),
            RESIDENT,
            json!({ "id": s.residents["刘德福"] }),
        )
        .await;
    assert!(error_code(&body).is_some());
    // The ballot she cast while allowed stands: yes.
    let body = app.gql(Some(&s.staff), VOTERS, json!({ "id": m })).await;
    assert_eq!(data(&body)["motion"]["tally"]["yes"]["heads"], 1);
    // Nor can the role be given any other way.
    let grant = "mutation($u: ID!, $h: ID!) { grantRole(input: {userId: $u, role: FAMILY_CONTACT, scopeId: $h}) { grant { id } } }";
    let body = app
        .gql(
            Some(&admin),
            grant,
            json!({ "u": again.user_id, "h": s.households["刘德福"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn owners_votes_are_never_a_family_contacts_to_cast() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({ "mayAnswerConsultations": true })).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    let body = app
        .gql(
            Some(&s.staff),
            "{ dwellings(first: 100) { edges { node { id room } } } }",
            json!({}),
        )
        .await;
    let room = data(&body)["dwellings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["node"]["room"] == "303")
        .unwrap()["node"]["id"]
        .clone();
    let add = "mutation($d: ID!, $r: ID!) { addDwellingOwner(input: {dwellingId: $d, residentId: $r}) { ownerId } }";
    data(
        &app.gql(
            Some(&s.staff),
            add,
            json!({ "d": room, "r": s.residents["刘德福"] }),
        )
        .await,
    );
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let m = motion(&app, &s.staff, &meeting, "OWNERS", "ORDINARY", false).await;
    let body = vote(&app, &xiaoyan, &m, "YES").await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("278")
    );
    let body = app.gql(Some(&s.staff), VOTERS, json!({ "id": m })).await;
    assert_eq!(data(&body)["motion"]["tally"]["participating"]["heads"], 0);
}

#[tokio::test]
async fn a_family_contact_sees_nothing_of_other_households_or_communities() {
    let app = TestApp::new().await.with_homes().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({ "mayAnswerConsultations": true })).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    let other = "query($id: ID!) { resident(id: $id) { name } }";
    let body = app
        .gql(Some(&xiaoyan), other, json!({ "id": s.residents["张伟"] }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let household = "query($id: ID!) { household(id: $id) { id } }";
    let body = app
        .gql(
            Some(&xiaoyan),
            household,
            json!({ "id": app.tree.household_b1 }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&xiaoyan),
            household,
            json!({ "id": s.households["张伟"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&xiaoyan),
            household,
            json!({ "id": s.households["刘德福"] }),
        )
        .await;
    assert_eq!(data(&body)["household"]["id"], s.households["刘德福"]);
    // She files a request for her father's household, and only for it.
    let submit = "mutation($h: ID!) { submitRequest(input: {householdId: $h, category: \"repair\", title: \"家中水管漏水\"}) { request { id } } }";
    data(
        &app.gql(
            Some(&xiaoyan),
            submit,
            json!({ "h": s.households["刘德福"] }),
        )
        .await,
    );
    let body = app
        .gql(Some(&xiaoyan), submit, json!({ "h": s.households["张伟"] }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let list = "{ requests(first: 10) { edges { node { title } } } }";
    let body = app.gql(Some(&xiaoyan), list, json!({})).await;
    assert_eq!(
        data(&body)["requests"]["edges"],
        json!([{ "node": { "title": "家中水管漏水" } }])
    );

    // Staff of another community find none of it; she cannot keep contacts herself.
    let b1 = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let input = json!({ "in": { "residentId": s.residents["刘德福"], "name": "刘晓明", "relation": "SON" } });
    assert_eq!(
        error_code(&app.gql(Some(&b1), ADD, input.clone()).await),
        Some("NOT_FOUND")
    );
    let update = json!({ "in": { "id": contact, "mayReceiveNotices": true } });
    assert_eq!(
        error_code(&app.gql(Some(&b1), UPDATE, update.clone()).await),
        Some("NOT_FOUND")
    );
    assert_eq!(
        error_code(&app.gql(Some(&b1), REMOVE, json!({ "id": contact })).await),
        Some("NOT_FOUND")
    );
    assert_eq!(
        error_code(&app.gql(Some(&xiaoyan), ADD, input.clone()).await),
        Some("FORBIDDEN")
    );
    assert_eq!(
        error_code(&app.gql(Some(&xiaoyan), UPDATE, update).await),
        Some("FORBIDDEN")
    );
    // A committee member reads no residents: FORBIDDEN.
    let member = app
        .caller(
            Role::CommitteeMember,
            Scope::Below(app.tree.a1, s.compound.as_str().unwrap().parse().unwrap()),
        )
        .await;
    assert_eq!(
        error_code(&app.gql(Some(&member), ADD, input).await),
        Some("FORBIDDEN")
    );
}

#[tokio::test]
async fn the_phone_is_masked_and_revealing_it_is_audited() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({})).await;
    let body = app
        .gql(
            Some(&s.staff),
            RESIDENT,
            json!({ "id": s.residents["刘德福"] }),
        )
        .await;
    assert_eq!(
        data(&body)["resident"]["familyContacts"][0]["phone"],
        "139****0001"
    );
    let body = app
        .gql(Some(&s.staff), REVEAL, json!({ "id": contact, "r": "no" }))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.reason");
    let reason = "联系家属确认老人近况";
    let body = app
        .gql(
            Some(&s.staff),
            REVEAL,
            json!({ "id": contact, "r": reason }),
        )
        .await;
    assert_eq!(
        data(&body)["revealFamilyContactPhone"]["value"],
        "13905710001"
    );
    // The contact herself and other communities' staff cannot reveal it.
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    let body = app
        .gql(
            Some(&xiaoyan),
            REVEAL,
            json!({ "id": contact, "r": reason }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let b1 = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    let body = app
        .gql(Some(&b1), REVEAL, json!({ "id": contact, "r": reason }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let log = "{ auditEntries(action: \"revealFamilyContactPhone\", first: 10) { edges { node { outcome actorUserId input } } } }";
    let body = app.gql(Some(&admin), log, json!({})).await;
    let ok: Vec<Value> = data(&body)["auditEntries"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["node"]["outcome"] == "OK")
        .cloned()
        .collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["node"]["input"]["reason"], reason);
    assert_eq!(
        ok[0]["node"]["actorUserId"],
        json!(s.staff.user_id.to_string())
    );
    // Phones never enter the audit log of the change that set them.
    let log =
        "{ auditEntries(action: \"addFamilyContact\", first: 10) { edges { node { input } } } }";
    let body = app.gql(Some(&admin), log, json!({})).await;
    assert!(!body.to_string().contains("0571"));
}

#[tokio::test]
async fn a_household_keeps_its_own_family_contacts_but_smaller_roles_cannot() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    // 李建国 (with a login) names his son-in-law for himself.
    let account = "mutation($id: ID!) { createResidentAccount(input: {residentId: $id, username: \"li.jianguo\", initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&s.staff),
            account,
            json!({ "id": s.residents["李建国"] }),
        )
        .await;
    let user: Uuid = data(&body)["createResidentAccount"]["userId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.skip_password_change(user).await;
    let li = app.session(user, "li.jianguo").await;
    let input = json!({ "in": { "residentId": s.residents["李建国"], "name": "陈志强", "relation": "RELATIVE", "maySignInToMeetings": true } });
    let body = app.gql(Some(&li), ADD, input).await;
    let added = &data(&body)["addFamilyContact"]["familyContact"];
    assert_eq!(added["permissions"]["canUpdate"], true);
    assert_eq!(added["permissions"]["canCreateAccount"], false);
    // Only staff give the contact a login.
    let body = app
        .gql(
            Some(&li),
            ACCOUNT,
            json!({ "id": added["id"], "u": "chen.zhiqiang" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // Not for another household.
    let input = json!({ "in": { "residentId": s.residents["刘德福"], "name": "陈志强", "relation": "OTHER" } });
    assert_eq!(
        error_code(&app.gql(Some(&li), ADD, input.clone()).await),
        Some("NOT_FOUND")
    );
    // A grid worker of the community whose grid does not hold the building finds nothing.
    let worker = app
        .caller(
            Role::GridWorker,
            Scope::Below(app.tree.a1, app.tree.grid_a1),
        )
        .await;
    assert_eq!(
        error_code(&app.gql(Some(&worker), ADD, input).await),
        Some("NOT_FOUND")
    );
}

#[tokio::test]
async fn a_family_contact_signs_her_father_in_and_receives_notices_by_the_flags() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({})).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let vars = json!({ "id": meeting, "r": s.residents["刘德福"] });
    assert_eq!(
        error_code(&app.gql(Some(&xiaoyan), SIGN_IN, vars.clone()).await),
        Some("FORBIDDEN")
    );
    let flags = json!({ "in": { "id": contact, "maySignInToMeetings": true } });
    data(&app.gql(Some(&s.staff), UPDATE, flags).await);
    // Not anyone else: only the resident she is the contact of.
    let other = json!({ "id": meeting, "r": s.residents["张伟"] });
    assert!(error_code(&app.gql(Some(&xiaoyan), SIGN_IN, other).await).is_some());
    let body = app.gql(Some(&xiaoyan), SIGN_IN, vars).await;
    assert_eq!(
        data(&body)["signInOnBehalf"]["meeting"]["attendance"],
        json!({ "people": 1, "households": 1 })
    );

    // Notices: the compound's announcement reaches 3号楼; with the flag she sees it and
    // whether her father's household has read it.
    let publish = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id } } }";
    let input = json!({ "in": { "communityId": app.tree.a1, "compoundId": s.compound, "buildingIds": [], "urgent": false, "title": "周六义诊", "body": "周六上午社区卫生站为老人免费量血压。", "validUntil": Utc::now() + Duration::days(3) } });
    let body = app.gql(Some(&s.staff), publish, input).await;
    let id = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();
    let reach =
        "query($id: ID!) { announcement(id: $id) { title reach { households householdsRead } } }";
    let list =
        "query($c: ID!) { announcements(communityId: $c, first: 10) { edges { node { title } } } }";
    let body = app.gql(Some(&xiaoyan), reach, json!({ "id": id })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&xiaoyan), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(data(&body)["announcements"]["edges"], json!([]));
    let flags = json!({ "in": { "id": contact, "mayReceiveNotices": true } });
    data(&app.gql(Some(&s.staff), UPDATE, flags).await);
    let body = app
        .gql(Some(&xiaoyan), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        data(&body)["announcements"]["edges"],
        json!([{ "node": { "title": "周六义诊" } }])
    );
    let mark = "mutation($id: ID!) { markAnnouncementRead(id: $id) { announcement { id } } }";
    data(&app.gql(Some(&xiaoyan), mark, json!({ "id": id })).await);
    let body = app.gql(Some(&xiaoyan), reach, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["announcement"]["reach"],
        json!({ "households": 1, "householdsRead": 1 })
    );
}

#[tokio::test]
async fn a_page_of_residents_with_family_contacts_costs_the_same_statements() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let page = "{ residents(first: 20) { edges { node { name familyContacts { name phone } } } } }";
    daughter(&app, &s, json!({})).await;
    let (body, one) = app.gql_cost(&s.staff, page, json!({})).await;
    data(&body);
    for name in ["王秀英", "张伟", "李建国"] {
        let input = json!({ "in": { "residentId": s.residents[name], "name": "家属", "relation": "OTHER" } });
        data(&app.gql(Some(&s.staff), ADD, input).await);
    }
    let (body, four) = app.gql_cost(&s.staff, page, json!({})).await;
    data(&body);
    eprintln!("residents page with family contacts: {one} and {four} statements");
    assert_eq!(one, four, "statements do not grow with the contacts listed");
    assert!(four <= 4 + 1, "a page with its audit row: {four}");
}

#[tokio::test]
async fn the_demo_daughter_logs_in_and_sees_her_fathers_household() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let login = demo
        .logins
        .iter()
        .find(|l| l.username == "demo.family")
        .unwrap();
    let daughter = crate::org::demo_login(&app, login).await;
    let body = app
        .gql(
            Some(&daughter),
            "{ me { grants { role scopeKind } } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data(&body)["me"]["grants"],
        json!([{ "role": "FAMILY_CONTACT", "scopeKind": "HOUSEHOLD" }])
    );
    let household = "query($id: ID!) { household(id: $id) { members { name tags documentNumber familyContacts { relation mayAnswerConsultations maySignInToMeetings } } } }";
    let grants = "{ me { grants { scopeId } } }";
    let body = app.gql(Some(&daughter), grants, json!({})).await;
    let id = data(&body)["me"]["grants"][0]["scopeId"].clone();
    let body = app
        .gql(Some(&daughter), household, json!({ "id": id }))
        .await;
    let members = data(&body)["household"]["members"].as_array().unwrap();
    assert_eq!(members.len(), 1, "he lives alone");
    assert_eq!(members[0]["tags"], json!(["ELDERLY_ALONE"]));
    assert_eq!(members[0]["documentNumber"], Value::Null);
    assert_eq!(
        members[0]["familyContacts"],
        json!([{ "relation": "DAUGHTER", "mayAnswerConsultations": true, "maySignInToMeetings": true }])
    );
}

#[tokio::test]
async fn family_contacts_follow_their_resident_and_end_when_he_moves_out() {
    let app = TestApp::new().await;
    let s = setup(&app).await;
    let contact = daughter(&app, &s, json!({ "mayAnswerConsultations": true })).await;
    let xiaoyan = login(&app, &s, &contact, "liu.xiaoyan").await;
    // 刘德福 moves in with 王秀英's household: his daughter now acts for that household.
    let moving = "mutation($id: ID!, $h: ID!) { updateResident(input: {id: $id, householdId: $h, relation: PARENT}) { resident { id } } }";
    let vars = json!({ "id": s.residents["刘德福"], "h": s.households["王秀英"] });
    data(&app.gql(Some(&s.staff), moving, vars).await);
    let household = "query($id: ID!) { household(id: $id) { id } }";
    let body = app
        .gql(
            Some(&xiaoyan),
            household,
            json!({ "id": s.households["王秀英"] }),
        )
        .await;
    assert_eq!(data(&body)["household"]["id"], s.households["王秀英"]);
    let body = app
        .gql(
            Some(&xiaoyan),
            household,
            json!({ "id": s.households["刘德福"] }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // He moves out: the contact ends, with her login's grant and sessions.
    let out = "mutation($id: ID!) { moveOutResident(input: {id: $id}) { resident { id } } }";
    data(
        &app.gql(Some(&s.staff), out, json!({ "id": s.residents["刘德福"] }))
            .await,
    );
    let again = app.session(xiaoyan.user_id, "liu.xiaoyan").await;
    let body = app
        .gql(Some(&again), "{ me { grants { role } } }", json!({}))
        .await;
    assert_eq!(data(&body)["me"]["grants"], json!([]));
    let body = app
        .gql(
            Some(&s.staff),
            UPDATE,
            json!({ "in": { "id": contact, "mayReceiveNotices": true } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}
