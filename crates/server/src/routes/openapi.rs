use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use super::{app_passwords, demo, health, legacy, mfa, sessions};

/// The contract, generated from the handlers and the wire types. Checked into the
/// repository as `crates/server/openapi.json`; a test fails when the two drift.
#[derive(OpenApi)]
#[openapi(
    info(title = "app-passwords identity endpoint", description = "Sign-in, MFA enrollment and challenge, \
        app passwords and legacy sign-in. Errors are application/problem+json (RFC 9457) with a stable `code`."),
    paths(
        health::get,
        sessions::create, sessions::account, sessions::delete,
        mfa::enroll, mfa::enrollment_resend, mfa::enrollment_verify,
        mfa::challenge, mfa::challenge_resend, mfa::challenge_verify,
        app_passwords::list, app_passwords::create, app_passwords::revoke, app_passwords::revoke_all,
        legacy::whoami,
        demo::outbox,
    ),
    modifiers(&Security)
)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Basic).build()),
        );
    }
}

/// The document as served and as checked in.
pub fn document() -> String {
    ApiDoc::openapi().to_pretty_json().unwrap_or_default()
}

pub async fn get() -> impl axum::response::IntoResponse {
    ([(axum::http::header::CONTENT_TYPE, "application/json")], document())
}
