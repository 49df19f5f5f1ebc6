//! Where a webhook may point (SSRF): `https` (plain `http` only when configured), no user
//! or password in the URL, and every address the host resolves to must be public unless
//! private destinations are allowed. The check runs at delivery time inside the HTTP
//! client's own resolver, so the address checked is the address connected to (a name that
//! changes its answer between a check and the connection gains nothing).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

use crate::{
    config::WebhookConfig,
    error::{Msg, msg},
};

/// The longest URL accepted (WeCom robot URLs are about 110 characters).
const MAX_URL_LEN: usize = 2000;

/// A URL fit to store: the scheme and host pass the rules above (its addresses are checked
/// again at each delivery).
pub fn check_url(text: &str, config: &WebhookConfig) -> Result<Url, Msg> {
    let text = text.trim();
    if text.len() > MAX_URL_LEN {
        return Err(msg!(
            "the URL is longer than {max} characters",
            max = MAX_URL_LEN
        ));
    }
    let url = Url::parse(text).map_err(|_| msg!("not a URL"))?;
    match url.scheme() {
        "https" => {}
        "http" if config.allow_http => {}
        "http" => return Err(msg!("the URL must start with https://")),
        _ => return Err(msg!("the URL must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(msg!("the URL must not carry a user name or password"));
    }
    match url.host() {
        None => return Err(msg!("the URL has no host")),
        Some(url::Host::Ipv4(ip)) => check_literal(IpAddr::V4(ip), config)?,
        Some(url::Host::Ipv6(ip)) => check_literal(IpAddr::V6(ip), config)?,
        Some(url::Host::Domain(name)) => {
            if !config.allow_private && is_local_name(name) {
                return Err(msg!("the URL points to a private or local address"));
            }
        }
    }
    Ok(url)
}

fn check_literal(ip: IpAddr, config: &WebhookConfig) -> Result<(), Msg> {
    if config.allow_private || is_public(ip) {
        Ok(())
    } else {
        Err(msg!("the URL points to a private or local address"))
    }
}

fn is_local_name(name: &str) -> bool {
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost" || name.ends_with(".localhost") || name.ends_with(".local")
}

/// The URL as staff see it later: scheme, host, port and path, with query values hidden
/// (a WeCom robot's `key` is a secret).
pub fn label(url: &Url) -> String {
    let mut shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
    if let Some(port) = url.port() {
        shown.push_str(&format!(":{port}"));
    }
    shown.push_str(url.path());
    let keys: Vec<String> = url.query_pairs().map(|(k, _)| format!("{k}=…")).collect();
    if !keys.is_empty() {
        shown.push('?');
        shown.push_str(&keys.join("&"));
    }
    shown
}

/// Whether an address is on the public internet: not loopback, private (RFC 1918, unique
/// local), link-local (cloud metadata lives there), shared (CGNAT), documentation,
/// benchmarking, multicast, broadcast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public_v4(v4);
            }
            let s = v6.segments();
            // NAT64 (64:ff9b::/96) reaches the IPv4 address it embeds.
            if s[0..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
                let [a, b] = s[6].to_be_bytes();
                let [c, d] = s[7].to_be_bytes();
                return is_public_v4(Ipv4Addr::new(a, b, c, d));
            }
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local
                || (s[0] & 0xffc0) == 0xfe80 // link-local
                || (s[0] & 0xffc0) == 0xfec0 // site-local (deprecated)
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || v6 == Ipv6Addr::from(1u128)) // ::1, in case
        }
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_unspecified()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (18..20).contains(&b)) // benchmarking
        || a >= 240) // reserved
}

/// The delivery client's resolver: refuses a name if any address it resolves to is not
/// public (unless private destinations are allowed).
pub struct GuardedResolver {
    pub allow_private: bool,
}

/// The error a refused destination surfaces as, found again in the client's error chain.
#[derive(Debug, thiserror::Error)]
#[error("{0} resolves to a private or local address")]
pub struct Refused(pub String);

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        let allow_private = self.allow_private;
        Box::pin(async move {
            let found: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            if !allow_private && found.iter().any(|a| !is_public(a.ip())) {
                return Err(Box::new(Refused(host)) as Box<dyn std::error::Error + Send + Sync>);
            }
            let addrs: Addrs = Box::new(found.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client every delivery uses: the guarded resolver, no proxy from the
/// environment (a proxy would resolve names past the guard), no redirects, the
/// configured timeout.
pub fn client(config: &WebhookConfig) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver {
            allow_private: config.allow_private,
        }))
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(config.timeout)
        .connect_timeout(config.timeout)
        .user_agent(concat!("jiedao-webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Whether a URL about to be called is still allowed: a literal address is not resolved,
/// so the guard must see it here.
pub fn check_before_send(url: &Url, config: &WebhookConfig) -> Result<(), Msg> {
    check_url(url.as_str(), config).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_not_public() {
        for ip in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "64:ff9b::a9fe:a9fe",
        ] {
            assert!(!is_public(ip.parse().unwrap()), "{ip} counted as public");
        }
        for ip in ["1.1.1.1", "101.226.1.1", "2400:3200::1"] {
            assert!(is_public(ip.parse().unwrap()), "{ip} counted as private");
        }
    }

    #[test]
    fn labels_hide_query_values() {
        let url =
            Url::parse("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6").unwrap();
        assert_eq!(
            label(&url),
            "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"
        );
    }
}
