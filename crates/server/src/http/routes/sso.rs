//! Single sign-on through the organization's OpenID provider (`credentials::sso` verifies
//! it, `store::sso` keeps it): the app's button sends the browser to `GET /v1/sso/start`
//! and on to the provider, which sends it back to `GET /v1/sso/callback`, which goes on
//! to the app's page with a one-time code in the fragment (never a token, never
//! in a query a server or a Referer would see), and the app exchanges that code for its
//! session (`POST /v1/sessions/sso`).

use axum::extract::{Query, RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use secrecy::ExposeSecret;
use serde::Deserialize;
use wire::admin::AdminScope;
use wire::{
    ErrorCode, OAuthError, Session, SsoInfo, SsoSessionRequest, TokenExchangeRequest,
    TokenExchangeResponse,
};

use super::sessions::{account_state, signed_in};
use crate::credentials::sso::{new_state, Identity, Provider, SsoError};
use crate::domain::accounts::{AccountRow, StepUp, Username};
use crate::domain::client::ClientAddr;
use crate::domain::limits::Budget;
use crate::http::auth::bearer;
use crate::http::error::{code_name, ApiError, ApiResult, Json};
use crate::http::state::AppState;
use crate::store::directory::Synced;
use crate::store::sessions::MfaProof;
use crate::store::sso::Linked;

fn provider(state: &AppState) -> ApiResult<&Provider> {
    state.sso.as_deref().ok_or_else(|| {
        ApiError::new(ErrorCode::NotFound).detail("Single sign-on is not configured here.")
    })
}

/// The problem a sign-in at the provider that came to nothing is (logged).
fn problem_of(e: &SsoError) -> ErrorCode {
    tracing::warn!(error = %e, "sso");
    match e {
        SsoError::Unavailable(_) => ErrorCode::SsoUnavailable,
        SsoError::Refused(_) => ErrorCode::SsoFailed,
    }
}

impl From<SsoError> for ApiError {
    fn from(e: SsoError) -> Self {
        let problem = Self::new(problem_of(&e));
        match e {
            SsoError::Unavailable(_) => problem.retry_after(30),
            SsoError::Refused(_) => problem,
        }
    }
}

/// Whether the app offers "Sign in with <the organization>", and the password form too.
#[utoipa::path(get, path = "/v1/sso", tag = "sessions", operation_id = "get_sso",
    responses((status = 200, description = "Single sign-on is offered", body = SsoInfo)))]
pub async fn info(State(state): State<AppState>) -> ApiResult<Json<SsoInfo>> {
    let provider = provider(&state)?;
    Ok(Json(SsoInfo {
        name: provider.name().to_owned(),
        password_sign_in: state.config.sso.password_sign_in,
        provider_mfa: !state.config.sso.sso_mfa_amr.is_empty(),
    }))
}

/// Starts a sign-in at the organization's OpenID provider: the browser goes here (a link,
/// so the app's button works before any request of its own) and on to the provider
/// (`303`), or straight back to `return_to` with `#sso_error=<code>` when the sign-in
/// cannot start (too many from this address, the provider down). Counted as a sign-in
/// attempt from the client's address.
#[utoipa::path(get, path = "/v1/sso/start", tag = "sessions", operation_id = "start_sso",
    params(
        ("return_to" = String, Query, max_length = 2048, description = "The page to come back to (the app's, or a page of an allowed origin), without a fragment: the endpoint appends `#sso=<one-time code>` or `#sso_error=<code>`"),
        ("again" = Option<bool>, Query, description = "Ask the provider to authenticate the person anew (`prompt=login`, `max_age=0`): their MFA there is too old to count"),
    ),
    responses((status = 303, description = "To the provider's authorization endpoint (with this sign-in's `state`, `nonce` and PKCE challenge), or back to `return_to` with `#sso_error=<code>`",
        headers(("Location" = String, description = "Where the browser goes")))))]
