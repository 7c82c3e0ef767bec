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
    let page = |name: &str| -> anyhow::Result<Arc<str>> {
        let path = config.portal_dir.join(name);
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(text.replace("%ENDPOINT%", endpoint).into())
    };
    let index = page("index.html")?;
    // The Users page (the helpdesk's view), when the portal has one.
    let users = page("users.html").ok();
    let helpdesk = Arc::new(Helpdesk::new(config, endpoint));
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; \
         img-src 'self' data:; connect-src 'self' {endpoint}; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    );
    let serve = |text: Arc<str>| {
        move || {
            let text = text.clone();
            async move { Html(text.to_string()).into_response() }
        }
    };
    Ok(Router::new()
        .route("/", get(serve(index.clone())))
        .route("/index.html", get(serve(index)))
        .route(
            "/users.html",
            match users {
                Some(users) => get(serve(users)),
                None => get(|| async { axum::http::StatusCode::NOT_FOUND }),
            },
        )
        .route(
            "/helpdesk-token",
            axum::routing::post(move || {
                let helpdesk = helpdesk.clone();
                async move { helpdesk.token().await }
            }),
        )
        .nest_service(
            "/app-passwords",
            tower::ServiceBuilder::new()
                .layer(axum::middleware::from_fn(super::assets::cache))
                .service(super::assets::service(&config.static_dir)),
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

/// The example portal's back end for its Users page: it holds an admin credential (the
/// first of `APP_ADMIN_CREDENTIALS_FILE`, or the demo's) and mints an admin token for its
/// signed-in operator by calling the endpoint, as a real portal's back end would. The
/// browser gets the token, never the credential.
struct Helpdesk {
    endpoint: String,
    credential: Option<String>,
    http: reqwest::Client,
}

impl Helpdesk {
    fn new(config: &Config, endpoint: &str) -> Self {
        let file = config.admin_credentials_file.clone().or_else(|| {
            config.demo.then(|| crate::credentials::admin::DEMO_CREDENTIALS_FILE.into())
        });
        let text = file.and_then(|f| std::fs::read_to_string(f).ok()).unwrap_or_default();
        let credential = crate::credentials::admin::first_secret(&text).map(str::to_owned);
        Self { endpoint: endpoint.to_owned(), credential, http: reqwest::Client::new() }
    }

    async fn token(&self) -> axum::response::Response {
        use axum::http::StatusCode;
        let Some(credential) = &self.credential else {
            return (StatusCode::SERVICE_UNAVAILABLE, "no admin credential configured")
                .into_response();
        };
        let minted = self
            .http
            .post(format!("{}/v1/admin/sessions", self.endpoint))
            .bearer_auth(credential)
            .json(&serde_json::json!({ "actor": "IT Helpdesk (example portal)" }))
            .send()
            .await;
        match minted {
            Ok(res) if res.status().is_success() => match res.text().await {
                Ok(body) => ([(header::CONTENT_TYPE, "application/json")], body).into_response(),
                Err(_) => StatusCode::BAD_GATEWAY.into_response(),
            },
            _ => StatusCode::BAD_GATEWAY.into_response(),
        }
    }
}
