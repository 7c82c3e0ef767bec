//! The person changes their primary password.

use axum::extract::State;
use secrecy::{ExposeSecret, SecretString};
use wire::{ChangePassword, ErrorCode, PasswordChanged};

use crate::credentials::primary::{Checked, Door};
use crate::domain::client::ClientAddr;
use crate::http::auth::Authed;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::state::AppState;

/// Change the primary password: the current one (counted against the account's
/// password budget before it is checked) and a new one that is not easy to guess.
/// Every other session ends and this one's token is replaced; the account's app
/// passwords are revoked (listed in the answer) unless the admin's policy keeps them.
/// Needs a recent MFA proof.
#[utoipa::path(post, path = "/v1/account/password", tag = "sessions", operation_id = "change_password",
    security(("bearer" = [])), request_body = ChangePassword,
    responses((status = 200, description = "Changed: what stopped working, and the session's new token", body = PasswordChanged)))]
#[tracing::instrument(skip_all)]
pub async fn change(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Json(req): Json<ChangePassword>,
) -> ApiResult<Json<PasswordChanged>> {
    let account = &authed.account;
    if !account.password_here() {
        return Err(ApiError::new(ErrorCode::NotAvailable).detail(match account.directory {
            Some(_) => "This account's password is the organization's directory's: change it there.",
            None => "This account signs in only at the organization's provider: it has no password here.",
        }));
    }
    authed.require_mfa()?;
    match req.current_password.chars().count() {
        0 => return Err(ApiError::invalid("current_password", "required")),
        n if n > wire::rules::NEW_PASSWORD_MAX => {
            return Err(ApiError::invalid("current_password", "too_long"))
        }
        _ => {}
    }
    if let Some(why) =
        account.new_password_refusal(&req.new_password, &req.current_password, &state.config.issuer)
    {
        return Err(ApiError::invalid("new_password", why));
    }
    let current = SecretString::from(req.current_password);
    let door = Door::PasswordChange;
    if let Checked::Wrong = state.primary.check(door, &account.name(), current).await? {
        return Err(ApiError::invalid("current_password", "incorrect"));
    }
    let hash = state.primary.hash_new(SecretString::from(req.new_password)).await?;
    let store = &state.store;
    let keep = account.keep_app_passwords_on_password_change;
    let replacing = Some(account.password_hash.as_str());
    let done = store
        .set_password(account, &hash, keep, Some(&authed.session_id), replacing, None)
        .await?
        // Another change won the race: the password proved here is no longer current.
        .ok_or_else(|| ApiError::invalid("current_password", "incorrect"))?;
    tracing::info!(
        account = %account.id,
        sessions_ended = done.sessions_ended,
        app_passwords_revoked = done.app_passwords_revoked.len(),
        "password changed"
    );
    state.notifier.password_changed(account, &done.app_passwords_revoked, &client).await;
    let token = done.token.ok_or_else(|| ApiError::internal("the session was not kept"))?;
    Ok(Json(PasswordChanged {
        app_passwords_revoked: done.app_passwords_revoked,
        sessions_ended: u32::try_from(done.sessions_ended).unwrap_or(u32::MAX),
        token: token.expose_secret().to_owned(),
    }))
}
