use axum::extract::{RawQuery, State};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use secrecy::SecretString;
use wire::{ErrorCode, LegacyVerification, Protocol, Verdict, WhoAmI};

use crate::credentials::primary::{Checked, Door};
use crate::crypto;
use crate::domain::accounts::Username;
use crate::domain::client::ClientAddr;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::mail_servers::MailServer;
use crate::http::metrics::Verified;
use crate::http::state::AppState;
use crate::store::app_passwords::{Legacy, LegacyAttempt};
use crate::store::Refusal;

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
///
/// Failures are counted per end client (the forwarded address when the caller is a
/// trusted proxy or mail server) and per account, apart from the web sign-in budget, so
/// a mail client retrying a revoked app password cannot lock its owner's web sign-in;
/// a primary password checked here spends the web sign-in's password budget.
#[utoipa::path(get, path = "/v1/legacy/whoami", tag = "legacy", operation_id = "legacy_whoami",
    security(("basic" = [])),
    params(("protocol" = Option<Protocol>, Query, description = "The protocol the client signed in over, as the calling server saw it: the app password must have its scope (none given: mail)")),
    responses((status = 200, description = "An app password of this account", body = WhoAmI)))]
#[tracing::instrument(skip_all)]
pub async fn whoami(
    State(state): State<AppState>,
    client: ClientAddr,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let protocol = match protocol_of(query.as_deref().unwrap_or_default()) {
        Ok(protocol) => protocol,
        Err(why) => return ApiError::invalid("protocol", why).into_response(),
    };
    let Some((user, password)) = basic(&headers) else { return refused() };
    match check(&state, &client, protocol, &user, password).await {
        Ok(Some(username)) => (StatusCode::OK, Json(WhoAmI { username })).into_response(),
        Ok(None) => refused(),
        Err(e) => e.into_response(),
    }
}

/// What a mail server asks when one of its clients signs in with a password (Dovecot's
/// passdb: `examples/mail/`). The same rules as `whoami`; the caller proves it is a
/// configured mail server with its shared secret, and only then is its word taken for
/// the client's address, which limits and "last used from" count.
#[utoipa::path(post, path = "/v1/legacy/verify", tag = "legacy", operation_id = "legacy_verify",
    security(("mail_server" = [])),
    request_body = LegacyVerification,
    responses((status = 200, description = "Whether the password opens the account over that protocol", body = Verdict)))]
#[tracing::instrument(skip_all)]
pub async fn verify(
    State(state): State<AppState>,
    _caller: MailServer,
    Json(asked): Json<LegacyVerification>,
) -> Response {
    let client = ClientAddr::of(asked.client);
    match check(&state, &client, Some(asked.protocol), &asked.username, asked.password).await {
        Ok(username) => {
            let valid = username.is_some();
            let mut res = (StatusCode::OK, Json(Verdict { valid, username })).into_response();
            res.extensions_mut().insert(Verified(valid));
            res
        }
        Err(e) => e.into_response(),
    }
}

/// `?protocol=imap`, or nothing; an unknown or repeated one is a validation error (the
/// query is read here, so every refusal is a problem document).
fn protocol_of(query: &str) -> Result<Option<Protocol>, &'static str> {
    let mut found = None;
    for (key, value) in url::form_urlencoded::parse(query.as_bytes()) {
        if key == "protocol" {
            if found.is_some() {
                return Err("repeated");
            }
            found = Some(Protocol::parse(&value).ok_or("unknown_protocol")?);
        }
    }
    Ok(found)
}

/// Whether `user`'s `password` opens the account over `protocol` for `client`: its
/// username as stored when it does.
async fn check(
    state: &AppState,
    client: &ClientAddr,
    protocol: Option<Protocol>,
    user: &str,
    password: String,
) -> ApiResult<Option<String>> {
    let Some(username) = Username::parse(user) else { return Ok(None) };
    let store = &state.store;
    let normalized = crypto::normalize_app_password(&password);
    let attempt = LegacyAttempt {
        username: username.as_str(),
        client,
        protocol,
        app_password: normalized.as_deref(),
    };
    let spent = match store.legacy_sign_in(&attempt).await? {
        Legacy::Valid { .. } => return Ok(Some(username.as_str().to_owned())),
        Legacy::Blocked(wait) => return Err(Refusal::RateLimited(wait).into()),
        Legacy::Refused { hits } => hits,
    };
    // Not an app password: the account's own password, where its policy takes it here.
    let password = SecretString::from(password);
    match state.primary.check(Door::Legacy { spent }, &username, password).await? {
        Checked::Right(account) => Ok(Some(account.username)),
        Checked::Wrong => Ok(None),
    }
}
