//! A webhook receiver on 127.0.0.1 for the notification tests: it keeps every request it
//! gets (path, headers, body, when) and answers from a script: the next scripted replies
//! first, then its standing reply.

use std::{
    collections::VecDeque,
    net::SocketAddr,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Router,
    body::Bytes,
    extract::State,
    http::{HeaderMap, StatusCode, Uri, header},
    response::{IntoResponse, Response},
};
use chrono::{DateTime, Utc};
use serde_json::Value;

/// How the receiver answers one request.
#[derive(Clone, Copy, Debug)]
pub enum Reply {
    /// This status with a short text body.
    Status(u16),
    /// 200 with this JSON (a WeCom robot's `{"errcode":0,"errmsg":"ok"}`).
    Json(&'static str),
    /// 302 to this path on the same receiver.
    Redirect(&'static str),
    /// Never answers.
    Hang,
}

/// One request the receiver got.
#[derive(Clone, Debug)]
pub struct Seen {
    pub path: String,
    pub headers: HeaderMap,
    pub body: Bytes,
    pub at: DateTime<Utc>,
}

impl Seen {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap()
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .map_or("", |v| v.to_str().unwrap_or(""))
    }
}

struct Inner {
    script: VecDeque<Reply>,
    otherwise: Reply,
    seen: Vec<Seen>,
}

#[derive(Clone)]
pub struct Receiver {
    pub addr: SocketAddr,
    inner: Arc<Mutex<Inner>>,
}

impl Receiver {
    /// Starts a receiver that answers every request with `otherwise`.
    pub async fn start(otherwise: Reply) -> Self {
        let inner = Arc::new(Mutex::new(Inner {
            script: VecDeque::new(),
            otherwise,
            seen: Vec::new(),
        }));
        let router = Router::new().fallback(answer).with_state(inner.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
        Self { addr, inner }
    }

    /// `http://127.0.0.1:port/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The next requests get these replies, in order, before the standing one.
    pub fn script(&self, replies: impl IntoIterator<Item = Reply>) {
        self.inner.lock().unwrap().script.extend(replies);
    }

    /// From now on, requests past the script get `reply`.
    pub fn answer(&self, reply: Reply) {
        self.inner.lock().unwrap().otherwise = reply;
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.inner.lock().unwrap().seen.clone()
    }

    /// Waits (at most 20 s) until the receiver has got `n` requests; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Seen> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let seen = self.seen();
            if seen.len() >= n {
                return seen;
            }
            assert!(
                Instant::now() < deadline,
                "the receiver got {} requests, not {n}",
                seen.len()
            );
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }
}

async fn answer(
    State(inner): State<Arc<Mutex<Inner>>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let reply = {
        let mut inner = inner.lock().unwrap();
        inner.seen.push(Seen {
            path: uri.path().to_owned(),
            headers,
            body,
            at: Utc::now(),
        });
        let otherwise = inner.otherwise;
        inner.script.pop_front().unwrap_or(otherwise)
    };
    match reply {
        Reply::Status(code) => {
            let status = StatusCode::from_u16(code).unwrap();
            (status, format!("answered {code}")).into_response()
        }
        Reply::Json(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Reply::Redirect(path) => (StatusCode::FOUND, [(header::LOCATION, path)]).into_response(),
        Reply::Hang => std::future::pending().await,
    }
}
