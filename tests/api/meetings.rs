//! Meetings and decisions: a bench meeting with agenda, sign-in and minutes; motions put to
//! households or, under art. 278, to owners; one ballot per unit even under concurrency;
//! hidden results; paper ballots audited; resolutions that expenses above a threshold cite.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    funds::{FundSetup, appoint_with_login, fund_setup},
    helpers::{Caller, Scope, TestApp, data, error_code},
};

const MOTION: &str = "query($id: ID!) { motion(id: $id) { status passed myBallot tally { final passed failed eligible { heads area } participating { heads area } yes { heads area } abstain { heads } } } }";

/// Schedules and opens a bench meeting of the compound; its id.
pub async fn open_meeting(app: &TestApp, organiser: &Caller, compound: &Value) -> Value {
    let schedule = "mutation($in: ScheduleMeetingInput!) { scheduleMeeting(input: $in) { meeting { id status } } }";
    let input = json!({ "in": { "compoundId": compound, "kind": "BENCH", "title": "道闸维修议事", "startsAt": Utc::now(), "place": "3号楼前长椅" } });
    let body = app.gql(Some(organiser), schedule, input).await;
    let meeting = data(&body)["scheduleMeeting"]["meeting"]["id"].clone();
    let open = "mutation($id: ID!) { openMeeting(input: {meetingId: $id}) { meeting { status } } }";
    let body = app
        .gql(Some(organiser), open, json!({ "id": meeting }))
        .await;
    assert_eq!(data(&body)["openMeeting"]["meeting"]["status"], "OPEN");
    meeting
}

/// Proposes a motion and opens voting for a week; its id.
pub async fn motion(
    app: &TestApp,
    organiser: &Caller,
    meeting: &Value,
    electorate: &str,
    majority: &str,
    hide: bool,
) -> Value {
    let propose =
        "mutation($in: ProposeMotionInput!) { proposeMotion(input: $in) { motion { id status } } }";
    let input = json!({ "in": { "meetingId": meeting, "title": "动用维修基金更换道闸电机", "electorate": electorate, "majority": majority, "hideResults": hide } });
    let body = app.gql(Some(organiser), propose, input).await;
    let id = data(&body)["proposeMotion"]["motion"]["id"].clone();
    let open = "mutation($id: ID!, $at: DateTime!) { openVoting(input: {motionId: $id, closesAt: $at}) { motion { status } } }";
    let body = app
        .gql(
            Some(organiser),
            open,
            json!({ "id": id, "at": Utc::now() + Duration::days(7) }),
        )
        .await;
    assert_eq!(data(&body)["openVoting"]["motion"]["status"], "VOTING");
    id
}

pub async fn vote(app: &TestApp, voter: &Caller, motion: &Value, choice: &str) -> Value {
    let cast = "mutation($id: ID!, $c: BallotChoice!) { castBallot(input: {motionId: $id, choice: $c}) { motion { myBallot } } }";
    app.gql(Some(voter), cast, json!({ "id": motion, "c": choice }))
        .await
}

/// As if the week of voting had passed.
pub async fn end_window(app: &TestApp, motion: &Value) {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let id: uuid::Uuid = motion.as_str().unwrap().parse().unwrap();
    entity::motion::Entity::update_many()
        .col_expr(
            entity::motion::Column::VotingClosesAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(entity::motion::Column::Id.eq(id))
        .exec(app.db().writer())
        .await
        .unwrap();
}

pub async fn close(app: &TestApp, organiser: &Caller, motion: &Value) -> Value {
    let close = "mutation($id: ID!) { closeVoting(motionId: $id) { motion { status passed } } }";
    app.gql(Some(organiser), close, json!({ "id": motion }))
        .await
}

async fn dwellings(app: &TestApp, s: &FundSetup) -> std::collections::HashMap<String, Value> {
    let body = app
        .gql(
            Some(&s.staff),
            "{ dwellings(first: 100) { edges { node { id room } } } }",
            json!({}),
        )
        .await;
    data(&body)["dwellings"]["edges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["node"]["room"].as_str().unwrap().to_owned(),
                e["node"]["id"].clone(),
            )
        })
        .collect()
}

async fn own(app: &TestApp, s: &FundSetup, dwelling: &Value, owner: &str) {
    let add = "mutation($d: ID!, $r: ID!) { addDwellingOwner(input: {dwellingId: $d, residentId: $r}) { ownerId } }";
    data(
        &app.gql(
            Some(&s.staff),
            add,
            json!({ "d": dwelling, "r": s.residents[owner] }),
        )
        .await,
    );
}

