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
mod postgraphile;
mod procfs;
mod reads;
mod report;
mod server;
mod setup;

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde_json::json;

use crate::{
    database::{Db, cpu_between},
    generator::{Load, Outcome},
    postgraphile::PostGraphile,
    reads::Kind,
    report::{Backend, Flood, Ledger, Measured, ReadRow},
    server::{Deployment, Server},
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

    let deployment = Deployment::new(db.url(), dir.path());
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

/// One kind of read on jiedao and (when running) PostGraphile, in interleaved rounds.
async fn compare(
    settings: &Settings,
    db: &Db,
    server: &Server,
    peer: Option<&PostGraphile>,
    fixture: &Fixture,
    kind: Kind,
    notes: &mut Vec<String>,
) -> ReadRow {
    eprintln!("  {}", kind.title());
    let (query, peer_query) = kind.queries();
    let token = match kind {
        Kind::Balance => &fixture.treasurer,
        _ => &fixture.staff,
    };
    // The variables of each request: point reads go round the collected residents.
    let bodies = |query: &str, postgraphile: bool| -> Vec<bytes::Bytes> {
        match kind {
            Kind::Point => fixture
                .resident_ids
                .iter()
                .map(|id| reads::body(query, json!({ "id": id })))
                .collect(),
            Kind::Page => vec![reads::body(query, json!({ "c": fixture.community }))],
            // jiedao's households are those of the caller's community; PostGraphile is told.
            Kind::Nested if postgraphile => {
                vec![reads::body(query, json!({ "c": fixture.community }))]
            }
            Kind::Nested => vec![reads::body(query, json!({}))],
            Kind::Balance => vec![reads::body(query, json!({ "f": fixture.fund }))],
        }
    };
    let jiedao = Load::rotating(server.addr, "/graphql", Some(token), bodies(query, false))
        .connections(settings.connections);
    let expected = probe(&jiedao, kind, false).await.unwrap();
    let mut peer_load = None;
    if let Some(peer) = peer {
        let load = Load::rotating(peer.addr, "/graphql", None, bodies(peer_query, true))
            .connections(settings.connections);
        match probe(&load, kind, true).await {
            Ok(rows) if rows == expected => peer_load = Some(load),
            Ok(rows) => notes.push(format!(
                "{}: PostGraphile answered {rows} rows where jiedao answered {expected}; not compared",
                kind.title()
            )),
            Err(why) => notes.push(format!(
                "{}: PostGraphile's query failed, not compared: {why}",
                kind.title()
            )),
        }
    }
    let (mut ours, mut theirs) = (Vec::new(), Vec::new());
    for _ in 0..settings.rounds {
        ours.push(
            round(
                settings,
                db,
                &jiedao,
                Box::new(|| server.cpu_seconds()),
                Some(server),
            )
            .await,
        );
        if let (Some(load), Some(peer)) = (&peer_load, peer) {
            theirs.push(round(settings, db, load, Box::new(|| peer.cpu_seconds()), None).await);
        }
    }
    ReadRow {
        title: kind.title().to_owned(),
        jiedao: Measured::merge(ours),
        postgraphile: (!theirs.is_empty()).then(|| Measured::merge(theirs)),
        goal: kind.goal(),
        is_point_read: kind == Kind::Point,
    }
}

/// Sends one request of `load` and checks the answer; the number of rows it holds.
async fn probe(load: &Load, kind: Kind, postgraphile: bool) -> Result<usize, String> {
    let body = (load.body)(0, 0);
    let mut request = http::Request::post(load.path)
        .header(http::header::HOST, load.addr.to_string())
        .header(http::header::CONTENT_TYPE, "application/json");
    if let Some(authorization) = &load.authorization {
        request = request.header(http::header::AUTHORIZATION, authorization.clone());
    }
    let (status, answer) = generator::send(
        load.addr,
        request.body(http_body_util::Full::new(body)).unwrap(),
    )
    .await?;
    let text = String::from_utf8_lossy(&answer);
    let value: serde_json::Value =
        serde_json::from_slice(&answer).map_err(|_| format!("HTTP {status}: {text}"))?;
    if value.get("errors").is_some() || !status.is_success() {
        return Err(format!("HTTP {status}: {text}"));
    }
    let rows = kind.rows(&value["data"], postgraphile);
    if rows == 0 {
        return Err(format!("an empty answer: {text}"));
    }
    Ok(rows)
}

/// A warm-up, then one measured round.
async fn round(
    settings: &Settings,
    db: &Db,
    load: &Load,
    cpu: Box<dyn Fn() -> f64 + '_>,
    server: Option<&Server>,
) -> Measured {
    let warmup = generator::run(load, Duration::from_secs(settings.warmup)).await;
    let statements = match server {
        Some(server) => Some(server.statements().await),
        None => None,
    };
    let (cpu_before, db_before, own_before) = (cpu(), db.backend_cpu().await, own_cpu());
    let outcome = generator::run(load, Duration::from_secs(settings.seconds)).await;
    let (cpu_after, db_after, own_after) = (cpu(), db.backend_cpu().await, own_cpu());
    let statements = match (server, statements) {
        (Some(server), Some(before)) => Some(server.statements().await - before),
        _ => None,
    };
    Measured {
        outcome,
        statements,
        cpu: cpu_after - cpu_before,
        db_cpu: cpu_between(&db_before, &db_after),
        generator_cpu: own_after - own_before,
        warmup_ok: warmup.ok,
    }
}

fn own_cpu() -> f64 {
    procfs::cpu_seconds(std::process::id()).unwrap_or(f64::NAN)
}

/// Contributions to one fund from `writers` connections at once: every append locks the
/// fund's head, so this is the serialised path. Afterwards the chain must hold every
/// answered entry, once.
async fn ledger(settings: &Settings, db: &Db, server: &Server, fixture: &Fixture) -> Ledger {
    eprintln!("  ledger appends");
    let treasurer = server.client(Some(&fixture.treasurer));
    let head = || async {
        treasurer
            .data(reads::BALANCE, json!({ "f": fixture.fund }))
            .await["fund"]["headSeq"]
            .as_u64()
            .unwrap()
    };
    let before = head().await;
    let next = Arc::new(AtomicU64::new(0));
    let fund = fixture.fund.clone();
    let run = std::process::id();
    let load = Load::with(
        server.addr,
        "/graphql",
        Some(&fixture.treasurer),
        Arc::new(move |_, _| {
            let key = format!("load-{run}-{}", next.fetch_add(1, Ordering::Relaxed));
            reads::body(
                reads::RECORD,
                json!({ "in": { "fundId": fund, "amount": "1.00", "donorName": "压测",
                                "channel": "CASH_BOX", "idempotencyKey": key } }),
            )
        }),
    )
    .connections(settings.writers);
    let mut rounds = Vec::new();
    for _ in 0..settings.rounds {
        rounds.push(
            round(
                settings,
                db,
                &load,
                Box::new(|| server.cpu_seconds()),
                Some(server),
            )
            .await,
        );
    }
    let measured = Measured::merge(rounds);
    let appended = head().await - before;
    let answered = measured.outcome.ok + measured.warmup_ok;
    let verified = treasurer
        .data(
            "query($f: ID!) { fund(id: $f) { verifyLedger { ok headSeq } } }",
            json!({ "f": fixture.fund }),
        )
        .await;
    let check = &verified["fund"]["verifyLedger"];
    let verdict = if appended == answered && check["ok"] == true {
        format!(
            "ledger checked: {appended} entries appended for {answered} answered requests; verifyLedger ok up to seq {}",
            check["headSeq"]
        )
    } else {
        format!(
            "! LEDGER WRONG: {appended} entries appended for {answered} answered requests; verifyLedger {check}"
        )
    };
    Ledger {
        writers: settings.writers,
        measured,
        verified: verdict,
    }
}

/// On a fresh server: point reads alone, then point reads while as many connections log in
/// as fast as they are answered; memory after the flood and after idling.
async fn flood(
    settings: &Settings,
    deployment: &Deployment,
    fixture: &Fixture,
    memory: &mut Vec<(String, procfs::Memory)>,
) -> Flood {
    eprintln!("  login flood");
    let server = deployment.serve().await;
    memory.push(("fresh server (same database)".into(), server.memory()));
    let point = fixture
        .resident_ids
        .iter()
        .map(|id| reads::body(reads::POINT, json!({ "id": id })))
        .collect();
    let reads_load = Load::rotating(server.addr, "/graphql", Some(&fixture.staff), point)
        .connections(settings.connections);
    let seconds = Duration::from_secs(settings.seconds);
    generator::run(&reads_load, Duration::from_secs(settings.warmup)).await;
    let alone = generator::run(&reads_load, seconds).await;
    let logins = Load::fixed(
        server.addr,
        "/graphql",
        None,
        reads::body(
            reads::LOGIN,
            json!({ "u": "load.flood", "p": setup::PASSWORD }),
        ),
    )
    .connections(settings.connections);
    let (during, logins): (Outcome, Outcome) = tokio::join!(
        generator::run(&reads_load, seconds),
        generator::run(&logins, seconds)
    );
    memory.push((
        format!("after {} s of login flood", settings.seconds),
        server.memory(),
    ));
    tokio::time::sleep(Duration::from_secs(settings.idle)).await;
    memory.push((
        format!("  and after {} s idle", settings.idle),
        server.memory(),
    ));
    server.stop();
    Flood {
        connections: settings.connections,
        alone,
        during,
        logins,
    }
}

/// On a fresh server: memory before and after one import of `import_rows` rows, and after
/// idling.
async fn import_memory(
    settings: &Settings,
    deployment: &Deployment,
    fixture: &mut Fixture,
    memory: &mut Vec<(String, procfs::Memory)>,
) {
    eprintln!("  memory of one {}-row import", settings.import_rows);
    let server = deployment.serve().await;
    memory.push(("fresh server (same database)".into(), server.memory()));
    let imported = fixture
        .add_residents(&server, settings.import_rows, settings.import_rows)
        .await;
    memory.push((
        format!(
            "after importing a {}-row roster ({:.1} s)",
            imported.rows,
            imported.elapsed.as_secs_f64()
        ),
        server.memory(),
    ));
    tokio::time::sleep(Duration::from_secs(settings.idle)).await;
    memory.push((
        format!("  and after {} s idle", settings.idle),
        server.memory(),
    ));
    server.stop();
}
