//! `cargo bench --bench uploads`: what the worst roster uploads cost, end to end through the
//! in-process router (multipart parsing, reading the table, checking rows, writing).
//!
//! Each case runs in a fresh child process (this same binary), started through
//! `sh -c 'ulimit -v ...'` so a case that would take the machine down only fails its own
//! allocation (4 GiB unless `JIEDAO_BENCH_UPLOAD_LIMIT_MIB` says otherwise). The child seeds
//! the demo data, builds the file and the request, then resets its peak resident size
//! (`/proc/self/clear_refs`), sends the request and reports the time it took and its peak
//! resident size (`VmHWM`) minus its resident size just before the request. glibc is told to
//! give freed memory back at once (`MALLOC_TRIM_THRESHOLD_`, `MALLOC_MMAP_THRESHOLD_`), so
//! memory the setup freed cannot hide what the upload costs.
//!
//! Each case runs twice: the whole import through the API ("import"), and
//! `tabular::read` alone on the same bytes ("read"), which is what the file format costs
//! apart from checking and writing rows.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../tests/support/hostile_files.rs"]
mod hostile_files;

use std::{
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Body,
    http::{Request, header},
};
use http_body_util::BodyExt;
use jiedao::{
    bootstrap::demo_roster::{Shape, roster},
    build_router, build_state,
    config::Config,
    tabular::{self, Format},
};
use secrecy::SecretString;
use serde_json::{Value, json};
use tower::ServiceExt;

const CASE_VAR: &str = "JIEDAO_BENCH_UPLOAD_CASE";
const MODE_VAR: &str = "JIEDAO_BENCH_UPLOAD_MODE";

/// (name, file name, bytes).
type Case = (&'static str, &'static str, fn() -> Vec<u8>);

fn cases() -> Vec<Case> {
    vec![
        ("roster CSV, 20,000 rows", "roster.csv", || {
            roster_csv().into_bytes()
        }),
        ("roster XLSX, 20,000 rows", "roster.xlsx", roster_xlsx),
        (
            "CSV, 20,000 rows x 64 one-letter cells",
            "wide.csv",
            wide_csv,
        ),
        ("CSV, header + 19 MiB of blank lines", "blank.csv", || {
            hostile_files::blank_lines_csv(19 << 20)
        }),
        (
            "XLSX, A1 and XFD1048576",
            "far.xlsx",
            hostile_files::far_cell,
        ),
        ("XLSX, A1 and P1048576", "box.xlsx", hostile_files::tall_box),
        ("XLSX, zip bomb: a 3.9 GiB sheet", "bomb.xlsx", || {
            hostile_files::bomb(3_900)
        }),
        ("XLSX, uniqueCount 10^12", "sst.xlsx", || {
            hostile_files::huge_unique_count(1_000_000_000_000)
        }),
        (
            "XLSX, 2,000-char string in 20,000 x 64 cells",
            "everywhere.xlsx",
            || hostile_files::one_string_everywhere(20_000, 64, 2_000),
        ),
        (
            "XLSX, 60,000-char font name in 20,000 formats",
            "styles.xlsx",
            || hostile_files::font_name_everywhere(60_000, 20_000),
        ),
    ]
}

fn roster_csv() -> String {
    let shape = Shape {
        buildings: 100,
        units: 4,
        floors: 18,
        rooms: 3,
    };
    roster(&shape, 8_800, 20_000, 7)
}

fn roster_xlsx() -> Vec<u8> {
    let csv = roster_csv();
    let mut lines = csv
        .lines()
        .map(|line| line.split(',').map(str::to_owned).collect::<Vec<String>>());
    let headers = lines.next().unwrap();
    let rows: Vec<Vec<String>> = lines.collect();
    tabular::write(Format::Xlsx, "名单", &[], &headers, &rows).unwrap()
}

/// The roster's required columns and 61 more, then 20,000 rows of one letter per cell.
fn wide_csv() -> Vec<u8> {
    let mut csv = String::from("姓名,楼栋,房号");
    for column in 3..64 {
        csv += &format!(",列{column}");
    }
    csv.push('\n');
    let row = vec!["a"; 64].join(",");
    for _ in 0..20_000 {
        csv += &row;
        csv.push('\n');
    }
    csv.into_bytes()
}

fn main() {
    if let Ok(case) = std::env::var(CASE_VAR) {
        if std::env::var(MODE_VAR).as_deref() == Ok("read") {
            read_only(&case);
        } else {
            child(&case);
        }
        return;
    }
    let limit_mib: u64 = std::env::var("JIEDAO_BENCH_UPLOAD_LIMIT_MIB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4096);
    let exe = std::env::current_exe().unwrap();
    println!("each case in a child process under ulimit -v {limit_mib} MiB");
    println!(
        "{:<48} {:<6} {:>10} {:>9} {:>11}  outcome",
        "upload", "", "file", "time", "peak RSS +"
    );
    for ((name, _, build), mode) in cases()
        .into_iter()
        .flat_map(|case| [(case, "import"), (case, "read")])
    {
        let size = build().len();
        let mut child = Command::new("sh")
            .arg("-c")
            .arg(format!("ulimit -v {}; exec \"$0\"", limit_mib * 1024))
            .arg(&exe)
            .env(CASE_VAR, name)
            .env(MODE_VAR, mode)
            .env("MALLOC_ARENA_MAX", "2")
            .env("MALLOC_TRIM_THRESHOLD_", "131072")
            .env("MALLOC_MMAP_THRESHOLD_", "131072")
            .env("RUST_LOG", "off")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break Some(status);
            }
            if started.elapsed() > Duration::from_secs(300) {
                child.kill().unwrap();
                child.wait().unwrap();
                break None;
            }
            std::thread::sleep(Duration::from_millis(20));
        };
        let output = child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let result = stdout.lines().find_map(|line| line.strip_prefix("RESULT "));
        let size = human(size as u64);
        match (status, result) {
            (Some(status), Some(result)) if status.success() => {
                println!("{name:<48} {mode:<6} {size:>10} {result}");
            }
            (None, _) => println!("{name:<48} {mode:<6} {size:>10} killed after 300 s"),
            (Some(status), _) => {
                let why = stderr
                    .lines()
                    .find(|line| !line.trim().is_empty() && !line.starts_with("note:"))
                    .unwrap_or_default();
                println!("{name:<48} {mode:<6} {size:>10} died ({status}): {why}");
            }
        }
    }
}

