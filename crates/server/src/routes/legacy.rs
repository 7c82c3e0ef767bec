use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use secrecy::SecretString;
use wire::{ErrorCode, WhoAmI};

use crate::accounts::{self, Username};
use crate::app_passwords::{self, Verdict};
use crate::crypto;
use crate::error::{ApiError, Json};
use crate::startup::AppState;
use crate::throttle::Bucket;

fn refused() -> Response {
    let mut res = ApiError::new(ErrorCode::InvalidCredentials).into_response();
    res.headers_mut().insert(
        WWW_AUTHENTICATE,
        HeaderValue::from_static("Basic realm=\"legacy\", charset=\"UTF-8\""),
    );
    res
}

fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD.decode(encoded.trim()).ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// What a mail or Exchange-style server asks when a legacy client logs in with
/// HTTP Basic `username:app-password`. The primary password is refused for every
/// account whose admin requires MFA; only app passwords pass there.
#[utoipa::path(get, path = "/v1/legacy/whoami", tag = "legacy", security(("basic" = [])),
    responses((status = 200, body = WhoAmI), (status = 401, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn whoami(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
) -> Response {
    match check(&state, peer, &headers).await {
        Ok(Some(username)) => (StatusCode::OK, Json(WhoAmI { username })).into_response(),
        Ok(None) => refused(),
        Err(e) => e.into_response(),
    }
}

async fn check(
    state: &AppState,
    peer: SocketAddr,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    let Some((user, password)) = basic(headers) else { return Ok(None) };
    let Some(username) = Username::parse(&user) else { return Ok(None) };
    let limits = &state.config.limits;
    // Failures only are counted, per account and per address.
    let acct = format!("legacy:acct:{}", username.as_str());
    let addr = format!("legacy:addr:{}", peer.ip());
    let buckets = [
        Bucket { name: &acct, limit: limits.signin_per_account * 4, window: limits.signin_window },
        Bucket { name: &addr, limit: limits.signin_per_address * 4, window: limits.signin_window },
    ];
    let normalized = crypto::normalize_app_password(&password);
    match app_passwords::verify(
        &state.db,
        &state.key,
        username.as_str(),
        normalized.as_deref(),
        &buckets,
    )
    .await?
    {
        Verdict::Blocked(wait) => {
            return Err(ApiError::new(ErrorCode::RateLimited).retry_after(wait));
        }
        Verdict::Valid { .. } => return Ok(Some(username.as_str().to_owned())),
        Verdict::Invalid => {}
    }
    // The primary password works only where the admin does not require MFA.
    let account = accounts::find_by_username(&state.db, &username).await?;
    let hash = account
        .as_ref()
        .filter(|a| !a.mfa_required && !a.disabled)
        .map(|a| a.password_hash.clone());
    if accounts::verify_password(hash, SecretString::from(password)).await {
        return Ok(Some(username.as_str().to_owned()));
    }
    for b in &buckets {
        b.hit(&state.db).await?;
    }
    Ok(None)
}
