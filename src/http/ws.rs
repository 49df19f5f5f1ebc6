//! `/graphql/ws`: GraphQL subscriptions over the graphql-transport-ws protocol.
//!
//! The access token comes in `connection_init` (`{"accessToken": "…"}`, or
//! `{"Authorization": "Bearer …"}` as many clients send it), never in the URL, where it
//! would end up in proxy logs. The server closes the connection with 4401 when the token
//! expires (refresh it and reconnect) and with 4403 when the login may no longer listen: a
//! bad token, the session ended, or a role it connected with revoked or ended. A
//! `subscribe` naming a document the server will not run (trusted documents) closes it
//! with 4400 and the refusal's code as the reason.
//!
//! Error messages come in the language of the upgrade request's `Accept-Language` header,
//! or of a `locale` (or `acceptLanguage`) field in the `connection_init` payload, which wins
//! (`"zh-CN"`; for clients that cannot set headers). Close reasons stay English: clients
//! act on the close code.

mod persisted;

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_graphql::{
    Data,
    http::{WebSocketProtocols, WsMessage},
};
use axum::{
    extract::{
        State,
        ws::{
            CloseFrame, Message, Utf8Bytes, WebSocket, WebSocketUpgrade,
            rejection::WebSocketUpgradeRejection,
        },
    },
    http::{HeaderMap, StatusCode, header},
    response::Response,
};
use chrono::{DateTime, Utc};
use futures::{SinkExt, Stream, StreamExt, stream::SplitSink};
use serde::Deserialize;
use tokio::sync::broadcast::{Receiver, error::RecvError};

use crate::{
    app::AppState,
    auth::{Viewer, token::TokenRejected},
    error::{AppError, Locale, msg},
    graphql::{
        Caller, RequestMeta, loader::new_request_loader, localize::Localized, persisted::Documents,
    },
    http::{client_addr, refuse, request_id},
    live::LiveEvent,
};

pub const SUBPROTOCOL: &str = "graphql-transport-ws";
/// How long a client has to send `connection_init` (the protocol's 4408 otherwise).
const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// How often an open connection checks its login again even without an event: events
/// are not guaranteed (a lost `LISTEN` connection, a role ending on its own date).
const RECHECK: Duration = Duration::from_secs(60);
/// WebSocket pings keep proxies from closing quiet connections and find dead clients.
const PING: Duration = Duration::from_secs(30);
/// Subscriptions one connection may run at once.
const MAX_OPERATIONS: usize = 20;

type Closing = (u16, &'static str);

pub async fn upgrade(
    State(state): State<AppState>,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let locale = Locale::of_headers(&headers);
    let Ok(ws) = ws else {
        return refuse(
            &state,
            locale,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            msg!("open a WebSocket here, with the graphql-transport-ws subprotocol"),
        );
    };
    let offered = headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == SUBPROTOCOL);
    if !offered {
        return refuse(
            &state,
            locale,
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            msg!("use the graphql-transport-ws subprotocol"),
        );
    }
    let meta = Arc::new(RequestMeta::new(
        request_id(&headers),
        client_addr(&state, &headers, &extensions),
    ));
    ws.protocols([SUBPROTOCOL])
        .max_message_size(state.services.config.max_body_bytes)
        .on_upgrade(move |socket| serve(state, socket, meta, locale))
}

/// The `connection_init` message; the token may come under either name.
#[derive(Deserialize)]
struct Init {
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    payload: Option<InitPayload>,
}

#[derive(Deserialize, Default)]
struct InitPayload {
    #[serde(rename = "accessToken")]
    access_token: Option<String>,
    #[serde(rename = "Authorization", alias = "authorization")]
    authorization: Option<String>,
    /// The language of error messages, as an `Accept-Language` value.
    #[serde(alias = "acceptLanguage")]
    locale: Option<String>,
}

impl InitPayload {
    fn token(&self) -> Option<&str> {
        self.access_token
            .as_deref()
            .or_else(|| {
                let value = self.authorization.as_deref()?;
                value
                    .strip_prefix("Bearer ")
                    .or_else(|| value.strip_prefix("bearer "))
            })
            .map(str::trim)
    }
}

/// A logged-in connection: who, until when, with which grants.
struct Login {
    viewer: Viewer,
    token_expires: DateTime<Utc>,
    /// The payload's language, if it names one.
    locale: Option<Locale>,
}

