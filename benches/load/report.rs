//! The figures of one database, printed as tables at the end of its run.

use crate::{generator::Outcome, pgbench::Reference, procfs::Memory, setup::Imported};

/// One measured load: answers, and what the servers spent on them.
pub struct Measured {
    pub outcome: Outcome,
    /// `db_statements` of `/metrics` over the rounds (jiedao only).
    pub statements: Option<u64>,
    /// CPU seconds of the GraphQL server's processes.
    pub cpu: f64,
    /// CPU seconds of the PostgreSQL backends of the database.
    pub db_cpu: Option<f64>,
    /// CPU seconds of this load generator.
    pub generator_cpu: f64,
    /// Requests answered during the warm-ups (they wrote, if the load writes).
    pub warmup_ok: u64,
}

impl Measured {
    pub fn merge(rounds: Vec<Measured>) -> Measured {
        let mut outcomes = Vec::with_capacity(rounds.len());
        let mut all = Measured {
            outcome: Outcome::default(),
            statements: Some(0),
            cpu: 0.0,
            db_cpu: Some(0.0),
            generator_cpu: 0.0,
            warmup_ok: 0,
        };
        for round in rounds {
            all.statements = all.statements.zip(round.statements).map(|(a, b)| a + b);
            all.cpu += round.cpu;
            all.db_cpu = all.db_cpu.zip(round.db_cpu).map(|(a, b)| a + b);
            all.generator_cpu += round.generator_cpu;
            all.warmup_ok += round.warmup_ok;
            outcomes.push(round.outcome);
        }
        all.outcome = Outcome::merge(outcomes);
        all
    }

    pub fn statements_per_request(&self) -> Option<f64> {
        self.statements
            .map(|s| s as f64 / self.outcome.requests().max(1) as f64)
    }

    /// Milliseconds of CPU per answered request.
    fn per_request_ms(&self, seconds: f64) -> f64 {
        seconds * 1000.0 / self.outcome.ok.max(1) as f64
    }

    pub fn cpu_ms(&self) -> f64 {
        self.per_request_ms(self.cpu)
    }

    pub fn db_cpu_ms(&self) -> Option<f64> {
        self.db_cpu.map(|cpu| self.per_request_ms(cpu))
    }

    fn errors(&self, who: &str) -> Option<String> {
        (self.outcome.errors > 0).then(|| {
            format!(
                "    ! {who}: {} of {} requests failed; first: {}",
                self.outcome.errors,
                self.outcome.requests(),
                self.outcome.first_error.as_deref().unwrap_or("?")
            )
        })
    }
}

pub struct ReadRow {
    pub title: String,
    pub jiedao: Measured,
    pub postgraphile: Option<Measured>,
    pub goal: Option<f64>,
    pub is_point_read: bool,
}

pub struct Ledger {
    pub writers: usize,
    pub measured: Measured,
    /// `verifyLedger` after the load: the chain's head and whether every hash holds.
    pub verified: String,
}

pub struct Flood {
    pub connections: usize,
    pub alone: Outcome,
    pub during: Outcome,
    pub logins: Outcome,
}

pub struct Backend {
    pub title: String,
    pub settings: String,
    pub notes: Vec<String>,
    pub imported: Option<Imported>,
    pub pgbench: Option<Reference>,
    pub reads: Vec<ReadRow>,
    pub ledger: Option<Ledger>,
    pub flood: Option<Flood>,
    pub memory: Vec<(String, Memory)>,
    pub postgraphile_rss_mib: Option<f64>,
}

fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn opt(value: Option<f64>, decimals: usize) -> String {
    value.map_or_else(|| "-".to_owned(), |v| format!("{v:.decimals$}"))
}

impl Backend {
    pub fn print(&self) {
        println!();
        println!("=== {} ===", self.title);
        println!("{}", self.settings);
        if let Some(imported) = &self.imported {
            println!(
                "setup: {} residents imported with importResidents in {} files: {:.1} s, {} rows/s",
                thousands(imported.rows as f64),
                imported.files,
                imported.elapsed.as_secs_f64(),
                thousands(imported.rows_per_second())
            );
        }
        if let Some(r) = &self.pgbench {
            println!(
                "reference: pgbench -M prepared, scale 10, {} clients, {} s: select-only (-S) {} tps, TPC-B {} tps",
                r.clients,
                r.seconds,
                thousands(r.select_only_tps),
                thousands(r.tpcb_tps)
            );
        }
        self.print_reads();
        self.print_ledger();
        self.print_flood();
        if !self.memory.is_empty() {
            println!("server memory, VmRSS (peak VmHWM since that process started):");
            for (when, memory) in &self.memory {
                println!("  {when:<58} {memory}");
            }
        }
        if let Some(rss) = self.postgraphile_rss_mib {
            println!("  PostGraphile (master and 2 workers) after its reads: {rss:.0} MB");
        }
        for note in &self.notes {
            println!("note: {note}");
        }
    }

