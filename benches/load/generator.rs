//! A closed-loop load generator, as wrk is: a fixed number of keep-alive HTTP/1.1
//! connections, each sending its next request as soon as it has read the previous answer,
//! for a fixed time. Every answer is checked: a status other than 200 or a GraphQL
//! `errors` member counts as an error and not as a served request (a benchmark of error
//! responses measures nothing).

use std::{
    net::SocketAddr,
    sync::Arc,
    time::{Duration, Instant},
};

use bytes::Bytes;
use http::{HeaderValue, Request, StatusCode, header};
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

/// The body of a connection's `n`-th request; `(connection, n)`.
pub type BodyFn = Arc<dyn Fn(usize, u64) -> Bytes + Send + Sync>;

/// What to send: one GraphQL endpoint, one caller, bodies made per request.
#[derive(Clone)]
pub struct Load {
    pub addr: SocketAddr,
    pub path: &'static str,
    pub authorization: Option<HeaderValue>,
    pub connections: usize,
    pub body: BodyFn,
}

impl Load {
    /// The same body for every request.
    pub fn fixed(
        addr: SocketAddr,
        path: &'static str,
        authorization: Option<&str>,
        body: Bytes,
    ) -> Self {
        Self::with(
            addr,
            path,
            authorization,
            Arc::new(move |_, _| body.clone()),
        )
    }

    /// Bodies from a list, each connection starting at its own place in it.
    pub fn rotating(
        addr: SocketAddr,
        path: &'static str,
        authorization: Option<&str>,
        bodies: Vec<Bytes>,
    ) -> Self {
        assert!(!bodies.is_empty());
        Self::with(
            addr,
            path,
            authorization,
            Arc::new(move |connection, n| {
                let at = (connection as u64 * 7_919 + n * 31) % bodies.len() as u64;
                bodies[at as usize].clone()
            }),
        )
    }

    pub fn with(
        addr: SocketAddr,
        path: &'static str,
        authorization: Option<&str>,
        body: BodyFn,
    ) -> Self {
        Self {
            addr,
            path,
            authorization: authorization
                .map(|token| HeaderValue::from_str(&format!("Bearer {token}")).unwrap()),
            connections: 32,
            body,
        }
    }

    pub fn connections(mut self, connections: usize) -> Self {
        self.connections = connections;
        self
    }
}

/// Answers of one or more rounds.
#[derive(Default)]
pub struct Outcome {
    /// Requests answered without error.
    pub ok: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    /// From the first request sent to the last answer read.
    pub elapsed: Duration,
    /// Latencies of the answered requests, in microseconds, sorted.
    latencies_us: Vec<u32>,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    /// The latency at quantile `q` (0.5 for the median), in milliseconds.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let at = ((self.latencies_us.len() as f64 * q).ceil() as usize)
            .clamp(1, self.latencies_us.len())
            - 1;
        f64::from(self.latencies_us[at]) / 1000.0
    }

    /// All requests sent, answered or not.
    pub fn requests(&self) -> u64 {
        self.ok + self.errors
    }

    /// Rounds taken together: their requests over their summed durations.
    pub fn merge(rounds: Vec<Outcome>) -> Outcome {
        let mut all = Outcome::default();
        for round in rounds {
            all.ok += round.ok;
            all.errors += round.errors;
            all.first_error = all.first_error.or(round.first_error);
            all.elapsed += round.elapsed;
            all.latencies_us.extend(round.latencies_us);
        }
        all.latencies_us.sort_unstable();
        all
    }
}

/// Runs `load` for `duration`: every connection keeps sending until the time is up; the
/// requests in flight then are awaited and counted.
pub async fn run(load: &Load, duration: Duration) -> Outcome {
    let started = Instant::now();
    let deadline = started + duration;
    let tasks: Vec<_> = (0..load.connections)
        .map(|connection| tokio::spawn(connection_loop(load.clone(), connection, deadline)))
        .collect();
    let mut rounds = Vec::with_capacity(tasks.len());
    for task in tasks {
        rounds.push(task.await.expect("a load connection panicked"));
    }
    let mut outcome = Outcome::merge(rounds);
    outcome.elapsed = started.elapsed();
    outcome
}

async fn connection_loop(load: Load, connection: usize, deadline: Instant) -> Outcome {
    let mut outcome = Outcome::default();
    let mut sender: Option<SendRequest<Full<Bytes>>> = None;
    let host = HeaderValue::from_str(&load.addr.to_string()).unwrap();
    let mut n = 0;
    while Instant::now() < deadline {
        let open = match sender.as_mut() {
            Some(open) => open,
            None => match connect(load.addr).await {
                Ok(open) => sender.insert(open),
                Err(error) => {
                    outcome.error(format!("connect: {error}"));
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let mut request = Request::post(load.path)
            .header(header::HOST, host.clone())
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json");
        if let Some(authorization) = &load.authorization {
            request = request.header(header::AUTHORIZATION, authorization.clone());
        }
        let request = request.body(Full::new((load.body)(connection, n))).unwrap();
        n += 1;
        let sent = Instant::now();
        match exchange(open, request).await {
            Ok((status, body)) => {
                let micros = u32::try_from(sent.elapsed().as_micros()).unwrap_or(u32::MAX);
                if status == StatusCode::OK && !has_errors(&body) {
                    outcome.ok += 1;
                    outcome.latencies_us.push(micros);
                } else {
                    let shown = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
                    outcome.error(format!("HTTP {status}: {shown}"));
                }
            }
            Err(error) => {
                outcome.error(error);
                sender = None;
            }
        }
    }
    outcome
}

impl Outcome {
    fn error(&mut self, message: String) {
        self.errors += 1;
        self.first_error.get_or_insert(message);
    }
}

async fn connect(addr: SocketAddr) -> Result<SendRequest<Full<Bytes>>, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| e.to_string())?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .map_err(|e| e.to_string())?;
    tokio::spawn(connection);
    Ok(sender)
}

async fn exchange(
    sender: &mut SendRequest<Full<Bytes>>,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    sender.ready().await.map_err(|e| e.to_string())?;
    let response = sender
        .send_request(request)
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .to_bytes();
    Ok((status, body))
}

/// Whether a GraphQL answer carries errors. A byte search, not a parse: the generator must
/// cost the machine far less than the server it measures. No benchmark data holds the
/// string `"errors"`.
pub fn has_errors(body: &[u8]) -> bool {
    body.windows(8).any(|w| w == b"\"errors\"")
}

/// One request on a fresh connection, for setup and probes.
pub async fn send(
    addr: SocketAddr,
    request: Request<Full<Bytes>>,
) -> Result<(StatusCode, Bytes), String> {
    let mut sender = connect(addr).await?;
    exchange(&mut sender, request).await
}
