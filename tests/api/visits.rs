//! Home visits: grid workers record them for households of their grid, needs become
//! requests in the same step, and the visit plan shows who is due and who is overdue.

use chrono::{Duration, Utc};
use entity::role_grant::Role;
use serde_json::{Value, json};

use crate::{
    helpers::{Scope, TestApp, data, error_code},
    requests::grids,
};

const PLAN: &str = "query($g: ID!) { visitPlan(gridId: $g) { done due overdue households { householdId label careLevel status dueBy overdueSince lastVisitedOn } } }";
const VISIT: &str = "mutation($in: RecordVisitInput!) { recordVisit(input: $in) { visit { id needs { title requestId } } } }";

fn status_of(plan: &Value, household: &Value) -> Value {
    plan["households"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["householdId"] == *household)
        .unwrap()["status"]
        .clone()
}

#[tokio::test]
async fn visits_keep_the_plan_and_needs_become_requests() {
    let app = TestApp::new().await.with_homes().await;
    let g = grids(&app).await;
    let (wang, li) = (
        g.s.households["王秀英"].clone(),
        g.s.households["李建国"].clone(),
    );

    // Two new households in grid 7, both due this period.
    let body = app
        .gql(Some(&g.worker3), PLAN, json!({ "g": g.grid3 }))
        .await;
    let plan = data(&body)["visitPlan"].clone();
    assert_eq!(
        (
            plan["done"].clone(),
            plan["due"].clone(),
            plan["overdue"].clone()
        ),
        (json!(0), json!(2), json!(0))
    );

    // 李建国's household has been registered for half a year and never visited: overdue.
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let li_id: uuid::Uuid = li.as_str().unwrap().parse().unwrap();
    entity::household::Entity::update_many()
        .col_expr(
            entity::household::Column::CreatedAt,
            Expr::value(Utc::now() - Duration::days(200)),
        )
        .filter(entity::household::Column::Id.eq(li_id))
        .exec(app.db().writer())
        .await
        .unwrap();
    let body = app
        .gql(Some(&g.s.staff), PLAN, json!({ "g": g.grid3 }))
        .await;
    let plan = data(&body)["visitPlan"].clone();
    assert_eq!(status_of(&plan, &li), "OVERDUE");
    assert_eq!(plan["households"][0]["householdId"], li, "overdue first");

    // The visit: 王秀英's household, with a need that becomes a request.
    let input = json!({ "in": { "householdId": wang, "met": "本人", "notes": "身体尚好，厨房水龙头漏水", "needs": [{ "category": "repair", "title": "厨房水龙头漏水" }] } });
    let body = app.gql(Some(&g.worker3), VISIT, input.clone()).await;
    let need = data(&body)["recordVisit"]["visit"]["needs"][0].clone();
    let body = app
        .gql(
            Some(&g.worker3),
            "query($id: ID!) { request(id: $id) { source status assigneeId householdId } }",
            json!({ "id": need["requestId"] }),
        )
        .await;
    assert_eq!(
        data(&body)["request"],
        json!({ "source": "VISIT", "status": "NEW", "assigneeId": g.worker3.user_id.to_string(), "householdId": wang })
    );
    let body = app
        .gql(Some(&g.worker3), PLAN, json!({ "g": g.grid3 }))
        .await;
    let plan = data(&body)["visitPlan"].clone();
    assert_eq!(status_of(&plan, &wang), "DONE");
    assert_eq!(plan["done"], 1);

    // Nobody else records visits there or sees the plan: not the other grid's worker, not
    // a resident, not another community.
    let neighbour = app
        .caller(
            Role::Resident,
            Scope::Below(app.tree.a1, app.tree.household_a1),
        )
        .await;
    let outsider = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.b1))
        .await;
    for stranger in [&g.worker5, &neighbour, &outsider, &g.resident] {
        let body = app.gql(Some(stranger), VISIT, input.clone()).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
        let body = app.gql(Some(stranger), PLAN, json!({ "g": g.grid3 })).await;
        assert_eq!(error_code(&body), Some("NOT_FOUND"));
    }
    // Not in the future.
    let future = json!({ "in": { "householdId": li, "met": "本人", "visitedAt": Utc::now() + Duration::days(1) } });
    let body = app.gql(Some(&g.worker3), VISIT, future).await;
    assert_eq!(body["errors"][0]["extensions"]["field"], "input.visitedAt");
}
