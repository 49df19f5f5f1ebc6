//! The data the benchmark reads and writes, set up through the API as a deployment's staff
//! would: a platform admin (`jiedao create-admin`), a street office, one community with its
//! staff, compounds filled by `importResidents` from generated rosters (CSV, as exported
//! from Excel), a compound fund and its treasurer.

use std::time::{Duration, Instant};

use jiedao::bootstrap::demo_roster::{Shape, roster};
use serde_json::{Value, json};

use crate::server::{Deployment, Server};

pub const ADMIN: &str = "load.admin";
pub const ADMIN_PASSWORD: &str = "load-admin-password-2026";
/// Every other account's password, once the initial one is changed.
pub const PASSWORD: &str = "load-bench-password-2026";

/// The most rows one roster file has here (the server takes up to 20,000).
pub const ROWS_PER_FILE: usize = 10_000;

pub struct Fixture {
    pub community: String,
    pub compounds: Vec<String>,
    pub fund: String,
    /// Community staff: reads the registry.
    pub staff: String,
    /// The treasurer of the first compound: records money and reads the fund.
    pub treasurer: String,
    pub residents: usize,
    pub resident_ids: Vec<String>,
    admin: String,
    files: usize,
}

/// How long imports took.
#[derive(Default)]
pub struct Imported {
    pub rows: usize,
    pub files: usize,
    pub elapsed: Duration,
}

