//! Who may call `/v1/admin/…`, as extractors: the portal's admin credential (to mint a
//! token, `POST /v1/admin/sessions`) and the admin token it hands the module's admin
//! mode (`credentials::admin` signs and checks them).
//!
//! The doors do not cross: a person's session token on an admin route is refused with
//! 403 (`forbidden`), an admin token or credential on a person's route with 401, and a
//! credential is good for minting tokens only.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use secrecy::SecretString;
use wire::admin::AdminScope;
use wire::ErrorCode;

use super::auth::bearer;
use super::error::ApiError;
use super::state::AppState;
use crate::credentials::admin::Claims;
use crate::domain::client::ClientAddr;
use crate::store::sessions::Auth;

/// The caller of `POST /v1/admin/sessions`: the secret of a configured credential.
pub struct AdminCredential(pub String);

impl FromRequestParts<AppState> for AdminCredential {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, ApiError> {
        bearer(&parts.headers).map(|s| Self(s.to_owned())).ok_or_else(unauthorized)
    }
}

fn unauthorized() -> ApiError {
    ApiError::new(ErrorCode::Unauthorized)
        .detail("Send an admin token from POST /v1/admin/sessions as a Bearer token.")
}

/// An admin call: whose token, and from where.
#[derive(Debug, Clone)]
pub struct Admin {
    pub claims: Claims,
    pub from: ClientAddr,
    /// The token itself (to end it: the helpdesk view's sign-out).
    pub token: SecretString,
}

impl Admin {
    /// Refuses unless the token's credential has `scope`.
    pub fn require(&self, scope: AdminScope) -> Result<(), ApiError> {
        if self.claims.scopes.contains(&scope) {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::Forbidden).detail(match scope {
                AdminScope::Read => "This admin credential may not look up accounts.",
                AdminScope::Manage => {
                    "This admin credential may not change methods or app passwords."
                }
                AdminScope::Policy => "This admin credential may not change policies.",
                AdminScope::Sessions => "This admin credential may not hand people over.",
            }))
        }
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(unauthorized)?;
        match state.admins.check(&state.key, token, state.store.clock().now()) {
            Some(Some(_)) if state.store.admin_token_ended(token).await? => {
                return Err(ApiError::new(ErrorCode::SessionExpired)
                    .detail("This admin token was ended (signed out); get a new one."))
            }
            Some(Some(claims)) => {
                let token = SecretString::from(token);
                let from = ClientAddr::from_request_parts(parts, state).await?;
                return Ok(Self { claims, from, token });
            }
            Some(None) => {
                return Err(ApiError::new(ErrorCode::SessionExpired).detail(
                    "This admin token has expired or its credential was removed; get a new one.",
                ))
            }
            None => {}
        }
        // A person's session is a known identity without admin rights.
        if matches!(state.store.authenticate(token).await?, Auth::Valid(_)) {
            return Err(ApiError::new(ErrorCode::Forbidden)
                .detail("A person's session cannot call admin routes."));
        }
        Err(unauthorized())
    }
}