    fn print_reads(&self) {
        if self.reads.is_empty() {
            return;
        }
        let peer = self.reads.iter().any(|r| r.postgraphile.is_some());
        println!();
        println!(
            "{:<56}| {:>7} {:>7} {:>7} {:>6} {:>6} {:>6} |{}",
            "read (rps; latency and CPU per request in ms)",
            "jiedao",
            "p50",
            "p99",
            "stmts",
            "cpu",
            "db cpu",
            if peer {
                format!(
                    " {:>8} {:>6} {:>6} {:>6} {:>6} | {:>6} {:>5}",
                    "PostGr.", "p50", "p99", "cpu", "db cpu", "ratio", "goal"
                )
            } else {
                String::new()
            }
        );
        for row in &self.reads {
            let j = &row.jiedao;
            let mut line = format!(
                "{:<56}| {:>7} {:>7.2} {:>7.2} {:>6} {:>6.2} {:>6} |",
                row.title,
                thousands(j.outcome.rps()),
                j.outcome.quantile_ms(0.5),
                j.outcome.quantile_ms(0.99),
                opt(j.statements_per_request(), 1),
                j.cpu_ms(),
                opt(j.db_cpu_ms(), 2),
            );
            if let Some(p) = &row.postgraphile {
                line.push_str(&format!(
                    " {:>8} {:>6.2} {:>6.2} {:>6.2} {:>6} | {:>6.2} {:>5}",
                    thousands(p.outcome.rps()),
                    p.outcome.quantile_ms(0.5),
                    p.outcome.quantile_ms(0.99),
                    p.cpu_ms(),
                    opt(p.db_cpu_ms(), 2),
                    j.outcome.rps() / p.outcome.rps().max(1e-9),
                    row.goal
                        .map_or_else(|| "-".to_owned(), |g| format!("≥ {g}")),
                ));
            } else if peer {
                line.push_str(" (no PostGraphile figure)");
            }
            println!("{line}");
            for error in [
                j.errors("jiedao"),
                row.postgraphile
                    .as_ref()
                    .and_then(|p| p.errors("PostGraphile")),
            ]
            .into_iter()
            .flatten()
            {
                println!("{error}");
            }
        }
        let generator: f64 = self
            .reads
            .iter()
            .map(|r| r.jiedao.generator_cpu * 1000.0 / r.jiedao.outcome.ok.max(1) as f64)
            .fold(0.0, f64::max);
        println!(
            "  stmts: /metrics db_statements + db_scopes_entered per request (what sea-orm sends, with the row-level-security scope statement; BEGIN, COMMIT and ROLLBACK are not counted)\n  cpu: the server's process(es); db cpu: the database's PostgreSQL backends; load generator ≤ {generator:.2} ms CPU/request"
        );
        if let (Some(r), Some(point)) = (&self.pgbench, self.reads.iter().find(|r| r.is_point_read))
        {
            println!(
                "  point read: {:.1} % of pgbench -S (goal ≥ 30 %)",
                100.0 * point.jiedao.outcome.rps() / r.select_only_tps
            );
        }
    }

    fn print_ledger(&self) {
        let Some(ledger) = &self.ledger else {
            return;
        };
        let m = &ledger.measured;
        println!();
        println!(
            "ledger appends (recordContribution), one fund, {} writers: {} entries/s, p50 {:.2} ms, p99 {:.2} ms, {} statements/append, {:.2} ms server CPU/append{}",
            ledger.writers,
            thousands(m.outcome.rps()),
            m.outcome.quantile_ms(0.5),
            m.outcome.quantile_ms(0.99),
            opt(m.statements_per_request(), 1),
            m.cpu_ms(),
            m.db_cpu_ms().map_or_else(String::new, |db| format!(
                ", {db:.2} ms database CPU/append"
            )),
        );
        if let Some(r) = &self.pgbench {
            println!(
                "  {:.1} % of pgbench TPC-B (goal ≥ 1,000 entries/s and ≥ 35 %)",
                100.0 * m.outcome.rps() / r.tpcb_tps
            );
        } else {
            println!("  goal ≥ 1,000 entries/s");
        }
        println!("  {}", ledger.verified);
        if let Some(error) = m.errors("jiedao") {
            println!("{error}");
        }
    }

    fn print_flood(&self) {
        let Some(flood) = &self.flood else {
            return;
        };
        println!();
        println!(
            "point reads during a login flood ({} connections logging in, on a fresh server): {} → {} rps ({:.0} % kept), p99 {:.2} → {:.2} ms; {} logins/s{}",
            flood.connections,
            thousands(flood.alone.rps()),
            thousands(flood.during.rps()),
            100.0 * flood.during.rps() / flood.alone.rps().max(1e-9),
            flood.alone.quantile_ms(0.99),
            flood.during.quantile_ms(0.99),
            thousands(flood.logins.rps()),
            if flood.logins.errors + flood.during.errors > 0 {
                format!(
                    " (! {} failed logins, {} failed reads; first: {})",
                    flood.logins.errors,
                    flood.during.errors,
                    flood
                        .logins
                        .first_error
                        .as_deref()
                        .or(flood.during.first_error.as_deref())
                        .unwrap_or("?")
                )
            } else {
                String::new()
            }
        );
    }
}