impl Imported {
    pub fn rows_per_second(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

pub async fn login(server: &Server, username: &str, password: &str) -> String {
    let data = server
        .client(None)
        .data(
            "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }",
            json!({ "u": username, "p": password }),
        )
        .await;
    data["login"]["accessToken"].as_str().unwrap().to_owned()
}

/// Creates the admin with the CLI, as a first production install does.
pub fn create_admin(deployment: &Deployment) {
    deployment.run(&["migrate"], "");
    deployment.run(
        &["create-admin", "--username", ADMIN, "--password-stdin"],
        ADMIN_PASSWORD,
    );
}

impl Fixture {
    /// The street office, community, accounts and compounds; no residents yet.
    pub async fn create(server: &Server) -> Self {
        let admin = login(server, ADMIN, ADMIN_PASSWORD).await;
        let a = server.client(Some(&admin));
        let office = a
            .data(
                "mutation { createStreetOffice(input: {name: \"压测街道办事处\"}) { streetOffice { id } } }",
                json!({}),
            )
            .await["createStreetOffice"]["streetOffice"]["id"]
            .clone();
        let community = a
            .data(
                "mutation($s: ID!) { createCommunity(input: {streetOfficeId: $s, name: \"压测社区\"}) { community { id } } }",
                json!({ "s": office }),
            )
            .await["createCommunity"]["community"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let staff = account(
            server,
            &admin,
            "load.staff",
            &community,
            "COMMUNITY_STAFF",
            None,
        )
        .await;
        // An account that only logs in (the login flood).
        account(
            server,
            &admin,
            "load.flood",
            &community,
            "COMMUNITY_STAFF",
            None,
        )
        .await;
        let mut fixture = Self {
            community,
            compounds: Vec::new(),
            fund: String::new(),
            staff,
            treasurer: String::new(),
            residents: 0,
            resident_ids: Vec::new(),
            admin,
            files: 0,
        };
        let first = fixture.compound(server).await;
        fixture.treasurer = account(
            server,
            &fixture.admin,
            "load.treasurer",
            &fixture.community,
            "TREASURER",
            Some(&first),
        )
        .await;
        fixture.fund = server
            .client(Some(&fixture.staff))
            .data(
                "mutation($c: ID!) { openFund(input: {compoundId: $c, name: \"压测维修基金\", purpose: \"吞吐量测量\"}) { fund { id } } }",
                json!({ "c": first }),
            )
            .await["openFund"]["fund"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        fixture
    }

    async fn compound(&mut self, server: &Server) -> String {
        let name = format!("压测{}号小区", self.compounds.len() + 1);
        let id = server
            .client(Some(&self.staff))
            .data(
                "mutation($c: ID!, $n: String!) { createCompound(input: {communityId: $c, name: $n}) { compound { id } } }",
                json!({ "c": self.community, "n": name }),
            )
            .await["createCompound"]["compound"]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        self.compounds.push(id.clone());
        id
    }

    /// Imports `count` more residents into new compounds, at most `per_file` rows a file.
    pub async fn add_residents(
        &mut self,
        server: &Server,
        count: usize,
        per_file: usize,
    ) -> Imported {
        let mut imported = Imported::default();
        let staff = server.client(Some(&self.staff));
        let mut left = count;
        while left > 0 {
            let rows = left.min(per_file);
            // The first compound (the fund's) gets the first file; later files get their own.
            let compound = if self.files == 0 {
                self.compounds[0].clone()
            } else {
                self.compound(server).await
            };
            let csv = roster_file(self.files, rows);
            self.files += 1;
            let started = Instant::now();
            let report = staff.import_residents(&compound, &csv).await;
            imported.elapsed += started.elapsed();
            assert_eq!(report["residentsCreated"], rows, "import: {report}");
            imported.rows += rows;
            imported.files += 1;
            left -= rows;
            self.residents += rows;
            eprintln!(
                "  imported {rows} residents in {:.1} s ({} in all)",
                started.elapsed().as_secs_f64(),
                self.residents
            );
        }
        imported
    }

    /// Up to `count` resident IDs, spread over the compounds, for point reads.
    pub async fn collect_resident_ids(&mut self, server: &Server, count: usize) {
        let staff = server.client(Some(&self.staff));
        let per_compound = count.div_ceil(self.compounds.len());
        let mut ids = Vec::with_capacity(count);
        for compound in &self.compounds {
            let mut after = Value::Null;
            let mut taken = 0;
            while taken < per_compound {
                let data = staff
                    .data(
                        "query($c: ID!, $a: String) { residents(first: 100, after: $a, filter: {compoundId: $c}) { edges { node { id } } pageInfo { hasNextPage endCursor } } }",
                        json!({ "c": compound, "a": after }),
                    )
                    .await;
                let page = &data["residents"];
                for edge in page["edges"].as_array().unwrap() {
                    ids.push(edge["node"]["id"].as_str().unwrap().to_owned());
                    taken += 1;
                }
                if page["pageInfo"]["hasNextPage"] != true {
                    break;
                }
                after = page["pageInfo"]["endCursor"].clone();
            }
        }
        ids.truncate(count);
        assert!(!ids.is_empty(), "no residents to read");
        self.resident_ids = ids;
    }
}

/// Creates a user with a role in the community (or, for compound roles, in `compound`),
/// changes its initial password and logs it in; its access token.
async fn account(
    server: &Server,
    admin: &str,
    username: &str,
    community: &str,
    role: &str,
    compound: Option<&str>,
) -> String {
    let a = server.client(Some(admin));
    let user = a
        .data(
            "mutation($u: String!, $c: ID!) { createUser(input: {username: $u, displayName: \"压测\", initialPassword: \"initial-password-1\", homeCommunityId: $c}) { user { id } } }",
            json!({ "u": username, "c": community }),
        )
        .await["createUser"]["user"]["id"]
        .clone();
    let (scope, grant_community) = match compound {
        Some(compound) => (json!(compound), json!(community)),
        None => (json!(community), Value::Null),
    };
    a.data(
        "mutation($u: ID!, $r: Role!, $s: ID, $c: ID) { grantRole(input: {userId: $u, role: $r, scopeId: $s, communityId: $c}) { grant { id } } }",
        json!({ "u": user, "r": role, "s": scope, "c": grant_community }),
    )
    .await;
    let initial = login(server, username, "initial-password-1").await;
    server
        .client(Some(&initial))
        .data(
            "mutation($p: String!) { changePassword(input: {currentPassword: \"initial-password-1\", newPassword: $p}) { ok } }",
            json!({ "p": PASSWORD }),
        )
        .await;
    login(server, username, PASSWORD).await
}

/// Roster file number `file` with `rows` residents: the demo roster generator's people
/// (valid ID card numbers, realistic households), their numbers made unique across files.
pub fn roster_file(file: usize, rows: usize) -> String {
    let households = (rows * 44 / 100).max(1);
    // 4 units × 18 floors × 3 rooms a building.
    let shape = Shape {
        buildings: i32::try_from(households.div_ceil(216)).unwrap(),
        units: 4,
        floors: 18,
        rooms: 3,
    };
    let csv = roster(&shape, households, rows, 11 + file as u64);
    let mut out = String::with_capacity(csv.len());
    for (i, line) in csv.lines().enumerate() {
        if i == 0 {
            out.push_str(line);
        } else {
            let mut cells: Vec<&str> = line.split(',').collect();
            let number = unique_id_number(cells[2], file, i - 1);
            cells[2] = &number;
            out.push_str(&cells.join(","));
        }
        out.push('\n');
    }
    assert_eq!(out.lines().count(), rows + 1, "the roster has {rows} rows");
    out
}

/// Rewrites an ID card number so that (file, row) picks the region and sequence digits,
/// keeping the birth date and the gender digit's parity, with a fresh check character. The
/// generator's numbers are unique within a roster of up to ~12,000 people only; the
/// database holds one current resident per number and community.
fn unique_id_number(number: &str, file: usize, row: usize) -> String {
    assert!(file < 100 && row < 100_000, "file {file} row {row}");
    let birth = &number[6..14];
    let male = u32::from(number.as_bytes()[16] - b'0') % 2;
    let region = 100_000 + file * 1_000 + row / 500;
    let sequence = (row % 500) as u32 * 2 + male;
    let body = format!("{region:06}{birth}{sequence:03}");
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}