async fn serve(state: AppState, socket: WebSocket, meta: Arc<RequestMeta>, locale: Locale) {
    let (mut sink, mut incoming) = socket.split();
    let first = match tokio::time::timeout(INIT_TIMEOUT, next_payload(&mut incoming)).await {
        Err(_) => {
            return close(&mut sink, (4408, "Connection initialisation timeout")).await;
        }
        Ok(None) => return,
        Ok(Some(bytes)) => bytes,
    };
    let login = match log_in(&state, &first).await {
        Ok(login) => login,
        Err(closing) => return close(&mut sink, closing).await,
    };
    // Listen before acknowledging, so nothing that happens after the ack is missed.
    let events = match state.services.live.subscribe().await {
        Ok(events) => events,
        Err(err) => {
            tracing::error!(error = %err, "subscribing to live events failed");
            return close(&mut sink, (1011, "internal error")).await;
        }
    };
    let caller = Caller::User(std::sync::Arc::new(login.viewer.clone()));
    // The connection's reads in its caller's scope, each in a transaction of its own.
    let services = state.services.scoped_per_statement(caller.scope());
    let loader = new_request_loader(services.db.clone());
    // One loader serves the whole connection: caching would serve stale rows later.
    loader.enable_all_cache(false);
    let mut data = Data::default();
    data.insert(caller);
    data.insert(services);
    data.insert(meta);
    data.insert(loader);
    // The protocol handler sees the init message again and acknowledges it.
    let operations = Arc::new(Operations::default());
    let broken = Arc::new(Mutex::new(None));
    let messages = futures::stream::once(async move { first }).chain(payloads(
        incoming,
        operations.clone(),
        broken.clone(),
        state.documents.clone(),
    ));
    let schema = Localized {
        executor: state.schema.clone(),
        locale: login.locale.unwrap_or(locale),
    };
    let protocol =
        async_graphql::http::WebSocket::new(schema, messages, WebSocketProtocols::GraphQLWS)
            .connection_data(data);
    tokio::pin!(protocol);
    let watchdog = watch(&state, &login, events);
    tokio::pin!(watchdog);
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + PING, PING);
    loop {
        tokio::select! {
            message = protocol.next() => match message {
                Some(WsMessage::Text(text)) => {
                    operations.server_sent(&text);
                    if sink.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Some(WsMessage::Close(code, reason)) => {
                    let _ = sink.send(close_frame(code, reason)).await;
                    return;
                }
                None => {
                    let closing = broken.lock().unwrap_or_else(|e| e.into_inner()).take();
                    return close(&mut sink, closing.unwrap_or((1000, ""))).await;
                }
            },
            closing = &mut watchdog => return close(&mut sink, closing).await,
            _ = ping.tick() => {
                if sink.send(Message::Ping(Default::default())).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// Checks the `connection_init` message and the token in it.
async fn log_in(state: &AppState, first: &[u8]) -> Result<Login, Closing> {
    let init: Init =
        serde_json::from_slice(first).map_err(|_| (4400, "not a graphql-transport-ws message"))?;
    if init.kind != "connection_init" {
        // The protocol's answer to anything before the handshake.
        return Err((4401, "Unauthorized"));
    }
    let payload = init.payload.unwrap_or_default();
    let token = payload
        .token()
        .ok_or((4403, "send accessToken in the connection_init payload"))?;
    let claims = match state.services.tokens.decode(token) {
        Ok(claims) => claims,
        Err(TokenRejected::Expired) => return Err((4401, "the access token has expired")),
        Err(TokenRejected::Invalid) => return Err((4403, "the access token is not valid")),
    };
    let viewer = match Viewer::load(
        state.services.db.reader(),
        claims.sub,
        claims.sid,
        Utc::now(),
    )
    .await
    {
        Ok(viewer) => viewer,
        Err(AppError::Unauthenticated(_)) => {
            return Err((4403, "the session has ended; log in again"));
        }
        Err(err) => {
            tracing::error!(error = ?err, "loading a live caller failed");
            return Err((1011, "internal error"));
        }
    };
    if viewer.must_change_password {
        return Err((4403, "change the password first"));
    }
    let token_expires = DateTime::from_timestamp(claims.exp, 0).unwrap_or_else(Utc::now);
    Ok(Login {
        viewer,
        token_expires,
        locale: payload.locale.as_deref().map(Locale::from_accept_language),
    })
}

/// Resolves when the connection must close: the token expired, or the login lost the
/// session or a role it connected with. Checks on each access event for the user, on a
/// role's end date, and every [`RECHECK`].
async fn watch(state: &AppState, login: &Login, mut events: Receiver<LiveEvent>) -> Closing {
    let user = login.viewer.user_id;
    let granted: HashSet<_> = login.viewer.grants.iter().map(|g| g.id).collect();
    let until = |at: DateTime<Utc>| (at - Utc::now()).to_std().unwrap_or_default();
    let first_grant_end = login
        .viewer
        .grants
        .iter()
        .filter_map(|g| g.valid_until)
        .min();
    let mut recheck = tokio::time::interval_at(tokio::time::Instant::now() + RECHECK, RECHECK);
    loop {
        tokio::select! {
            _ = tokio::time::sleep(until(login.token_expires)) => {
                return (4401, "the access token has expired");
            }
            _ = tokio::time::sleep(until(first_grant_end.unwrap_or(login.token_expires))) => {}
            event = events.recv() => match event {
                Ok(LiveEvent::AccessChanged { user_id }) if user_id == user => {}
                Ok(LiveEvent::Resync) | Err(RecvError::Lagged(_)) => {}
                Ok(_) => continue,
                Err(RecvError::Closed) => return (1001, "the server is going away"),
            },
            _ = recheck.tick() => {}
        }
        let reader = state.services.db.reader();
        match Viewer::load(reader, user, login.viewer.session_id, Utc::now()).await {
            Ok(now) => {
                let kept: HashSet<_> = now.grants.iter().map(|g| g.id).collect();
                if !granted.is_subset(&kept) {
                    return (
                        4403,
                        "a role of this login was revoked or has ended; reconnect",
                    );
                }
            }
            Err(AppError::Unauthenticated(_)) => {
                return (4403, "the session has ended; log in again");
            }
            Err(err) => tracing::warn!(error = ?err, "checking a live caller again failed"),
        }
    }
}

/// The next text or binary message's bytes; `None` once the client closes or vanishes.
async fn next_payload<S>(incoming: &mut S) -> Option<Vec<u8>>
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    while let Some(Ok(message)) = incoming.next().await {
        match message {
            Message::Text(text) => return Some(text.as_bytes().to_vec()),
            Message::Binary(bytes) => return Some(bytes.to_vec()),
            Message::Close(_) => return None,
            Message::Ping(_) | Message::Pong(_) => {}
        }
    }
    None
}

/// The ids of a connection's running operations, kept to enforce the protocol's unique
/// ids (4409) and a bound on how many one connection runs.
#[derive(Default)]
struct Operations(Mutex<HashSet<String>>);

/// The `type` and `id` of a protocol message.
#[derive(Deserialize)]
struct Envelope {
    #[serde(rename = "type")]
    kind: String,
    id: Option<String>,
}

impl Operations {
    /// Notes a client message; the reason to close if it breaks the rules.
    fn client_sent(&self, payload: &[u8]) -> Option<Closing> {
        let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_slice(payload) else {
            return None;
        };
        let mut running = self.0.lock().unwrap_or_else(|e| e.into_inner());
        match kind.as_str() {
            "subscribe" if running.contains(&id) => {
                Some((4409, "Subscriber for this id already exists"))
            }
            "subscribe" if running.len() >= MAX_OPERATIONS => {
                Some((4429, "at most 20 subscriptions on one connection"))
            }
            "subscribe" => {
                running.insert(id);
                None
            }
            "complete" => {
                running.remove(&id);
                None
            }
            _ => None,
        }
    }

    /// Notes a server message: an operation that completed or failed has ended.
    fn server_sent(&self, text: &str) {
        if let Ok(Envelope { kind, id: Some(id) }) = serde_json::from_str(text)
            && matches!(kind.as_str(), "complete" | "error")
        {
            self.0.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
        }
    }
}

/// The client's messages for the protocol handler; ends at the first one that breaks the
/// rules, leaving the reason in `broken`.
fn payloads<S>(
    incoming: S,
    operations: Arc<Operations>,
    broken: Arc<Mutex<Option<Closing>>>,
    documents: Arc<Documents>,
) -> impl Stream<Item = Vec<u8>>
where
    S: Stream<Item = Result<Message, axum::Error>> + Unpin,
{
    futures::stream::unfold(incoming, move |mut incoming| {
        let (operations, broken, documents) =
            (operations.clone(), broken.clone(), documents.clone());
        async move {
            let bytes = next_payload(&mut incoming).await?;
            let vetted = match operations.client_sent(&bytes) {
                Some(closing) => Err(closing),
                None => persisted::vet(&documents, bytes),
            };
            match vetted {
                Ok(bytes) => Some((bytes, incoming)),
                Err(closing) => {
                    *broken.lock().unwrap_or_else(|e| e.into_inner()) = Some(closing);
                    None
                }
            }
        }
    })
}

fn close_frame(code: u16, reason: impl Into<Utf8Bytes>) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.into(),
    }))
}

async fn close(sink: &mut SplitSink<WebSocket, Message>, (code, reason): Closing) {
    let _ = sink.send(close_frame(code, reason)).await;
    let _ = sink.close().await;
}
