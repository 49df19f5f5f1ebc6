//! Opinion collection (征集意见): consultations written and published by staff or a
//! compound's committee, answered once per household (changed while open, recorded from
//! paper by staff), anonymous answers that keep nobody, results with integer arithmetic,
//! suggestions with public replies, the result notice, export, tenancy and statement
//! counts.

use chrono::{Duration, Utc};
use entity::{audit_entry, consultation, consultation_answer};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::{
    funds::{FundSetup, fund_setup},
    helpers::{Caller, TestApp, data, error_code},
};

const CREATE: &str = "mutation($in: CreateConsultationInput!) { createConsultation(input: $in) { consultation { id status questions { id kind options } permissions { canPublish canAnswer } } } }";
const PUBLISH: &str =
    "mutation($id: ID!) { publishConsultation(id: $id) { consultation { id status } } }";
const ANSWER: &str = "mutation($in: AnswerConsultationInput!) { answerConsultation(input: $in) { consultation { answerCount } } }";
const PAPER: &str = "mutation($in: RecordPaperConsultationAnswerInput!) { recordPaperConsultationAnswer(input: $in) { consultation { answerCount } } }";
const ONE: &str = "query($id: ID!) { consultation(id: $id) { id title status answerCount permissions { canAnswer canSeeResults canPublishResults canRecordPaperAnswers } } }";
const LIST: &str = "query($c: ID!, $s: ConsultationStatus, $first: Int) { consultations(communityId: $c, status: $s, first: $first) { edges { node { id title status questions { prompt options } attachments { fileName } buildingIds permissions { canAnswer canEdit } } } pageInfo { hasNextPage } } }";
const RESULTS: &str = "query($id: ID!) { consultationResults(consultationId: $id) { answers questions { position answers options { label count } scale { answers mean meanHundredths distribution } } turnout { building answered eligible } } }";
const TEXTS: &str = "query($id: ID!, $q: ID!) { consultationTexts(consultationId: $id, questionId: $q, first: 20) { edges { node { text author } } } }";
const MINE: &str = "query($id: ID!) { myConsultationAnswer(consultationId: $id) { forId answeredAt responses { questionId options scale text } } }";
const SUGGEST: &str = "mutation($id: ID!, $t: String!) { addConsultationSuggestion(input: {consultationId: $id, text: $t}) { suggestion { id author text } } }";
const SUGGESTIONS: &str = "query($id: ID!, $first: Int) { consultationSuggestions(consultationId: $id, first: $first) { edges { node { id author text reply adopted permissions { canReply canAdopt } } } } }";
const PUBLISH_RESULTS: &str = "mutation($id: ID!, $s: String!) { publishConsultationResults(input: {consultationId: $id, summary: $s}) { consultation { status summary announcementId } } }";
const EXPORT: &str = "mutation($id: ID!, $f: FileFormat!) { exportConsultationResults(input: {consultationId: $id, format: $f}) { fileName contentType contentBase64 } }";

/// 和韵小区 (3号楼: 王秀英 301 with the treasurer's login, 李建国 and 李小红 302; 5栋: 张伟)
/// with logins for 李建国 and 张伟.
struct Setup {
    s: FundSetup,
    li: Caller,
    zhang: Caller,
}

