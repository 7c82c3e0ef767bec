//! Security headers on every response, and a Content-Security-Policy without
//! `unsafe-inline`: any inline script in the built `index.html` (Trunk's loader) is
//! allowed by its SHA-256 hash, computed once at start-up.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::Engine;
use sha2::{Digest, Sha256};

#[derive(Clone)]
pub struct Headers {
    csp: HeaderValue,
}

impl Headers {
    /// Builds the policy for the app in `static_dir`.
    pub fn for_static_dir(static_dir: &Path) -> Self {
        let html = std::fs::read_to_string(static_dir.join("index.html")).unwrap_or_default();
        let hashes: String =
            inline_scripts(&html).map(|s| format!(" 'sha256-{}'", sha256_b64(s))).collect();
        let csp = format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'{hashes}; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'self'"
        );
        Self {
            csp: HeaderValue::from_str(&csp)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
        }
    }
}

fn sha256_b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(Sha256::digest(s.as_bytes()))
}

/// The bodies of `<script>` elements that have no `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attrs, after) = rest.split_once('>')?;
        let (body, _) = after.split_once("</script>")?;
        (!attrs.contains("src=") && !body.trim().is_empty()).then_some(body)
    })
}

pub async fn middleware(State(h): State<Arc<Headers>>, req: Request, next: Next) -> Response {
    let api = req.uri().path().starts_with("/v1/");
    let sso = req.uri().path().starts_with("/v1/sso/");
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    // A page with a policy of its own (the API documentation) keeps it.
    headers.entry(header::CONTENT_SECURITY_POLICY).or_insert_with(|| h.csp.clone());
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    // Windows this page opens keep their opener (the embedded app's sign-in at the
    // organization's provider: src/sso.rs), as long as they show pages without a policy
    // of their own: the provider's, and the redirects on the way there and back.
    if !sso {
        headers.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin-allow-popups"),
        );
    }
    headers.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
    );
    if api {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    // What is sent depends on Accept-Encoding (precompressed files, compressed JSON);
    // the CORS layer replaces Vary with its own list, so it is added back here, last.
    let varies = headers
        .get_all(header::VARY)
        .iter()
        .any(|v| v.to_str().is_ok_and(|v| v.to_ascii_lowercase().contains("accept-encoding")));
    if !varies {
        headers.append(header::VARY, HeaderValue::from_static("accept-encoding"));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_scripts_are_found_and_external_ones_skipped() {
        let html = r#"<script src="/a.js"></script><script type="module">import x;</script>"#;
        let found: Vec<_> = inline_scripts(html).collect();
        assert_eq!(found, vec!["import x;"]);
    }
}
