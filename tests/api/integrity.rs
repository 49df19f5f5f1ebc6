//! Integrity under races and careless input: imports racing each other, drafts racing for a
//! resolution's cap, a ledger cut back behind a published statement, one outside owner of
//! two dwellings, IDs that contradict each other, and dates and numbers that cannot be.

use chrono::{Duration, Utc};
use entity::{building, resident, role_grant::Role};
use futures::future::join_all;
use jiedao::bootstrap::demo_roster::{Shape, roster};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde_json::json;

use crate::{
    funds::{CONTRIBUTE, appoint_with_login, contribution, fund_setup},
    helpers::{Scope, TestApp, data, error_code},
    meetings::{close, end_window, open_meeting, vote},
    requests::grids,
    roster::{IMPORT, compound_with_roster},
};

/// A compound's roster of 80 households and 172 people, many with care tags.
fn big_roster() -> String {
    let shape = Shape {
        buildings: 2,
        units: 2,
        floors: 10,
        rooms: 2,
    };
    roster(&shape, 80, 172, 7)
}

#[tokio::test]
async fn two_imports_of_one_roster_at_once_register_each_person_once() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let create = "mutation($c: ID!) { createCompound(input: {communityId: $c, name: \"和韵小区\"}) { compound { id } } }";
    let body = app
        .gql(Some(&staff), create, json!({ "c": app.tree.a1 }))
        .await;
    let compound = data(&body)["createCompound"]["compound"]["id"].clone();
    let csv = big_roster();
    let send = || {
        app.upload(
            &staff,
            IMPORT,
            json!({ "in": { "compoundId": compound, "file": null, "mode": "ALL_OR_NOTHING" } }),
            "variables.in.file",
            "台账.csv",
            csv.as_bytes(),
        )
    };
    let answers = join_all([send(), send()]).await;
    let mut created = Vec::new();
    for body in &answers {
        match error_code(body) {
            None => created.push(data(body)["importResidents"]["residentsCreated"].clone()),
            // The loser of a race may be refused cleanly, never with an internal error.
            Some(code) => assert_eq!(code, "CONFLICT", "{body}"),
        }
    }
    assert!(created.contains(&json!(172)), "{answers:?}");
    assert!(created.iter().all(|c| c == 172 || c == 0), "{answers:?}");
    let current = resident::Entity::find()
        .filter(resident::Column::ArchivedAt.is_null())
        .count(app.db().reader())
        .await
        .unwrap();
    assert_eq!(current, 172, "nobody registered twice");
}

#[tokio::test]
async fn the_database_refuses_a_second_current_resident_with_one_document() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    compound_with_roster(&app, &staff, app.tree.a1, "和韵小区", &big_roster()).await;
    // Whatever the application checks, a copied row is refused by the unique index.
    let copy = "INSERT INTO resident (id, community_id, household_id, name, gender, birth_date, \
        document_type, document_cipher, document_hash, phone_cipher, phone_hash, phone_last4_hash, \
        relation, registered, tags, created_at, archived_at, moved_in_on, moved_out_on) \
        SELECT '01900000-0000-7000-8000-000000000001', community_id, household_id, name, gender, \
        birth_date, document_type, document_cipher, document_hash, phone_cipher, phone_hash, \
        phone_last4_hash, relation, registered, tags, created_at, archived_at, moved_in_on, \
        moved_out_on FROM resident WHERE document_hash IS NOT NULL LIMIT 1";
    let copy = match app.db().backend() {
        sea_orm::DatabaseBackend::Postgres => copy.replace(
            "'01900000-0000-7000-8000-000000000001'",
            "'01900000-0000-7000-8000-000000000001'::uuid",
        ),
        _ => copy.to_owned(),
    };
    assert!(app.db().writer().execute_unprepared(&copy).await.is_err());
}