#[tracing::instrument(skip_all)]
pub async fn start(
    State(state): State<AppState>,
    client: ClientAddr,
    RawQuery(query): RawQuery,
) -> ApiResult<Response> {
    let provider = provider(&state)?;
    // Read here, so that any query string gets a problem document.
    let (mut raw, mut again) = (None, Some(false));
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match &*key {
            "return_to" => raw = Some(value.into_owned()),
            "again" => again = ["false", "true"].iter().position(|b| *b == value).map(|i| i == 1),
            _ => {}
        }
    }
    let again = again.ok_or_else(|| ApiError::invalid("again", "not_a_boolean"))?;
    let raw = raw.ok_or_else(|| ApiError::invalid("return_to", "required"))?;
    let return_to = return_to(&state, &raw)?;
    let begun = async {
        state
            .store
            .spend(&[Budget::SignInAddress(&client)])
            .await?
            .map_err(crate::store::Refusal::from)?;
        let sign_in = new_state();
        let url = provider.authorization_url(sign_in.expose_secret(), again).await?;
        state.store.begin_sso(&sign_in, &return_to).await?;
        Ok::<_, ApiError>(url)
    };
    Ok(match begun.await {
        Ok(url) => see_other(&url),
        Err(e) => back(&return_to, Err(e.code)),
    })
}

/// The page to come back to, if it may be: http(s) on the app's own origin or an
/// allowed one (a portal that embeds the module), without a fragment.
fn return_to(state: &AppState, raw: &str) -> ApiResult<String> {
    let refuse = |code| ApiError::invalid("return_to", code);
    let url = url::Url::parse(raw).map_err(|_| refuse("not_a_url"))?;
    if !matches!(url.scheme(), "http" | "https") || url.fragment().is_some() {
        return Err(refuse("not_a_url"));
    }
    let origin = url.origin().ascii_serialization();
    let own = state.config.public_url.as_deref().and_then(|u| url::Url::parse(u).ok());
    let allowed = own.is_some_and(|u| u.origin().ascii_serialization() == origin)
        || state.config.allowed_origins.iter().any(|o| o.trim_end_matches('/') == origin);
    if !allowed || raw.len() > 2048 {
        return Err(refuse("not_allowed"));
    }
    Ok(url.to_string())
}

/// What the provider appends to the redirect URI.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where the OpenID provider sends the person back: the sign-in is taken (once), the
/// code exchanged and the ID token verified, the person's account found or made; then
/// on to the page the sign-in started from, with `#sso=<one-time code>`, or
/// `#sso_error=<problem code>`.
pub async fn callback(State(state): State<AppState>, Query(q): Query<Callback>) -> Response {
    // A sign-in we did not start (or already finished): back to the app's own page.
    let home = state.config.public_url.clone().unwrap_or_else(|| "/".into());
    let Some(sign_in) = q.state.filter(|s| s.len() <= 256) else {
        return back(&home, Err(ErrorCode::SsoFailed));
    };
    let return_to = match state.store.take_sso(&sign_in).await {
        Ok(Some(to)) => to,
        Ok(None) => return back(&home, Err(ErrorCode::SsoFailed)),
        Err(e) => {
            tracing::warn!(error = %e, "sso: the sign-in could not be read");
            return back(&home, Err(ErrorCode::Unavailable));
        }
    };
    let outcome = match (q.error, q.code) {
        (None, Some(code)) if code.len() <= 2048 => finish(&state, &sign_in, &code).await,
        (error, _) => {
            tracing::info!(error = ?error.map(|e| e.chars().take(64).collect::<String>()), "sso: the provider sent no code");
            Err(ErrorCode::SsoFailed)
        }
    };
    back(&return_to, outcome)
}

