//! Every event type reaches a community's subscriptions in both formats: the Standard
//! Webhooks JSON with IDs, labels and links, and the WeCom robot's Chinese markdown; none
//! carries a resident's name.

use std::collections::HashMap;

use chrono::{Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
use serde_json::{Value, json};

use crate::{
    helpers::{Caller, Scope, TestApp, data, test_config},
    meetings::{motion, open_meeting},
    notices::{contribute, publish},
    requests::{Grids, MOVE, grids},
    resolution_notices::passed_resolution,
};
use entity::role_grant::Role;

pub const ALL_TYPES: [&str; 15] = [
    "REQUEST_ASSIGNED",
    "REQUEST_FIRST_RESPONSE_OVERDUE",
    "REQUEST_RESOLUTION_OVERDUE",
    "REQUEST_RESOLVED",
    "REQUEST_RATED_LOW",
    "ANNOUNCEMENT_UNREAD",
    "EXPENSE_AWAITING_APPROVAL",
    "STATEMENT_PUBLISHED",
    "VOTING_OPENED",
    "VOTING_CLOSING_SOON",
    "VOTING_CLOSED",
    "OBJECTION_LODGED",
    "MEDIATION_FOLLOW_UP_DUE",
    "VISITS_OVERDUE",
    "WEBHOOK_DISABLED",
];

const SUBSCRIBE: &str = "mutation($in: CreateWebhookSubscriptionInput!) { createWebhookSubscription(input: $in) { subscription { id format eventTypes } secret } }";

/// A test app whose webhooks may point at this machine.
pub async fn app_for_webhooks() -> TestApp {
    let (mut config, dir) = test_config();
    config.webhooks.allow_http = true;
    config.webhooks.allow_private = true;
    TestApp::with_config(config, dir).await.with_homes().await
}

/// Subscribes `url` to every event of community A1 in `format`; returns the secret.
pub async fn subscribe_all(
    app: &TestApp,
    admin: &Caller,
    url: &str,
    format: &str,
) -> (Value, String) {
    let input = json!({ "in": { "communityId": app.tree.a1, "url": url, "description": "值班群", "format": format, "eventTypes": ALL_TYPES } });
    let body = app.gql(Some(admin), SUBSCRIBE, input).await;
    let payload = &data(&body)["createWebhookSubscription"];
    (
        payload["subscription"]["id"].clone(),
        payload["secret"].as_str().unwrap().to_owned(),
    )
}

async fn submit_request(app: &TestApp, g: &Grids, title: &str) -> Value {
    let submit =
        "mutation($in: SubmitRequestInput!) { submitRequest(input: $in) { request { id } } }";
    let input = json!({ "in": { "householdId": g.s.households["王秀英"], "category": "repair", "title": title, "description": "晚上不亮", "photos": [] } });
    data(&app.gql(Some(&g.resident), submit, input).await)["submitRequest"]["request"]["id"].clone()
}

fn uuid(v: &Value) -> uuid::Uuid {
    v.as_str().unwrap().parse().unwrap()
}

/// Makes every event happen in community A1, the time-based ones by moving their clocks.
async fn raise_every_event(app: &TestApp, g: &Grids) {
    let db = app.db().writer();
    let s = &g.s;
    // A request: assigned on filing, resolved, rated low.
    let id = submit_request(app, g, "楼下路灯不亮").await;
    for (action, message) in [
        ("ACKNOWLEDGE", "马上去看"),
        ("START", ""),
        ("RESOLVE", "已更换灯泡"),
    ] {
        data(
            &app.gql(
                Some(&g.worker3),
                MOVE,
                json!({ "id": id, "a": action, "m": message }),
            )
            .await,
        );
    }
    let rate = "mutation($id: ID!) { rateRequest(input: {requestId: $id, rating: 1, comment: \"王秀英说修得太慢\"}) { request { id } } }";
    data(&app.gql(Some(&g.resident), rate, json!({ "id": id })).await);
    // Another, left unanswered past both its times.
    let late = submit_request(app, g, "单元门禁坏了").await;
    entity::service_request::Entity::update_many()
        .col_expr(
            entity::service_request::Column::FirstResponseDueAt,
            Expr::value(Utc::now() - Duration::minutes(5)),
        )
        .col_expr(
            entity::service_request::Column::ResolveDueAt,
            Expr::value(Utc::now() - Duration::minutes(1)),
        )
        .filter(entity::service_request::Column::Id.eq(uuid(&late)))
        .exec(db)
        .await
        .unwrap();
    // Money: an expense for approval, a published statement.
    contribute(app, s, "王秀英", "50.00", "hook-key-0001").await;
    let draft = "mutation($in: DraftExpenseInput!) { draftExpense(input: $in) { expense { id } } }";
    let input = json!({ "in": { "fundId": s.fund, "payeeName": "平安门禁维修部", "amount": "30.00", "purpose": "更换门禁读卡器", "items": [{ "description": "读卡器", "amount": "30.00" }] } });
    let expense = data(&app.gql(Some(&s.treasurer), draft, input).await)["draftExpense"]["expense"]
        ["id"]
        .clone();
    let submit =
        "mutation($id: ID!) { submitExpense(input: {expenseId: $id}) { expense { status } } }";
    data(
        &app.gql(Some(&s.treasurer), submit, json!({ "id": expense }))
            .await,
    );
    publish(app, s).await;
    // A vote opened and closed, put on notice and objected to.
    let (li, zhang, m) = passed_resolution(app, s).await;
    let notice =
        "mutation($id: ID!) { publishResolutionNotice(input: {motionId: $id, days: 7}) { link } }";
    data(&app.gql(Some(&li), notice, json!({ "id": m })).await);
    let object = "mutation($id: ID!, $b: String!) { lodgeObjection(input: {motionId: $id, body: $b}) { objection { id } } }";
    data(
        &app.gql(
            Some(&zhang),
            object,
            json!({ "id": m, "b": "张伟认为报价偏高" }),
        )
        .await,
    );
    // A week-long vote with two hours left.
    let meeting = open_meeting(app, &li, &s.compound).await;
    let closing = motion(app, &li, &meeting, "HOUSEHOLDS", "SIMPLE", false).await;
    entity::motion::Entity::update_many()
        .col_expr(
            entity::motion::Column::VotingOpensAt,
            Expr::value(Utc::now() - Duration::days(6)),
        )
        .col_expr(
            entity::motion::Column::VotingClosesAt,
            Expr::value(Utc::now() + Duration::hours(2)),
        )
        .filter(entity::motion::Column::Id.eq(uuid(&closing)))
        .exec(db)
        .await
        .unwrap();
    // A mediation whose follow-up is today.
    let open =
        "mutation($in: OpenMediationCaseInput!) { openMediationCase(input: $in) { case { id } } }";
    let input = json!({ "in": { "communityId": app.tree.a1, "title": "楼上太阳能热水器漏水",
        "parties": [{ "householdId": s.households["张伟"], "label": "5栋1201住户" }, { "householdId": s.households["李建国"], "label": "楼上住户" }],
        "mediators": [{ "userId": g.worker5.user_id.to_string(), "name": "网格员小周", "kind": "STAFF" }] } });
    let case = data(&app.gql(Some(&s.staff), open, input).await)["openMediationCase"]["case"]["id"]
        .clone();
    let close = "mutation($in: CloseMediationCaseInput!) { closeMediationCase(input: $in) { case { open } } }";
    let today = jiedao::calendar::today();
    let input = json!({ "in": { "caseId": case, "outcome": "AGREEMENT", "agreementText": "三日内修复", "followUpOn": today } });
    data(&app.gql(Some(&g.worker5), close, input).await);
    // An urgent notice published seven hours ago, unread.
    let publish_notice = "mutation($in: PublishAnnouncementInput!) { publishAnnouncement(input: $in) { announcement { id } } }";
    let input = json!({ "in": { "communityId": app.tree.a1, "compoundId": s.compound, "urgent": true, "title": "明日停水", "body": "明日9:00-15:00停水", "validUntil": Utc::now() + Duration::days(2) } });
    let notice = data(&app.gql(Some(&s.staff), publish_notice, input).await)["publishAnnouncement"]
        ["announcement"]["id"]
        .clone();
    entity::announcement::Entity::update_many()
        .col_expr(
            entity::announcement::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::hours(7)),
        )
        .filter(entity::announcement::Column::Id.eq(uuid(&notice)))
        .exec(db)
        .await
        .unwrap();
    // Households registered a year ago and never visited.
    entity::household::Entity::update_many()
        .col_expr(
            entity::household::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(365)),
        )
        .filter(entity::household::Column::CommunityId.eq(app.tree.a1))
        .exec(db)
        .await
        .unwrap();
    jiedao::notifications::scheduler::run_once(&app.state.services, Utc::now())
        .await
        .unwrap();
}

