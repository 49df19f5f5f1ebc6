//! `cargo bench --bench load`: the load benchmark of the performance issue. It runs the
//! release `jiedao serve` as its own process on a fresh database (the embedded SQLite
//! default always; PostgreSQL when `JIEDAO_LOAD_DATABASE_URL` is set), loads residents
//! through `importResidents`, then drives it with 32 keep-alive connections and prints
//! requests per second, latency percentiles, SQL statements and CPU per request, and the
//! server's memory. On PostgreSQL it also runs PostGraphile on the same tables (interleaved
//! rounds, ratios side by side) and pgbench for the database's own ceiling.
//!
//! Scale and time from the environment: see `Settings::from_env` and README.md ("Test it").

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod database;
mod generator;
mod pgbench;
mod phases;
mod postgraphile;
mod procfs;
mod reads;
mod report;
mod rounds;
mod server;
mod setup;

use crate::{
    database::Db,
    phases::{flood, import_memory, ledger},
    postgraphile::PostGraphile,
    reads::Kind,
    report::Backend,
    rounds::compare,
    server::Deployment,
    setup::{Fixture, ROWS_PER_FILE},
};

struct Settings {
    /// Residents loaded before the reads (`JIEDAO_LOAD_RESIDENTS`, 50,000).
    residents: usize,
    /// When above `residents`: load up to this many at the end and read the page again
    /// (`JIEDAO_LOAD_LARGE_RESIDENTS`, e.g. 190000; 0 skips).
    large_residents: usize,
    /// Measured seconds per round (`JIEDAO_LOAD_SECONDS`, 10).
    seconds: u64,
    /// Unmeasured seconds before each round (`JIEDAO_LOAD_WARMUP_SECONDS`, 2).
    warmup: u64,
    /// Rounds per server and read, interleaved with PostGraphile's (`JIEDAO_LOAD_ROUNDS`, 2).
    rounds: usize,
    /// Reading connections (`JIEDAO_LOAD_CONNECTIONS`, 32).
    connections: usize,
    /// Connections appending to one fund's ledger (`JIEDAO_LOAD_WRITERS`, 16).
    writers: usize,
    /// Seconds to wait before the "after idling" memory figures (`JIEDAO_LOAD_IDLE_SECONDS`, 30).
    idle: u64,
    /// Rows of the import whose memory is measured (`JIEDAO_LOAD_IMPORT_ROWS`, 20,000).
    import_rows: usize,
    /// A PostgreSQL server (`JIEDAO_LOAD_DATABASE_URL`); the role needs CREATEDB.
    postgres: Option<String>,
    /// `sqlite` or `postgres` to run only one (`JIEDAO_LOAD_ONLY`).
    only: Option<String>,
    /// Whether to start PostGraphile (`JIEDAO_LOAD_POSTGRAPHILE`, 1).
    postgraphile: bool,
    /// Keep the databases afterwards, for a look at them (`JIEDAO_LOAD_KEEP`, 0).
    keep: bool,
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(value) => value
            .parse()
            .unwrap_or_else(|_| panic!("{name}={value} is not valid")),
        Err(_) => default,
    }
}

impl Settings {
    fn from_env() -> Self {
        Self {
            residents: env("JIEDAO_LOAD_RESIDENTS", 50_000),
            large_residents: env("JIEDAO_LOAD_LARGE_RESIDENTS", 0),
            seconds: env("JIEDAO_LOAD_SECONDS", 10),
            warmup: env("JIEDAO_LOAD_WARMUP_SECONDS", 2),
            rounds: env("JIEDAO_LOAD_ROUNDS", 2),
            connections: env("JIEDAO_LOAD_CONNECTIONS", 32),
            writers: env("JIEDAO_LOAD_WRITERS", 16),
            idle: env("JIEDAO_LOAD_IDLE_SECONDS", 30),
            import_rows: env("JIEDAO_LOAD_IMPORT_ROWS", 20_000),
            postgres: std::env::var("JIEDAO_LOAD_DATABASE_URL").ok(),
            only: std::env::var("JIEDAO_LOAD_ONLY").ok(),
            postgraphile: env("JIEDAO_LOAD_POSTGRAPHILE", 1u8) != 0,
            keep: env("JIEDAO_LOAD_KEEP", 0u8) != 0,
        }
    }

    fn runs(&self, backend: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == backend)
    }

    fn describe(&self, residents: usize) -> String {
        format!(
            "{} residents; {} connections ({} writers for the ledger); {} round(s) of {} s per server, each after {} s of warm-up",
            residents, self.connections, self.writers, self.rounds, self.seconds, self.warmup
        )
    }
}

// Two worker threads, as wrk's default: the generator costs little next to the server,
// and it shares the machine with it.
#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let settings = Settings::from_env();
    println!(
        "jiedao load benchmark: release build, {} CPU cores, load average {} (other work on the machine skews every figure)",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        procfs::load_average()
    );
    if settings.runs("sqlite") {
        run_backend(&settings, None).await;
    }
    match &settings.postgres {
        Some(url) if settings.runs("postgres") => run_backend(&settings, Some(url)).await,
        None => println!(
            "\nPostgreSQL skipped: set JIEDAO_LOAD_DATABASE_URL=postgres://user@host/db (a role with CREATEDB)"
        ),
        Some(_) => {}
    }
}

