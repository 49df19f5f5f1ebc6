//! Reference figures from `pgbench` on the same PostgreSQL server and machine: what the
//! database does with no application in front of it. Select-only (`-S`) bounds a point
//! read; TPC-B (five statements in a transaction on contended rows) bounds a ledger append.

use std::{path::PathBuf, process::Command};

use crate::database::{plaintext, with_database};

pub struct Reference {
    pub select_only_tps: f64,
    pub tpcb_tps: f64,
    pub clients: usize,
    pub seconds: u64,
}

/// Runs pgbench on a scratch database next to the benchmark's; None (and why, on stderr)
/// when pgbench is missing or fails.
pub async fn run(
    admin: &sea_orm::DatabaseConnection,
    admin_url: &str,
    seconds: u64,
) -> Option<Reference> {
    use sea_orm::ConnectionTrait;

    let Some(bin) = find() else {
        eprintln!("  pgbench not found: no reference figures");
        return None;
    };
    let name = format!("jiedao_load_pgbench_{}", std::process::id());
    admin
        .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
        .await
        .ok()?;
    let url = plaintext(&with_database(admin_url, &name));
    let clients = 16;
    let pgbench = |args: &[&str]| -> Option<String> {
        let output = Command::new(&bin).args(args).arg(&url).output().ok()?;
        if !output.status.success() {
            eprintln!(
                "  pgbench {args:?} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            return None;
        }
        Some(String::from_utf8_lossy(&output.stdout).into_owned())
    };
    let tps = |args: &[&str]| -> Option<f64> {
        pgbench(args)?
            .lines()
            .find_map(|line| line.strip_prefix("tps = "))
            .and_then(|rest| rest.split_whitespace().next())
            .and_then(|tps| tps.parse().ok())
    };
    let (c, t) = (clients.to_string(), seconds.to_string());
    let reference = (|| {
        pgbench(&["-i", "-s", "10", "-q"])?;
        Some(Reference {
            select_only_tps: tps(&["-S", "-M", "prepared", "-c", &c, "-j", "2", "-T", &t])?,
            tpcb_tps: tps(&["-M", "prepared", "-c", &c, "-j", "2", "-T", &t])?,
            clients,
            seconds,
        })
    })();
    let _ = admin
        .execute_unprepared(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
        .await;
    reference
}

/// `pgbench` on the PATH, else the newest in Debian's and Ubuntu's PostgreSQL directories.
fn find() -> Option<PathBuf> {
    if Command::new("pgbench").arg("--version").output().is_ok() {
        return Some(PathBuf::from("pgbench"));
    }
    let mut found: Vec<(f64, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .filter_map(|dir| {
            let version = dir.file_name().to_string_lossy().parse::<f64>().ok()?;
            let bin = dir.path().join("bin/pgbench");
            bin.exists().then_some((version, bin))
        })
        .collect();
    found.sort_by(|a, b| a.0.total_cmp(&b.0));
    found.pop().map(|(_, bin)| bin)
}