/// The rendered bodies waiting for each subscription, by event type name.
async fn bodies_for(app: &TestApp, subscription: &Value) -> HashMap<String, Vec<Value>> {
    let config = &app.state.services.config.webhooks;
    while jiedao::notifications::fan_out::fan_out_batch(app.db(), config)
        .await
        .unwrap()
        > 0
    {}
    let events: HashMap<uuid::Uuid, String> = entity::notification_event::Entity::find()
        .all(app.db().reader())
        .await
        .unwrap()
        .into_iter()
        .map(|e| (e.id, e.event_type))
        .collect();
    let mut by_type: HashMap<String, Vec<Value>> = HashMap::new();
    for d in entity::webhook_delivery::Entity::find()
        .filter(entity::webhook_delivery::Column::SubscriptionId.eq(uuid(subscription)))
        .all(app.db().reader())
        .await
        .unwrap()
    {
        by_type
            .entry(events[&d.event_id].clone())
            .or_default()
            .push(serde_json::from_str(&d.body).unwrap());
    }
    by_type
}

#[tokio::test]
async fn every_event_reaches_a_standard_and_a_wecom_subscription_without_residents_names() {
    let app = app_for_webhooks().await;
    let g = grids(&app).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let (standard, _) = subscribe_all(&app, &admin, "http://127.0.0.1:9/hooks", "STANDARD").await;
    let (wecom, _) = subscribe_all(
        &app,
        &admin,
        "http://127.0.0.1:9/cgi-bin/webhook/send?key=test",
        "WECOM_ROBOT",
    )
    .await;
    // Community B's subscription hears nothing of A's.
    let outsider = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.b1))
        .await;
    let input = json!({ "in": { "communityId": app.tree.b1, "url": "http://127.0.0.1:9/b", "description": "B", "format": "STANDARD", "eventTypes": ALL_TYPES } });
    let other = data(&app.gql(Some(&outsider), SUBSCRIBE, input).await)["createWebhookSubscription"]["subscription"]["id"].clone();

    raise_every_event(&app, &g).await;
    let standard = bodies_for(&app, &standard).await;
    let wecom = bodies_for(&app, &wecom).await;
    assert!(
        bodies_for(&app, &other).await.is_empty(),
        "another community's events leaked"
    );

    let expected: [(&str, &str); 14] = [
        ("request.assigned", "【新诉求】3号楼 楼下路灯不亮 → 第7网格"),
        (
            "request.first_response_overdue",
            "【诉求超时未响应】3号楼 单元门禁坏了",
        ),
        (
            "request.resolution_overdue",
            "【诉求逾期未办结】3号楼 单元门禁坏了",
        ),
        ("request.resolved", "【诉求已办结】3号楼 楼下路灯不亮"),
        ("request.rated_low", "评分 1/5"),
        (
            "announcement.unread",
            "【紧急通知未读】《明日停水》发布已 7 小时",
        ),
        (
            "expense.awaiting_approval",
            "【支出待审批】门禁维修基金：更换门禁读卡器 ¥30.00",
        ),
        (
            "statement.published",
            "【账目公示】门禁维修基金 已公示第 1 至 1 笔，余额 ¥50.00",
        ),
        ("voting.opened", "【表决开始】动用维修基金更换道闸电机"),
        (
            "voting.closing_soon",
            "【表决即将截止】动用维修基金更换道闸电机",
        ),
        (
            "voting.closed",
            "【表决结束】动用维修基金更换道闸电机：通过",
        ),
        (
            "objection.lodged",
            "【收到异议】决议《动用维修基金更换道闸电机》收到一条异议",
        ),
        (
            "mediation.follow_up_due",
            "【调解回访到期】楼上太阳能热水器漏水",
        ),
        ("visits.overdue", "【走访逾期】第7网格"),
    ];
    for (event, headline) in expected {
        let json = standard
            .get(event)
            .unwrap_or_else(|| panic!("no STANDARD delivery of {event}"));
        let body = &json[0];
        assert_eq!(body["type"], event);
        assert!(body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')));
        assert_eq!(body["data"]["communityId"], json!(app.tree.a1.to_string()));
        assert_eq!(
            body["data"]["labels"]["community"], "A1社区",
            "{event}: {body}"
        );
        let robot = wecom
            .get(event)
            .unwrap_or_else(|| panic!("no WECOM_ROBOT delivery of {event}"));
        assert_eq!(robot[0]["msgtype"], "markdown");
        let text = robot[0]["markdown"]["content"].as_str().unwrap();
        assert!(text.contains(headline), "{event}: {text}");
        assert!(text.ends_with("> A1社区"), "{event}: {text}");
        for name in ["王秀英", "李建国", "张伟"] {
            assert!(
                !json
                    .iter()
                    .chain(robot)
                    .any(|b| b.to_string().contains(name)),
                "{event} carries {name}"
            );
        }
    }
    // Links and IDs a receiver acts on.
    let statement = &standard["statement.published"][0]["data"];
    assert!(
        statement["link"].as_str().unwrap().contains("/s/"),
        "{statement}"
    );
    assert!(
        wecom["statement.published"][0]["markdown"]["content"]
            .as_str()
            .unwrap()
            .contains("[查看公示](http")
    );
    let assigned = &standard["request.assigned"][0]["data"];
    assert_eq!(assigned["assigneeId"], json!(g.worker3.user_id.to_string()));
    assert_eq!(assigned["labels"]["grid"], "第7网格");
    assert_eq!(assigned["labels"]["building"], "3号楼");
    assert_eq!(standard["voting.closed"][0]["data"]["passed"], true);
    assert_eq!(
        standard["announcement.unread"][0]["data"]["unreadHouseholds"],
        json!(standard["announcement.unread"][0]["data"]["audienceHouseholds"])
    );
    // Operators see the backlog (nothing delivers in this test).
    let pending = {
        use sea_orm::PaginatorTrait;
        entity::webhook_delivery::Entity::find()
            .filter(entity::webhook_delivery::Column::Status.eq("pending"))
            .count(app.db().reader())
            .await
            .unwrap()
    };
    assert!(pending >= 28, "every event in two formats: {pending}");
    let (_, _, metrics) = app
        .send(
            axum::http::Request::get("/metrics")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
    let text = metrics.as_str().unwrap();
    assert!(
        text.contains(&format!(
            r#"jiedao_webhook_deliveries{{status="pending"}} {pending}"#
        )),
        "{text}"
    );
    assert!(
        text.contains(r#"jiedao_webhook_deliveries{status="failed"} 0"#),
        "{text}"
    );
    assert!(
        text.contains("jiedao_webhook_oldest_due_seconds "),
        "{text}"
    );
    // The scheduler raises each occasion once, however often it looks.
    let again = jiedao::notifications::scheduler::run_once(&app.state.services, Utc::now())
        .await
        .unwrap();
    assert_eq!(again, 0, "a second look raised events again");
}

#[tokio::test]
async fn events_nobody_took_are_forgotten_after_a_week_and_delivered_ones_are_kept() {
    use entity::notification_event as event;
    let app = app_for_webhooks().await;
    let g = grids(&app).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    submit_request(&app, &g, "无人订阅时的诉求").await;
    let (subscription, _) =
        subscribe_all(&app, &admin, "http://127.0.0.1:9/hooks", "STANDARD").await;
    submit_request(&app, &g, "有人订阅时的诉求").await;
    assert_eq!(
        bodies_for(&app, &subscription).await["request.assigned"].len(),
        1
    );
    // Both were fanned out more than a week ago.
    event::Entity::update_many()
        .col_expr(
            event::Column::FannedOutAt,
            Expr::value(Utc::now() - Duration::days(8)),
        )
        .exec(app.db().writer())
        .await
        .unwrap();
    jiedao::notifications::scheduler::run_once(&app.state.services, Utc::now())
        .await
        .unwrap();
    let left = event::Entity::find().all(app.db().reader()).await.unwrap();
    let types: Vec<_> = left
        .iter()
        .map(|e| (e.event_type.clone(), e.facts["title"].clone()))
        .collect();
    assert_eq!(left.len(), 1, "only the delivered event stays: {types:?}");
    assert_eq!(left[0].facts["title"], "有人订阅时的诉求");
}

#[tokio::test]
async fn a_need_found_on_a_home_visit_is_announced_like_any_filed_request() {
    let app = app_for_webhooks().await;
    let g = grids(&app).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    let (subscription, _) =
        subscribe_all(&app, &admin, "http://127.0.0.1:9/hooks", "WECOM_ROBOT").await;
    let visit = "mutation($in: RecordVisitInput!) { recordVisit(input: $in) { visit { id } } }";
    let input = json!({ "in": { "householdId": g.s.households["王秀英"], "met": "本人", "notes": "厨房水龙头漏水", "needs": [{ "category": "repair", "title": "厨房水龙头漏水" }] } });
    data(&app.gql(Some(&g.worker3), visit, input).await);
    let bodies = bodies_for(&app, &subscription).await;
    let text = bodies["request.assigned"][0]["markdown"]["content"]
        .as_str()
        .unwrap();
    assert!(
        text.contains("【新诉求】3号楼 厨房水龙头漏水 → 第7网格"),
        "{text}"
    );
}