#[tokio::test]
async fn an_unknown_building_is_a_problem_at_its_row_unless_the_importer_asks_for_it() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let compound =
        compound_with_roster(&app, &staff, app.tree.a1, "和韵小区", crate::roster::ROSTER).await;
    let typo = "姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n\
        赵敏,女,,,3号楼,1,303,80.00,户主,\n\
        钱多,男,,,99号楼,1,101,80.00,户主,\n";
    let import = |mode: &str, create: bool| {
        app.upload(
            &staff,
            IMPORT,
            json!({ "in": { "compoundId": compound, "file": null, "mode": mode, "createMissingBuildings": create } }),
            "variables.in.file",
            "typo.csv",
            typo.as_bytes(),
        )
    };
    let buildings = || async {
        building::Entity::find()
            .count(app.db().reader())
            .await
            .unwrap()
    };
    let before = buildings().await;
    let body = import("ALL_OR_NOTHING", false).await;
    let report = &data(&body)["importResidents"];
    assert_eq!(report["written"], false);
    assert_eq!(report["problems"][0]["row"], 3);
    assert_eq!(report["problems"][0]["column"], "楼栋");
    let message = report["problems"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("99号楼") && message.contains("3号楼, 5栋"),
        "{message}"
    );
    assert_eq!(buildings().await, before, "no building from a typo");
    // Valid rows only: 赵敏 is written, the typo is still refused.
    let body = import("VALID_ROWS", false).await;
    let report = &data(&body)["importResidents"];
    assert_eq!(
        (
            report["residentsCreated"].clone(),
            report["buildingsCreated"].clone()
        ),
        (json!(1), json!(0))
    );
    assert_eq!(buildings().await, before);
    // Asked for, the building is created and reported.
    let body = import("ALL_OR_NOTHING", true).await;
    let report = &data(&body)["importResidents"];
    assert_eq!(report["buildingsCreated"], 1, "{body}");
    assert_eq!(report["residentsCreated"], 1);
    assert_eq!(buildings().await, before + 1);
}

#[tokio::test]
async fn drafts_racing_for_a_capped_resolution_stay_within_it() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    let zhang = appoint_with_login(&app, &s, "张伟", "zhang.member", "MEMBER").await;
    let meeting = open_meeting(&app, &li, &s.compound).await;
    let propose =
        "mutation($in: ProposeMotionInput!) { proposeMotion(input: $in) { motion { id } } }";
    let input = json!({ "in": { "meetingId": meeting, "title": "动用维修基金320元更换道闸电机", "electorate": "HOUSEHOLDS", "majority": "SIMPLE", "amount": "320.00" } });
    let m =
        data(&app.gql(Some(&li), propose, input).await)["proposeMotion"]["motion"]["id"].clone();
    let open = "mutation($id: ID!, $at: DateTime!) { openVoting(input: {motionId: $id, closesAt: $at}) { motion { status } } }";
    let at = Utc::now() + Duration::days(7);
    data(&app.gql(Some(&li), open, json!({ "id": m, "at": at })).await);
    data(&vote(&app, &li, &m, "YES").await);
    data(&vote(&app, &zhang, &m, "YES").await);
    end_window(&app, &m).await;
    data(&close(&app, &li, &m).await);

    // Eight drafts of 100 yuan at once against a cap of 320: three fit.
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": "100.00", "purpose": "更换道闸电机", "resolutionId": m } });
    let answers = join_all((0..8).map(|_| app.gql(Some(&s.treasurer), draft, input.clone()))).await;
    let accepted = answers.iter().filter(|b| error_code(b).is_none()).count();
    assert_eq!(accepted, 3, "{answers:?}");
    for refused in answers.iter().filter(|b| error_code(b).is_some()) {
        assert_eq!(error_code(refused), Some("BAD_USER_INPUT"), "{refused}");
    }
}

