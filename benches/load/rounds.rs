//! Measured rounds: a warm-up, then a fixed time of load, with the statements and CPU time
//! the servers spent on it; jiedao's and PostGraphile's rounds interleaved, so that whatever
//! else the machine does falls on both.

use std::time::Duration;

use serde_json::json;

use crate::{
    Settings,
    database::{Db, cpu_between},
    generator::{self, Load},
    postgraphile::PostGraphile,
    procfs, reads,
    reads::Kind,
    report::{Measured, ReadRow},
    server::Server,
    setup::Fixture,
};

/// One kind of read on jiedao and (when running) PostGraphile, in interleaved rounds.
pub async fn compare(
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
            // PostGraphile finds a row by its whole primary key: the ID and the community.
            Kind::Point if postgraphile => fixture
                .resident_ids
                .iter()
                .map(|id| reads::body(query, json!({ "id": id, "c": fixture.community })))
                .collect(),
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
            Kind::Balance if postgraphile => vec![reads::body(
                query,
                json!({ "f": fixture.fund, "c": fixture.community }),
            )],
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
pub async fn round(
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

pub fn own_cpu() -> f64 {
    procfs::cpu_seconds(std::process::id()).unwrap_or(f64::NAN)
}
