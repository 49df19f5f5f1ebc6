//! GraphiQL, served by jiedao itself.
//!
//! The JavaScript and CSS come from the npm registry at build time (see
//! `build.rs` and `graphiql/package-lock.json`) and are embedded in the binary,
//! so the page works where CDNs are blocked: nothing is loaded from any other
//! host at run time. A binary built without them (the `graphiql` feature off, or
//! no npm at build time) answers with a page that says how to get GraphiQL.

#[cfg(graphiql_assets)]
mod assets;

#[cfg(graphiql_assets)]
pub use assets::{page, routes};
#[cfg(not(graphiql_assets))]
pub use missing::{page, routes};

/// Whether GraphiQL is built into this binary.
pub const BUILT_IN: bool = cfg!(graphiql_assets);

/// A page of ours, with the headers every one gets: its own CSP, no sniffing, no referrer,
/// revalidated on each visit (a new binary may serve other assets).
fn html_page(html: String, content_security_policy: &'static str) -> axum::response::Response {
    use axum::{http::header, response::IntoResponse};
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, content_security_policy),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::REFERRER_POLICY, "no-referrer"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        html,
    )
        .into_response()
}

/// Escapes text for an HTML attribute or element.
fn escape_html(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// What a binary without the assets serves instead.
#[cfg(not(graphiql_assets))]
mod missing {
    use axum::Router;
    use axum::response::Response;

    /// Nothing but this page's own inline style: no script, no other request.
    const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; style-src 'unsafe-inline'; \
         base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// No asset routes: `/graphiql/*` is 404.
    pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
        Router::new()
    }

    /// The page that says GraphiQL is missing and how to get it.
    pub fn page(endpoint: &str) -> Response {
        let endpoint = super::escape_html(endpoint);
        let html = format!(
            r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>jiedao GraphQL API</title>
<style>body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 42em; margin: 2em auto; padding: 0 1em; }} code, pre {{ background: #f3f3f3; padding: 0 .2em; }}</style>
</head>
<body>
<h1>GraphiQL was not built into this binary</h1>
<p>This is the jiedao GraphQL API at <code>{endpoint}</code>; it works. The GraphiQL page is
left out because this binary was built without its assets: either with
<code>--no-default-features</code>, or without Node.js and npm (or without access to the npm
registry) at build time.</p>
<h2>To get GraphiQL</h2>
<p>Install Node.js and npm (npm 7 or later) where you build jiedao, make sure the npm registry
(or a mirror set in <code>.npmrc</code>) is reachable, then rebuild:</p>
<pre>cargo clean -p jiedao &amp;&amp; cargo build --release</pre>
<h2>Meanwhile</h2>
<p>Use any GraphQL client (Altair, Insomnia, Postman, Apollo Sandbox, curl, …) against this URL:
<code>POST {endpoint}</code> with <code>Content-Type: application/json</code> and a body such as
<code>{{"query": "{{ __typename }}"}}</code>, or <code>GET {endpoint}?query=…</code> for queries.</p>
</body>
</html>
"#
        );
        super::html_page(html, CONTENT_SECURITY_POLICY)
    }
}