#[tokio::test]
async fn owners_decide_under_art_278_and_the_resolution_authorises_the_expense() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let compound = s.compound.clone();
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    let zhang = appoint_with_login(&app, &s, "张伟", "zhang.member", "MEMBER").await;
    // 王秀英 owns 301 and 1201: one head, 89.50 + 102.30 m². 李建国 owns 302 (76.00 m²).
    // 张伟 rents: he votes on nothing owners decide.
    let rooms = dwellings(&app, &s).await;
    own(&app, &s, &rooms["301"], "王秀英").await;
    own(&app, &s, &rooms["1201"], "王秀英").await;
    own(&app, &s, &rooms["302"], "李建国").await;

    let meeting = open_meeting(&app, &li, &compound).await;
    let m = motion(&app, &s.staff, &meeting, "OWNERS", "ORDINARY", true).await;
    let body = vote(&app, &s.treasurer, &m, "YES").await;
    assert_eq!(data(&body)["castBallot"]["motion"]["myBallot"], "YES");
    let body = vote(&app, &zhang, &m, "YES").await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "a tenant does not vote"
    );
    // 李建国 changes his mind: his ballot counts once, as last cast.
    data(&vote(&app, &li, &m, "NO").await);
    data(&vote(&app, &li, &m, "YES").await);
    // Hidden until close, for everyone, staff included.
    for caller in [&s.staff, &li, &s.treasurer] {
        let body = app.gql(Some(caller), MOTION, json!({ "id": m })).await;
        assert_eq!(data(&body)["motion"]["tally"], Value::Null);
    }
    // Outside the compound: NOT_FOUND, to read and to vote.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for stranger in [&neighbour, &outsider] {
        let body = app.gql(Some(stranger), MOTION, json!({ "id": m })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        assert_eq!(
            error_code(&vote(&app, stranger, &m, "NO").await),
            Some("NOT_FOUND")
        );
    }
    // Closing waits for the window; a resident cannot close it.
    assert_eq!(
        error_code(&close(&app, &s.staff, &m).await),
        Some("BAD_USER_INPUT")
    );
    end_window(&app, &m).await;
    assert_eq!(
        error_code(&vote(&app, &li, &m, "NO").await),
        Some("BAD_USER_INPUT")
    );
    let body = close(&app, &s.staff, &m).await;
    assert_eq!(data(&body)["closeVoting"]["motion"]["passed"], true);
    let body = app
        .gql(Some(&s.treasurer), MOTION, json!({ "id": m }))
        .await;
    let tally = &data(&body)["motion"]["tally"];
    assert_eq!(tally["final"], true);
    assert_eq!(tally["eligible"], json!({ "heads": 2, "area": "267.80" }));
    assert_eq!(tally["yes"], json!({ "heads": 2, "area": "267.80" }));

    // A failed motion: 李建国 alone votes yes; 王秀英 (191.80 of 267.80 m²) votes no.
    let failed = motion(&app, &s.staff, &meeting, "OWNERS", "SPECIAL", false).await;
    data(&vote(&app, &li, &failed, "YES").await);
    data(&vote(&app, &s.treasurer, &failed, "NO").await);
    end_window(&app, &failed).await;
    data(&close(&app, &s.staff, &failed).await);
    let body = app.gql(Some(&li), MOTION, json!({ "id": failed })).await;
    assert_eq!(
        data(&body)["motion"]["tally"]["failed"],
        json!(["MAJORITY_AREA", "MAJORITY_HEADS"])
    );

    // The expense above the threshold: refused without a resolution, and with a failed one;
    // accepted with the passed one, then approved and paid.
    let open = "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"道闸基金\", purpose: \"道闸\", resolutionThreshold: \"100.00\"}) { fund { id } } }";
    let fund = data(&app.gql(Some(&li), open, json!({ "c": compound })).await)["openFund"]["fund"]
        ["id"]
        .clone();
    let give = "mutation($f: ID!, $h: ID!) { recordContribution(input: {fundId: $f, amount: \"500.00\", householdId: $h, channel: CASH_BOX, idempotencyKey: \"gate-in-1\"}) { entry { seq } } }";
    data(
        &app.gql(
            Some(&s.treasurer),
            give,
            json!({ "f": fund, "h": s.households["王秀英"] }),
        )
        .await,
    );
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let expense = |resolution: Value| json!({ "in": { "fundId": fund, "payeeName": "平安门禁维修部", "amount": "320.00", "purpose": "更换道闸电机", "resolutionId": resolution } });
    let body = app
        .gql(Some(&s.treasurer), draft, expense(failed.clone()))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.resolutionId"
    );
    // Without one it is refused at once: a draft could never get one later.
    let body = app
        .gql(Some(&s.treasurer), draft, expense(Value::Null))
        .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.resolutionId"
    );
    let submit =
        "mutation($id: ID!) { submitExpense(input: {expenseId: $id}) { expense { status } } }";
    let body = app.gql(Some(&s.treasurer), draft, expense(m.clone())).await;
    let backed = data(&body)["draftExpense"]["expense"]["id"].clone();
    data(
        &app.gql(Some(&s.treasurer), submit, json!({ "id": backed }))
            .await,
    );
    let approve =
        "mutation($id: ID!) { approveExpense(input: {expenseId: $id}) { expense { status } } }";
    for member in [&li, &zhang] {
        app.gql(Some(member), approve, json!({ "id": backed }))
            .await;
    }
    let pay = "mutation($id: ID!) { payExpense(input: {expenseId: $id, idempotencyKey: \"gate-pay-1\"}) { expense { status } } }";
    let body = app
        .gql(Some(&s.treasurer), pay, json!({ "id": backed }))
        .await;
    assert_eq!(data(&body)["payExpense"]["expense"]["status"], "PAID");
}

