//! GraphiQL's page and its assets, embedded at build time (only when build.rs fetched
//! them: `cfg(graphiql_assets)`).

use axum::Router;
use axum::extract::Path;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// Content-Security-Policy of the GraphiQL page.
///
/// Scripts only from this origin (`init.js` replaces an inline bootstrap
/// script; no `'unsafe-eval'`, the bundles do not use `eval`/`Function`).
/// Styles from this origin plus `'unsafe-inline'`, because GraphiQL and its
/// UI libraries insert `<style>` elements at run time. The stylesheet embeds
/// its fonts and icons as `data:` URLs. Requests (the fetcher) only to this
/// origin. No other host is allowed anywhere.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; \
     script-src 'self'; \
     style-src 'self' 'unsafe-inline'; \
     img-src 'self' data:; \
     font-src 'self' data:; \
     connect-src 'self'; \
     base-uri 'none'; \
     form-action 'none'; \
     frame-ancestors 'none'";

const ASSET_CACHE_CONTROL: &str = "public, max-age=86400";
const JS: &str = "text/javascript; charset=utf-8";
const CSS: &str = "text/css; charset=utf-8";

const REACT_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/react.js"));
const REACT_DOM_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/react-dom.js"));
const GRAPHIQL_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/graphiql.js"));
const GRAPHIQL_CSS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/graphiql.css"));

/// Bootstrap script, served as a file so that `script-src 'self'` suffices.
const INIT_JS: &str = r#"(function () {
  'use strict';
  var root = document.getElementById('graphiql');
  var url = root.getAttribute('data-endpoint') || '/graphql';
  document.documentElement.style.height = '100%';
  document.body.style.height = '100%';
  document.body.style.margin = '0';
  root.style.height = '100vh';
  root.textContent = '';
  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher: GraphiQL.createFetcher({ url: url }),
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false
    })
  );
})();
"#;

/// The GraphiQL page, querying the GraphQL endpoint at `endpoint` (a path on
/// this origin, e.g. `/graphql`; other origins are refused by the CSP).
pub fn page(endpoint: &str) -> Response {
    let html = format!(
        r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>jiedao GraphiQL</title>
<link rel="stylesheet" href="/graphiql/graphiql.css">
</head>
<body>
<div id="graphiql" data-endpoint="{endpoint}">Loading GraphiQL…</div>
<noscript>GraphiQL needs JavaScript.</noscript>
<script src="/graphiql/react.js"></script>
<script src="/graphiql/react-dom.js"></script>
<script src="/graphiql/graphiql.js"></script>
<script src="/graphiql/init.js"></script>
</body>
</html>
"#,
        endpoint = super::escape_html(endpoint),
    );
    super::html_page(html, CONTENT_SECURITY_POLICY)
}

/// `GET /graphiql/{asset}` for the page's scripts and stylesheet.
pub fn routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    Router::new().route("/graphiql/{asset}", get(asset))
}

async fn asset(Path(name): Path<String>) -> Response {
    let Some((content_type, body)) = lookup(&name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (
                header::CACHE_CONTROL,
                HeaderValue::from_static(ASSET_CACHE_CONTROL),
            ),
            (
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ),
        ],
        body,
    )
        .into_response()
}

fn lookup(name: &str) -> Option<(&'static str, &'static [u8])> {
    match name {
        "react.js" => Some((JS, REACT_JS)),
        "react-dom.js" => Some((JS, REACT_DOM_JS)),
        "graphiql.js" => Some((JS, GRAPHIQL_JS)),
        "graphiql.css" => Some((CSS, GRAPHIQL_CSS)),
        "init.js" => Some((JS, INIT_JS.as_bytes())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    const ASSETS: [(&str, &str); 5] = [
        ("react.js", JS),
        ("react-dom.js", JS),
        ("graphiql.js", JS),
        ("graphiql.css", CSS),
        ("init.js", JS),
    ];

    async fn body_bytes(response: Response) -> Vec<u8> {
        response
            .into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec()
    }

    async fn get_path(path: &str) -> Response {
        routes::<()>()
            .oneshot(Request::get(path).body(Body::empty()).unwrap())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn page_loads_local_assets_only() {
        let response = page("/graphql");
        assert_eq!(response.status(), StatusCode::OK);
        let headers = response.headers().clone();
        assert_eq!(headers[header::CONTENT_TYPE], "text/html; charset=utf-8");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe-eval"), "{csp}");
        assert!(!csp.contains("http"), "{csp}");
        assert!(!csp.contains('*'), "{csp}");

        let html = String::from_utf8(body_bytes(response).await).unwrap();
        for (name, _) in ASSETS {
            assert!(html.contains(&format!("\"/graphiql/{name}\"")), "{name}");
        }
        assert!(html.contains(r#"data-endpoint="/graphql""#));
        assert!(!html.contains("http://"));
        assert!(!html.contains("https://"));
        // The only scripts are the served files: the CSP forbids inline ones.
        assert_eq!(html.matches("<script").count(), 4);
        assert_eq!(html.matches("<script src=").count(), 4);
    }

    #[tokio::test]
    async fn page_escapes_endpoint() {
        let response = page(r#"/x"><script>alert(1)</script>"#);
        let html = String::from_utf8(body_bytes(response).await).unwrap();
        assert!(
            html.contains(r#"data-endpoint="/x&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;""#)
        );
        assert_eq!(html.matches("<script").count(), 4);
    }

    #[tokio::test]
    async fn assets_are_served() {
        for (name, content_type) in ASSETS {
            let response = get_path(&format!("/graphiql/{name}")).await;
            assert_eq!(response.status(), StatusCode::OK, "{name}");
            let headers = response.headers().clone();
            assert_eq!(headers[header::CONTENT_TYPE], content_type, "{name}");
            assert_eq!(
                headers[header::CACHE_CONTROL],
                "public, max-age=86400",
                "{name}"
            );
            let body = body_bytes(response).await;
            assert!(!body.is_empty(), "{name}");
        }
    }

    #[tokio::test]
    async fn assets_have_expected_content() {
        let react = body_bytes(get_path("/graphiql/react.js").await).await;
        assert!(String::from_utf8_lossy(&react).contains("React"));
        let graphiql = body_bytes(get_path("/graphiql/graphiql.js").await).await;
        let graphiql = String::from_utf8_lossy(&graphiql);
        assert!(graphiql.contains("createFetcher"));
        assert!(!graphiql.contains("sourceMappingURL"));
        let css = body_bytes(get_path("/graphiql/graphiql.css").await).await;
        let css = String::from_utf8_lossy(&css);
        assert!(css.contains(".graphiql-container"));
        assert!(!css.contains("@import"));
        // Every url(...) in the stylesheet is inline data, never a fetch.
        for (i, _) in css.match_indices("url(") {
            let rest = css[i + 4..].trim_start_matches(['"', '\'']);
            assert!(rest.starts_with("data:"), "{}", &css[i..i + 40]);
        }
    }

    #[tokio::test]
    async fn unknown_asset_is_not_found() {
        for path in [
            "/graphiql/nope.js",
            "/graphiql/graphiql.min.js",
            "/graphiql/index.umd.js.map",
            "/graphiql/..%2Fbuild.rs",
        ] {
            let response = get_path(path).await;
            assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        }
    }
}