/// The sign-in verified and the person's hand-off code made, or the problem's code.
async fn finish(state: &AppState, sign_in: &str, code: &str) -> Result<String, ErrorCode> {
    let Some(provider) = state.sso.as_deref() else { return Err(ErrorCode::NotFound) };
    let identity = provider.finish(sign_in, code).await.map_err(|e| problem_of(&e))?;
    let account = account_of(state, &identity).await?;
    if account.shut() {
        return Err(ErrorCode::AccountDisabled);
    }
    let proof = identity.mfa.map(|m| MfaProof { at: m.at, kind: m.kind() });
    let handoff = state.store.hand_off(&account.id, proof).await.map_err(|e| {
        tracing::warn!(error = %e, "sso: the hand-off could not be kept");
        ErrorCode::Unavailable
    })?;
    tracing::info!(account = %account.id, mfa = proof.is_some(), "sso: signed in at the provider");
    Ok(handoff.expose_secret().to_owned())
}

/// The account the provider's person is: with a directory, the directory person with
/// the mail the provider gave (so their status, groups and leaving apply); without one,
/// the account linked to them (made on their first sign-in).
async fn account_of(state: &AppState, identity: &Identity) -> Result<AccountRow, ErrorCode> {
    let store = &state.store;
    let username = identity.email.as_deref().and_then(Username::parse);
    let db = |e: crate::store::StoreError| {
        tracing::warn!(error = %e, "sso: the account could not be kept");
        ErrorCode::Unavailable
    };
    let linked = match state.primary.directory() {
        Some(directory) => {
            let Some(username) = username else { return Err(ErrorCode::SsoNoAccount) };
            let asked_ms = store.clock().now_ms();
            let person = match directory.find(&username).await {
                Ok(Some(person)) => person,
                Ok(None) => return Err(ErrorCode::SsoNoAccount),
                Err(e) => {
                    tracing::warn!(error = %e, "sso: the directory did not answer");
                    return Err(ErrorCode::DirectoryUnavailable);
                }
            };
            let account = match store.sync_person(&person, asked_ms).await.map_err(db)? {
                Synced::Account(account) => account,
                Synced::NameTaken => return Err(ErrorCode::SsoNoAccount),
            };
            let id = account.id.clone();
            match store.link_sso(&identity.issuer, &identity.subject, *account).await.map_err(db)? {
                // Linked before to another person than the directory now says: refused.
                Linked::Account(linked) if linked.id != id => {
                    tracing::warn!(linked = %linked.id, found = %id, "sso: the provider's person is linked to another account");
                    Linked::NoAccount
                }
                linked => linked,
            }
        }
        None => {
            let name = identity.name.as_deref().unwrap_or_default();
            let name = crate::domain::accounts::parse_display_name(name)
                .or_else(|| username.as_ref().map(|u| u.as_str().to_owned()))
                .unwrap_or_default();
            store
                .sso_person(&identity.issuer, &identity.subject, username.as_ref(), &name)
                .await
                .map_err(db)?
        }
    };
    match linked {
        Linked::Account(account) => Ok(*account),
        Linked::NoAccount => Err(ErrorCode::SsoNoAccount),
    }
}

/// `303` to `to` with the outcome in the fragment.
fn back(to: &str, outcome: Result<String, ErrorCode>) -> Response {
    let fragment = match outcome {
        Ok(code) => format!("sso={code}"),
        Err(problem) => format!("sso_error={}", code_name(problem)),
    };
    see_other(&format!("{}#{fragment}", to.split('#').next().unwrap_or(to)))
}

/// `303` to `location`; never cached, never a Referer.
fn see_other(location: &str) -> Response {
    let mut res = StatusCode::SEE_OTHER.into_response();
    let headers = res.headers_mut();
    if let Ok(value) = HeaderValue::from_str(location) {
        headers.insert(header::LOCATION, value);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    res
}

/// Opens the session a sign-in at the provider handed off (the `#sso=` code): once,
/// within 60 seconds; it carries the MFA the provider did when the organization counts
/// it.
#[utoipa::path(post, path = "/v1/sessions/sso", tag = "sessions", operation_id = "sign_in_sso",
    request_body = SsoSessionRequest,
    responses((status = 201, description = "Signed in: the token and what to do next", body = Session)))]
