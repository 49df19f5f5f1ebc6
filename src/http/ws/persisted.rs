//! Persisted documents on `/graphql/ws`: a `subscribe` message goes through the same
//! resolution as an HTTP request (a hash alone is looked up; with trusted documents, only
//! registered documents run), so the WebSocket is no way around the trusted list.

use serde_json::Value;

use super::Closing;
use crate::graphql::persisted::Documents;

/// The message to hand the protocol handler (the text filled in when the client sent a
/// hash alone), or why to close the connection: the protocol has no per-operation refusal
/// before `subscribe` is accepted, and a client sending unregistered documents is broken.
pub(super) fn vet(documents: &Documents, bytes: Vec<u8>) -> Result<Vec<u8>, Closing> {
    let Ok(mut message) = serde_json::from_slice::<Value>(&bytes) else {
        return Ok(bytes);
    };
    if message.get("type").and_then(Value::as_str) != Some("subscribe") {
        return Ok(bytes);
    }
    let Some(payload) = message.get_mut("payload") else {
        return Ok(bytes);
    };
    let Ok(mut request) = serde_json::from_value::<async_graphql::Request>(payload.clone()) else {
        // The protocol handler answers a malformed payload itself.
        return Ok(bytes);
    };
    let sent = request.query.clone();
    match documents.resolve(&mut request) {
        Ok(registration) => {
            if let Some(registration) = registration {
                documents.register(registration);
            }
        }
        Err(refusal) => return Err((4400, refusal.code())),
    }
    if request.query == sent {
        return Ok(bytes);
    }
    payload["query"] = Value::String(request.query);
    Ok(serde_json::to_vec(&message).unwrap_or(bytes))
}
