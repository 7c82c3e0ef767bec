use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::ExposeSecret;
use wire::{AppPasswordList, CreateAppPassword, ErrorCode, NewAppPassword};

use crate::domain::app_passwords::{AppPasswordName, Grant};
use crate::domain::client::ClientAddr;
use crate::http::auth::Authed;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::idempotency;
use crate::http::state::AppState;
use crate::store::notices::Noticed;

/// App passwords need the account to allow them and a recent MFA proof.
fn guard(authed: &Authed) -> ApiResult<()> {
    authed.require_available()?;
    authed.require_mfa()
}

/// The account's app passwords (never their secrets).
#[utoipa::path(get, path = "/v1/app-passwords", tag = "app-passwords", operation_id = "list_app_passwords",
    security(("bearer" = [])),
    responses((status = 200, description = "The account's app passwords and the limit", body = AppPasswordList)))]
#[tracing::instrument(skip_all)]
pub async fn list(
    State(state): State<AppState>,
    authed: Authed,
) -> ApiResult<Json<AppPasswordList>> {
    guard(&authed)?;
    let items = state.store.app_passwords(&authed.account.id).await?;
    Ok(Json(AppPasswordList {
        items,
        limit: u32::try_from(state.config.limits.app_passwords).unwrap_or(0),
    }))
}

/// Create one (seed step 5). The password is in this answer and nowhere else, ever.
#[utoipa::path(post, path = "/v1/app-passwords", tag = "app-passwords", operation_id = "create_app_password",
    security(("bearer" = [])), request_body = CreateAppPassword,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 201, description = "Created: the password, shown this once", body = NewAppPassword)))]
#[tracing::instrument(skip_all)]
pub async fn create(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    headers: HeaderMap,
    Json(req): Json<CreateAppPassword>,
) -> ApiResult<(StatusCode, Json<NewAppPassword>)> {
    authed.require_available()?;
    authed.require_mfa_for_new_app_password()?;
    let name = AppPasswordName::parse(&req.name).map_err(|why| ApiError::invalid("name", why))?;
    let grant = Grant::new(&req.scopes, req.expires_in_days, &authed.account.policy())
        .map_err(|(field, why)| ApiError::invalid(field, why))?;
    let client_key = idempotency::key_from(&headers)?;
    let fingerprint = serde_json::to_vec(&req).unwrap_or_default();
    let account_id = authed.account.id.clone();
    let store = &state.store;
    idempotency::once(
        store,
        &state.key,
        &account_id,
        "app-password",
        client_key,
        &fingerprint,
        || async {
            let (info, secret) =
                store.create_app_password(&authed.session_id, &account_id, &name, &grant).await?;
            tracing::info!(account = %account_id, app_password = %info.id, "app password created");
            state
                .notifier
                .added(&authed.account, Noticed::AppPassword, &info.id, &info.name, &client)
                .await;
            Ok(NewAppPassword {
                id: info.id,
                name: info.name,
                created_at: info.created_at,
                scopes: info.scopes,
                expires_at: info.expires_at,
                password: secret.expose_secret().to_owned(),
            })
        },
    )
    .await
}

/// Revoke one: legacy clients using it are refused from now on.
#[utoipa::path(delete, path = "/v1/app-passwords/{id}", tag = "app-passwords", operation_id = "revoke_app_password",
    security(("bearer" = [])), params(("id" = String, Path, description = "The app password's id")),
    responses((status = 204, description = "Revoked")))]
#[tracing::instrument(skip_all)]
pub async fn revoke(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    guard(&authed)?;
    if state.store.revoke_app_password(&authed.account.id, &id).await? {
        tracing::info!(account = %authed.account.id, app_password = %id, "app password revoked");
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::new(ErrorCode::NotFound))
    }
}

/// Revoke all of the account's app passwords.
#[utoipa::path(delete, path = "/v1/app-passwords", tag = "app-passwords", operation_id = "revoke_all_app_passwords",
    security(("bearer" = [])), responses((status = 204, description = "All revoked")))]
#[tracing::instrument(skip_all)]
pub async fn revoke_all(State(state): State<AppState>, authed: Authed) -> ApiResult<StatusCode> {
    guard(&authed)?;
    let n = state.store.revoke_app_passwords(&authed.account.id).await?;
    tracing::info!(account = %authed.account.id, count = n, "all app passwords revoked");
    Ok(StatusCode::NO_CONTENT)
}