/// The start of a long message.
fn short(text: &str) -> String {
    let mut short: String = text.chars().take(90).collect();
    if short.len() < text.len() {
        short.push('…');
    }
    short
}

fn human(bytes: u64) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else {
        format!("{:.1} KiB", bytes as f64 / 1024.0)
    }
}

/// A field of `/proc/self/status` in bytes (`VmRSS`, `VmHWM`).
fn status_bytes(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|line| line.starts_with(field)).unwrap();
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap();
    kib * 1024
}

fn case(name: &str) -> Case {
    cases()
        .into_iter()
        .find(|(case, _, _)| *case == name)
        .unwrap()
}

/// `tabular::read` alone, as the import calls it.
fn read_only(name: &str) {
    let (_, file_name, build) = case(name);
    let bytes = build();
    let format = Format::detect(Some(file_name), &bytes).unwrap();
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_bytes("VmRSS:");
    let start = Instant::now();
    let result = tabular::read(format, &bytes, jiedao::registry::roster_import::MAX_ROWS);
    let elapsed = start.elapsed();
    let peak = status_bytes("VmHWM:").saturating_sub(before);
    let outcome = match result {
        Ok(table) => format!("{} rows", table.rows.len()),
        Err(error) => error.to_string(),
    };
    println!(
        "RESULT {elapsed:>8.2?} {:>11}  {}",
        human(peak),
        short(&outcome)
    );
}

#[tokio::main]
async fn child(case: &str) {
    let (_, file_name, build) = self::case(case);
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_database(format!(
        "sqlite://{}",
        dir.path().join("bench.db").display()
    ));
    config.files_dir = Some(dir.path().join("files"));
    config.data_key = Some(SecretString::from(
        "v1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=".to_owned(),
    ));
    config.jwt_secret = Some(SecretString::from(
        "bench-secret-0123456789abcdef0123456789".to_owned(),
    ));
    config.request_timeout = Duration::from_secs(600);
    let state = build_state(config).await.unwrap();
    state.services.db.migrate().await.unwrap();
    jiedao::bootstrap::seed_demo(&state.services).await.unwrap();
    let router = build_router(state.clone());
    let admin = login(&router, "demo.platform", "demo-platform-2026").await;
    let communities = post(
        &router,
        &admin,
        "{ communities { edges { node { id } } } }",
        json!({}),
    )
    .await;
    let community = communities["data"]["communities"]["edges"][0]["node"]["id"].clone();
    let staff = login(&router, "demo.xingfu.staff", "demo-staff-2026").await;
    let created = post(&router, &staff, "mutation($c: ID!) { createCompound(input: {communityId: $c, name: \"万户小区\"}) { compound { id } } }", json!({ "c": community })).await;
    let compound = created["data"]["createCompound"]["compound"]["id"].clone();

    let request = upload_request(&staff, &compound, file_name, &build());
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let before = status_bytes("VmRSS:");
    let start = Instant::now();
    let response = router.clone().oneshot(request).await.unwrap();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let elapsed = start.elapsed();
    let peak = status_bytes("VmHWM:").saturating_sub(before);
    let body: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let outcome = match body["errors"][0].as_object() {
        Some(error) => format!(
            "{}: {}",
            error["extensions"]["code"].as_str().unwrap_or("?"),
            error["message"].as_str().unwrap_or("?")
        ),
        None => {
            let report = &body["data"]["importResidents"];
            format!(
                "rows {} written {} problems {}",
                report["rows"],
                report["written"],
                report["problems"].as_array().map_or(0, Vec::len)
            )
        }
    };
    println!(
        "RESULT {:>8.2?} {:>11}  {}",
        elapsed,
        human(peak),
        short(&outcome)
    );
}

async fn post(router: &Router, token: &str, query: &str, variables: Value) -> Value {
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

async fn login(router: &Router, username: &str, password: &str) -> String {
    let query = "mutation($u: String!, $p: String!) { login(input: {username: $u, password: $p}) { accessToken } }";
    let request = Request::post("/graphql")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            json!({ "query": query, "variables": { "u": username, "p": password } }).to_string(),
        ))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let body: Value =
        serde_json::from_slice(&response.into_body().collect().await.unwrap().to_bytes()).unwrap();
    body["data"]["login"]["accessToken"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// A roster upload in the GraphQL multipart request convention.
fn upload_request(token: &str, compound: &Value, file_name: &str, file: &[u8]) -> Request<Body> {
    let boundary = "bench-boundary-5f2c";
    let query = "mutation($in: ImportResidentsInput!) { importResidents(input: $in) { rows written problems { row column message } } }";
    let operations = json!({ "query": query, "variables": { "in": { "compoundId": compound, "file": null, "mode": "VALID_ROWS" } } });
    let mut body = Vec::new();
    for (name, value) in [
        ("operations", operations.to_string()),
        ("map", json!({ "0": ["variables.in.file"] }).to_string()),
    ] {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{file_name}\"\r\n\r\n").as_bytes());
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/graphql")
        .header(
            header::CONTENT_TYPE,
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .body(Body::from(body))
        .unwrap()
}
