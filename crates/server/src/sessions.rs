//! Bearer sessions: opaque random tokens, stored as SHA-256, with idle and absolute
//! expiry and the time of the last MFA proof (step-up).

use axum::extract::FromRequestParts;
use axum::http::header::AUTHORIZATION;
use axum::http::request::Parts;
use secrecy::{ExposeSecret, SecretString};
use wire::{ErrorCode, Next, NotAvailableReason};

use crate::accounts::{self, AccountRow};
use crate::clock::now;
use crate::crypto;
use crate::db::Db;
use crate::error::ApiError;
use crate::startup::AppState;

/// An authenticated request's session and account.
#[derive(Debug, Clone)]
pub struct Authed {
    pub session_id: String,
    pub created_at: i64,
    pub mfa_at: Option<i64>,
    pub account: AccountRow,
    step_up: i64,
}

impl Authed {
    /// Whether the session passed MFA within the step-up window.
    pub fn mfa_fresh(&self) -> bool {
        self.mfa_at.is_some_and(|t| now() - t <= self.step_up)
    }

    /// Refuses unless the session passed MFA recently.
    pub fn require_mfa(&self) -> Result<(), ApiError> {
        if self.mfa_fresh() {
            Ok(())
        } else {
            Err(ApiError::new(ErrorCode::MfaRequired))
        }
    }

    /// Refuses unless app passwords are available to this account at all.
    pub fn require_available(&self) -> Result<(), ApiError> {
        match unavailable(&self.account) {
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

/// Why app passwords cannot be had for this account, if they cannot (the seed's note:
/// without the MFA requirement, none of the options are offered).
pub fn unavailable(account: &AccountRow) -> Option<NotAvailableReason> {
    if !account.mfa_required {
        Some(NotAvailableReason::MfaNotRequired)
    } else if !account.app_passwords_allowed {
        Some(NotAvailableReason::AppPasswordsDisabled)
    } else {
        None
    }
}

/// What the person should do next, from the policy, the registered methods and
/// whether this session has a fresh MFA proof.
pub fn next_for(
    account: &AccountRow,
    methods: usize,
    mfa_fresh: bool,
) -> (Next, Option<NotAvailableReason>) {
    if let Some(reason) = unavailable(account) {
        (Next::NotAvailable, Some(reason))
    } else if methods == 0 {
        (Next::MfaSetup, None)
    } else if !mfa_fresh {
        (Next::MfaChallenge, None)
    } else {
        (Next::Ready, None)
    }
}

/// Creates a session; returns the token (shown once to the client) and its expiry.
#[tracing::instrument(skip_all)]
pub async fn create(db: &Db, account_id: &str, max_age: i64) -> sqlx::Result<(SecretString, i64)> {
    let token = crypto::new_token();
    let now = now();
    sqlx::query(
        "INSERT INTO sessions (id, token_hash, account_id, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(crypto::random_id())
    .bind(crypto::sha256_hex(token.expose_secret().as_bytes()))
    .bind(account_id)
    .bind(now)
    .bind(now)
    .execute(db)
    .await?;
    Ok((token, now + max_age))
}

pub async fn delete(db: &Db, session_id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE id = ?").bind(session_id).execute(db).await?;
    Ok(())
}

/// Records a successful MFA proof on the session.
pub async fn mark_mfa(db: &Db, session_id: &str) -> sqlx::Result<()> {
    sqlx::query("UPDATE sessions SET mfa_at = ? WHERE id = ?")
        .bind(now())
        .bind(session_id)
        .execute(db)
        .await?;
    Ok(())
}

fn bearer(parts: &Parts) -> Option<&str> {
    let value = parts.headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then_some(token.trim())
}

impl FromRequestParts<AppState> for Authed {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        let hash = crypto::sha256_hex(token.as_bytes());
        let row: Option<(String, String, i64, i64, Option<i64>)> = sqlx::query_as(
            "SELECT id, account_id, created_at, last_seen_at, mfa_at FROM sessions WHERE token_hash = ?",
        )
        .bind(&hash)
        .fetch_optional(&state.db)
        .await?;
        let (session_id, account_id, created_at, last_seen, mfa_at) =
            row.ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        let limits = &state.config.limits;
        let now = now();
        if now - last_seen > limits.session_idle || now - created_at > limits.session_max {
            delete(&state.db, &session_id).await?;
            return Err(ApiError::new(ErrorCode::SessionExpired));
        }
        let account = accounts::find_by_id(&state.db, &account_id)
            .await?
            .filter(|a| !a.disabled)
            .ok_or_else(|| ApiError::new(ErrorCode::Unauthorized))?;
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ?")
            .bind(now)
            .bind(&session_id)
            .execute(&state.db)
            .await?;
        Ok(Authed { session_id, created_at, mfa_at, account, step_up: limits.step_up })
    }
}