#[tracing::instrument(skip_all)]
pub async fn session(
    State(state): State<AppState>,
    Json(req): Json<SsoSessionRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    provider(&state)?;
    if req.code.is_empty() || req.code.len() > 256 {
        return Err(ApiError::invalid("code", "invalid_format"));
    }
    let Some(handed) = state.store.redeem_hand_off(&req.code).await? else {
        return Err(ApiError::new(ErrorCode::SsoFailed));
    };
    let step_up: StepUp = state.store.step_up(handed.mfa_at, handed.mfa_kind.as_deref());
    let view = account_state(&state.store, &handed.account, step_up).await?;
    tracing::info!(account = %handed.account.id, next = ?view.next, "signed in through the provider");
    Ok((StatusCode::CREATED, Json(signed_in(&handed.token, handed.expires_at, view))))
}

/// The token types a portal may present, and the one issued.
const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";
const SUBJECT_TYPES: [&str; 3] = [
    ACCESS_TOKEN,
    "urn:ietf:params:oauth:token-type:jwt",
    "urn:ietf:params:oauth:token-type:id_token",
];

/// A refusal of the token exchange, as OAuth 2.0 says (RFC 6749 §5.2): JSON with
/// `error` and `error_description`, never cached.
pub struct OAuthRefusal {
    status: StatusCode,
    error: &'static str,
    description: &'static str,
}

const fn refusal(
    status: StatusCode,
    error: &'static str,
    description: &'static str,
) -> OAuthRefusal {
    OAuthRefusal { status, error, description }
}

impl IntoResponse for OAuthRefusal {
    fn into_response(self) -> Response {
        let body = OAuthError {
            error: self.error.to_owned(),
            error_description: Some(self.description.to_owned()),
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        match self.status {
            StatusCode::UNAUTHORIZED => {
                headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from_static("30"));
            }
            _ => {}
        }
        res
    }
}

