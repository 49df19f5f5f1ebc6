//! The phases after the reads: ledger appends, a login flood, and the memory of one big
//! import, each on the server as the reads left it or on a fresh one.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use serde_json::json;

use crate::{
    Settings,
    database::Db,
    generator::{self, Load, Outcome},
    procfs, reads,
    report::{Flood, Ledger, Measured},
    rounds::round,
    server::{Deployment, Server},
    setup::{self, Fixture},
};

/// Contributions to one fund from `writers` connections at once: every append locks the
/// fund's head, so this is the serialised path. Afterwards the chain must hold every
/// answered entry, once.
pub async fn ledger(settings: &Settings, db: &Db, server: &Server, fixture: &Fixture) -> Ledger {
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
pub async fn flood(
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
pub async fn import_memory(
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
