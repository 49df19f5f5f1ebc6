//! The peer to beat (ARCHITECTURE.md §8): PostGraphile 4.14.1, a generic
//! GraphQL-over-PostgreSQL server, on the same database, with two cluster workers, as the
//! database role of the URL, without authentication. Installed with npm into the target
//! directory on first use; nothing of it is in the repository.

use std::{
    fs::File,
    net::{SocketAddr, TcpListener},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{Request, StatusCode, header};
use http_body_util::Full;

use crate::{generator, procfs};

pub const VERSION: &str = "4.14.1";

pub struct PostGraphile {
    child: Child,
    pub addr: SocketAddr,
}

impl PostGraphile {
    /// Installs (once) and starts PostGraphile on `database_url`'s `public` schema; why
    /// not, when it cannot.
    pub async fn start(database_url: &str, log_dir: &Path) -> Result<Self, String> {
        let bin = install()?;
        let addr = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?;
        let log = File::create(log_dir.join("postgraphile.log")).map_err(|e| e.to_string())?;
        let child = Command::new(&bin)
            .args(["--connection", database_url, "--schema", "public"])
            .args(["--host", "127.0.0.1", "--port", &addr.port().to_string()])
            .args(["--cluster-workers", "2", "--disable-query-log"])
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("{}: {e}", bin.display()))?;
        let mut server = Self { child, addr };
        let started = Instant::now();
        loop {
            let request = Request::post("/graphql")
                .header(header::HOST, addr.to_string())
                .header(header::CONTENT_TYPE, "application/json")
                .body(Full::new(Bytes::from_static(
                    b"{\"query\":\"{__typename}\"}",
                )))
                .unwrap();
            if let Ok((StatusCode::OK, _)) = generator::send(addr, request).await {
                // Both workers answer once the first does (each introspects the database
                // at start): give the second a moment.
                tokio::time::sleep(Duration::from_secs(3)).await;
                return Ok(server);
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                return Err(format!(
                    "PostGraphile exited ({status}); see {}",
                    log_dir.join("postgraphile.log").display()
                ));
            }
            if started.elapsed() > Duration::from_secs(120) {
                server.stop();
                return Err("PostGraphile did not answer within 120 s".into());
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// CPU seconds used by the master and its workers.
    pub fn cpu_seconds(&self) -> f64 {
        procfs::process_tree(self.child.id())
            .into_iter()
            .filter_map(procfs::cpu_seconds)
            .sum()
    }

    /// Resident memory of the master and its workers together, in MiB.
    pub fn rss_mib(&self) -> f64 {
        procfs::process_tree(self.child.id())
            .into_iter()
            .map(|pid| procfs::memory(pid).rss_mib)
            .sum()
    }

    pub fn stop(&mut self) {
        // The workers leave with the master.
        for pid in procfs::process_tree(self.child.id()).into_iter().rev() {
            let _ = Command::new("kill").arg(pid.to_string()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for PostGraphile {
    fn drop(&mut self) {
        self.stop();
    }
}

/// `npm install postgraphile@4.14.1` into `target/tmp/postgraphile-4.14.1`, once.
fn install() -> Result<PathBuf, String> {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("postgraphile-{VERSION}"));
    let bin = dir.join("node_modules/.bin/postgraphile");
    if bin.exists() {
        return Ok(bin);
    }
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    eprintln!(
        "  installing postgraphile@{VERSION} with npm into {}",
        dir.display()
    );
    let status = Command::new("npm")
        .args(["install", "--no-audit", "--no-fund", "--loglevel=error"])
        .arg("--prefix")
        .arg(&dir)
        .arg(format!("postgraphile@{VERSION}"))
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("npm: {e}"))?;
    if !status.success() || !bin.exists() {
        return Err(format!(
            "npm install postgraphile@{VERSION} failed ({status})"
        ));
    }
    Ok(bin)
}