async fn run_backend(settings: &Settings, postgres: Option<&str>) {
    let dir = tempfile::Builder::new()
        .prefix("load-")
        .tempdir_in(env!("CARGO_TARGET_TMPDIR"))
        .unwrap();
    let db = match postgres {
        None => Db::sqlite(dir.path()),
        Some(url) => Db::postgres(url, &format!("jiedao_load_{}", std::process::id())).await,
    };
    let db_is_postgres = db.is_postgres();
    let title = match &db {
        Db::Sqlite { .. } => "SQLite (embedded default, file in target/tmp)".to_owned(),
        Db::Postgres { name, .. } => format!("PostgreSQL (database {name})"),
    };
    eprintln!("\n{title}");
    let mut report = Backend {
        title,
        settings: String::new(),
        notes: Vec::new(),
        imported: None,
        pgbench: None,
        reads: Vec::new(),
        ledger: None,
        flood: None,
        memory: Vec::new(),
        postgraphile_rss_mib: None,
    };
    if let (Db::Postgres { admin, .. }, Some(url)) = (&db, postgres) {
        eprintln!("  pgbench");
        report.pgbench = pgbench::run(admin, url, 10).await;
    }

    let deployment = match db.server_url().await {
        Some(server_url) => {
            Deployment::new(&server_url, dir.path()).with("JIEDAO_MIGRATE_DATABASE_URL", db.url())
        }
        None => Deployment::new(db.url(), dir.path()),
    };
    setup::create_admin(&deployment);
    let server = deployment.serve().await;
    report
        .memory
        .push(("started, empty".into(), server.memory()));
    let mut fixture = Fixture::create(&server).await;
    report.memory.push((
        "after setting up 4 accounts (16 argon2id hashes)".into(),
        server.memory(),
    ));
    eprintln!("  importing {} residents", settings.residents);
    report.imported = Some(
        fixture
            .add_residents(&server, settings.residents, ROWS_PER_FILE)
            .await,
    );
    report.memory.push((
        format!("after importing {} residents", fixture.residents),
        server.memory(),
    ));
    if let Some(autovacuum) = db.autovacuum().await {
        report.notes.push(format!(
            "VACUUM (ANALYZE) after each load, as autovacuum would do (autovacuum is {autovacuum} on this server)"
        ));
        report.notes.push(
            "jiedao, PostGraphile and pgbench connect without TLS unless the URL sets sslmode"
                .into(),
        );
    }
    db.settle().await;
    fixture.collect_resident_ids(&server, 1_000).await;
    report.settings = format!(
        "{}; load average before the reads {}",
        settings.describe(fixture.residents),
        procfs::load_average()
    );

    let mut peer = None;
    if db.is_postgres() && settings.postgraphile {
        eprintln!("  starting PostGraphile {}", postgraphile::VERSION);
        match PostGraphile::start(db.url(), dir.path()).await {
            Ok(started) => peer = Some(started),
            Err(why) => report.notes.push(format!(
                "PostGraphile not started, jiedao's figures alone: {why}"
            )),
        }
    }
    for kind in [Kind::Point, Kind::Page, Kind::Nested, Kind::Balance] {
        let row = compare(
            settings,
            &db,
            &server,
            peer.as_ref(),
            &fixture,
            kind,
            &mut report.notes,
        )
        .await;
        report.reads.push(row);
    }
    report.postgraphile_rss_mib = peer.as_ref().map(PostGraphile::rss_mib);
    report
        .memory
        .push(("after the reads".into(), server.memory()));
    report.ledger = Some(ledger(settings, &db, &server, &fixture).await);
    report
        .memory
        .push(("after the ledger appends".into(), server.memory()));
    server.stop();

    report.flood = Some(flood(settings, &deployment, &fixture, &mut report.memory).await);
    import_memory(settings, &deployment, &mut fixture, &mut report.memory).await;

    if settings.large_residents > fixture.residents {
        let server = deployment.serve().await;
        let more = settings.large_residents - fixture.residents;
        eprintln!("  importing {more} more residents");
        fixture.add_residents(&server, more, ROWS_PER_FILE).await;
        db.settle().await;
        let mut row = compare(
            settings,
            &db,
            &server,
            peer.as_ref(),
            &fixture,
            Kind::Page,
            &mut report.notes,
        )
        .await;
        row.title = format!("the same page at {} residents", fixture.residents);
        report.reads.push(row);
    }
    drop(peer);
    report.notes.push(format!(
        "load average at the end: {}",
        procfs::load_average()
    ));
    report.print();
    db.drop_database(settings.keep).await;
    if settings.keep && !db_is_postgres {
        eprintln!("  kept {}", dir.keep().display());
    }
}