#[tokio::test]
async fn a_ledger_cut_back_behind_a_published_statement_is_caught() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    for i in 0..3 {
        let input = contribution(&s, "王秀英", "10.00", &format!("cut-key-{i:04}"));
        data(&app.gql(Some(&s.treasurer), CONTRIBUTE, input).await);
    }
    let publish = "mutation($f: ID!) { publishStatement(input: {fundId: $f}) { shareToken } }";
    let body = app
        .gql(Some(&s.treasurer), publish, json!({ "f": s.fund }))
        .await;
    let token = data(&body)["publishStatement"]["shareToken"].clone();
    let public = "query($t: String!) { publicStatement(shareToken: $t) { toSeq headHash } }";
    data(&app.gql(None, public, json!({ "t": token })).await);

    // Someone with the database file removes the last entry and rolls the head back to
    // the entry before it: the chain alone still verifies.
    let conn = &app.tamperer().await;
    let drop = match conn.get_database_backend() {
        sea_orm::DatabaseBackend::Postgres => "DROP TRIGGER ledger_entry_no_delete ON ledger_entry",
        _ => "DROP TRIGGER ledger_entry_no_delete",
    };
    conn.execute_unprepared(drop).await.unwrap();
    conn.execute_unprepared("DELETE FROM ledger_entry WHERE seq = 3")
        .await
        .unwrap();
    conn.execute_unprepared(
        "UPDATE fund SET head_seq = 2, balance_fen = 2000, \
         head_hash = (SELECT hash FROM ledger_entry WHERE seq = 2)",
    )
    .await
    .unwrap();

    let verify = "query($id: ID!) { fund(id: $id) { statements { nodes { id } } verifyLedger { ok headSeq firstBadSeq statementsChecked firstBadStatementId firstBadStatementProblem } } }";
    let body = app
        .gql(Some(&s.treasurer), verify, json!({ "id": s.fund }))
        .await;
    let fund = &data(&body)["fund"];
    assert_eq!(
        fund["verifyLedger"],
        json!({ "ok": false, "headSeq": 2, "firstBadSeq": null, "statementsChecked": 1, "firstBadStatementId": fund["statements"]["nodes"][0]["id"], "firstBadStatementProblem": "ENTRIES" })
    );
    let body = app.gql(None, public, json!({ "t": token })).await;
    assert_eq!(error_code(&body), Some("LEDGER_TAMPERED"), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["seq"], 3);
}

#[tokio::test]
async fn an_outside_owner_of_two_dwellings_is_one_head_under_art_278() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    let body = app
        .gql(
            Some(&s.staff),
            "{ dwellings(first: 10) { edges { node { id room building { id } } } } }",
            json!({}),
        )
        .await;
    let edges = data(&body)["dwellings"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let room = |r: &str| edges.iter().find(|e| e["node"]["room"] == r).unwrap()["node"].clone();
    let create = "mutation($b: ID!, $r: String!) { createDwelling(input: {buildingId: $b, unit: 1, room: $r, floorArea: \"40.00\"}) { dwelling { id } } }";
    let mut outside = Vec::new();
    for r in ["401", "402"] {
        let body = app
            .gql(
                Some(&s.staff),
                create,
                json!({ "b": room("301")["building"]["id"], "r": r }),
            )
            .await;
        outside.push(data(&body)["createDwelling"]["dwelling"]["id"].clone());
    }
    let own = "mutation($in: AddDwellingOwnerInput!) { addDwellingOwner(input: $in) { ownerId } }";
    // 王秀英 owns 301 and 1201 (191.80 m²), 李建国 302 (76.00 m²).
    for (r, name) in [("301", "王秀英"), ("1201", "王秀英"), ("302", "李建国")] {
        let input =
            json!({ "in": { "dwellingId": room(r)["id"], "residentId": s.residents[name] } });
        data(&app.gql(Some(&s.staff), own, input).await);
    }
    // 孙立, who lives elsewhere, owns 401 and 402 (80.00 m²), recorded twice with one ID card.
    for dwelling in &outside {
        let input = json!({ "in": { "dwellingId": dwelling, "outsideName": "孙立", "outsideContact": "13912345678", "outsideDocumentType": "MAINLAND_ID_CARD", "outsideDocumentNumber": "110105195203150048" } });
        data(&app.gql(Some(&s.staff), own, input).await);
    }
    let again = json!({ "in": { "dwellingId": outside[0], "outsideName": "孙立", "outsideDocumentNumber": "110105195203150048" } });
    assert_eq!(
        error_code(&app.gql(Some(&s.staff), own, again).await),
        Some("CONFLICT")
    );
    let bad = json!({ "in": { "dwellingId": outside[0], "outsideName": "孙立", "outsideDocumentNumber": "110105195203150049" } });
    let body = app.gql(Some(&s.staff), own, bad).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.outsideDocumentNumber"
    );

    // 王秀英 and 李建国 vote: 2 of 3 heads and 267.80 of 347.80 m², both at least 2/3.
    // Counted as two people, 孙立 would make it 2 of 4 heads and the motion would fail.
    let meeting = open_meeting(&app, &li, &s.compound).await;
    let m = crate::meetings::motion(&app, &s.staff, &meeting, "OWNERS", "ORDINARY", false).await;
    data(&vote(&app, &s.treasurer, &m, "YES").await);
    data(&vote(&app, &li, &m, "YES").await);
    end_window(&app, &m).await;
    let body = close(&app, &s.staff, &m).await;
    assert_eq!(
        data(&body)["closeVoting"]["motion"]["passed"],
        true,
        "{body}"
    );
    let tally = "query($id: ID!) { motion(id: $id) { tally { eligible { heads area } participating { heads area } failed } } }";
    let body = app.gql(Some(&li), tally, json!({ "id": m })).await;
    assert_eq!(
        data(&body)["motion"]["tally"],
        json!({ "eligible": { "heads": 3, "area": "347.80" }, "participating": { "heads": 2, "area": "267.80" }, "failed": [] })
    );
}

