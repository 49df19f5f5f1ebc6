//! The jiedao server under test: the release binary cargo built beside this bench, run as
//! its own process (so its memory and CPU are measured apart from the load generator), and
//! a small GraphQL client for setting it up.

use std::{
    fs::File,
    io::Write,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::Full;
use serde_json::{Value, json};

use crate::{generator, procfs};

pub const BIN: &str = env!("CARGO_BIN_EXE_jiedao");

/// How to run `jiedao` against one database: its environment.
#[derive(Clone)]
pub struct Deployment {
    pub env: Vec<(&'static str, String)>,
    /// Where the server's output goes.
    pub dir: PathBuf,
}

impl Deployment {
    pub fn new(database_url: &str, dir: &Path) -> Self {
        let env = vec![
            ("JIEDAO_DATABASE_URL", database_url.to_owned()),
            (
                "JIEDAO_JWT_SECRET",
                "load-bench-secret-0123456789abcdef0123456789".to_owned(),
            ),
            (
                "JIEDAO_DATA_KEY",
                "v1:KioqKioqKioqKioqKioqKioqKioqKioqKioqKioqKio=".to_owned(),
            ),
            // Signs statements; the bench publishes none, but PostgreSQL requires a key.
            (
                "JIEDAO_SIGNING_KEY",
                "v1:KysrKysrKysrKysrKysrKysrKysrKysrKysrKysrKys=".to_owned(),
            ),
            (
                "JIEDAO_FILES_DIR",
                dir.join("files").to_string_lossy().into_owned(),
            ),
            // A 20,000-row import may take longer than the default 30 s; the bench reports
            // how long it took instead of a 408.
            ("JIEDAO_REQUEST_TIMEOUT_SECS", "900".to_owned()),
            // The fixture's tokens must outlive a long run (a 190,000-resident one takes
            // more than the default 15 minutes); nothing else depends on it.
            ("JIEDAO_ACCESS_TOKEN_TTL_SECS", "86400".to_owned()),
        ];
        Self {
            env,
            dir: dir.to_owned(),
        }
    }

    /// This deployment with one more variable.
    pub fn with(mut self, name: &'static str, value: &str) -> Self {
        self.env.push((name, value.to_owned()));
        self
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .envs(self.env.iter().map(|(k, v)| (k, v)));
        command
    }

    /// Runs `jiedao <args>` to completion, with `stdin` as its standard input.
    pub fn run(&self, args: &[&str], stdin: &str) {
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("jiedao starts");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(
            output.status.success(),
            "jiedao {args:?} failed: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// Starts `jiedao serve` on a free port and waits until it is ready.
    pub async fn serve(&self) -> Server {
        let addr = free_port();
        let log_path = self.dir.join("server.log");
        let log = File::options()
            .create(true)
            .append(true)
            .open(&log_path)
            .unwrap();
        let child = self
            .command(&["serve"])
            .env("JIEDAO_LISTEN", addr.to_string())
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("jiedao serve starts");
        let server = Server {
            child,
            addr,
            log: log_path,
        };
        server.wait_ready().await;
        server
    }
}

/// A running `jiedao serve`; killed when dropped.
pub struct Server {
    child: Child,
    pub addr: SocketAddr,
    log: PathBuf,
}

impl Server {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    async fn wait_ready(&self) {
        let started = Instant::now();
        loop {
            let request = Request::get("/readyz")
                .header(header::HOST, self.addr.to_string())
                .body(Full::new(Bytes::new()))
                .unwrap();
            if let Ok((StatusCode::OK, _)) = generator::send(self.addr, request).await {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(300),
                "jiedao did not become ready; see {}",
                self.log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The server's resident memory now and at its peak.
    pub fn memory(&self) -> procfs::Memory {
        procfs::memory(self.pid())
    }

    /// CPU time the server has used, in seconds.
    pub fn cpu_seconds(&self) -> f64 {
        procfs::cpu_seconds(self.pid()).unwrap_or(f64::NAN)
    }

    /// The `db_statements` and `db_scopes_entered` counters of `/metrics`: SQL statements
    /// the server sent through sea-orm since it started, with the statements that entered
    /// a caller's row-level-security scope (one round trip each, PostgreSQL).
    pub async fn statements(&self) -> u64 {
        let request = Request::get("/metrics")
            .header(header::HOST, self.addr.to_string())
            .body(Full::new(Bytes::new()))
            .unwrap();
        let (_, body) = generator::send(self.addr, request).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        let counter = |name: &str| {
            text.lines()
                .find_map(|line| line.strip_prefix(name))
                .and_then(|value| value.trim().parse::<f64>().ok())
                .unwrap_or_else(|| panic!("/metrics has {name}")) as u64
        };
        counter("jiedao_db_statements ") + counter("jiedao_db_scopes_entered ")
    }

    pub fn client(&self, token: Option<&str>) -> Client {
        Client {
            addr: self.addr,
            token: token.map(str::to_owned),
        }
    }

    pub fn stop(mut self) {
        self.kill();
    }

    fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

fn free_port() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap()
}

/// Sends GraphQL operations one at a time; panics on any error (setup must succeed).
#[derive(Clone)]
pub struct Client {
    addr: SocketAddr,
    token: Option<String>,
}

impl Client {
    /// The answer's `data`; panics when the answer has errors.
    pub async fn data(&self, query: &str, variables: Value) -> Value {
        let body = json!({ "query": query, "variables": variables }).to_string();
        let answer = self.post("application/json", Bytes::from(body)).await;
        assert!(answer.get("errors").is_none(), "{query}: {answer}");
        answer["data"].clone()
    }

    async fn post(&self, content_type: &str, body: Bytes) -> Value {
        let mut request = Request::post("/graphql")
            .header(header::HOST, self.addr.to_string())
            .header(header::CONTENT_TYPE, content_type);
        if let Some(token) = &self.token {
            request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        let (status, body) = generator::send(self.addr, request.body(Full::new(body)).unwrap())
            .await
            .unwrap();
        serde_json::from_slice(&body)
            .unwrap_or_else(|_| panic!("HTTP {status}: {}", String::from_utf8_lossy(&body)))
    }

    /// `importResidents` with a CSV roster (a GraphQL multipart request); the payload.
    pub async fn import_residents(&self, compound: &str, csv: &str) -> Value {
        let boundary = "load-bench-boundary-7c1d";
        let query = "mutation($in: ImportResidentsInput!) { importResidents(input: $in) { \
                     rows written residentsCreated residentsAlreadyRegistered householdsCreated \
                     problems { row column message } } }";
        let operations = json!({ "query": query, "variables": { "in": {
            "compoundId": compound, "file": null, "mode": "ALL_OR_NOTHING" } } });
        let mut body = Vec::with_capacity(csv.len() + 1024);
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
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; \
                 filename=\"roster.csv\"\r\nContent-Type: text/csv\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(csv.as_bytes());
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let answer = self
            .post(
                &format!("multipart/form-data; boundary={boundary}"),
                Bytes::from(body),
            )
            .await;
        assert!(answer.get("errors").is_none(), "importResidents: {answer}");
        let report = answer["data"]["importResidents"].clone();
        assert_eq!(report["written"], true, "importResidents: {report}");
        report
    }
}
