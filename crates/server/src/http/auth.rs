//! The bearer-token extractor: an authenticated request's session and account.

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use axum::http::HeaderMap;
use wire::{ErrorCode, NotAvailableReason};

use crate::domain::accounts::{AccountRow, StepUp};
use crate::http::error::ApiError;
use crate::http::state::AppState;
use crate::store::sessions::Auth;

/// An authenticated request's session and account.
#[derive(Debug, Clone)]
pub struct Authed {
    pub session_id: String,
    pub account: AccountRow,
    /// What the session has proven within the step-up window.
    pub step_up: StepUp,
}

impl Authed {
    /// Refuses unless the session passed MFA recently.
    pub fn require_mfa(&self) -> Result<(), ApiError> {
        if self.step_up.fresh {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::MfaRequired))
        }
    }

    /// Refuses unless the session passed MFA recently, with a security key when the
    /// account's policy asks for a phishing-resistant method (creating an app password).
    pub fn require_mfa_for_new_app_password(&self) -> Result<(), ApiError> {
        self.require_mfa()?;
        if self.account.phishing_resistant && !self.step_up.phishing_resistant {
            return Err(ApiError::new(ErrorCode::PhishingResistantRequired).detail(
                "Your organization requires a security key or passkey to create app passwords.",
            ));
        }
        Ok(())
    }

    /// Refuses unless app passwords are available to this account at all.
    pub fn require_available(&self) -> Result<(), ApiError> {
        match self.account.unavailable() {
            None => Ok(()),
            Some(reason) => Err(ApiError::new(ErrorCode::NotAvailable).detail(match reason {
                NotAvailableReason::MfaNotRequired => "MFA is not required for this account.",
                NotAvailableReason::AppPasswordsDisabled => {
                    "App passwords are turned off for this account."
                }
            })),
        }
    }
}

/// The token of an `Authorization: Bearer …` header.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(&parts.headers).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        match state.store.authenticate(token).await? {
            Auth::Valid(s) => Ok(Authed {
                step_up: state.store.step_up(s.mfa_at, s.mfa_kind.as_deref()),
                session_id: s.session_id,
                account: s.account,
            }),
            Auth::Unknown => Err(ApiError::new(ErrorCode::Unauthorized)),
            Auth::Expired => Err(ApiError::new(ErrorCode::SessionExpired)),
        }
    }
}