#[tokio::test]
async fn a_household_votes_once_however_many_members_vote_and_paper_ballots_are_audited() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let compound = s.compound.clone();
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    // 李小红 lives with her father 李建国: one household, one ballot.
    let account = "mutation($id: ID!) { createResidentAccount(input: {residentId: $id, username: \"li.xiaohong\", initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&s.staff),
            account,
            json!({ "id": s.residents["李小红"] }),
        )
        .await;
    let user = data(&body)["createResidentAccount"]["userId"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    app.skip_password_change(user).await;
    let xiaohong = app.session(user, "li.xiaohong").await;

    let meeting = open_meeting(&app, &s.staff, &compound).await;
    let m = motion(&app, &li, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    let (a, b) = tokio::join!(vote(&app, &li, &m, "YES"), vote(&app, &xiaohong, &m, "NO"));
    data(&a);
    data(&b);
    let voters = "query($id: ID!) { motion(id: $id) { voters { id label voted paperReference } tally { participating { heads } } } }";
    let body = app.gql(Some(&s.staff), voters, json!({ "id": m })).await;
    let listed = data(&body)["motion"]["voters"].as_array().unwrap().clone();
    assert_eq!(listed.len(), 3, "three households");
    assert_eq!(listed.iter().filter(|v| v["voted"] == true).count(), 1);
    assert_eq!(data(&body)["motion"]["tally"]["participating"]["heads"], 1);
    // Residents do not see the electorate.
    let body = app.gql(Some(&xiaohong), voters, json!({ "id": m })).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));

    // Staff record 张伟's paper ballot; the audit log keeps who, for whom, and the reference.
    let zhang = listed
        .iter()
        .find(|v| v["label"].as_str().unwrap().starts_with('5'))
        .unwrap();
    let paper = "mutation($m: ID!, $v: ID!) { recordPaperBallot(input: {motionId: $m, voterId: $v, choice: YES, paperReference: \"纸质票-007\"}) { motion { id } } }";
    let body = app
        .gql(Some(&xiaohong), paper, json!({ "m": m, "v": zhang["id"] }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    data(
        &app.gql(Some(&s.staff), paper, json!({ "m": m, "v": zhang["id"] }))
            .await,
    );
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let log = "{ auditEntries(action: \"recordPaperBallot\", first: 10) { edges { node { outcome actorUserId input } } } }";
    let body = app.gql(Some(&admin), log, json!({})).await;
    let entries = data(&body)["auditEntries"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let ok: Vec<&Value> = entries
        .iter()
        .filter(|e| e["node"]["outcome"] == "OK")
        .collect();
    assert_eq!(ok.len(), 1);
    assert_eq!(ok[0]["node"]["input"]["paperReference"], "纸质票-007");
    assert_eq!(
        ok[0]["node"]["actorUserId"],
        json!(s.staff.user_id.to_string())
    );

    // The household settles on yes: with 张伟's yes, two of two ballots.
    data(&vote(&app, &li, &m, "YES").await);
    end_window(&app, &m).await;
    let body = close(&app, &li, &m).await;
    assert_eq!(data(&body)["closeVoting"]["motion"]["passed"], true);
}

#[tokio::test]
async fn minutes_keep_their_history_and_reach_residents_once_published() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let compound = s.compound.clone();
    let secretary = appoint_with_login(&app, &s, "李建国", "li.secretary", "SECRETARY").await;
    let meeting = open_meeting(&app, &s.staff, &compound).await;
    let agenda = "mutation($id: ID!) { addAgendaItem(input: {meetingId: $id, title: \"道闸维修\", refs: [{kind: REQUEST, targetId: \"0190a0a0-0000-7000-8000-000000000001\"}]}) { meeting { agenda { position title refs { kind targetId } } } } }";
    let body = app
        .gql(Some(&secretary), agenda, json!({ "id": meeting }))
        .await;
    assert_eq!(
        data(&body)["addAgendaItem"]["meeting"]["agenda"][0]["refs"][0],
        json!({ "kind": "REQUEST", "targetId": "0190a0a0-0000-7000-8000-000000000001" })
    );

    // Sign-in: the resident herself, and 张伟 (no phone) by staff; twice is refused.
    let sign = "mutation($id: ID!) { signInToMeeting(input: {meetingId: $id}) { meeting { attendance { people households area } } } }";
    data(
        &app.gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
            .await,
    );
    let body = app
        .gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
        .await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    let behalf = "mutation($id: ID!, $r: ID!) { signInOnBehalf(input: {meetingId: $id, residentId: $r}) { meeting { attendance { people households area } } } }";
    let body = app
        .gql(
            Some(&s.treasurer),
            behalf,
            json!({ "id": meeting, "r": s.residents["张伟"] }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        None,
        "the treasurer is on the committee: an organiser"
    );
    let body = app
        .gql(
            Some(&s.staff),
            behalf,
            json!({ "id": meeting, "r": s.residents["李小红"] }),
        )
        .await;
    assert_eq!(
        data(&body)["signInOnBehalf"]["meeting"]["attendance"],
        json!({ "people": 3, "households": 3, "area": "267.80" })
    );

    let write = "mutation($id: ID!, $b: String!) { writeMinutes(input: {meetingId: $id, body: $b}) { meeting { minutes { version body } } } }";
    let body = app
        .gql(
            Some(&s.treasurer),
            write,
            json!({ "id": meeting, "b": "x" }),
        )
        .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "the treasurer is not the secretary"
    );
    data(
        &app.gql(
            Some(&secretary),
            write,
            json!({ "id": meeting, "b": "议定：更换道闸电机。" }),
        )
        .await,
    );
    let publish =
        "mutation($id: ID!) { publishMinutes(meetingId: $id) { meeting { minutesPublishedAt } } }";
    assert_eq!(
        error_code(
            &app.gql(Some(&secretary), publish, json!({ "id": meeting }))
                .await
        ),
        Some("BAD_USER_INPUT"),
        "not before it closes"
    );
    let close =
        "mutation($id: ID!) { closeMeeting(input: {meetingId: $id}) { meeting { status } } }";
    data(
        &app.gql(Some(&s.staff), close, json!({ "id": meeting }))
            .await,
    );

    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                s.households["张伟"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await;
    let read = "query($id: ID!) { meeting(id: $id) { minutes { version body } minutesHistory { version } } }";
    let body = app
        .gql(Some(&resident), read, json!({ "id": meeting }))
        .await;
    assert_eq!(
        data(&body)["meeting"]["minutes"],
        Value::Null,
        "unpublished"
    );
    data(
        &app.gql(Some(&secretary), publish, json!({ "id": meeting }))
            .await,
    );
    data(
        &app.gql(
            Some(&secretary),
            write,
            json!({ "id": meeting, "b": "议定：更换道闸电机，费用320元。" }),
        )
        .await,
    );
    let body = app
        .gql(Some(&resident), read, json!({ "id": meeting }))
        .await;
    assert_eq!(data(&body)["meeting"]["minutes"]["version"], 2);
    assert_eq!(
        data(&body)["meeting"]["minutesHistory"],
        json!([{ "version": 1 }, { "version": 2 }])
    );

    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for (query, vars) in [
        (read, json!({ "id": meeting })),
        (write, json!({ "id": meeting, "b": "改" })),
        (behalf, json!({ "id": meeting, "r": s.residents["张伟"] })),
    ] {
        let body = app.gql(Some(&outsider), query, vars).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
}

/// Every household of the compound: (household id, its head's resident id, dwelling id).
async fn households_with_heads(app: &TestApp, s: &FundSetup) -> Vec<(Value, Value, Value)> {
    let query = "query($after: String) { households(first: 100, after: $after) { edges { node { id head { id } dwelling { id } } } pageInfo { hasNextPage endCursor } } }";
    let (mut out, mut after) = (Vec::new(), Value::Null);
    loop {
        let body = app
            .gql(Some(&s.staff), query, json!({ "after": after }))
            .await;
        let page = &data(&body)["households"];
        for e in page["edges"].as_array().unwrap() {
            let n = &e["node"];
            out.push((
                n["id"].clone(),
                n["head"]["id"].clone(),
                n["dwelling"]["id"].clone(),
            ));
        }
        if page["pageInfo"]["hasNextPage"] != true {
            return out;
        }
        after = page["pageInfo"]["endCursor"].clone();
    }
}

#[tokio::test]
async fn a_compound_decides_at_a_bench_meeting_to_use_its_repair_fund() {
    use jiedao::bootstrap::demo_roster::{Shape, roster};
    let app = TestApp::new().await;
    let shape = Shape {
        buildings: 6,
        units: 2,
        floors: 6,
        rooms: 2,
    };
    let csv = roster(&shape, 138, 310, 7);
    let mut names: Vec<&str> = Vec::new();
    for line in csv.lines().skip(1) {
        let name = line.split(',').next().unwrap();
        if !names.contains(&name) {
            names.push(name);
        }
    }
    let s = crate::funds::fund_setup_with(&app, &csv, names[0]).await;
    let director = appoint_with_login(&app, &s, names[1], "director", "DIRECTOR").await;
    let member = appoint_with_login(&app, &s, names[2], "member", "MEMBER").await;
    // Each household's head owns its flat.
    let homes = households_with_heads(&app, &s).await;
    assert_eq!(homes.len(), 138);
    let add = "mutation($d: ID!, $r: ID!) { addDwellingOwner(input: {dwellingId: $d, residentId: $r}) { ownerId } }";
    for (_, head, dwelling) in &homes {
        data(
            &app.gql(Some(&s.staff), add, json!({ "d": dwelling, "r": head }))
                .await,
        );
    }

    // The bench meeting: an agenda, and 40 households signing in (most by staff: the
    // elderly have no phones).
    let meeting = open_meeting(&app, &director, &s.compound).await;
    let agenda = "mutation($id: ID!, $t: String!) { addAgendaItem(input: {meetingId: $id, title: $t}) { meeting { agenda { position } } } }";
    for title in ["道闸损坏情况通报", "维修方案与报价", "动用维修基金表决"] {
        data(
            &app.gql(
                Some(&director),
                agenda,
                json!({ "id": meeting, "t": title }),
            )
            .await,
        );
    }
    let sign = "mutation($id: ID!) { signInToMeeting(input: {meetingId: $id}) { meeting { id } } }";
    data(
        &app.gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
            .await,
    );
    let behalf = "mutation($id: ID!, $r: ID!) { signInOnBehalf(input: {meetingId: $id, residentId: $r}) { meeting { attendance { households } } } }";
    let mut attending = 1;
    for (_, head, _) in homes.iter().skip(1) {
        let body = app
            .gql(Some(&s.staff), behalf, json!({ "id": meeting, "r": head }))
            .await;
        if error_code(&body) == Some("CONFLICT") {
            continue; // the treasurer's household head signed in herself
        }
        attending = data(&body)["signInOnBehalf"]["meeting"]["attendance"]["households"]
            .as_i64()
            .unwrap();
        if attending == 40 {
            break;
        }
    }
    assert_eq!(attending, 40);

    // The motion: use the repair fund (an ordinary matter), owners voting for a week,
    // online and on paper.
    let m = motion(&app, &director, &meeting, "OWNERS", "ORDINARY", true).await;
    data(&vote(&app, &s.treasurer, &m, "YES").await);
    let voters = "query($id: ID!) { motion(id: $id) { voters { id voted } } }";
    let body = app.gql(Some(&s.staff), voters, json!({ "id": m })).await;
    let units: Vec<Value> = data(&body)["motion"]["voters"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| v["voted"] == false)
        .map(|v| v["id"].clone())
        .collect();
    assert_eq!(units.len(), 137);
    let paper = "mutation($m: ID!, $v: ID!, $c: BallotChoice!, $r: String!) { recordPaperBallot(input: {motionId: $m, voterId: $v, choice: $c, paperReference: $r}) { motion { id } } }";
    for (i, unit) in units.iter().take(99).enumerate() {
        let choice = match i % 10 {
            0 => "NO",
            1 => "ABSTAIN",
            _ => "YES",
        };
        let vars = json!({ "m": m, "v": unit, "c": choice, "r": format!("纸质票-{i:03}") });
        data(&app.gql(Some(&s.staff), paper, vars).await);
    }
    end_window(&app, &m).await;
    let body = close(&app, &director, &m).await;
    assert_eq!(data(&body)["closeVoting"]["motion"]["passed"], true);
    let body = app
        .gql(Some(&s.treasurer), MOTION, json!({ "id": m }))
        .await;
    let tally = &data(&body)["motion"]["tally"];
    assert_eq!(tally["eligible"]["heads"], 138);
    assert_eq!(tally["participating"]["heads"], 100);
    assert_eq!(tally["yes"]["heads"], 80);
    assert_eq!(tally["abstain"]["heads"], 10);

    // The minutes, published once the meeting closes; then the resolution on notice.
    let write = "mutation($id: ID!) { writeMinutes(input: {meetingId: $id, body: \"到会40户。表决通过动用维修基金更换道闸电机。\"}) { meeting { id } } }";
    data(
        &app.gql(Some(&s.staff), write, json!({ "id": meeting }))
            .await,
    );
    let close_meeting =
        "mutation($id: ID!) { closeMeeting(input: {meetingId: $id}) { meeting { status } } }";
    data(
        &app.gql(Some(&director), close_meeting, json!({ "id": meeting }))
            .await,
    );
    let publish =
        "mutation($id: ID!) { publishMinutes(meetingId: $id) { meeting { minutesPublishedAt } } }";
    data(
        &app.gql(Some(&s.staff), publish, json!({ "id": meeting }))
            .await,
    );
    let notice = "mutation($id: ID!) { publishResolutionNotice(input: {motionId: $id, days: 7}) { motion { noticeUntil } } }";
    data(&app.gql(Some(&director), notice, json!({ "id": m })).await);
    let object = "mutation($id: ID!, $b: String!) { lodgeObjection(input: {motionId: $id, body: $b}) { objection { id } } }";
    let body = app
        .gql(
            Some(&s.treasurer),
            object,
            json!({ "id": m, "b": "报价偏高，请再比价" }),
        )
        .await;
    let objection = data(&body)["lodgeObjection"]["objection"]["id"].clone();
    let answer = "mutation($id: ID!) { answerObjection(input: {objectionId: $id, answer: \"已比价三家，此为最低\"}) { objection { answer } } }";
    assert_eq!(
        error_code(
            &app.gql(Some(&director), answer, json!({ "id": objection }))
                .await
        ),
        Some("FORBIDDEN"),
        "staff answer objections"
    );
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    for (query, vars) in [
        (answer, json!({ "id": objection })),
        (object, json!({ "id": m, "b": "我也反对" })),
    ] {
        let body = app.gql(Some(&outsider), query, vars).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
    }
    data(
        &app.gql(Some(&s.staff), answer, json!({ "id": objection }))
            .await,
    );
    let body = app
        .gql(
            Some(&s.treasurer),
            "query($id: ID!) { motion(id: $id) { objections { answer } } }",
            json!({ "id": m }),
        )
        .await;
    assert_eq!(
        data(&body)["motion"]["objections"][0]["answer"],
        "已比价三家，此为最低"
    );

    // The treasurer pays the expense the resolution authorised.
    let open = "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"道闸基金\", purpose: \"道闸\", resolutionThreshold: \"100.00\"}) { fund { id } } }";
    let fund = data(
        &app.gql(Some(&director), open, json!({ "c": s.compound }))
            .await,
    )["openFund"]["fund"]["id"]
        .clone();
    for (i, (household, _, _)) in homes.iter().take(10).enumerate() {
        let give = json!({ "in": { "fundId": fund, "amount": "50.00", "householdId": household, "channel": "WECHAT", "idempotencyKey": format!("gate-in-{i:04}") } });
        data(
            &app.gql(Some(&s.treasurer), crate::funds::CONTRIBUTE, give)
                .await,
        );
    }
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let input = json!({ "in": { "fundId": fund, "payeeName": "平安门禁维修部", "amount": "320.00", "purpose": "更换道闸电机", "resolutionId": m } });
    let expense = data(&app.gql(Some(&s.treasurer), draft, input).await)["draftExpense"]["expense"]
        ["id"]
        .clone();
    let submit =
        "mutation($id: ID!) { submitExpense(input: {expenseId: $id}) { expense { status } } }";
    data(
        &app.gql(Some(&s.treasurer), submit, json!({ "id": expense }))
            .await,
    );
    let approve =
        "mutation($id: ID!) { approveExpense(input: {expenseId: $id}) { expense { status } } }";
    for approver in [&director, &member] {
        app.gql(Some(approver), approve, json!({ "id": expense }))
            .await;
    }
    let pay = "mutation($id: ID!) { payExpense(input: {expenseId: $id, idempotencyKey: \"gate-pay-0001\"}) { expense { status resolutionId } } }";
    let body = app
        .gql(Some(&s.treasurer), pay, json!({ "id": expense }))
        .await;
    assert_eq!(data(&body)["payExpense"]["expense"]["status"], "PAID");
    assert_eq!(data(&body)["payExpense"]["expense"]["resolutionId"], m);
}

#[tokio::test]
async fn residents_cannot_run_meetings_and_other_communities_see_none() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let meeting = open_meeting(&app, &s.staff, &s.compound).await;
    let m = motion(&app, &s.staff, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    let resident = app
        .caller(
            Role::Resident,
            Scope::Below(
                app.tree.a1,
                s.households["张伟"].as_str().unwrap().parse().unwrap(),
            ),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let voter = "00000000-0000-7000-8000-000000000000";
    let writes = [
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { scheduleMeeting(input: {compoundId: $c, kind: BENCH, title: \"议事\", startsAt: \"2026-12-01T02:00:00Z\", place: \"长椅\"}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { cancelMeeting(input: {meetingId: $m, reason: \"下雨\"}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { closeMeeting(input: {meetingId: $m}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { openMeeting(input: {meetingId: $m}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { publishMinutes(meetingId: $m) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { signInOnBehalf(input: {meetingId: $m, residentId: $r}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { openVoting(input: {motionId: $x, closesAt: \"2099-01-01T00:00:00Z\"}) { motion { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { addAgendaItem(input: {meetingId: $m, title: \"停车\"}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { writeMinutes(input: {meetingId: $m, body: \"记录\"}) { meeting { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { proposeMotion(input: {meetingId: $m, title: \"停车\", electorate: HOUSEHOLDS, majority: SIMPLE}) { motion { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { recordPaperBallot(input: {motionId: $x, voterId: $v, choice: YES, paperReference: \"票-1\"}) { motion { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { closeVoting(motionId: $x) { motion { id } } }",
        "mutation($c: ID!, $m: ID!, $x: ID!, $v: ID!) { publishResolutionNotice(input: {motionId: $x}) { motion { id } } }",
    ];
    let vars =
        json!({ "c": s.compound, "m": meeting, "x": m, "v": voter, "r": s.residents["王秀英"] });
    for query in writes {
        // Declare only the variables the operation uses.
        let (_, operation) = query.split_once(") {").unwrap();
        let declared: Vec<String> = ["c", "m", "x", "v", "r"]
            .iter()
            .filter(|v| operation.contains(&format!("${v}")))
            .map(|v| format!("${v}: ID!"))
            .collect();
        let query = format!("mutation({}) {{{operation}", declared.join(", "));
        let query = query.as_str();
        let body = app.gql(Some(&resident), query, vars.clone()).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "resident: {query}");
        let body = app.gql(Some(&outsider), query, vars.clone()).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "outsider: {query}");
    }
    for query in [
        "query($c: ID!) { meetingsOfCompound(compoundId: $c) { nodes { id } } }",
        "query($m: ID!) { meeting(id: $m) { id } }",
        "query($x: ID!) { motion(id: $x) { id } }",
    ] {
        let body = app.gql(Some(&outsider), query, vars.clone()).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}");
        let body = app.gql(Some(&resident), query, vars.clone()).await;
        assert_eq!(error_code(&body), None, "a resident reads: {query}");
    }
}

#[tokio::test]
async fn a_compounds_meetings_cost_the_same_statements_however_many() {
    let app = TestApp::new().await;
    let s = fund_setup(&app).await;
    let query = "query($c: ID!) { meetingsOfCompound(compoundId: $c) { edges { node { title agenda { title } attendance { people area } minutes { body } motions { title myBallot tally { passed } } } } } }";
    let sign = "mutation($id: ID!) { signInToMeeting(input: {meetingId: $id}) { meeting { id } } }";
    let agenda = "mutation($id: ID!) { addAgendaItem(input: {meetingId: $id, title: \"停车\"}) { meeting { id } } }";
    let mut costs = Vec::new();
    for count in [1, 4] {
        for _ in 0..count {
            let meeting = open_meeting(&app, &s.staff, &s.compound).await;
            data(
                &app.gql(Some(&s.staff), agenda, json!({ "id": meeting }))
                    .await,
            );
            data(
                &app.gql(Some(&s.treasurer), sign, json!({ "id": meeting }))
                    .await,
            );
            let m = motion(&app, &s.staff, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
            data(&vote(&app, &s.treasurer, &m, "YES").await);
        }
        let before = app.db().statement_count();
        let body = app
            .gql(Some(&s.treasurer), query, json!({ "c": s.compound }))
            .await;
        let meetings = data(&body)["meetingsOfCompound"]["edges"]
            .as_array()
            .unwrap()
            .len();
        costs.push((meetings, app.db().statement_count() - before));
    }
    assert_eq!((costs[0].0, costs[1].0), (1, 5));
    assert_eq!(costs[0].1, costs[1].1, "{costs:?}");
}

#[tokio::test]
async fn a_community_meeting_consults_every_household_of_the_community() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let schedule = "mutation($c: ID!) { scheduleMeeting(input: {communityId: $c, kind: BENCH, title: \"社区停车议事\", startsAt: \"2026-12-01T02:00:00Z\", place: \"社区活动室\"}) { meeting { id communityId compoundId } } }";
    // A compound's committee runs its own meetings, not the community's.
    let body = app
        .gql(Some(&s.treasurer), schedule, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(Some(&s.staff), schedule, json!({ "c": app.tree.a1 }))
        .await;
    let meeting = data(&body)["scheduleMeeting"]["meeting"].clone();
    assert_eq!(meeting["compoundId"], Value::Null);
    let id = meeting["id"].clone();
    let open = "mutation($id: ID!) { openMeeting(input: {meetingId: $id}) { meeting { status } } }";
    data(&app.gql(Some(&s.staff), open, json!({ "id": id })).await);

    // Owners vote per compound: a community meeting consults households.
    let propose = "mutation($m: ID!, $e: MotionElectorate!, $j: MotionMajority!) { proposeMotion(input: {meetingId: $m, title: \"夜间限行\", electorate: $e, majority: $j}) { motion { id } } }";
    let body = app
        .gql(
            Some(&s.staff),
            propose,
            json!({ "m": id, "e": "OWNERS", "j": "ORDINARY" }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.electorate");
    let body = app
        .gql(
            Some(&s.staff),
            propose,
            json!({ "m": id, "e": "HOUSEHOLDS", "j": "SIMPLE" }),
        )
        .await;
    let m = data(&body)["proposeMotion"]["motion"]["id"].clone();
    let vote_open = "mutation($id: ID!, $at: DateTime!) { openVoting(input: {motionId: $id, closesAt: $at}) { motion { status } } }";
    data(
        &app.gql(
            Some(&s.staff),
            vote_open,
            json!({ "id": m, "at": Utc::now() + Duration::days(3) }),
        )
        .await,
    );
    // Every household of the community with someone in it: 和韵小区's three (the fixture's
    // other home in a1 has no registered member to vote).
    let voters = "query($id: ID!) { motion(id: $id) { voters { label } } }";
    let body = app.gql(Some(&s.staff), voters, json!({ "id": m })).await;
    assert_eq!(data(&body)["motion"]["voters"].as_array().unwrap().len(), 3);
    data(&vote(&app, &s.treasurer, &m, "YES").await);

    // Residents of the community read and sign in; another community sees nothing.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let list = "query($c: ID!) { communityMeetings(communityId: $c) { nodes { title } } }";
    let body = app
        .gql(Some(&neighbour), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(
        data(&body)["communityMeetings"]["nodes"][0]["title"],
        "社区停车议事"
    );
    let sign = "mutation($id: ID!) { signInToMeeting(input: {meetingId: $id}) { meeting { attendance { households } } } }";
    let body = app.gql(Some(&s.treasurer), sign, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["signInToMeeting"]["meeting"]["attendance"]["households"],
        1
    );
    let stranger = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.b1, app.tree.household_b1),
        )
        .await;
    let body = app
        .gql(Some(&stranger), list, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app.gql(Some(&stranger), MOTION, json!({ "id": m })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
}

#[tokio::test]
async fn the_expenses_citing_a_resolution_stay_within_the_amount_it_approved() {
    let app = TestApp::new().await.with_homes().await;
    let s = fund_setup(&app).await;
    let li = appoint_with_login(&app, &s, "李建国", "li.director", "DIRECTOR").await;
    let zhang = appoint_with_login(&app, &s, "张伟", "zhang.member", "MEMBER").await;
    let meeting = open_meeting(&app, &li, &s.compound).await;
    let propose =
        "mutation($in: ProposeMotionInput!) { proposeMotion(input: $in) { motion { id amount } } }";
    let input = |amount: &str| json!({ "in": { "meetingId": meeting, "title": "动用维修基金320元更换道闸电机", "electorate": "HOUSEHOLDS", "majority": "SIMPLE", "amount": amount } });
    let body = app.gql(Some(&li), propose, input("0.00")).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.amount");
    let body = app.gql(Some(&li), propose, input("320.00")).await;
    let motion = data(&body)["proposeMotion"]["motion"].clone();
    assert_eq!(motion["amount"], "320.00");
    let m = motion["id"].clone();
    let open = "mutation($id: ID!, $at: DateTime!) { openVoting(input: {motionId: $id, closesAt: $at}) { motion { status } } }";
    let at = Utc::now() + Duration::days(7);
    data(&app.gql(Some(&li), open, json!({ "id": m, "at": at })).await);
    data(&vote(&app, &li, &m, "YES").await);
    data(&vote(&app, &zhang, &m, "YES").await);
    end_window(&app, &m).await;
    data(&close(&app, &li, &m).await);

    let open = "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"道闸基金\", purpose: \"道闸\", resolutionThreshold: \"100.00\"}) { fund { id } } }";
    let body = app.gql(Some(&li), open, json!({ "c": s.compound })).await;
    let fund = data(&body)["openFund"]["fund"]["id"].clone();
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let expense = |amount: &str| json!({ "in": { "fundId": fund, "payeeName": "平安门禁维修部", "amount": amount, "purpose": "更换道闸电机", "resolutionId": m } });
    let body = app.gql(Some(&s.treasurer), draft, expense("200.00")).await;
    let first = data(&body)["draftExpense"]["expense"]["id"].clone();
    // 200 of 320 cited: 150 more is too much, 120 fits exactly.
    let body = app.gql(Some(&s.treasurer), draft, expense("150.00")).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.amount");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("320.00"),
        "{body}"
    );
    let body = app.gql(Some(&s.treasurer), draft, expense("120.00")).await;
    let second = data(&body)["draftExpense"]["expense"]["id"].clone();
    let submit =
        "mutation($id: ID!) { submitExpense(input: {expenseId: $id}) { expense { status } } }";
    data(
        &app.gql(Some(&s.treasurer), submit, json!({ "id": second }))
            .await,
    );
    // A cancelled expense no longer counts against the resolution.
    let cancel = "mutation($id: ID!) { cancelExpense(input: {expenseId: $id, comment: \"报价有误\"}) { expense { status } } }";
    data(
        &app.gql(Some(&s.treasurer), cancel, json!({ "id": first }))
            .await,
    );
    let body = app.gql(Some(&s.treasurer), draft, expense("150.00")).await;
    let third = data(&body)["draftExpense"]["expense"]["id"].clone();
    data(
        &app.gql(Some(&s.treasurer), submit, json!({ "id": third }))
            .await,
    );
}
