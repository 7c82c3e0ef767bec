//! Security info: the person manages their own methods — removes one, renames a key or
//! an authenticator app, makes one the default. (Adding one is an enrollment,
//! `routes::mfa`.) Each change is checked, made and audited in one transaction
//! (`Store::change_own_method`), then told to the person with a "this wasn't me" link.

use axum::extract::{Path, State};
use wire::admin::AuditAction;
use wire::{Account, MethodName};

use crate::domain::client::ClientAddr;
use crate::http::auth::Authed;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::routes::sessions::account_state;
use crate::http::state::AppState;
use crate::store::audit::{AdminAction, By};
use crate::store::notices::Noticed;

/// Makes the person's `action`, tells them, and answers the account as it is now.
async fn change(
    state: &AppState,
    authed: &Authed,
    client: &ClientAddr,
    method_id: &str,
    action: AdminAction<'_>,
) -> ApiResult<Json<Account>> {
    let verb = match action.kind() {
        AuditAction::RemoveMethod => "removed",
        AuditAction::RenameMethod => "renamed",
        _ => "made the default",
    };
    let from = client.to_string();
    let by = By { credential: "session", actor: "self", from: &from };
    let (account, detail) =
        state.store.change_own_method(&authed.session_id, &authed.account.id, by, action).await?;
    tracing::info!(account = %account.id, %detail, "method changed by its owner");
    let told = format!("{verb}: {detail}");
    state.notifier.added(&account, Noticed::MethodChange, method_id, &told, client).await;
    Ok(Json(account_state(&state.store, &account, authed.step_up).await?.account))
}

/// Remove one of the person's methods; its open challenges end with it. Removing the
/// last one of a person who must use MFA means setting one up at the next sign-in.
#[utoipa::path(delete, path = "/v1/mfa/methods/{id}", tag = "mfa", operation_id = "remove_method",
    security(("bearer" = [])), params(("id" = String, Path, description = "The method's id")),
    responses((status = 200, description = "Removed; the account now", body = Account)))]
#[tracing::instrument(skip_all)]
pub async fn remove(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    change(&state, &authed, &client, &id, AdminAction::RemoveMethod(&id)).await
}

/// Rename a security key, passkey or authenticator app.
#[utoipa::path(put, path = "/v1/mfa/methods/{id}/name", tag = "mfa", operation_id = "rename_method",
    security(("bearer" = [])), request_body = MethodName,
    params(("id" = String, Path, description = "The method's id")),
    responses((status = 200, description = "Renamed; the account now", body = Account)))]
#[tracing::instrument(skip_all)]
pub async fn rename(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Path(id): Path<String>,
    Json(req): Json<MethodName>,
) -> ApiResult<Json<Account>> {
    let name =
        wire::rules::app_password_name(&req.name).map_err(|why| ApiError::invalid("name", why))?;
    change(&state, &authed, &client, &id, AdminAction::RenameMethod { id: &id, name }).await
}

/// Make one of the person's methods the default: offered first at the next challenge.
#[utoipa::path(post, path = "/v1/mfa/methods/{id}/default", tag = "mfa", operation_id = "prefer_method",
    security(("bearer" = [])), params(("id" = String, Path, description = "The method's id")),
    responses((status = 200, description = "The default now; the account now", body = Account)))]
#[tracing::instrument(skip_all)]
pub async fn prefer(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Path(id): Path<String>,
) -> ApiResult<Json<Account>> {
    change(&state, &authed, &client, &id, AdminAction::PreferMethod(&id)).await
}
