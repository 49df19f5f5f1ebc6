//! The addresses of public pages (share links, QR codes, the keys): `JIEDAO_PUBLIC_URL` when set (what residents open, behind
//! the proxy), otherwise the address the request came to, so a server on a laptop or a LAN
//! still hands out links that open.

use axum::http::{HeaderMap, header};

use super::Config;

/// The origin (and path prefix) links start with, no trailing slash.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicBase(pub String);

impl PublicBase {
    pub fn of_request(config: &Config, headers: &HeaderMap) -> Self {
        if let Some(url) = &config.public_url {
            return Self(url.clone());
        }
        // A Host made only of host-name characters: it goes into pages and QR codes.
        let host = headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .filter(|h| {
                !h.is_empty()
                    && h.len() <= 255
                    && h.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
            })
            .map_or_else(|| config.listen.to_string(), str::to_owned);
        let https = config.trust_forwarded_for
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Self(format!("{}://{host}", if https { "https" } else { "http" }))
    }

    /// The short link of a published statement.
    pub fn statement(&self, token: &str) -> String {
        format!("{}/s/{token}", self.0)
    }

    /// The short link of a resolution on notice.
    pub fn resolution(&self, token: &str) -> String {
        format!("{}/r/{token}", self.0)
    }

    /// Where the deployment lists its public signing keys.
    pub fn keys(&self) -> String {
        format!("{}{KEYS_PATH}", self.0)
    }
}

pub const KEYS_PATH: &str = "/.well-known/jiedao-signing-keys.json";
