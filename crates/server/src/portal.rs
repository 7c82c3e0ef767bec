//! The example admin portal (`examples/portal/`) on its own origin: a host page that
//! embeds the module from the built bundle (served under `/app-passwords/`) and calls
//! this endpoint cross-origin. Its CSP is the strict one a careful portal would send:
//! no inline script or style, WebAssembly allowed, API calls to the endpoint only.

use std::sync::Arc;

use axum::http::{header, HeaderValue};
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use axum::Router;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::Config;

/// The portal's routes; `endpoint` is the identity endpoint's origin, written into the
/// page where it says `%ENDPOINT%`.
pub fn router(config: &Config, endpoint: &str) -> anyhow::Result<Router> {
    let index = std::fs::read_to_string(config.portal_dir.join("index.html"))
        .map_err(|e| anyhow::anyhow!("{}: {e}", config.portal_dir.join("index.html").display()))?;
    let index: Arc<str> = index.replace("%ENDPOINT%", endpoint).into();
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {endpoint}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let page = move || {
        let index = index.clone();
        async move { Html(index.to_string()).into_response() }
    };
    Ok(Router::new()
        .route("/", get(page.clone()))
        .route("/index.html", get(page))
        .nest_service(
            "/app-passwords",
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn(crate::assets::cache))
                .service(crate::assets::service(&config.static_dir)),
        )
        .fallback_service(ServeDir::new(&config.portal_dir))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_str(&csp)?,
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        // The module's files set their own (immutable when content-hashed).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        )))
}
