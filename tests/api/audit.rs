//! The audit log: every mutation recorded, failures after rollback, secrets redacted,
//! entries scoped like the data they describe.

use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use entity::{audit_entry, community, role_grant::Role};
use sea_orm::{EntityTrait, QueryOrder};
use serde_json::json;

use crate::{
    helpers::{PASSWORD, Scope, TestApp, data, error_code},
    residents::{CREATE, ID_NUMBER, household, resident_input},
};

async fn entries(app: &TestApp) -> Vec<audit_entry::Model> {
    audit_entry::Entity::find()
        .order_by_asc(audit_entry::Column::Id)
        .all(app.db().reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn successes_and_failures_are_recorded_with_secrets_redacted() {
    let app = TestApp::new().await;
    let street = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(app.tree.a))
        .await;
    let create = "mutation($n: String!) { createCommunity(input: {streetOfficeId: \"%S\", name: $n}) { community { id } } }".replace("%S", &app.tree.a.to_string());
    data(
        &app.gql(Some(&street), &create, json!({ "n": "东风社区" }))
            .await,
    );
    let duplicate = app
        .gql(Some(&street), &create, json!({ "n": "东风社区" }))
        .await;
    assert_eq!(error_code(&duplicate), Some("CONFLICT"));
    assert_eq!(
        app.count::<community::Entity>().await,
        4,
        "the failed creation left nothing"
    );

    let log = entries(&app).await;
    assert_eq!(log.len(), 2);
    assert_eq!(
        (log[0].action.as_str(), log[0].outcome.as_str()),
        ("createCommunity", "ok")
    );
    assert_eq!(log[0].actor_user_id, Some(street.user_id));
    assert_eq!(log[0].street_office_id, Some(app.tree.a));
    assert!(log[0].community_id.is_some());
    assert_eq!(
        (log[1].outcome.as_str(), log[1].error_code.as_deref()),
        ("failed", Some("CONFLICT"))
    );
    assert!(!log[1].request_id.is_empty());

    app.gql(None, "mutation { login(input: {username: \"nobody\", password: \"super secret words\"}) { accessToken } }", json!({})).await;
    let admin = app
        .caller(Role::CommunityAdmin, Scope::Community(app.tree.a1))
        .await;
    app.gql(Some(&admin), "mutation($c: ID!) { createUser(input: {username: \"he.ping\", displayName: \"何平\", initialPassword: \"another secret 9\", homeCommunityId: $c}) { user { id } } }", json!({ "c": app.tree.a1 })).await;
    let text = serde_json::to_string(
        &entries(&app)
            .await
            .iter()
            .map(|e| e.input.clone())
            .collect::<Vec<_>>(),
    )
    .unwrap();
    assert!(
        !text.contains("super secret words")
            && !text.contains("another secret 9")
            && !text.contains(PASSWORD),
        "{text}"
    );
    assert!(text.contains("[redacted]") && text.contains("he.ping"));
}

#[tokio::test]
async fn admins_read_the_audit_entries_of_their_scope_only() {
    let app = TestApp::new().await;
    let t = &app.tree;
    let admin_a1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.a1))
        .await;
    let admin_b1 = app
        .caller(Role::CommunityAdmin, Scope::Community(t.b1))
        .await;
    let create = "mutation($c: ID!, $u: String!) { createUser(input: {username: $u, displayName: \"居民\", initialPassword: \"initial pass 1\", homeCommunityId: $c}) { user { id } } }";
    data(
        &app.gql(Some(&admin_a1), create, json!({ "c": t.a1, "u": "in.a1" }))
            .await,
    );
    data(
        &app.gql(Some(&admin_b1), create, json!({ "c": t.b1, "u": "in.b1" }))
            .await,
    );

    let query =
        "{ auditEntries { totalCount edges { node { action outcome communityId input } } } }";
    let body = app.gql(Some(&admin_a1), query, json!({})).await;
    let list = &data(&body)["auditEntries"];
    assert_eq!(list["totalCount"], 1);
    assert_eq!(list["edges"][0]["node"]["communityId"], t.a1.to_string());
    assert_eq!(list["edges"][0]["node"]["input"]["username"], "in.a1");

    let street_a = app
        .caller(Role::StreetAdmin, Scope::StreetOffice(t.a))
        .await;
    let body = app.gql(Some(&street_a), query, json!({})).await;
    assert_eq!(data(&body)["auditEntries"]["totalCount"], 1);
    let platform = app.platform_admin().await;
    let body = app.gql(Some(&platform), query, json!({})).await;
    assert_eq!(data(&body)["auditEntries"]["totalCount"], 2);
}

/// Makes the audit log refuse `readPersonalData` rows, as a full disk or a lost database
/// would.
async fn refuse_personal_data_reads(app: &TestApp) {
    let sql = if app.db().backend() == sea_orm::DbBackend::Postgres {
        "CREATE FUNCTION refuse_reads() RETURNS trigger AS $$ BEGIN \
         IF NEW.action = 'readPersonalData' THEN RAISE EXCEPTION 'refused'; END IF; \
         RETURN NEW; END $$ LANGUAGE plpgsql; \
         CREATE TRIGGER refuse_reads BEFORE INSERT ON audit_entry \
         FOR EACH ROW EXECUTE FUNCTION refuse_reads();"
    } else {
        "CREATE TRIGGER refuse_reads BEFORE INSERT ON audit_entry \
         WHEN NEW.action = 'readPersonalData' BEGIN SELECT RAISE(ABORT, 'refused'); END;"
    };
    use sea_orm::ConnectionTrait;
    app.tamperer().await.execute_unprepared(sql).await.unwrap();
}

#[tokio::test]
async fn personal_data_is_sent_only_once_its_read_is_on_record() {
    let app = TestApp::new().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let h = household(&app, &staff, app.tree.a1, "和韵小区").await;
    let input = resident_input(&h, "王秀英", ID_NUMBER, "13800135678");
    let body = app.gql(Some(&staff), CREATE, input).await;
    let id = data(&body)["createResident"]["resident"]["id"].clone();

    // Concurrent reads share their audit INSERTs, yet each is on record when answered.
    let read = "query($id: ID!) { resident(id: $id) { name phone } }";
    let reads = (0..24).map(|_| app.gql(Some(&staff), read, json!({ "id": id })));
    for body in futures::future::join_all(reads).await {
        assert_eq!(data(&body)["resident"]["name"], "王秀英");
    }
    let recorded = entries(&app)
        .await
        .into_iter()
        .filter(|e| e.action == "readPersonalData" && e.subject_ids == json!([id]))
        .count();
    assert_eq!(recorded, 25, "the creation's answer and 24 reads");

    // When the row cannot be written, the data is not sent.
    refuse_personal_data_reads(&app).await;
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {}", staff.token))
        .body(Body::from(
            json!({ "query": read, "variables": { "id": id } }).to_string(),
        ))
        .unwrap();
    let (status, _, body) = app.send(request).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(error_code(&body), Some("INTERNAL_SERVER_ERROR"));
    assert!(!body.to_string().contains("王秀英"), "{body}");
    // Reads without personal data are not held up.
    data(
        &app.gql(Some(&staff), "{ me { username } }", json!({}))
            .await,
    );
}
