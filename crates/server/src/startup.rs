//! Builds the application from a configuration and serves it.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{middleware, Router};
use tokio::net::TcpListener;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use wire::ErrorCode;

use crate::admin_access::AdminCredentials;
use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::ServerKey;
use crate::deliver::Deliverer;
use crate::domain::passkeys::Passkeys;
use crate::error::ApiError;
use crate::mail_servers::MailServers;
use crate::metrics::Metrics;
use crate::passwords::{HashStats, Hasher};
use crate::state::AppState;
use crate::store::{Schema, Store};
use crate::{assets, metrics, request_id, routes, security};

/// How often expired sessions, proofs, throttle windows and idempotency answers are
/// removed.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// The whole HTTP application: API, static app, middleware.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(routes::health::get))
        .route("/live", get(routes::health::live))
        .route("/openapi.json", get(routes::openapi::get))
        .route("/docs", get(routes::docs::get))
        .route("/sessions", post(routes::sessions::create))
        .route("/sessions/current", delete(routes::sessions::delete))
        .route("/account", get(routes::sessions::account))
        .route("/account/password", post(routes::password::change))
        .route("/notices/disown", post(routes::notices::disown))
        .route("/mfa/enrollments", post(routes::mfa::enroll))
        .route("/mfa/enrollments/{id}/resend", post(routes::mfa::enrollment_resend))
        .route("/mfa/enrollments/{id}/verify", post(routes::mfa::enrollment_verify))
        .route("/mfa/challenges", post(routes::mfa::challenge))
        .route("/mfa/challenges/{id}/resend", post(routes::mfa::challenge_resend))
        .route("/mfa/challenges/{id}/verify", post(routes::mfa::challenge_verify))
        .route(
            "/app-passwords",
            get(routes::app_passwords::list)
                .post(routes::app_passwords::create)
                .delete(routes::app_passwords::revoke_all),
        )
        .route("/app-passwords/{id}", delete(routes::app_passwords::revoke))
        .route("/legacy/whoami", get(routes::legacy::whoami))
        .route("/legacy/verify", post(routes::legacy::verify))
        .route("/demo/outbox", get(routes::demo::outbox))
        .route("/admin/sessions", post(routes::admin::sign_in))
        .route("/admin/users", get(routes::admin::find))
        .route("/admin/users/{username}", get(routes::admin::get))
        .route("/admin/users/{username}/methods/{id}", delete(routes::admin::remove_method))
        .route("/admin/users/{username}/reset-mfa", post(routes::admin::reset_mfa))
        .route("/admin/users/{username}/app-passwords", delete(routes::admin::revoke_all))
        .route(
            "/admin/users/{username}/app-passwords/{id}",
            delete(routes::admin::revoke_app_password),
        )
        .route("/admin/users/{username}/policy", axum::routing::put(routes::admin::set_policy))
        .route("/admin/audit", get(routes::admin::audit))
        .fallback(|| async { ApiError::new(ErrorCode::NotFound) })
        .method_not_allowed_fallback(|| async { ApiError::new(ErrorCode::UnsupportedMethod) })
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(middleware::from_fn(keep_plain_unless_get))
        .layer(compression())
        .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track));

    let app = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(assets::cache))
        .service(assets::service(&state.config.static_dir));
    let headers = Arc::new(security::Headers::for_static_dir(&state.config.static_dir));

    Router::new()
        .nest("/v1", api)
        .route("/metrics", get(routes::metrics::get))
        .fallback_service(app)
        .layer(cors(&state.config.allowed_origins))
        .layer(middleware::from_fn_with_state(headers, security::middleware))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(request_id::middleware))
        .with_state(state)
}

/// Marks an answer never to compress.
#[derive(Clone, Copy)]
struct KeepPlain;

/// Only GET answers are compressed: answers to POST carry secrets (a session token, a
/// new app password, an authenticator key) beside text the client chose, the mix that
/// lets an observer of compressed sizes guess a secret (BREACH). GET answers hold none.
async fn keep_plain_unless_get(req: axum::extract::Request, next: middleware::Next) -> Response {
    let get = req.method() == Method::GET;
    let mut res = next.run(req).await;
    if !get {
        res.extensions_mut().insert(KeepPlain);
    }
    res
}