#[tokio::test]
async fn ids_that_contradict_each_other_are_refused_naming_the_field() {
    let app = TestApp::new().await;
    let admin = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    let staff = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let compound =
        compound_with_roster(&app, &staff, app.tree.a1, "和韵小区", crate::roster::ROSTER).await;
    let open = "mutation($c: ID!, $m: ID!) { openFund(input: {compoundId: $c, communityId: $m, name: \"基金\", purpose: \"修门\"}) { fund { id } } }";
    let body = app
        .gql(
            Some(&staff),
            open,
            json!({ "c": compound, "m": app.tree.a2 }),
        )
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.communityId"
    );

    let create = "mutation($c: ID!, $o: ID!) { createUser(input: {username: \"zhou.staff\", displayName: \"周\", initialPassword: \"梧桐树下的长椅-2026\", homeCommunityId: $c, homeStreetOfficeId: $o}) { user { id } } }";
    let body = app
        .gql(
            Some(&admin),
            create,
            json!({ "c": app.tree.a1, "o": app.tree.b }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.homeStreetOfficeId",
        "{body}"
    );

    let user = app.user("qian.staff", Scope::Community(app.tree.a1)).await;
    let grant = "mutation($u: ID!, $s: ID!, $c: ID!) { grantRole(input: {userId: $u, role: COMMUNITY_STAFF, scopeId: $s, communityId: $c}) { grant { id } } }";
    let body = app
        .gql(
            Some(&admin),
            grant,
            json!({ "u": user, "s": app.tree.a1, "c": app.tree.a2 }),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.communityId",
        "{body}"
    );
    assert_eq!(
        app.count::<entity::role_grant::Entity>().await,
        2,
        "nothing granted"
    );
}

#[tokio::test]
async fn a_levy_share_takes_no_more_than_is_owed_and_refusals_speak_yuan() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let create = "mutation($in: CreateLevyInput!) { createLevy(input: $in) { levy { id } } }";
    let input = json!({ "in": { "fundId": s.fund, "purpose": "疏通下水道", "method": "EQUAL", "amount": "10.00", "householdIds": [s.households["张伟"]] } });
    let levy =
        data(&app.gql(Some(&s.treasurer), create, input).await)["createLevy"]["levy"]["id"].clone();
    let pay = |amount: &str, key: &str| json!({ "in": { "fundId": s.fund, "amount": amount, "householdId": s.households["张伟"], "channel": "WECHAT", "levyId": levy, "idempotencyKey": key } });
    let body = app
        .gql(Some(&s.treasurer), CONTRIBUTE, pay("15.00", "levy-over-1"))
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.amount");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("owes 10.00 yuan"), "{message}");
    data(
        &app.gql(Some(&s.treasurer), CONTRIBUTE, pay("7.00", "levy-over-2"))
            .await,
    );
    let body = app
        .gql(Some(&s.treasurer), CONTRIBUTE, pay("3.01", "levy-over-3"))
        .await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("owes 3.00 yuan")
    );
    data(
        &app.gql(Some(&s.treasurer), CONTRIBUTE, pay("3.00", "levy-over-4"))
            .await,
    );

    // Overdrawing the fund is refused in yuan, not fen.
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    let zhang = appoint_with_login(&app, &s, "张伟", "zhang.member", "MEMBER").await;
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "管道工", "amount": "20.00", "purpose": "疏通" } });
    let expense = data(&app.gql(Some(&s.treasurer), draft, input).await)["draftExpense"]["expense"]
        ["id"]
        .clone();
    let step = |name: &str| {
        format!(
            "mutation($id: ID!) {{ {name}(input: {{expenseId: $id}}) {{ expense {{ status }} }} }}"
        )
    };
    data(
        &app.gql(
            Some(&s.treasurer),
            &step("submitExpense"),
            json!({ "id": expense }),
        )
        .await,
    );
    for member in [&li, &zhang] {
        data(
            &app.gql(
                Some(member),
                &step("approveExpense"),
                json!({ "id": expense }),
            )
            .await,
        );
    }
    let pay = "mutation($id: ID!) { payExpense(input: {expenseId: $id, idempotencyKey: \"over-pay-1\"}) { expense { status } } }";
    let body = app
        .gql(Some(&s.treasurer), pay, json!({ "id": expense }))
        .await;
    let message = body["errors"][0]["message"].as_str().unwrap_or_default();
    assert!(message.contains("holds 10.00 yuan"), "{body}");
    assert!(!message.contains("fen"), "{message}");
}

