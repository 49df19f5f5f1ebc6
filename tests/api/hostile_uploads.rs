//! Hostile roster uploads: small files that declare, or unpack to, far more than they hold,
//! and files of blank lines. Each is refused as BAD_USER_INPUT on `input.file` with the
//! limit named, and nothing is written; and a real server process under a 1 GiB
//! address-space limit answers them all and stays up.

#[path = "../support/hostile_files.rs"]
mod hostile_files;

use std::{
    io::{Read, Write},
    net::{TcpListener, TcpStream},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use entity::{resident, role_grant::Role};
use secrecy::ExposeSecret;
use serde_json::{Value, json};

use crate::{
    helpers::{Caller, DATA_KEY, SECRET, Scope, TestApp, error_code, multipart_body},
    roster::{IMPORT, ROSTER, import},
};

/// (file name, bytes, what the message must say).
type Hostile = (&'static str, Vec<u8>, &'static str);

/// Workbooks with a cell far from the rest: a reader that allocates the bounding box wants
/// 17 billion cells for the first, 16 million for the second.
fn far_cells() -> Vec<Hostile> {
    vec![
        ("far.xlsx", hostile_files::far_cell(), "past row 21000"),
        ("box.xlsx", hostile_files::tall_box(), "up to cell P1048576"),
    ]
}

/// Workbooks that unpack, or load, to far more than they hold.
fn amplifying_workbooks() -> Vec<Hostile> {
    vec![
        (
            "bomb.xlsx",
            hostile_files::bomb(3_900),
            "unpacks to 3900.0 MiB",
        ),
        (
            "count.xlsx",
            hostile_files::huge_unique_count(1_000_000_000_000),
            "64.0 MiB of memory",
        ),
        (
            "everywhere.xlsx",
            hostile_files::one_string_everywhere(50, 64, 2_000),
            "16 MiB of text",
        ),
        (
            "styles.xlsx",
            hostile_files::font_name_everywhere(1_000, 20_000),
            "64.0 MiB of memory",
        ),
    ]
}

/// CSV files of blank lines, of text right of the table, of one huge cell.
fn amplifying_csv() -> Vec<Hostile> {
    let wide = format!("姓名,楼栋\n张三,1{},x\n", ",".repeat(62));
    let long = format!("姓名,备注\n张三,{}\n", "长".repeat(2_001));
    vec![
        (
            "blank.csv",
            hostile_files::blank_lines_csv(19 << 20),
            "blank rows too",
        ),
        ("wide.csv", wide.into_bytes(), "column BL"),
        ("long.csv", long.into_bytes(), "2000 characters"),
    ]
}

fn assert_refused(body: &Value, file: &str, says: &str) {
    assert_eq!(error_code(body), Some("BAD_USER_INPUT"), "{file}: {body}");
    let error = &body["errors"][0];
    assert_eq!(error["extensions"]["field"], "input.file", "{file}: {body}");
    let message = error["message"].as_str().unwrap_or_default();
    assert!(message.contains(says), "{file}: {message}");
}

/// Uploads each file in process; each must be refused and nothing written.
async fn assert_all_refused(files: Vec<Hostile>) {
    let app = TestApp::new().await.with_homes().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let compound = json!(app.tree.compound_a1);
    let before = app.count::<resident::Entity>().await;
    for (file, bytes, says) in files {
        let body = import(&app, &staff, &compound, file, &bytes, "VALID_ROWS").await;
        assert_refused(&body, file, says);
    }
    assert_eq!(app.count::<resident::Entity>().await, before);
}

#[tokio::test]
async fn a_workbook_with_a_cell_far_away_is_refused_naming_the_limit() {
    assert_all_refused(far_cells()).await;
}

#[tokio::test]
async fn a_workbook_that_unpacks_or_loads_to_far_more_than_it_holds_is_refused() {
    assert_all_refused(amplifying_workbooks()).await;
}

#[tokio::test]
async fn a_csv_of_blank_lines_or_oversized_cells_is_refused() {
    assert_all_refused(amplifying_csv()).await;
}

/// The server binary under `ulimit -v` (address space), with glibc held to two malloc
/// arenas so their reservations do not eat the limit.
struct Server {
    child: Child,
    address: String,
    log: std::path::PathBuf,
}

impl Server {
    fn start(app: &TestApp, limit_kib: u64) -> Server {
        let config = &app.state.services.config;
        let address = {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap().to_string()
        };
        let log = config
            .files_dir
            .clone()
            .unwrap()
            .with_extension("server.log");
        let mut command = Command::new("sh");
        command
            .arg("-c")
            .arg(format!(
                "ulimit -v {limit_kib} && exec \"$0\" serve --no-migrate"
            ))
            .arg(env!("CARGO_BIN_EXE_jiedao"))
            .env("JIEDAO_LISTEN", &address)
            .env("JIEDAO_DATABASE_URL", &config.database_url)
            .env("JIEDAO_JWT_SECRET", SECRET)
            .env("JIEDAO_DATA_KEY", DATA_KEY)
            .env("JIEDAO_FILES_DIR", config.files_dir.clone().unwrap())
            .env("MALLOC_ARENA_MAX", "2")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap());
        if let Some(schema) = &config.database_schema {
            command.env("JIEDAO_DATABASE_SCHEMA", schema);
        }
        if let Some(key) = &config.signing_key {
            command.env("JIEDAO_SIGNING_KEY", key.expose_secret());
        }
        let mut server = Server {
            child: command.spawn().unwrap(),
            address,
            log,
        };
        let started = Instant::now();
        while server.get("/healthz").0 != 200 {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "the server did not start: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        server
    }

    fn log(&mut self) -> String {
        let status = self.child.try_wait().ok().flatten();
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        format!("exit status {status:?}, log:\n{log}")
    }

    fn assert_alive(&mut self, after: &str) {
        if self.child.try_wait().unwrap().is_some() {
            panic!("the server died after {after}: {}", self.log());
        }
    }

    fn get(&mut self, path: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "GET {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
            self.address
        );
        self.exchange(request.as_bytes()).unwrap_or((0, Vec::new()))
    }

    fn upload(&mut self, caller: &Caller, compound: &Value, file: &str, bytes: &[u8]) -> Value {
        let variables =
            json!({ "in": { "compoundId": compound, "file": null, "mode": "VALID_ROWS" } });
        let (content_type, body) = multipart_body(
            json!({ "query": IMPORT, "variables": variables }),
            &[("variables.in.file", file, bytes)],
        );
        let mut request = format!(
            "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: {content_type}\r\nAuthorization: Bearer {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            self.address,
            caller.token,
            body.len()
        )
        .into_bytes();
        request.extend_from_slice(&body);
        let (status, body) = match self.exchange(&request) {
            Ok(answer) => answer,
            Err(error) => panic!("{file}: no answer ({error}): {}", self.log()),
        };
        assert_eq!(status, 200, "{file}: {}", String::from_utf8_lossy(&body));
        serde_json::from_slice(&body).unwrap()
    }

    /// One request on a fresh connection; the status and the (de-chunked) body.
    fn exchange(&mut self, request: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        let mut stream = TcpStream::connect(&self.address)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        stream.write_all(request)?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        let split = answer
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| std::io::Error::other("no header"))?;
        let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
        let status = head
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        let mut body = answer[split + 4..].to_vec();
        if head.contains("transfer-encoding: chunked") {
            body = dechunk(&body);
        }
        Ok((status, body))
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut chunked: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    while let Some(line_end) = chunked.windows(2).position(|w| w == b"\r\n") {
        let size = std::str::from_utf8(&chunked[..line_end])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        body.extend_from_slice(&chunked[start..start + size]);
        chunked = &chunked[start + size + 2..];
    }
    body
}

#[tokio::test]
async fn a_server_under_a_1_gib_address_space_limit_survives_every_hostile_upload() {
    let app = TestApp::new().await.with_homes().await;
    let staff = app
        .caller(Role::CommunityStaff, Scope::Community(app.tree.a1))
        .await;
    let compound = json!(app.tree.compound_a1);
    let mut server = Server::start(&app, 1 << 20);
    let files = [far_cells(), amplifying_workbooks(), amplifying_csv()].concat();
    for (file, bytes, says) in files {
        let body = server.upload(&staff, &compound, file, &bytes);
        assert_refused(&body, file, says);
        server.assert_alive(file);
    }
    assert_eq!(server.get("/healthz").0, 200, "{}", server.log());
    // And it still does its work.
    let body = server.upload(&staff, &compound, "roster.csv", ROSTER.as_bytes());
    assert_eq!(body["data"]["importResidents"]["written"], true, "{body}");
}