/// JSON answers over 1 KiB, brotli or gzip as the client accepts.
fn compression() -> CompressionLayer<impl Predicate> {
    let plain_only =
        |_: axum::http::StatusCode,
         _: axum::http::Version,
         _: &axum::http::HeaderMap,
         ext: &axum::http::Extensions| ext.get::<KeepPlain>().is_none();
    CompressionLayer::new().br(true).gzip(true).compress_when(SizeAbove::new(1024).and(plain_only))
}

/// A handler that panicked: an opaque 500 problem, the process carries on.
fn panicked(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::internal("a handler panicked").into_response()
}

fn cors(origins: &[String]) -> CorsLayer {
    let allowed: Vec<HeaderValue> =
        origins.iter().filter_map(|o| HeaderValue::from_str(o.trim()).ok()).collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(allowed))
        .allow_methods([Method::GET, Method::POST, Method::PUT, Method::DELETE])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([header::RETRY_AFTER, header::HeaderName::from_static(request_id::HEADER)])
}

/// A bound, ready-to-serve application.
pub struct Application {
    listener: TcpListener,
    /// The example portal on its own origin, when configured.
    portal: Option<(TcpListener, Router)>,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> anyhow::Result<Self> {
        Self::build_with(config, Clock::system()).await
    }

    /// Builds with the given clock (tests move time instead of waiting for it).
    pub async fn build_with(mut config: Config, clock: Clock) -> anyhow::Result<Self> {
        config.limits.validate()?;
        let passkeys = Arc::new(Passkeys::new(
            &config.webauthn_rp_id,
            &config.webauthn_origins,
            &config.issuer,
        )?);
        tracing::info!(rp_id = passkeys.rp_id(), origins = ?passkeys.origins(), "security keys");
        let key = Arc::new(ServerKey::load(&config.secret_key_file, config.demo)?);
        let limits = Arc::new(config.limits.clone());
        let schema = if config.migrate { Schema::Migrate } else { Schema::Require };
        let store = Store::open(&config.database_url, schema, clock, key.clone(), limits).await?;
        let hasher = Arc::new(Hasher::new(
            config.limits.hash_slots(),
            Duration::from_millis(config.limits.hash_queue_ms),
        )?);
        let deliverer = Arc::new(Deliverer::from_config(&config)?);
        let mail_servers =
            Arc::new(MailServers::load(config.mail_server_secret_file.as_deref(), config.demo)?);
        let admins = Arc::new(AdminCredentials::load(
            config.admin_credentials_file.as_deref(),
            config.demo,
        )?);
        let listener = TcpListener::bind(config.addr()).await?;
        // Where the links of notices lead: said, or (demo) this server on localhost.
        config.public_url = match (config.public_url.take(), config.demo) {
            (Some(url), _) => Some(public_url(&url)?),
            (None, true) => Some(format!("http://localhost:{}/", listener.local_addr()?.port())),
            (None, false) if config.smtp_url.is_some() => anyhow::bail!(
                "APP_PUBLIC_URL is required with APP_SMTP_URL: the notices emailed for new app \
                 passwords link to the app's page (https://...)"
            ),
            (None, false) => None,
        };
        let portal = match config.portal_port {
            Some(port) => {
                let portal = TcpListener::bind((config.bind, port)).await?;
                let endpoint = format!("http://{}", listener.local_addr()?);
                let origin = format!("http://{}", portal.local_addr()?);
                let localhost = format!("http://localhost:{}", portal.local_addr()?.port());
                config.allowed_origins.extend([origin, localhost]);
                Some((portal, crate::portal::router(&config, &endpoint)?))
            }
            None => None,
        };
        let metrics = Arc::new(Metrics::default());
        let state = AppState {
            store,
            config: Arc::new(config),
            key,
            deliverer,
            passkeys,
            hasher,
            mail_servers,
            admins,
            metrics,
        };
        Ok(Self { listener, portal, state })
    }

    /// The address actually bound (useful with port 0).
    pub fn local_addr(&self) -> std::io::Result<std::net::SocketAddr> {
        self.listener.local_addr()
    }