async fn login(app: &TestApp, s: &FundSetup, name: &str, username: &str) -> Caller {
    let account = "mutation($id: ID!, $u: String!) { createResidentAccount(input: {residentId: $id, username: $u, initialPassword: \"梧桐树下的长椅-2026\"}) { userId } }";
    let body = app
        .gql(
            Some(&s.staff),
            account,
            json!({ "id": s.residents[name], "u": username }),
        )
        .await;
    let user = Uuid::parse_str(
        data(&body)["createResidentAccount"]["userId"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    app.skip_password_change(user).await;
    app.session(user, username).await
}

async fn setup(app: &TestApp) -> Setup {
    let s = fund_setup(app).await;
    let li = login(app, &s, "李建国", "li.jianguo").await;
    let zhang = login(app, &s, "张伟", "zhang.wei").await;
    Setup { s, li, zhang }
}

fn questions() -> Value {
    json!([
        { "kind": "SINGLE_CHOICE", "prompt": "是否同意加装电梯", "options": ["同意", "不同意"] },
        { "kind": "MULTIPLE_CHOICE", "prompt": "最关心的问题", "options": ["费用", "噪音", "采光"], "maxChoices": 2 },
        { "kind": "SCALE", "prompt": "对物业服务的满意度" },
        { "kind": "TEXT", "prompt": "其他意见", "maxLength": 200, "required": false },
    ])
}

/// Creates and publishes a consultation, open now for a day; returns (id, question ids).
async fn open_consultation(app: &TestApp, by: &Caller, extra: Value) -> (Value, Vec<Value>) {
    let mut input = json!({
        "communityId": app.tree.a1,
        "title": "3号楼加装电梯意见征集",
        "body": "请各户于截止前答复。",
        "opensAt": Utc::now() - Duration::minutes(1),
        "closesAt": Utc::now() + Duration::days(1),
        "questions": questions(),
    });
    if let (Value::Object(input), Value::Object(extra)) = (&mut input, extra) {
        input.extend(extra);
    }
    let body = app.gql(Some(by), CREATE, json!({ "in": input })).await;
    let created = &data(&body)["createConsultation"]["consultation"];
    assert_eq!(created["status"], "DRAFT");
    let id = created["id"].clone();
    let qs = created["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["id"].clone())
        .collect();
    let body = app.gql(Some(by), PUBLISH, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["publishConsultation"]["consultation"]["status"],
        "OPEN"
    );
    (id, qs)
}

fn responses(q: &[Value], single: i32, multiple: Value, scale: i32, text: Option<&str>) -> Value {
    let mut r = vec![
        json!({ "questionId": q[0], "options": [single] }),
        json!({ "questionId": q[1], "options": multiple }),
        json!({ "questionId": q[2], "scale": scale }),
    ];
    if let Some(text) = text {
        r.push(json!({ "questionId": q[3], "text": text }));
    }
    json!(r)
}

async fn answer(app: &TestApp, who: &Caller, id: &Value, responses: Value) -> Value {
    app.gql(
        Some(who),
        ANSWER,
        json!({ "in": { "consultationId": id, "responses": responses } }),
    )
    .await
}

/// Moves the close time into the past: closing follows from the time.
async fn close(app: &TestApp, id: &Value) {
    consultation::Entity::update_many()
        .col_expr(
            consultation::Column::ClosesAt,
            Expr::value(Utc::now() - Duration::seconds(1)),
        )
        .filter(consultation::Column::Id.eq(Uuid::parse_str(id.as_str().unwrap()).unwrap()))
        .exec(app.db().writer())
        .await
        .unwrap();
}

#[tokio::test]
async fn households_answer_once_change_their_answer_and_staff_count_them_with_paper_ones() {
    let app = TestApp::new().await;
    let Setup { s, li, zhang } = setup(&app).await;
    let (id, q) = open_consultation(&app, &s.staff, json!({})).await;
    // 李建国 answers for 302, then changes his mind; 王秀英 answers for 301.
    let body = answer(
        &app,
        &li,
        &id,
        responses(&q, 1, json!([0]), 2, Some("担心费用")),
    )
    .await;
    assert_eq!(
        data(&body)["answerConsultation"]["consultation"]["answerCount"],
        1
    );
    let body = answer(
        &app,
        &li,
        &id,
        responses(&q, 0, json!([0, 2]), 4, Some("希望尽快")),
    )
    .await;
    assert_eq!(
        data(&body)["answerConsultation"]["consultation"]["answerCount"],
        1,
        "a change is no second answer"
    );
    let body = answer(
        &app,
        &s.treasurer,
        &id,
        responses(&q, 0, json!([1]), 5, None),
    )
    .await;
    assert_eq!(
        data(&body)["answerConsultation"]["consultation"]["answerCount"],
        2
    );
    // Three options on a max-two question, a scale of 6, a missing required question.
    let body = answer(
        &app,
        &zhang,
        &id,
        responses(&q, 0, json!([0, 1, 2]), 3, None),
    )
    .await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.responses.1.options"
    );
    let body = answer(&app, &zhang, &id, responses(&q, 0, json!([0]), 6, None)).await;
    assert_eq!(
        body["errors"][0]["extensions"]["field"],
        "input.responses.2.scale"
    );
    let body = answer(
        &app,
        &zhang,
        &id,
        json!([{ "questionId": q[0], "options": [0] }]),
    )
    .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.responses");
    // Staff record 张伟's paper form twice: still one answer for his household.
    let paper = |reference: &str, single: i32| json!({ "in": { "consultationId": id, "forId": s.households["张伟"], "paperReference": reference, "responses": responses(&q, single, json!([1]), 3, Some("纸质意见")) } });
    let body = app.gql(Some(&s.staff), PAPER, paper("纸质-001", 1)).await;
    assert_eq!(
        data(&body)["recordPaperConsultationAnswer"]["consultation"]["answerCount"],
        3
    );
    let body = app
        .gql(Some(&s.staff), PAPER, paper("纸质-001(更正)", 0))
        .await;
    assert_eq!(
        data(&body)["recordPaperConsultationAnswer"]["consultation"]["answerCount"],
        3
    );
    // His own online answer replaces the paper one, too.
    let body = answer(&app, &zhang, &id, responses(&q, 1, json!([1]), 3, None)).await;
    assert_eq!(
        data(&body)["answerConsultation"]["consultation"]["answerCount"],
        3
    );

    // 李建国 sees his changed answer.
    let body = app.gql(Some(&li), MINE, json!({ "id": id })).await;
    let mine = &data(&body)["myConsultationAnswer"];
    assert_eq!(mine["forId"], s.households["李建国"]);
    assert!(mine["answeredAt"].is_string());
    assert_eq!(mine["responses"][1]["options"], json!([0, 2]));
    assert_eq!(mine["responses"][2]["scale"], 4);

    // Staff read the counts while it is open (not hidden, not anonymous).
    let body = app.gql(Some(&s.staff), RESULTS, json!({ "id": id })).await;
    let r = &data(&body)["consultationResults"];
    assert_eq!(r["answers"], 3);
    assert_eq!(
        r["questions"][0]["options"],
        json!([{ "label": "同意", "count": 2 }, { "label": "不同意", "count": 1 }])
    );
    assert_eq!(r["questions"][1]["answers"], 3);
    assert_eq!(
        r["questions"][1]["options"],
        json!([{ "label": "费用", "count": 1 }, { "label": "噪音", "count": 2 }, { "label": "采光", "count": 1 }])
    );
    // Scale 4, 5, 3: mean 4.00; 4, 5 and 3 once each.
    assert_eq!(
        r["questions"][2]["scale"],
        json!({ "answers": 3, "mean": "4.00", "meanHundredths": 400, "distribution": [0, 0, 1, 1, 1] })
    );
    assert_eq!(
        r["turnout"],
        json!([{ "building": "3号楼", "answered": 2, "eligible": 2 }, { "building": "5栋", "answered": 1, "eligible": 1 }])
    );
    // Named texts: the household's dwelling, for organisers only.
    let body = app
        .gql(Some(&s.staff), TEXTS, json!({ "id": id, "q": q[3] }))
        .await;
    let texts = data(&body)["consultationTexts"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(texts.len(), 1, "张伟's online answer has no text any more");
    assert_eq!(
        texts[0]["node"],
        json!({ "text": "希望尽快", "author": "3号楼1单元302" })
    );
    // A resident sees no results before the notice.
    let body = app.gql(Some(&li), RESULTS, json!({ "id": id })).await;
    assert_eq!(data(&body)["consultationResults"], Value::Null);
    // The audit log says who answered, not what.
    let rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("answerConsultation"))
        .filter(audit_entry::Column::Outcome.eq("ok"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(rows.len(), 4);
    assert!(
        rows.iter()
            .all(|r| r.input == json!({ "consultationId": id }))
    );
    let paper_rows = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.eq("recordPaperConsultationAnswer"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(paper_rows[0].input["paperReference"], "纸质-001");
}

#[tokio::test]
async fn an_anonymous_consultation_keeps_nobody_and_shows_results_only_after_close() {
    let app = TestApp::new().await;
    let Setup { s, li, zhang } = setup(&app).await;
    let (id, q) = open_consultation(&app, &s.staff, json!({ "anonymous": true })).await;
    data(
        &answer(
            &app,
            &li,
            &id,
            responses(&q, 0, json!([0]), 2, Some("楼道太暗")),
        )
        .await,
    );
    data(&answer(&app, &zhang, &id, responses(&q, 1, json!([1]), 3, None)).await);
    let body = app
        .gql(
            Some(&s.staff),
            PAPER,
            json!({ "in": { "consultationId": id, "forId": s.households["王秀英"], "paperReference": "上门-07", "responses": responses(&q, 0, json!([2]), 5, None) } }),
        )
        .await;
    assert_eq!(
        data(&body)["recordPaperConsultationAnswer"]["consultation"]["answerCount"],
        3
    );
    // The stored answers: a random id and the keyed hash, nothing else.
    let rows = consultation_answer::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(rows.len(), 3);
    for row in &rows {
        assert_eq!(row.id.get_version_num(), 4);
        assert_eq!(row.unit_key.len(), 64);
        assert_eq!(
            (row.household_id, row.resident_id, row.answered_by),
            (None, None, None)
        );
        assert_eq!((row.paper_reference.clone(), row.answered_at), (None, None));
    }
    // The resident still finds their own answer (without a time).
    let body = app.gql(Some(&li), MINE, json!({ "id": id })).await;
    let mine = &data(&body)["myConsultationAnswer"];
    assert_eq!(mine["answeredAt"], Value::Null);
    assert_eq!(mine["responses"][3]["text"], "楼道太暗");
    // Hidden while open, from organisers too; no export either.
    let body = app.gql(Some(&s.staff), ONE, json!({ "id": id })).await;
    assert_eq!(
        data(&body)["consultation"]["permissions"]["canSeeResults"],
        false
    );
    let body = app.gql(Some(&s.staff), RESULTS, json!({ "id": id })).await;
    assert_eq!(data(&body)["consultationResults"], Value::Null);
    let body = app
        .gql(Some(&s.staff), EXPORT, json!({ "id": id, "f": "CSV" }))
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    // After close: counts, texts without authors, a file naming nobody.
    close(&app, &id).await;
    let body = app.gql(Some(&s.staff), RESULTS, json!({ "id": id })).await;
    let r = &data(&body)["consultationResults"];
    assert_eq!(r["questions"][2]["scale"]["mean"], "3.33");
    assert_eq!(r["questions"][2]["scale"]["meanHundredths"], 333);
    let body = app
        .gql(Some(&s.staff), TEXTS, json!({ "id": id, "q": q[3] }))
        .await;
    assert_eq!(
        data(&body)["consultationTexts"]["edges"][0]["node"],
        json!({ "text": "楼道太暗", "author": null })
    );
    let body = app
        .gql(Some(&s.staff), EXPORT, json!({ "id": id, "f": "CSV" }))
        .await;
    let file = &data(&body)["exportConsultationResults"];
    use base64::Engine;
    let csv = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(file["contentBase64"].as_str().unwrap())
            .unwrap(),
    )
    .unwrap();
    assert!(
        csv.contains("楼道太暗") && csv.contains("3.33") && csv.contains("匿名"),
        "{csv}"
    );
    assert!(
        !csv.contains("302") && !csv.contains("李建国") && !csv.contains("上门-07"),
        "{csv}"
    );
    // Residents see the results once the notice is out; staff's notice is an announcement.
    let body = app.gql(Some(&li), RESULTS, json!({ "id": id })).await;
    assert_eq!(data(&body)["consultationResults"], Value::Null);
    let body = app
        .gql(
            Some(&li),
            PUBLISH_RESULTS,
            json!({ "id": id, "s": "将加装楼道灯" }),
        )
        .await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let body = app
        .gql(
            Some(&s.staff),
            PUBLISH_RESULTS,
            json!({ "id": id, "s": "将于下月加装楼道灯" }),
        )
        .await;
    let published = &data(&body)["publishConsultationResults"]["consultation"];
    assert_eq!(published["status"], "RESULTS_PUBLISHED");
    assert!(published["announcementId"].is_string());
    let body = app.gql(Some(&li), RESULTS, json!({ "id": id })).await;
    assert_eq!(data(&body)["consultationResults"]["answers"], 3);
    let body = app
        .gql(
            Some(&li),
            "query($c: ID!) { announcements(communityId: $c, first: 5) { edges { node { title body } } } }",
            json!({ "c": app.tree.a1 }),
        )
        .await;
    assert!(body.to_string().contains("将于下月加装楼道灯"), "{body}");
    // Closed: no more answers.
    let body = answer(&app, &li, &id, responses(&q, 1, json!([0]), 1, None)).await;
    assert_eq!(error_code(&body), Some("BAD_USER_INPUT"));
}

#[tokio::test]
async fn another_community_finds_nothing_and_smaller_roles_are_refused() {
    let app = TestApp::new().await.with_homes().await;
    let Setup { s, li, zhang } = setup(&app).await;
    let outsider = app
        .caller(
            entity::role_grant::Role::CommunityAdmin,
            crate::helpers::Scope::Community(app.tree.b1),
        )
        .await;
    let (id, q) = open_consultation(&app, &s.staff, json!({})).await;
    // Another community's admin: nothing of it exists.
    for (query, vars) in [
        (ONE, json!({ "id": id })),
        (RESULTS, json!({ "id": id })),
        (SUGGESTIONS, json!({ "id": id, "first": 5 })),
        (LIST, json!({ "c": app.tree.a1 })),
        (PUBLISH, json!({ "id": id })),
        (EXPORT, json!({ "id": id, "f": "XLSX" })),
    ] {
        let body = app.gql(Some(&outsider), query, vars).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"), "{query}: {body}");
    }
    let body = answer(&app, &outsider, &id, responses(&q, 0, json!([0]), 1, None)).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&outsider),
            CREATE,
            json!({ "in": { "communityId": app.tree.a1, "title": "x", "opensAt": Utc::now(), "closesAt": Utc::now() + Duration::days(1), "questions": questions() } }),
        )
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    // A resident: they answer, they do not organise.
    let create = json!({ "in": { "communityId": app.tree.a1, "title": "x", "opensAt": Utc::now(), "closesAt": Utc::now() + Duration::days(1), "questions": questions() } });
    let body = app.gql(Some(&li), CREATE, create.clone()).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    for (query, vars) in [
        (PUBLISH, json!({ "id": id })),
        (EXPORT, json!({ "id": id, "f": "CSV" })),
        (
            PAPER,
            json!({ "in": { "consultationId": id, "forId": s.households["张伟"], "paperReference": "x", "responses": responses(&q, 0, json!([0]), 1, None) } }),
        ),
        (
            "mutation($id: ID!) { cancelConsultation(id: $id) { consultation { id } } }",
            json!({ "id": id }),
        ),
    ] {
        let body = app.gql(Some(&li), query, vars).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"), "{query}: {body}");
    }
    // The compound's committee (the treasurer) organises for the compound, not the community.
    let body = app.gql(Some(&s.treasurer), CREATE, create).await;
    assert_eq!(error_code(&body), Some("FORBIDDEN"));
    let (mine, _) = open_consultation(
        &app,
        &s.treasurer,
        json!({ "compoundId": s.compound, "hideResultsUntilClose": true }),
    )
    .await;
    let body = app.gql(Some(&li), ONE, json!({ "id": mine })).await;
    assert_eq!(
        data(&body)["consultation"]["permissions"]["canAnswer"],
        true
    );
    // Put to 5栋 only: 李建国 (3号楼) neither lists nor reads it; 张伟 does.
    let body = app
        .gql(
            Some(&s.staff),
            "query($c: ID!) { compound(id: $c) { buildings { id number } } }",
            json!({ "c": s.compound }),
        )
        .await;
    let five = data(&body)["compound"]["buildings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["number"] == "5栋")
        .unwrap()["id"]
        .clone();
    let (only5, _) = open_consultation(&app, &s.staff, json!({ "buildingIds": [five] })).await;
    let body = app.gql(Some(&li), ONE, json!({ "id": only5 })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = answer(&app, &li, &only5, responses(&q, 0, json!([0]), 1, None)).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let listed = |body: &Value| -> Vec<Value> {
        data(body)["consultations"]["edges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["node"]["id"].clone())
            .collect()
    };
    let body = app.gql(Some(&li), LIST, json!({ "c": app.tree.a1 })).await;
    assert_eq!(listed(&body), vec![mine.clone(), id.clone()]);
    let body = app
        .gql(Some(&zhang), LIST, json!({ "c": app.tree.a1 }))
        .await;
    assert_eq!(listed(&body), vec![only5.clone(), mine.clone(), id.clone()]);
    assert_eq!(
        data(&body)["consultations"]["edges"][0]["node"]["permissions"]["canAnswer"],
        true
    );
    // A draft is for organisers only.
    let body = app
        .gql(
            Some(&s.staff),
            CREATE,
            json!({ "in": { "communityId": app.tree.a1, "title": "草稿", "opensAt": Utc::now(), "closesAt": Utc::now() + Duration::days(1), "questions": questions() } }),
        )
        .await;
    let draft = data(&body)["createConsultation"]["consultation"]["id"].clone();
    let body = app.gql(Some(&zhang), ONE, json!({ "id": draft })).await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&s.staff),
            LIST,
            json!({ "c": app.tree.a1, "s": "DRAFT" }),
        )
        .await;
    assert_eq!(listed(&body), vec![draft]);
    // Questions are fixed once answered.
    data(&answer(&app, &li, &id, responses(&q, 0, json!([0]), 1, None)).await);
    let body = app
        .gql(
            Some(&s.staff),
            "mutation($in: UpdateConsultationInput!) { updateConsultation(input: $in) { consultation { id } } }",
            json!({ "in": { "id": id, "questions": questions() } }),
        )
        .await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.questions");
}

#[tokio::test]
async fn residents_suggest_and_organisers_reply_publicly_or_adopt() {
    let app = TestApp::new().await.with_homes().await;
    let Setup { s, li, zhang } = setup(&app).await;
    let outsider = app
        .caller(
            entity::role_grant::Role::CommunityAdmin,
            crate::helpers::Scope::Community(app.tree.b1),
        )
        .await;
    let (id, _) = open_consultation(&app, &s.staff, json!({})).await;
    let body = app
        .gql(
            Some(&li),
            SUGGEST,
            json!({ "id": id, "t": "电梯井可以放在北侧" }),
        )
        .await;
    let suggestion = data(&body)["addConsultationSuggestion"]["suggestion"].clone();
    assert_eq!(suggestion["author"], "李**");
    let sid = suggestion["id"].clone();
    let body = app
        .gql(Some(&s.staff), SUGGEST, json!({ "id": id, "t": "x" }))
        .await;
    assert_eq!(
        error_code(&body),
        Some("FORBIDDEN"),
        "staff do not live there"
    );
    let reply = "mutation($id: ID!, $r: String!) { replyToSuggestion(input: {suggestionId: $id, reply: $r}) { suggestion { reply } } }";
    let adopt = "mutation($id: ID!) { adoptSuggestion(suggestionId: $id) { suggestion { adopted permissions { canAdopt } } } }";
    for caller in [&zhang, &li] {
        let body = app
            .gql(Some(caller), reply, json!({ "id": sid, "r": "x" }))
            .await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
        let body = app.gql(Some(caller), adopt, json!({ "id": sid })).await;
        assert_eq!(error_code(&body), Some("FORBIDDEN"));
    }
    let body = app
        .gql(Some(&outsider), reply, json!({ "id": sid, "r": "x" }))
        .await;
    assert_eq!(error_code(&body), Some("NOT_FOUND"));
    let body = app
        .gql(
            Some(&s.staff),
            reply,
            json!({ "id": sid, "r": "已请设计单位评估北侧方案" }),
        )
        .await;
    assert_eq!(
        data(&body)["replyToSuggestion"]["suggestion"]["reply"],
        "已请设计单位评估北侧方案"
    );
    let body = app.gql(Some(&s.staff), adopt, json!({ "id": sid })).await;
    assert_eq!(
        data(&body)["adoptSuggestion"]["suggestion"]["adopted"],
        true
    );
    let body = app.gql(Some(&s.staff), adopt, json!({ "id": sid })).await;
    assert_eq!(error_code(&body), Some("CONFLICT"));
    // A neighbour reads the suggestion, masked, with the public reply.
    let body = app
        .gql(Some(&zhang), SUGGESTIONS, json!({ "id": id, "first": 10 }))
        .await;
    let node = &data(&body)["consultationSuggestions"]["edges"][0]["node"];
    assert_eq!(node["author"], "李**");
    assert_eq!(node["reply"], "已请设计单位评估北侧方案");
    assert_eq!(
        node["permissions"],
        json!({ "canReply": false, "canAdopt": false })
    );
    let audited = audit_entry::Entity::find()
        .filter(audit_entry::Column::Action.is_in([
            "addConsultationSuggestion",
            "replyToSuggestion",
            "adoptSuggestion",
        ]))
        .filter(audit_entry::Column::Outcome.eq("ok"))
        .all(app.db().reader())
        .await
        .unwrap();
    assert_eq!(audited.len(), 3);
}

#[tokio::test]
async fn consultation_lists_cost_the_same_few_statements_for_two_or_eight() {
    let app = TestApp::new().await;
    let Setup { s, li, .. } = setup(&app).await;
    let (first, _) = open_consultation(&app, &s.staff, json!({})).await;
    let mut costs = Vec::new();
    let mut made = 1;
    for n in [2, 8] {
        while made < n {
            open_consultation(&app, &s.staff, json!({})).await;
            made += 1;
        }
        for i in costs.len() * 2..n {
            let body = app
                .gql(
                    Some(&li),
                    SUGGEST,
                    json!({ "id": first, "t": format!("建议{i}") }),
                )
                .await;
            data(&body);
        }
        let list = json!({ "c": app.tree.a1, "first": 100 });
        let (body, staff) = app.gql_cost(&s.staff, LIST, list.clone()).await;
        assert_eq!(
            data(&body)["consultations"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
        let (body, resident) = app.gql_cost(&li, LIST, list).await;
        assert_eq!(
            data(&body)["consultations"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
        let (body, suggestions) = app
            .gql_cost(&li, SUGGESTIONS, json!({ "id": first, "first": 100 }))
            .await;
        assert_eq!(
            data(&body)["consultationSuggestions"]["edges"]
                .as_array()
                .unwrap()
                .len(),
            n
        );
        let (body, point) = app.gql_cost(&li, ONE, json!({ "id": first })).await;
        data(&body);
        costs.push((staff, resident, suggestions, point));
    }
    assert_eq!(costs[0], costs[1], "the cost does not grow with the page");
    let (staff, resident, suggestions, point) = costs[0];
    assert!(
        staff <= 4 && resident <= 4 && suggestions <= 4 && point <= 3,
        "{costs:?}"
    );
}

#[tokio::test]
async fn attachments_download_for_those_who_see_the_consultation() {
    let app = TestApp::new().await.with_homes().await;
    let Setup { s, zhang, .. } = setup(&app).await;
    let outsider = app
        .caller(
            entity::role_grant::Role::CommunityAdmin,
            crate::helpers::Scope::Community(app.tree.b1),
        )
        .await;
    const PDF: &[u8] = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n";
    let input = json!({ "in": {
        "communityId": app.tree.a1,
        "title": "电梯方案",
        "opensAt": Utc::now() - Duration::minutes(1),
        "closesAt": Utc::now() + Duration::days(1),
        "questions": questions(),
        "attachments": [null],
    } });
    let body = app
        .upload_files(
            &s.staff,
            "mutation($in: CreateConsultationInput!) { createConsultation(input: $in) { consultation { id attachments { id fileName url } } } }",
            input,
            &[("variables.in.attachments.0", "方案.pdf", PDF)],
        )
        .await;
    let created = &data(&body)["createConsultation"]["consultation"];
    let url = created["attachments"][0]["url"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(created["attachments"][0]["fileName"], "方案.pdf");
    // A draft's file is the organisers' only.
    let (status, _, _) = app.download(Some(&zhang), &url).await;
    assert_eq!(status, axum::http::StatusCode::NOT_FOUND);
    data(
        &app.gql(Some(&s.staff), PUBLISH, json!({ "id": created["id"] }))
            .await,
    );
    let (status, _, bytes) = app.download(Some(&zhang), &url).await;
    assert_eq!(
        (status, bytes.as_slice()),
        (axum::http::StatusCode::OK, PDF)
    );
    let (status, _, _) = app.download(Some(&outsider), &url).await;
    assert_eq!(status, axum::http::StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_demo_holds_an_open_consultation_with_answers_and_suggestions_and_a_published_one() {
    let app = TestApp::new().await;
    let demo = app.seed_demo().await.unwrap();
    let find = |name: &str| demo.logins.iter().find(|l| l.username == name).unwrap();
    let treasurer = crate::org::demo_login(&app, find("demo.treasurer")).await;
    let staff = crate::org::demo_login(&app, find("demo.xingfu.staff")).await;
    let body = app
        .gql(
            Some(&treasurer),
            "{ me { grants { communityId } } }",
            json!({}),
        )
        .await;
    let community = data(&body)["me"]["grants"][0]["communityId"].clone();
    let body = app
        .gql(Some(&treasurer), LIST, json!({ "c": community }))
        .await;
    let edges = data(&body)["consultations"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    let statuses: Vec<&Value> = edges.iter().map(|e| &e["node"]["status"]).collect();
    assert_eq!(statuses, vec!["RESULTS_PUBLISHED", "OPEN"]);
    let open = edges[1]["node"]["id"].clone();
    let body = app.gql(Some(&staff), ONE, json!({ "id": open })).await;
    assert_eq!(data(&body)["consultation"]["answerCount"], 6);
    let body = app.gql(Some(&treasurer), MINE, json!({ "id": open })).await;
    assert_eq!(
        data(&body)["myConsultationAnswer"]["responses"][3]["text"],
        "支持，越快越好"
    );
    let body = app
        .gql(
            Some(&treasurer),
            SUGGESTIONS,
            json!({ "id": open, "first": 10 }),
        )
        .await;
    let suggestions = data(&body)["consultationSuggestions"]["edges"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(suggestions.len(), 2);
    assert_eq!(suggestions[0]["node"]["adopted"], true);
    // The survey's results are the residents' to read.
    let published = edges[0]["node"]["id"].clone();
    let body = app
        .gql(Some(&treasurer), RESULTS, json!({ "id": published }))
        .await;
    assert_eq!(data(&body)["consultationResults"]["answers"], 4);
}
