//! Test fixtures: an app per test, typed callers per role, request helpers.

use std::sync::LazyLock;

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use chrono::{DateTime, Duration, Utc};
use entity::{
    app_user, community, login_session,
    role_grant::{self, GrantSource, Role},
    street_office,
};
use http_body_util::BodyExt;
use jiedao::{
    app::AppState,
    auth::{password, viewer::scope_kind_of},
    build_router, build_state,
    config::Config,
};
use sea_orm::{ActiveModelTrait, ActiveValue::Set, EntityTrait};
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt;
use uuid::Uuid;

pub const PASSWORD: &str = "correct horse battery";
pub const SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";
/// 32 bytes of 0x2a, base64.
pub const DATA_KEY: &str = "v1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=";

/// One argon2 hash for every fixture user: tests other than the auth tests never hash.
pub static PASSWORD_HASH: LazyLock<String> =
    LazyLock::new(|| password::hash_blocking(PASSWORD).unwrap());

/// The tenancy tree every test starts with: street offices A and B; communities A1, A2
/// in A and B1 in B; a grid in A1 and one in B1.
pub struct Tree {
    pub a: Uuid,
    pub b: Uuid,
    pub a1: Uuid,
    pub a2: Uuid,
    pub b1: Uuid,
    pub grid_a1: Uuid,
    pub grid_b1: Uuid,
    /// A compound of A1 and B1 (building "1"), each with a household in room 101; nil
    /// unless the test asks for them with [`TestApp::with_homes`].
    pub compound_a1: Uuid,
    pub compound_b1: Uuid,
    pub household_a1: Uuid,
    pub household_b1: Uuid,
}

pub struct TestApp {
    pub state: AppState,
    pub router: Router,
    pub tree: Tree,
    _dir: tempfile::TempDir,
}

/// A logged-in caller.
#[derive(Clone)]
pub struct Caller {
    pub user_id: Uuid,
    pub session_id: Uuid,
    pub username: String,
    pub token: String,
}

/// Where a fixture grant sits.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    Deployment,
    StreetOffice(Uuid),
    Community(Uuid),
    /// A compound, grid or household scope (its id) inside a community.
    Below(Uuid, Uuid),
}

/// The role the server connects as in PostgreSQL tests, as in production (README,
/// "Deployment"): it owns nothing, so row-level security binds it; migrations run as the
/// owner the test URL names, who grants this role what it needs.
pub const SERVER_ROLE: &str = "jiedao_server";

/// Creates [`SERVER_ROLE`] once per test run, if the cluster does not have it yet.
static SERVER_ROLE_READY: LazyLock<()> = LazyLock::new(|| {
    let owner = std::env::var("JIEDAO_TEST_DATABASE_URL").unwrap();
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            use sea_orm::ConnectionTrait;
            let conn = sea_orm::Database::connect(owner).await.unwrap();
            conn.execute_unprepared(&format!(
                "DO $$ BEGIN CREATE ROLE {SERVER_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS; \
                 EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            ))
            .await
            .unwrap();
            conn.close().await.unwrap();
        });
    })
    .join()
    .unwrap();
});

/// The server role's URL: the owner's URL with [`SERVER_ROLE`] as its user.
pub fn server_database_url(owner_url: &str) -> String {
    LazyLock::force(&SERVER_ROLE_READY);
    let mut url = url::Url::parse(owner_url).unwrap();
    url.set_username(SERVER_ROLE).unwrap();
    url.set_password(None).unwrap();
    url.to_string()
}

