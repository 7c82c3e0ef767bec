use axum::extract::State;
use axum::http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use wire::{Account, AccountState, ErrorCode, Session, SignInRequest};

use crate::clock::rfc3339;
use crate::credentials::primary::{Checked, Door};
use crate::domain::accounts::{AccountRow, StepUp, Username};
use crate::domain::client::ClientAddr;
use crate::http::auth::Authed;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::state::AppState;
use crate::store::Store;

/// The account as the client sees it, and what to do next.
pub async fn account_state(
    store: &Store,
    account: &AccountRow,
    step_up: StepUp,
) -> sqlx::Result<AccountState> {
    let methods = crate::domain::methods::listed(&store.methods(&account.id).await?);
    let kinds: Vec<_> = methods.iter().map(|m| m.kind).collect();
    let (next, reason) = account.next(&kinds, step_up);
    let account = Account {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        policy: account.policy(),
        methods,
        password_elsewhere: !account.password_here(),
    };
    Ok(AccountState { account, next, reason })
}

/// Sign in with the work or school account and password (seed step 1).
///
/// The attempt is counted against the client's address and the account's password
/// budget BEFORE the password is checked, so a burst of wrong passwords is checked no
/// further than the budget; a right password hands its hits back.
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", operation_id = "sign_in", request_body = SignInRequest,
    responses((status = 201, description = "Signed in: the token and what to do next", body = Session)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    client: ClientAddr,
    Json(req): Json<SignInRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let username = Username::parse(&req.username);
    let password = SecretString::from(req.password);
    if !state.config.sso.password_sign_in {
        return Err(ApiError::new(ErrorCode::PasswordSignInOff));
    }
    let Some(username) = username else { return Err(ApiError::invalid("username", "required")) };
    wire::rules::password(password.expose_secret())
        .map_err(|why| ApiError::invalid("password", why))?;
    let door = Door::SignIn { client: &client };
    let account = match state.primary.check(door, &username, password).await? {
        Checked::Right(account) => account,
        Checked::Wrong => return Err(ApiError::new(ErrorCode::InvalidCredentials)),
    };
    let store = &state.store;
    if account.shut() {
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    let (token, expires_at) = store.create_session(&account.id).await?;
    let view = account_state(store, &account, StepUp::default()).await?;
    tracing::info!(account = %account.id, next = ?view.next, "signed in");
    Ok((StatusCode::CREATED, Json(signed_in(&token, expires_at, view))))
}

/// The answer to a sign-in, whatever door it came through: the new session's token
/// (shown once), its expiry, the account and what to do next.
pub fn signed_in(token: &SecretString, expires_at: i64, view: AccountState) -> Session {
    Session {
        token: token.expose_secret().to_owned(),
        expires_at: rfc3339(expires_at),
        account: view.account,
        next: view.next,
        reason: view.reason,
    }
}

/// The signed-in account and what to do next.
#[utoipa::path(get, path = "/v1/account", tag = "sessions", operation_id = "get_account",
    security(("bearer" = [])),
    responses((status = 200, description = "The account and what to do next", body = AccountState)))]
#[tracing::instrument(skip_all)]
pub async fn account(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<AccountState>> {
    Ok(Json(account_state(&state.store, &authed.account, authed.step_up).await?))
}

/// Sign out: the token stops working.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions", operation_id = "sign_out",
    security(("bearer" = [])), responses((status = 204, description = "Signed out")))]
#[tracing::instrument(skip_all)]
pub async fn delete(State(state): State<AppState>, authed: Authed) -> ApiResult<StatusCode> {
    state.store.end_session(&authed.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