    /// The example portal's address, when it is served.
    pub fn portal_addr(&self) -> Option<std::net::SocketAddr> {
        self.portal.as_ref().and_then(|(l, _)| l.local_addr().ok())
    }

    pub fn store(&self) -> &Store {
        &self.state.store
    }

    /// What the password hasher has done (tests and benchmarks read it).
    pub fn hash_stats(&self) -> Arc<HashStats> {
        self.state.hasher.stats()
    }

    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes (tests stop and restart a server mid-journey).
    pub async fn run_until(
        self,
        stop: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let store = self.state.store.clone();
        let sweeper = tokio::spawn(async move {
            let mut every = tokio::time::interval(SWEEP_EVERY);
            loop {
                every.tick().await;
                match store.sweep().await {
                    Ok(swept) if swept.total() > 0 => {
                        tracing::info!(?swept, "expired rows removed")
                    }
                    Ok(_) => {}
                    Err(e) => tracing::warn!(error = %e, "sweep failed"),
                }
            }
        });
        let portal = self.portal.map(|(listener, app)| {
            tracing::info!(addr = ?listener.local_addr().ok(), "serving the example portal");
            tokio::spawn(async move { axum::serve(listener, app).await })
        });
        let served = axum::serve(
            self.listener,
            router(self.state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
        )
        .with_graceful_shutdown(stop)
        .await;
        if let Some(portal) = portal {
            portal.abort();
        }
        sweeper.abort();
        served
    }
}

/// Ctrl-C, or SIGTERM (what an orchestrator sends): new connections stop, requests in
/// flight finish, then the process exits.
async fn shutdown_signal() {
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = term => {}
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// The app's public address as notices link to it: http(s), no query or fragment,
/// ending with `/`.
fn public_url(raw: &str) -> anyhow::Result<String> {
    let url = url::Url::parse(raw.trim())
        .map_err(|e| anyhow::anyhow!("APP_PUBLIC_URL {raw:?} is not a URL: {e}"))?;
    let local = url.host_str().is_some_and(|h| h == "localhost" || h == "127.0.0.1");
    anyhow::ensure!(
        url.scheme() == "https" || (url.scheme() == "http" && local),
        "APP_PUBLIC_URL must be https:// (http only on localhost): {raw}"
    );
    anyhow::ensure!(
        url.query().is_none() && url.fragment().is_none(),
        "APP_PUBLIC_URL must not have a query or fragment: {raw}"
    );
    let s = url.to_string();
    Ok(if s.ends_with('/') { s } else { format!("{s}/") })
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    use super::*;

    #[tokio::test]
    #[allow(clippy::unwrap_used)]
    async fn large_get_answers_are_compressed_and_answers_to_post_never_are() {
        let big =
            || async { ([(header::CONTENT_TYPE, "application/json")], "[1,2,3]".repeat(800)) };
        let app: Router = Router::new()
            .route("/x", get(big).post(big))
            .layer(middleware::from_fn(keep_plain_unless_get))
            .layer(compression());
        for (method, compressed) in [(Method::GET, true), (Method::POST, false)] {
            let req = Request::builder()
                .method(method.clone())
                .uri("/x")
                .header(header::ACCEPT_ENCODING, "br, gzip")
                .body(Body::empty())
                .unwrap();
            let res = app.clone().oneshot(req).await.unwrap();
            let encoding =
                res.headers().get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(encoding.is_some(), compressed, "{method}: {encoding:?}");
        }
    }

    #[allow(clippy::panic)]
    async fn boom() -> &'static str {
        panic!("secret detail")
    }

    #[tokio::test]
    #[allow(clippy::unwrap_used)]
    async fn a_handler_that_panics_answers_an_opaque_problem_document() {
        let app: Router =
            Router::new().route("/boom", get(boom)).layer(CatchPanicLayer::custom(panicked));
        let res = app.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()[header::CONTENT_TYPE], wire::PROBLEM_JSON);
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.contains("\"code\":\"internal\"") && !text.contains("secret detail"),
            "{text}"
        );
    }
}