#[tokio::test]
async fn labels_read_as_building_unit_and_room_whatever_the_building_number() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    // Building "23" unit 1 and building "2" unit 31 once both printed 231单元.
    let roster = "姓名,性别,身份证号,联系电话,楼栋,单元,房号,面积,与户主关系,标签\n\
        甲,男,,,23,1,101,80.00,户主,\n乙,女,,,2,31,101,80.00,户主,\n";
    let compound = compound_with_roster(&app, &staff, app.tree.a1, "和韵小区", roster).await;
    let publish = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id } } }";
    let input = json!({ "in": { "communityId": app.tree.a1, "compoundId": compound, "title": "停水通知", "body": "明日停水", "validUntil": Utc::now() + Duration::days(2) } });
    let body = app.gql(Some(&staff), publish, input).await;
    let id = data(&body)["publishAnnouncement"]["announcement"]["id"].clone();
    let reach = "query($id: ID!) { announcement(id: $id) { reach { unread } } }";
    let body = app.gql(Some(&staff), reach, json!({ "id": id })).await;
    let mut unread: Vec<String> = data(&body)["announcement"]["reach"]["unread"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    unread.sort();
    assert_eq!(unread, vec!["23号楼1单元101", "2号楼31单元101"]);
}

#[tokio::test]
async fn requests_and_visits_refuse_what_cannot_be() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let add = "mutation($c: ID!) { addRequestCategory(input: {communityId: $c, code: \"elevator\", name: \"电梯\", firstResponseHours: 24, resolveHours: 2}) { code } }";
    let body = app
        .gql(Some(&g.s.staff), add, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"], "input.resolveHours",
        "{body}"
    );

    let record =
        "mutation($in: RecordRequestInput!) { recordRequest(input: $in) { request { id } } }";
    let hotline = json!({ "in": { "householdId": g.s.households["张伟"], "source": "HOTLINE", "hotlineTicket": "SH20261129-0042", "category": "repair", "title": "路灯不亮" } });
    data(&app.gql(Some(&g.s.staff), record, hotline.clone()).await);
    let body = app.gql(Some(&g.s.staff), record, hotline).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("路灯不亮")
    );

    let message = json!({ "groupName": "和韵小区业主群", "senderNickname": "张伟", "originalText": "楼道灯坏了", "sentAt": Utc::now() + Duration::days(30) });
    let input = json!({ "in": { "householdId": g.s.households["张伟"], "source": "WECHAT", "wechatMessage": message, "category": "repair", "title": "楼道灯坏了" } });
    let body = app.gql(Some(&g.s.staff), record, input).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.wechatMessage.sentAt"
    );

    let visit = "mutation($in: RecordVisitInput!) { recordVisit(input: $in) { visit { id } } }";
    let input = json!({ "in": { "householdId": g.s.households["王秀英"], "visitedAt": "1990-03-01T08:00:00+08:00", "met": "本人" } });
    let body = app.gql(Some(&g.worker3), visit, input).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.visitedAt");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("1990-03-01")
    );
    assert_eq!(app.count::<entity::visit::Entity>().await, 0);
}
