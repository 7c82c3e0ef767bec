//! The mail-server extractor: a request that carries one of the configured shared
//! secrets (`credentials::shared_secrets`).

use axum::extract::FromRequestParts;
use axum::http::header::WWW_AUTHENTICATE;
use axum::http::request::Parts;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use wire::ErrorCode;

use super::auth::bearer;
use super::error::ApiError;
use super::state::AppState;

/// A request from a mail server that sent one of the secrets.
#[derive(Debug, Clone, Copy)]
pub struct MailServer;

/// The refusal of a caller without the secret: 401 with a Bearer challenge.
pub struct NotAMailServer;

impl IntoResponse for NotAMailServer {
    fn into_response(self) -> Response {
        let mut res = ApiError::new(ErrorCode::Unauthorized)
            .detail("Send this mail server's shared secret (APP_MAIL_SERVER_SECRET_FILE) as a Bearer token.")
            .into_response();
        res.headers_mut()
            .insert(WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"mail servers\""));
        res
    }
}

impl FromRequestParts<AppState> for MailServer {
    type Rejection = NotAMailServer;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match bearer(&parts.headers) {
            Some(secret) if state.mail_servers.accepts(secret) => Ok(MailServer),
            _ => Err(NotAMailServer),
        }
    }
}