/// OAuth 2.0 Token Exchange (RFC 8693): a portal's back end, with its admin credential
/// (scope `sessions`) as a Bearer token, presents the token the organization's provider
/// gave it for the person it signed in (audience: this endpoint's client id; signature,
/// issuer and expiry checked as for a sign-in here) and gets a session of that person
/// (`element.sessionToken`), carrying the MFA the provider did when the organization
/// counts it. Each try spends the caller address's sign-in budget, given back when the
/// credential is right. Errors are OAuth's (`error`), not problem documents.
#[utoipa::path(post, path = "/v1/token", tag = "sessions", operation_id = "exchange_token",
    security(("admin_credential" = [])),
    request_body(content = TokenExchangeRequest, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "A session of the person", body = TokenExchangeResponse),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type` or `invalid_grant`", body = OAuthError),
        (status = 401, description = "`invalid_client`: no admin credential", body = OAuthError),
        (status = 403, description = "`unauthorized_client`: the credential lacks the `sessions` scope", body = OAuthError),
        (status = 404, description = "`not_found`: single sign-on is not configured here", body = OAuthError),
        (status = 429, description = "`slow_down`: too many tries from this address", body = OAuthError),
        (status = 503, description = "`temporarily_unavailable`: the provider, the directory or the database does not answer", body = OAuthError),
    ))]
#[tracing::instrument(skip_all)]
pub async fn exchange(
    State(state): State<AppState>,
    client: ClientAddr,
    headers: axum::http::HeaderMap,
    form: Result<axum::Form<TokenExchangeRequest>, axum::extract::rejection::FormRejection>,
) -> Response {
    exchanged(&state, client, &headers, form).await.into_response()
}

/// The token exchange (the rules: [`exchange`]).
async fn exchanged(
    state: &AppState,
    client: ClientAddr,
    headers: &axum::http::HeaderMap,
    form: Result<axum::Form<TokenExchangeRequest>, axum::extract::rejection::FormRejection>,
) -> Result<Json<TokenExchangeResponse>, OAuthRefusal> {
    use StatusCode as S;
    let unavailable =
        |_| refusal(S::SERVICE_UNAVAILABLE, "temporarily_unavailable", "Try again later.");
    let hits =
        match state.store.spend(&[Budget::SignInAddress(&client)]).await.map_err(unavailable)? {
            Ok(hits) => hits,
            Err(_) => {
                return Err(refusal(
                    S::TOO_MANY_REQUESTS,
                    "slow_down",
                    "Too many tries from this address.",
                ))
            }
        };
    let Some((credential, scopes)) = bearer(headers).and_then(|s| state.admins.holder(s)) else {
        return Err(refusal(
            S::UNAUTHORIZED,
            "invalid_client",
            "Send the portal's admin credential as a Bearer token.",
        ));
    };
    state.store.release(&hits).await.map_err(unavailable)?;
    if !scopes.contains(&AdminScope::Sessions) {
        return Err(refusal(
            S::FORBIDDEN,
            "unauthorized_client",
            "This admin credential may not hand people over (scope `sessions`).",
        ));
    }
    let credential = credential.to_owned();
    // Not configured: said only to a caller with the credential.
    let Some(provider) = state.sso.as_deref() else {
        return Err(refusal(S::NOT_FOUND, "not_found", "Single sign-on is not configured here."));
    };
    let Ok(axum::Form(req)) = form else {
        return Err(refusal(
            S::BAD_REQUEST,
            "invalid_request",
            "Send grant_type, subject_token and subject_token_type as a form.",
        ));
    };
    if req.grant_type != TOKEN_EXCHANGE {
        return Err(refusal(
            S::BAD_REQUEST,
            "unsupported_grant_type",
            "Only the token exchange grant is served here.",
        ));
    }
    if !SUBJECT_TYPES.contains(&req.subject_token_type.as_str())
        || req.requested_token_type.as_deref().is_some_and(|t| t != ACCESS_TOKEN)
        || req.subject_token.is_empty()
        || req.subject_token.len() > 16 * 1024
    {
        return Err(refusal(
            S::BAD_REQUEST,
            "invalid_request",
            "Present a JWT of the provider (access token or ID token); an access token is issued.",
        ));
    }
    let identity = provider.vouched(&req.subject_token).await.map_err(|e| {
        tracing::warn!(error = %e, credential, "token exchange: the subject token was refused");
        match e {
            SsoError::Unavailable(_) => refusal(
                S::SERVICE_UNAVAILABLE,
                "temporarily_unavailable",
                "The organization's provider does not answer.",
            ),
            SsoError::Refused(_) => refusal(
                S::BAD_REQUEST,
                "invalid_grant",
                "The subject token is not a live token of the provider for this endpoint.",
            ),
        }
    })?;
    let account = account_of(state, &identity).await.map_err(|code| match code {
        ErrorCode::SsoNoAccount => {
            refusal(S::BAD_REQUEST, "invalid_grant", "No account here is this person's.")
        }
        _ => refusal(
            S::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The directory or the database does not answer.",
        ),
    })?;
    if account.shut() {
        return Err(refusal(S::BAD_REQUEST, "invalid_grant", "This person's account is disabled."));
    }
    let proof = identity.mfa.map(|m| MfaProof { at: m.at, kind: m.kind() });
    let (token, expires_at) =
        state.store.create_session_with(&account.id, proof).await.map_err(unavailable)?;
    tracing::info!(credential, account = %account.id, mfa = proof.is_some(), "token exchange: a person handed over");
    Ok(Json(TokenExchangeResponse {
        access_token: token.expose_secret().to_owned(),
        issued_token_type: ACCESS_TOKEN.to_owned(),
        token_type: "Bearer".to_owned(),
        expires_in: expires_at - state.store.clock().now(),
    }))
}
