use std::net::SocketAddr;

use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use secrecy::{ExposeSecret, SecretString};
use wire::{Account, AccountState, ErrorCode, Next, NotAvailableReason, Session, SignInRequest};

use crate::accounts::{self, AccountRow, Username};
use crate::clock::rfc3339;
use crate::db::Db;
use crate::error::{ApiError, ApiResult, Json};
use crate::methods;
use crate::sessions::{self, Authed};
use crate::startup::AppState;
use crate::throttle::Bucket;

/// The account as the client sees it, and what to do next.
pub async fn account_state(
    db: &Db,
    account: &AccountRow,
    mfa_fresh: bool,
) -> sqlx::Result<AccountState> {
    let methods: Vec<_> =
        methods::list(db, &account.id).await?.iter().map(|m| m.to_wire()).collect();
    let (next, reason): (Next, Option<NotAvailableReason>) =
        sessions::next_for(account, methods.len(), mfa_fresh);
    let account = Account {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        policy: account.policy(),
        methods,
    };
    Ok(AccountState { account, next, reason })
}

/// Sign in with the work or school account and password (seed step 1).
#[utoipa::path(post, path = "/v1/sessions", tag = "sessions", request_body = SignInRequest,
    responses((status = 201, body = Session), (status = 401, body = wire::Problem),
              (status = 422, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Json(req): Json<SignInRequest>,
) -> ApiResult<(StatusCode, Json<Session>)> {
    let username = Username::parse(&req.username);
    let password = SecretString::from(req.password);
    let Some(username) = username else { return Err(ApiError::invalid("username", "required")) };
    if password.expose_secret().is_empty() {
        return Err(ApiError::invalid("password", "required"));
    }
    let limits = &state.config.limits;
    let by_address = format!("signin:addr:{}", peer.ip());
    let by_address = Bucket {
        name: &by_address,
        limit: limits.signin_per_address,
        window: limits.signin_window,
    };
    if let Some(wait) = by_address.hit(&state.db).await? {
        return Err(ApiError::new(ErrorCode::RateLimited).retry_after(wait));
    }
    let by_account = format!("signin:acct:{}", username.as_str());
    let by_account = Bucket {
        name: &by_account,
        limit: limits.signin_per_account,
        window: limits.signin_window,
    };
    if let Some(wait) = by_account.blocked(&state.db).await? {
        return Err(ApiError::new(ErrorCode::RateLimited).retry_after(wait));
    }

    let account = accounts::find_by_username(&state.db, &username).await?;
    let ok = accounts::verify_password(account.as_ref().map(|a| a.password_hash.clone()), password)
        .await;
    let account = match account {
        Some(account) if ok => account,
        _ => {
            by_account.hit(&state.db).await?;
            return Err(ApiError::new(ErrorCode::InvalidCredentials));
        }
    };
    by_account.clear(&state.db).await?;
    if account.disabled {
        return Err(ApiError::new(ErrorCode::AccountDisabled));
    }
    let (token, expires_at) = sessions::create(&state.db, &account.id, limits.session_max).await?;
    let view = account_state(&state.db, &account, false).await?;
    tracing::info!(account = %account.id, next = ?view.next, "signed in");
    Ok((
        StatusCode::CREATED,
        Json(Session {
            token: token.expose_secret().to_owned(),
            expires_at: rfc3339(expires_at),
            account: view.account,
            next: view.next,
            reason: view.reason,
        }),
    ))
}

/// The signed-in account and what to do next.
#[utoipa::path(get, path = "/v1/account", tag = "sessions", security(("bearer" = [])),
    responses((status = 200, body = AccountState), (status = 401, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn account(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<AccountState>> {
    Ok(Json(account_state(&state.db, &authed.account, authed.mfa_fresh()).await?))
}

/// Sign out: the token stops working.
#[utoipa::path(delete, path = "/v1/sessions/current", tag = "sessions", security(("bearer" = [])),
    responses((status = 204), (status = 401, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn delete(State(state): State<AppState>, authed: Authed) -> ApiResult<StatusCode> {
    sessions::delete(&state.db, &authed.session_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