/// A streaming standby of the test database (`JIEDAO_TEST_REPLICA_URL`, PostgreSQL only):
/// the replica tests and the processes the multi-process tests start read from it.
pub fn test_replica_url() -> Option<String> {
    let postgres = std::env::var("JIEDAO_TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty());
    std::env::var("JIEDAO_TEST_REPLICA_URL")
        .ok()
        .filter(|u| postgres && !u.is_empty())
}

pub fn test_config() -> (Config, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = match std::env::var("JIEDAO_TEST_DATABASE_URL") {
        Ok(url) if !url.is_empty() => {
            let mut config = Config::for_database(server_database_url(&url));
            config.migrate_database_url = Some(url);
            config.database_schema = Some(format!("t{}", Uuid::now_v7().simple()));
            // On SQLite the key file beside the database is made, as on a fresh install.
            config.signing_key = Some(SecretString::from(jiedao::signing::new_entry(1)));
            config
        }
        _ => Config::for_database(format!(
            "sqlite://{}",
            dir.path().join("jiedao.db").display()
        )),
    };
    config.jwt_secret = Some(SecretString::from(SECRET.to_owned()));
    config.data_key = Some(SecretString::from(DATA_KEY.to_owned()));
    config.files_dir = Some(dir.path().join("files"));
    config.trust_forwarded_for = true;
    config.password_hash_concurrency = 2;
    (config, dir)
}

impl TestApp {
    pub async fn new() -> Self {
        let (config, dir) = test_config();
        Self::with_config(config, dir).await
    }

    pub async fn with_config(config: Config, dir: tempfile::TempDir) -> Self {
        let state = build_state(config).await.unwrap();
        state.services.db.migrate().await.unwrap();
        let router = build_router(state.clone());
        let mut app = Self {
            state,
            router,
            tree: Tree {
                a: Uuid::nil(),
                b: Uuid::nil(),
                a1: Uuid::nil(),
                a2: Uuid::nil(),
                b1: Uuid::nil(),
                grid_a1: Uuid::nil(),
                grid_b1: Uuid::nil(),
                compound_a1: Uuid::nil(),
                compound_b1: Uuid::nil(),
                household_a1: Uuid::nil(),
                household_b1: Uuid::nil(),
            },
            _dir: dir,
        };
        let a = app.street_office("A街道").await;
        let b = app.street_office("B街道").await;
        let (a1, b1) = (
            app.community(a, "A1社区").await,
            app.community(b, "B1社区").await,
        );
        app.tree = Tree {
            a,
            b,
            a1,
            a2: app.community(a, "A2社区").await,
            b1,
            grid_a1: app.grid(a1, "第1网格").await,
            grid_b1: app.grid(b1, "第1网格").await,
            compound_a1: Uuid::nil(),
            compound_b1: Uuid::nil(),
            household_a1: Uuid::nil(),
            household_b1: Uuid::nil(),
        };
        app
    }

    /// Fills in the tree's compounds and households (for tests of those scopes; the
    /// others keep their communities empty).
    pub async fn with_homes(mut self) -> Self {
        (self.tree.compound_a1, self.tree.household_a1) = self.home(self.tree.a1).await;
        (self.tree.compound_b1, self.tree.household_b1) = self.home(self.tree.b1).await;
        self
    }

    /// A compound with building "1", dwelling 1-101 and a household living there.
    async fn home(&self, community: Uuid) -> (Uuid, Uuid) {
        let (compound, building, dwelling, household) = (
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
            Uuid::now_v7(),
        );
        let now = Utc::now();
        let conn = self.db().writer();
        entity::compound::ActiveModel {
            id: Set(compound),
            community_id: Set(community),
            name: Set("固定小区".into()),
            address: Set(String::new()),
            has_property_company: Set(false),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await
        .unwrap();
        entity::building::ActiveModel {
            id: Set(building),
            community_id: Set(community),
            compound_id: Set(compound),
            number: Set("1".into()),
            units: Set(1),
            floors: Set(6),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await
        .unwrap();
        entity::dwelling::ActiveModel {
            id: Set(dwelling),
            community_id: Set(community),
            building_id: Set(building),
            unit: Set(1),
            room: Set("101".into()),
            floor_area_hundredths: Set(Some(8000)),
            created_at: Set(now),
            archived_at: Set(None),
        }
        .insert(conn)
        .await
        .unwrap();
        entity::household::ActiveModel {
            id: Set(household),
            community_id: Set(community),
            dwelling_id: Set(dwelling),
            tenure: Set(entity::household::Tenure::OwnerOccupied),
            created_at: Set(now),
            archived_at: Set(None),
            care_level_derived: Set("ordinary".into()),
            care_level_override: Set(None),
            care_level_reason: Set(None),
        }
        .insert(conn)
        .await
        .unwrap();
        (compound, household)
    }

    /// The file store's directory.
    /// Loads the demo data (what `jiedao serve --seed-demo` loads) into this test's database.
    pub async fn seed_demo(&self) -> jiedao::error::AppResult<jiedao::bootstrap::Demo> {
        jiedao::bootstrap::seed_demo(&self.state.services).await
    }

    pub fn files_dir(&self) -> std::path::PathBuf {
        self.state.services.config.files_dir.clone().unwrap()
    }

    pub fn db(&self) -> &jiedao::db::Db {
        &self.state.services.db
    }

    /// A connection that may do what the server may not, to play someone with direct
    /// access to the database (dropping a ledger's trigger, adding one): the owner on
    /// PostgreSQL, the writer on SQLite.
    pub async fn tamperer(&self) -> sea_orm::DatabaseConnection {
        match self.db().backend() {
            sea_orm::DbBackend::Postgres => self.owner().await,
            _ => self.db().writer().clone(),
        }
    }

    /// PostgreSQL: a connection as the owner (the role the test URL names) in this test's
    /// schema, for what the server's role may not do (creating probe tables).
    pub async fn owner(&self) -> sea_orm::DatabaseConnection {
        let config = &self.state.services.config;
        let url = config.migrate_database_url.clone().unwrap();
        let mut options = sea_orm::ConnectOptions::new(url);
        options.max_connections(1).sqlx_logging(false);
        if let Some(schema) = &config.database_schema {
            options.set_schema_search_path(schema.clone());
        }
        sea_orm::Database::connect(options).await.unwrap()
    }

    pub async fn street_office(&self, name: &str) -> Uuid {
        let id = Uuid::now_v7();
        street_office::ActiveModel {
            id: Set(id),
            name: Set(name.into()),
            division_code: Set(None),
            created_at: Set(Utc::now()),
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        id
    }

    pub async fn community(&self, office: Uuid, name: &str) -> Uuid {
        let id = Uuid::now_v7();
        community::ActiveModel {
            id: Set(id),
            street_office_id: Set(office),
            name: Set(name.into()),
            created_at: Set(Utc::now()),
            ..Default::default()
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        id
    }

    pub async fn grid(&self, community: Uuid, name: &str) -> Uuid {
        let id = Uuid::now_v7();
        entity::grid::ActiveModel {
            id: Set(id),
            community_id: Set(community),
            name: Set(name.into()),
            created_at: Set(Utc::now()),
            archived_at: Set(None),
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        id
    }

    fn street_office_of(&self, community: Uuid) -> Uuid {
        let t = &self.tree;
        if community == t.b1 { t.b } else { t.a }
    }

    /// Inserts an account (password [`PASSWORD`], no forced change) homed at `home`.
    pub async fn user(&self, username: &str, home: Scope) -> Uuid {
        let (street_office, community) = self.place(home);
        let id = Uuid::now_v7();
        let now = Utc::now();
        app_user::ActiveModel {
            id: Set(id),
            username: Set(username.into()),
            username_key: Set(username.to_lowercase()),
            display_name: Set(format!("{username} 显示名")),
            password_hash: Set(PASSWORD_HASH.clone()),
            must_change_password: Set(false),
            home_street_office_id: Set(street_office),
            home_community_id: Set(community),
            disabled_at: Set(None),
            created_at: Set(now),
            password_changed_at: Set(now),
            ..Default::default()
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        id
    }

    fn place(&self, scope: Scope) -> (Option<Uuid>, Option<Uuid>) {
        match scope {
            Scope::Deployment => (None, None),
            Scope::StreetOffice(s) => (Some(s), None),
            Scope::Community(c) | Scope::Below(c, _) => (Some(self.street_office_of(c)), Some(c)),
        }
    }

    /// Inserts a grant valid from `from` until `until`.
    pub async fn grant_between(
        &self,
        user: Uuid,
        role: Role,
        scope: Scope,
        from: DateTime<Utc>,
        until: Option<DateTime<Utc>>,
    ) -> Uuid {
        let (street_office, community) = self.place(scope);
        let scope_id = match scope {
            Scope::Deployment => None,
            Scope::StreetOffice(s) => Some(s),
            Scope::Community(c) => Some(c),
            Scope::Below(_, id) => Some(id),
        };
        let id = Uuid::now_v7();
        role_grant::ActiveModel {
            id: Set(id),
            user_id: Set(user),
            role: Set(role),
            scope_kind: Set(scope_kind_of(role)),
            scope_id: Set(scope_id),
            street_office_id: Set(street_office),
            community_id: Set(community),
            valid_from: Set(from),
            valid_until: Set(until),
            source_kind: Set(GrantSource::Manual),
            source_id: Set(None),
            granted_by: Set(None),
            created_at: Set(Utc::now()),
            revoked_at: Set(None),
            revoked_by: Set(None),
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        // Written behind the API's back: the cached caller must see it, as after grantRole.
        self.state.services.viewers.forget_user(user);
        id
    }

    pub async fn grant(&self, user: Uuid, role: Role, scope: Scope) -> Uuid {
        self.grant_between(user, role, scope, Utc::now() - Duration::minutes(1), None)
            .await
    }

    /// Opens a session for a user and mints its access token, as `login` would.
    pub async fn session(&self, user_id: Uuid, username: &str) -> Caller {
        let session_id = Uuid::now_v7();
        let now = Utc::now();
        login_session::ActiveModel {
            id: Set(session_id),
            user_id: Set(user_id),
            created_at: Set(now),
            expires_at: Set(now + Duration::days(30)),
            revoked_at: Set(None),
            revoke_reason: Set(None),
        }
        .insert(self.db().writer())
        .await
        .unwrap();
        let (token, _) = self
            .state
            .services
            .tokens
            .mint(user_id, session_id, now)
            .unwrap();
        Caller {
            user_id,
            session_id,
            username: username.into(),
            token,
        }
    }

    /// A new user holding one role, logged in.
    pub async fn caller(&self, role: Role, scope: Scope) -> Caller {
        let username = format!("u{}", &Uuid::now_v7().simple().to_string()[20..]);
        let home = match scope {
            Scope::Below(c, _) => Scope::Community(c),
            other => other,
        };
        let user = self.user(&username, home).await;
        self.grant(user, role, scope).await;
        self.session(user, &username).await
    }

    pub async fn platform_admin(&self) -> Caller {
        self.caller(Role::PlatformAdmin, Scope::Deployment).await
    }

    pub async fn send(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response = self.router.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let body = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        (status, headers, body)
    }

    /// POSTs a GraphQL request as `caller` (or anonymously) and returns the JSON body.
    pub async fn gql(&self, caller: Option<&Caller>, query: &str, variables: Value) -> Value {
        self.gql_from(caller, "192.0.2.1", query, variables).await
    }

    /// Runs a query in steady state (the caller's session already known, as for any client
    /// past its first request) and returns its body with the statements it cost.
    pub async fn gql_cost(&self, caller: &Caller, query: &str, variables: Value) -> (Value, u64) {
        self.settle_live_bus().await;
        data(&self.gql(Some(caller), "{ __typename }", json!({})).await);
        let before = self.db().statement_count();
        let body = self.gql(Some(caller), query, variables).await;
        (body, self.db().statement_count() - before)
    }

    /// On PostgreSQL, waits until the notifications of earlier writes have come back
    /// through LISTEN: their echo forgets cached callers, and one arriving late would make
    /// a measured request load its caller again. A notification sent now arrives after
    /// all of them. (SQLite delivers events in process, before the write answers.)
    pub async fn settle_live_bus(&self) {
        let services = &self.state.services;
        if services.db.backend() != sea_orm::DbBackend::Postgres {
            return;
        }
        let mut events = services.live.subscribe().await.unwrap();
        let marker = jiedao::live::LiveEvent::AccessChanged {
            user_id: Uuid::now_v7(),
        };
        let txn = services.db.begin_write().await.unwrap();
        services
            .live
            .stage(&txn, std::slice::from_ref(&marker))
            .await
            .unwrap();
        txn.commit().await.unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(10), async {
            while events.recv().await.unwrap() != marker {}
        })
        .await
        .unwrap();
    }

    /// Like [`gql`], from a given client address (`X-Forwarded-For`).
    pub async fn gql_from(
        &self,
        caller: Option<&Caller>,
        client: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        let token = caller.map(|caller| caller.token.as_str());
        let request = graphql_request("/graphql", token, Some(client), query, variables);
        let (status, _, body) = self.send(request.map(Body::from)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A GraphQL multipart request (the upload convention): `variables` holds `null` at
    /// `file_path` (e.g. `variables.in.file`), where the server puts the file.
    pub async fn upload(
        &self,
        caller: &Caller,
        query: &str,
        variables: Value,
        file_path: &str,
        file_name: &str,
        content: &[u8],
    ) -> Value {
        self.upload_files(caller, query, variables, &[(file_path, file_name, content)])
            .await
    }

    /// A multipart request with several files: `(path in variables, file name, bytes)`.
    pub async fn upload_files(
        &self,
        caller: &Caller,
        query: &str,
        variables: Value,
        files: &[(&str, &str, &[u8])],
    ) -> Value {
        let operations = json!({ "query": query, "variables": variables });
        let (status, body) = self.multipart(caller, operations, files).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body
    }

    /// A multipart request with the given `operations` (which may be malformed), without
    /// judging the status.
    pub async fn multipart(
        &self,
        caller: &Caller,
        operations: Value,
        files: &[(&str, &str, &[u8])],
    ) -> (StatusCode, Value) {
        let (content_type, body) = multipart_body(operations, files);
        let request = Request::post("/graphql")
            .header(header::CONTENT_TYPE, content_type)
            .header(header::AUTHORIZATION, format!("Bearer {}", caller.token))
            .body(Body::from(body))
            .unwrap();
        let (status, _, body) = self.send(request).await;
        (status, body)
    }

    /// GETs a path (a file download) as `caller` and returns the raw bytes.
    pub async fn download(
        &self,
        caller: Option<&Caller>,
        path: &str,
    ) -> (StatusCode, HeaderMap, Vec<u8>) {
        let mut request = Request::get(path);
        if let Some(caller) = caller {
            request = request.header(header::AUTHORIZATION, format!("Bearer {}", caller.token));
        }
        let response = self
            .router
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, headers, bytes.to_vec())
    }

    /// As if the user had replaced an initial password at first login.
    pub async fn skip_password_change(&self, user: Uuid) {
        let mut row: app_user::ActiveModel = app_user::Entity::find_by_id(user)
            .one(self.db().reader())
            .await
            .unwrap()
            .unwrap()
            .into();
        row.must_change_password = Set(false);
        row.update(self.db().writer()).await.unwrap();
    }

    pub async fn count<E: EntityTrait>(&self) -> u64
    where
        E::Model: Sync,
    {
        use sea_orm::PaginatorTrait;
        E::find().count(self.db().reader()).await.unwrap()
    }
}

impl TestApp {
    /// Through the API, as `staff`: a compound named `name` in `community` with building
    /// "23" (3 units, 6 floors); returns the building.
    pub async fn compound_with_building(
        &self,
        staff: &Caller,
        community: Uuid,
        name: &str,
    ) -> Uuid {
        let create = "mutation($c: ID!, $n: String!) { createCompound(input: {communityId: $c, name: $n}) { compound { id } } }";
        let body = self
            .gql(Some(staff), create, json!({ "c": community, "n": name }))
            .await;
        let compound = data(&body)["createCompound"]["compound"]["id"].clone();
        let create = "mutation($c: ID!) { createBuilding(input: {compoundId: $c, number: \"23\", units: 3, floors: 6}) { building { id } } }";
        let body = self
            .gql(Some(staff), create, json!({ "c": compound }))
            .await;
        Uuid::parse_str(
            data(&body)["createBuilding"]["building"]["id"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    }

    /// Through the API: dwelling `room` in unit 1 of `building`, 89.50 m².
    pub async fn dwelling(&self, staff: &Caller, building: Uuid, room: &str) -> Uuid {
        let create = "mutation($b: ID!, $r: String!) { createDwelling(input: {buildingId: $b, unit: 1, room: $r, floorArea: \"89.50\"}) { dwelling { id } } }";
        let body = self
            .gql(Some(staff), create, json!({ "b": building, "r": room }))
            .await;
        Uuid::parse_str(
            data(&body)["createDwelling"]["dwelling"]["id"]
                .as_str()
                .unwrap(),
        )
        .unwrap()
    }
}

/// A GraphQL multipart request body (the upload convention): `operations` and `files` as
/// `(path in variables, file name, bytes)`; its content type and bytes.
pub fn multipart_body(operations: Value, files: &[(&str, &str, &[u8])]) -> (String, Vec<u8>) {
    let boundary = "jiedao-test-boundary-7MA4YWxkTrZu0gW";
    let operations = operations.to_string();
    let map: serde_json::Map<String, Value> = files
        .iter()
        .enumerate()
        .map(|(i, (path, _, _))| (i.to_string(), json!([path])))
        .collect();
    let mut body = Vec::new();
    for (name, value) in [
        ("operations", operations),
        ("map", Value::Object(map).to_string()),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    for (i, (_, file_name, content)) in files.iter().enumerate() {
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{i}\"; filename=\"{file_name}\"\r\nContent-Type: application/octet-stream\r\n\r\n")
                .as_bytes(),
        );
        body.extend_from_slice(content);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// A GraphQL POST as a client sends it, to `uri`: with the caller's bearer token, and the
/// client's address in `X-Forwarded-For` (which the test config trusts).
pub fn graphql_request(
    uri: &str,
    token: Option<&str>,
    client: Option<&str>,
    query: &str,
    variables: Value,
) -> Request<String> {
    let mut request = Request::post(uri).header(header::CONTENT_TYPE, "application/json");
    if let Some(client) = client {
        request = request.header("x-forwarded-for", client);
    }
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let body = json!({ "query": query, "variables": variables }).to_string();
    request.body(body).unwrap()
}

/// POSTs a GraphQL request with a bearer token straight to a router: for tasks spawned to
/// run concurrently, which cannot borrow the `TestApp`.
pub async fn post_graphql(
    router: axum::Router,
    token: &str,
    query: &str,
    variables: Value,
) -> Value {
    let request = graphql_request("/graphql", Some(token), None, query, variables);
    let response = router.oneshot(request.map(Body::from)).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

/// The `extensions.code` of the first error, or `None` when the request succeeded.
pub fn error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Asserts the request succeeded and returns its data.
pub fn data(body: &Value) -> &Value {
    assert!(body.get("errors").is_none(), "unexpected errors: {body}");
    &body["data"]
}

/// `jiedao serve` (the built binary) on a test's database and schema, in a process of its
/// own, given the test's keys and a free port. The test has applied the migrations
/// already, so every process starts with `--no-migrate`: several may start at once
/// without racing on them, and none needs the right to change the schema.
pub struct Server {
    child: std::process::Child,
    pub addr: std::net::SocketAddr,
    client: reqwest::Client,
}

impl Server {
    /// Starts the server with `env` on top of the test's settings (e.g.
    /// `("JIEDAO_WEBHOOKS", "false")`) and waits until `/readyz` answers.
    pub async fn start(app: &TestApp, env: &[(&str, &str)]) -> Self {
        use secrecy::ExposeSecret;
        use std::process::{Command, Stdio};
        let config = &app.state.services.config;
        let addr = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let mut command = Command::new(env!("CARGO_BIN_EXE_jiedao"));
        command
            .args(["serve", "--no-migrate"])
            .env_clear()
            .env("RUST_LOG", "warn")
            .env("JIEDAO_LISTEN", addr.to_string())
            // On PostgreSQL the server's role, bound by row-level security (`test_config`).
            .env("JIEDAO_DATABASE_URL", &config.database_url)
            .env("JIEDAO_JWT_SECRET", SECRET)
            .env("JIEDAO_DATA_KEY", DATA_KEY)
            .env("JIEDAO_FILES_DIR", app.files_dir())
            .env(
                "JIEDAO_TRUST_FORWARDED_FOR",
                config.trust_forwarded_for.to_string(),
            )
            .env("JIEDAO_WEBHOOK_ALLOW_HTTP", "true")
            .env("JIEDAO_WEBHOOK_ALLOW_PRIVATE", "true")
            .env("JIEDAO_WEBHOOK_RETRY_BASE_MS", "50")
            .env("JIEDAO_WEBHOOK_POLL_MS", "50")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::inherit());
        if let Some(schema) = &config.database_schema {
            command.env("JIEDAO_DATABASE_SCHEMA", schema);
        }
        // With a standby at hand (CI), the processes read from it as production would.
        if let Some(replica) = test_replica_url() {
            command.env("JIEDAO_DATABASE_REPLICA_URL", server_database_url(&replica));
        }
        if let Some(key) = &config.signing_key {
            command.env("JIEDAO_SIGNING_KEY", key.expose_secret());
        }
        command.envs(env.iter().copied());
        let mut server = Self {
            child: command.spawn().unwrap(),
            addr,
            client: reqwest::Client::new(),
        };
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
        loop {
            let ready = server
                .client
                .get(format!("http://{addr}/readyz"))
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            if ready {
                return server;
            }
            assert!(
                server.child.try_wait().unwrap().is_none(),
                "jiedao serve stopped"
            );
            assert!(
                std::time::Instant::now() < deadline,
                "jiedao serve did not start"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// A GraphQL request over HTTP as `caller` (or anonymously).
    pub async fn gql(&self, caller: Option<&Caller>, query: &str, variables: Value) -> Value {
        self.gql_from(caller, "192.0.2.1", query, variables).await
    }

    /// Like [`Server::gql`], from a given client address (`X-Forwarded-For`, which the
    /// server trusts when the test's config does).
    pub async fn gql_from(
        &self,
        caller: Option<&Caller>,
        client: &str,
        query: &str,
        variables: Value,
    ) -> Value {
        let uri = format!("http://{}/graphql", self.addr);
        let token = caller.map(|caller| caller.token.as_str());
        let request = graphql_request(&uri, token, Some(client), query, variables);
        let answer = self
            .client
            .execute(request.try_into().unwrap())
            .await
            .unwrap();
        assert_eq!(answer.status(), reqwest::StatusCode::OK);
        serde_json::from_str(&answer.text().await.unwrap()).unwrap()
    }

    /// SQL statements this process has run since it started (`jiedao_db_statements` in
    /// `/metrics`; reading it costs the scrape's own statements).
    pub async fn statements(&self) -> u64 {
        let text = self
            .client
            .get(format!("http://{}/metrics", self.addr))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        text.lines()
            .find_map(|line| line.strip_prefix("jiedao_db_statements "))
            .unwrap_or_else(|| panic!("no jiedao_db_statements in /metrics: {text}"))
            .trim()
            .parse()
            .unwrap()
    }

    /// SIGKILL: no shutdown, nothing flushed.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
