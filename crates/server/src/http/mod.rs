//! The HTTP layer: the router, its middleware, the extractors that turn a request into
//! typed values (`auth`, `client`, `admin_tokens`, `mail_servers`), the one error type
//! (`error`), what handlers share (`state`), and the handlers (`routes/`, one module per
//! resource). Nothing here writes SQL or decides a rule: handlers parse, call the
//! store and the credential seam, and answer.

pub mod admin_tokens;
pub mod assets;
pub mod auth;
pub mod client;
pub mod error;
pub mod idempotency;
pub mod mail_servers;
pub mod metrics;
pub mod portal;
pub mod request_id;
pub mod routes;
pub mod scim;
pub mod security;
pub mod state;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::CompressionLayer;
use tower_http::cors::{AllowOrigin, CorsLayer};
use wire::ErrorCode;

use self::error::ApiError;
use self::state::AppState;

/// The whole HTTP application: API, static app, middleware.
pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/health", get(routes::health::get))
        .route("/live", get(routes::health::live))
        .route("/openapi.json", get(routes::openapi::get))
        .route("/docs", get(routes::docs::get))
        .route("/sessions", post(routes::sessions::create))
        .route("/sessions/current", delete(routes::sessions::delete))
        .route("/sessions/sso", post(routes::sso::session))
        .route("/sso", get(routes::sso::info))
        .route("/sso/start", get(routes::sso::start))
        .route("/sso/callback", get(routes::sso::callback))
        .route("/token", post(routes::sso::exchange))
        .route("/account", get(routes::sessions::account))
        .route("/account/password", post(routes::password::change))
        .route("/notices/disown", post(routes::notices::disown))
        .route("/mfa/enrollments", post(routes::mfa::enroll))
        .route("/mfa/enrollments/{id}/resend", post(routes::mfa::enrollment_resend))
        .route("/mfa/enrollments/{id}/verify", post(routes::mfa::enrollment_verify))
        .route("/mfa/challenges", post(routes::mfa::challenge))
        .route("/mfa/challenges/{id}/resend", post(routes::mfa::challenge_resend))
        .route("/mfa/challenges/{id}/verify", post(routes::mfa::challenge_verify))
        .route("/mfa/methods/{id}", delete(routes::methods::remove))
        .route("/mfa/methods/{id}/name", axum::routing::put(routes::methods::rename))
        .route("/mfa/methods/{id}/default", post(routes::methods::prefer))
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
        .route("/admin/sessions/current", delete(routes::admin::sign_out))
        .route("/admin/users", get(routes::admin::find))
        .route("/admin/users/{username}", get(routes::admin::get))
        .route("/admin/users/{username}/methods/{id}", delete(routes::admin::remove_method))
        .route("/admin/users/{username}/reset-mfa", post(routes::admin::reset_mfa))
        .route("/admin/users/{username}/unlock-mfa", post(routes::admin::unlock_mfa))
        .route("/admin/users/{username}/disable", post(routes::admin::disable))
        .route("/admin/users/{username}/enable", post(routes::admin::enable))
        .route("/admin/users/{username}/app-passwords", delete(routes::admin::revoke_all))
        .route(
            "/admin/users/{username}/app-passwords/{id}",
            delete(routes::admin::revoke_app_password),
        )
        .route("/admin/users/{username}/policy", axum::routing::put(routes::admin::set_policy))
        .route("/admin/audit", get(routes::admin::audit))
        .fallback(|| async { ApiError::new(ErrorCode::NotFound) })
        .method_not_allowed_fallback(|| async { ApiError::new(ErrorCode::UnsupportedMethod) });

    // SCIM's own door, with its own documents (errors included).
    let scim = Router::new()
        .route("/ServiceProviderConfig", get(routes::scim::service_provider_config))
        .route("/ResourceTypes", get(routes::scim::resource_types))
        .route("/ResourceTypes/{id}", get(routes::scim::resource_type))
        .route("/Schemas", get(routes::scim::schemas))
        .route("/Schemas/{id}", get(routes::scim::schema))
        .route("/Users", get(routes::scim::users).post(routes::scim::create_user))
        .route(
            "/Users/{id}",
            get(routes::scim::get_user)
                .put(routes::scim::replace_user)
                .patch(routes::scim::patch_user)
                .delete(routes::scim::delete_user),
        )
        .route("/Groups", get(routes::scim::groups).post(routes::scim::create_group))
        .route("/.search", axum::routing::post(routes::scim::search_all))
        .route("/Users/.search", axum::routing::post(routes::scim::search_users))
        .route("/Groups/.search", axum::routing::post(routes::scim::search_groups))
        .route(
            "/Groups/{id}",
            get(routes::scim::get_group)
                .put(routes::scim::replace_group)
                .patch(routes::scim::patch_group)
                .delete(routes::scim::delete_group),
        )
        .fallback(|| async { scim::ScimError::not_found() })
        .method_not_allowed_fallback(|| async {
            scim::ScimError::new(axum::http::StatusCode::METHOD_NOT_ALLOWED, "Not supported here.")
        });

    let app = tower::ServiceBuilder::new()
        .layer(middleware::from_fn(assets::cache))
        .service(assets::service(&state.config.static_dir));
    let headers = Arc::new(security::Headers::for_static_dir(&state.config.static_dir));

    Router::new()
        .nest("/v1", api_layers(api, &state))
        .nest("/scim/v2", api_layers(scim, &state))
        .route("/metrics", get(routes::metrics::get))
        .fallback_service(app)
        .layer(cors(&state.config.allowed_origins))
        .layer(middleware::from_fn_with_state(headers, security::middleware))
        .layer(CatchPanicLayer::custom(panicked))
        .layer(middleware::from_fn(request_id::middleware))
        .with_state(state)
}

/// What every API answer goes through (the person's API and SCIM alike): the body
/// limit, compression of GET answers only, the metrics.
fn api_layers(router: Router<AppState>, state: &AppState) -> Router<AppState> {
    router
        .layer(DefaultBodyLimit::max(state.config.max_body))
        .layer(middleware::from_fn(keep_plain_unless_get))
        .layer(compression())
        .layer(middleware::from_fn_with_state(state.metrics.clone(), metrics::track))
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
