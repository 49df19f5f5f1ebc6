//! What goes on the wire. `STANDARD` follows the Standard Webhooks conventions
//! (standardwebhooks.com): a JSON body `{type, timestamp, data}` and the headers
//! `webhook-id`, `webhook-timestamp` and `webhook-signature`, an HMAC-SHA256 over
//! `id.timestamp.body` keyed by the base64 part of a `whsec_` secret. `WECOM_ROBOT` is the
//! body a WeChat Work group robot takes: `{"msgtype":"markdown","markdown":{"content":…}}`.

use base64::{Engine, engine::general_purpose::STANDARD as BASE64};
use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, Mac};
use rand::RngCore;
use serde_json::{Value, json};
use sha2::Sha256;

/// The WeCom robot API refuses markdown longer than 4096 bytes.
const WECOM_MAX_BYTES: usize = 4096;

#[derive(async_graphql::Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "WebhookFormat")]
pub enum Format {
    /// JSON with Standard Webhooks signatures, for programs.
    Standard,
    /// A WeChat Work (企业微信) group robot's markdown message, in Chinese, for people.
    WecomRobot,
}

impl Format {
    pub fn stored(self) -> &'static str {
        match self {
            Self::Standard => "standard",
            Self::WecomRobot => "wecom_robot",
        }
    }

    pub fn parse(stored: &str) -> Self {
        if stored == "wecom_robot" {
            Self::WecomRobot
        } else {
            Self::Standard
        }
    }
}

/// A new signing secret: `whsec_` and the base64 of 24 random bytes.
pub fn new_secret() -> String {
    let mut key = [0u8; 24];
    rand::rng().fill_bytes(&mut key);
    format!("whsec_{}", BASE64.encode(key))
}

/// The `webhook-signature` value for one secret: `v1,<base64 HMAC-SHA256>`.
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &str) -> Option<String> {
    let key = BASE64
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .ok()?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).ok()?;
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    Some(format!("v1,{}", BASE64.encode(mac.finalize().into_bytes())))
}

/// The Standard Webhooks body of an event.
pub fn standard_body(event_type: &str, occurred_at: DateTime<Utc>, data: &Value) -> String {
    json!({
        "type": event_type,
        "timestamp": occurred_at.to_rfc3339_opts(SecondsFormat::Millis, true),
        "data": data,
    })
    .to_string()
}

/// A WeCom robot message with the given markdown, cut to what the robot accepts.
pub fn wecom_body(markdown: &str) -> String {
    let mut content = markdown.to_owned();
    if content.len() > WECOM_MAX_BYTES {
        let mut end = WECOM_MAX_BYTES - "…".len();
        while !content.is_char_boundary(end) {
            end -= 1;
        }
        content.truncate(end);
        content.push('…');
    }
    json!({"msgtype": "markdown", "markdown": {"content": content}}).to_string()
}

/// Whether a WeCom robot's answer says it took the message (`errcode` 0; it answers 200
/// with an error code when it does not).
pub fn wecom_accepted(answer: &[u8]) -> bool {
    serde_json::from_slice::<Value>(answer)
        .ok()
        .and_then(|v| v["errcode"].as_i64())
        == Some(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The example from the Standard Webhooks specification's test vectors.
    #[test]
    fn signs_like_the_reference_implementation() {
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
        let body = r#"{"test": 2432232314}"#;
        assert_eq!(
            signature(secret, id, 1614265330, body).unwrap(),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn long_wecom_messages_are_cut_on_a_character() {
        let body = wecom_body(&"路灯".repeat(2000));
        let v: Value = serde_json::from_str(&body).unwrap();
        let content = v["markdown"]["content"].as_str().unwrap();
        assert!(content.len() <= WECOM_MAX_BYTES && content.ends_with('…'));
    }
}
