//! `jiedao receive-webhooks`: a receiver for trying webhooks out on one machine (the demo's
//! subscriptions point at it). It prints one line per delivery, checks Standard Webhooks
//! signatures against the secrets it is given (✓ or ✗), shows a WeCom robot message's
//! text, and answers like a WeCom robot (`{"errcode":0}`), which a Standard receiver may
//! answer too.

use std::net::SocketAddr;

use axum::{
    Router,
    body::Bytes,
    http::{HeaderMap, StatusCode},
    response::IntoResponse,
};
use chrono::Utc;
use serde_json::Value;
use tokio::sync::mpsc;

use super::{formats, wecom_text};

/// Signatures older or newer than this are refused (the Standard Webhooks tolerance).
const TOLERANCE_SECS: i64 = 5 * 60;

/// One line describing a delivery as it arrived.
pub fn describe(headers: &HeaderMap, body: &[u8], secrets: &[String]) -> String {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let json: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    if let Some(content) = json["markdown"]["content"].as_str() {
        return format!("WeCom robot  {}", content.replace('\n', "  "));
    }
    let (Some(id), Some(timestamp), Some(signature)) = (
        header("webhook-id"),
        header("webhook-timestamp"),
        header("webhook-signature"),
    ) else {
        return "✗ not a Standard Webhooks delivery (no webhook-id, -timestamp, -signature)".into();
    };
    let body_text = String::from_utf8_lossy(body);
    let fresh = timestamp
        .parse::<i64>()
        .is_ok_and(|t| (Utc::now().timestamp() - t).abs() <= TOLERANCE_SECS);
    let valid = fresh
        && secrets.iter().any(|secret| {
            formats::signature(
                secret,
                id,
                timestamp.parse().unwrap_or_default(),
                &body_text,
            )
            .is_some_and(|expected| signature.split(' ').any(|given| given == expected))
        });
    let mark = match (secrets.is_empty(), valid) {
        (true, _) => "? unchecked (no --secret)",
        (false, true) => "✓ signed",
        (false, false) => "✗ BAD SIGNATURE",
    };
    let event = json["type"].as_str().unwrap_or_default();
    let headline = wecom_text::markdown(event, &json["data"]);
    let headline = headline
        .lines()
        .next()
        .unwrap_or_default()
        .trim_matches('*');
    format!("{mark}  {event}  {id}  {headline}")
}

/// The receiver's routes: every POST is a delivery; each is described on `lines`.
pub fn router(secrets: Vec<String>, lines: mpsc::UnboundedSender<String>) -> Router {
    Router::new().fallback(move |headers: HeaderMap, body: Bytes| {
        let line = describe(&headers, &body, &secrets);
        // Nobody listening is fine: the answer is the same.
        let _ = lines.send(line);
        async {
            (
                StatusCode::OK,
                [("content-type", "application/json")],
                r#"{"errcode":0,"errmsg":"ok"}"#,
            )
                .into_response()
        }
    })
}

/// Listens on `listen` and prints each delivery until stopped.
pub async fn run(listen: SocketAddr, secrets: Vec<String>) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    println!(
        "receiving webhooks at http://{listen}/ (checking signatures with {} secret(s)); Ctrl-C stops",
        secrets.len()
    );
    tokio::spawn(async move {
        while let Some(line) = rx.recv().await {
            println!("{} {line}", Utc::now().format("%H:%M:%S"));
        }
    });
    axum::serve(listener, router(secrets, tx)).await
}
