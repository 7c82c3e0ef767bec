//! `/v1/admin/…`: what a helpdesk, through the admin mode of the module in its portal,
//! sees of a person's account and may do to it. Each change is audited in the same
//! transaction (`store::audit`) and told to the person by email. Who may call, with
//! which scope: `admin_access`.

use axum::extract::{Path, Query, RawQuery, State};
use axum::http::StatusCode;
use secrecy::ExposeSecret;
use serde::Deserialize;
use wire::admin::{
    AdminScope, AdminSession, AdminSessionRequest, AdminUser, AppPasswordsOffer, AuditLog,
    DirectoryInfo, DirectoryStanding, UserList, UserSummary,
};
use wire::{ErrorCode, NotAvailableReason, Policy};

use crate::clock::rfc3339;
use crate::domain::accounts::PolicyChange;
use crate::domain::accounts::{parse_display_name, policy_refusal, AccountRow, Username};
use crate::domain::client::ClientAddr;
use crate::domain::directory::DirectoryStatus;
use crate::domain::limits::Budget;
use crate::http::admin_tokens::{Admin, AdminCredential};
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::state::AppState;
use crate::store::audit::{AdminAction, By};
use crate::store::Refusal;

/// A short-lived admin token for the operator the portal signed in (`actor`), minted
/// with the portal's admin credential. The portal hands the token, never the
/// credential, to the module's admin mode. Each try spends the caller address's
/// sign-in budget, given back when the credential is right: a guesser's tries stop at
/// the budget (429), a portal minting a token per page never runs out.
#[utoipa::path(post, path = "/v1/admin/sessions", tag = "admin", operation_id = "admin_sign_in",
    security(("admin_credential" = [])), request_body = AdminSessionRequest,
    responses((status = 201, description = "An admin token for 15 minutes", body = AdminSession)))]
#[tracing::instrument(skip_all)]
pub async fn sign_in(
    State(state): State<AppState>,
    client: ClientAddr,
    AdminCredential(secret): AdminCredential,
    Json(req): Json<AdminSessionRequest>,
) -> ApiResult<(StatusCode, Json<AdminSession>)> {
    let budget = [Budget::SignInAddress(&client)];
    let hits = state.store.spend(&budget).await?.map_err(Refusal::from)?;
    // The credential is checked first: a caller without one learns nothing else.
    let actor = parse_display_name(&req.actor);
    let actor_name = actor.as_deref().unwrap_or_default();
    let now = state.store.clock().now();
    let minted = state.admins.mint(&state.key, &secret, actor_name, now);
    let Some((token, claims)) = minted else {
        return Err(ApiError::new(ErrorCode::Unauthorized).detail(
            "Send a configured admin credential (APP_ADMIN_CREDENTIALS_FILE) as a Bearer token.",
        ));
    };
    state.store.release(&hits).await?;
    if actor.is_none() {
        return Err(ApiError::invalid("actor", "invalid"));
    }
    Ok((
        StatusCode::CREATED,
        Json(AdminSession {
            token,
            expires_at: rfc3339(claims.expires),
            credential: claims.credential,
            actor: claims.actor,
            scopes: claims.scopes,
        }),
    ))
}

/// Ends this admin token before its 15 minutes (the helpdesk view's sign-out): every
/// later call with it is refused (401 `session_expired`), on every replica.
#[utoipa::path(delete, path = "/v1/admin/sessions/current", tag = "admin", operation_id = "admin_sign_out",
    security(("bearer" = [])),
    responses((status = 204, description = "Ended: the token works nowhere any more")))]
#[tracing::instrument(skip_all)]
pub async fn sign_out(State(state): State<AppState>, admin: Admin) -> ApiResult<StatusCode> {
    state.store.end_admin_token(admin.token.expose_secret(), admin.claims.expires).await?;
    tracing::info!(credential = %admin.claims.credential, "admin token ended");
    Ok(StatusCode::NO_CONTENT)
}

/// Accounts whose username or name contains `q`: 20 at most, by username.
#[utoipa::path(get, path = "/v1/admin/users", tag = "admin", operation_id = "admin_find_users",
    security(("bearer" = [])),
    params(("q" = String, Query, min_length = 1, max_length = 254, pattern = "\\S", description = "Part of a username or display name (any case); spaces around it are ignored, so it needs one other character")),
    responses((status = 200, description = "Matching accounts", body = UserList)))]
#[tracing::instrument(skip_all)]
pub async fn find(
    State(state): State<AppState>,
    admin: Admin,
    RawQuery(query): RawQuery,
) -> ApiResult<Json<UserList>> {
    admin.require(AdminScope::Read)?;
    // Read here, so any query string, even one that is not UTF-8, gets a problem.
    let q = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "q")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let q = q.trim();
    if q.is_empty() || q.chars().count() > wire::rules::USERNAME_MAX {
        return Err(ApiError::invalid("q", "length"));
    }
    let rows = state.store.search_accounts(q, 20).await?;
    let items = rows
        .into_iter()
        .map(|a| UserSummary {
            username: a.username,
            display_name: a.display_name,
            disabled: a.disabled,
        })
        .collect();
    Ok(Json(UserList { items }))
}

async fn account(state: &AppState, raw: &str) -> ApiResult<AccountRow> {
    let name = Username::parse(raw).ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    state.store.account_by_username(&name).await?.ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

/// The account as a helpdesk sees it: policy, methods (masked), app passwords (never a
/// secret), and whether app passwords are offered, or why not.
async fn view(state: &AppState, account: &AccountRow) -> ApiResult<AdminUser> {
    let methods: Vec<wire::Method> =
        crate::domain::methods::listed(&state.store.methods(&account.id).await?);
    let app_passwords = state.store.app_passwords(&account.id).await?;
    // The policy's reason (the one the person's own app shows), then what is left.
    let app_passwords_offer = match (account.shut(), account.unavailable()) {
        (true, _) => AppPasswordsOffer::AccountDisabled,
        (false, Some(NotAvailableReason::MfaNotRequired)) => AppPasswordsOffer::MfaNotRequired,
        (false, Some(NotAvailableReason::AppPasswordsDisabled)) => {
            AppPasswordsOffer::AppPasswordsOff
        }
        (false, None) if methods.is_empty() => AppPasswordsOffer::NoMethodYet,
        (false, None) => AppPasswordsOffer::Offered,
    };
    Ok(AdminUser {
        username: account.username.clone(),
        display_name: account.display_name.clone(),
        disabled: account.disabled,
        mfa_locked: account.mfa_failures >= state.config.limits.mfa_lockout,
        policy: account.policy(),
        app_passwords_offer,
        methods,
        app_passwords,
        provisioned: account.provisioned,
        directory: account.directory.as_ref().map(|d| DirectoryInfo {
            status: match d.status {
                DirectoryStatus::Active => DirectoryStanding::Active,
                DirectoryStatus::Locked => DirectoryStanding::Locked,
                DirectoryStatus::Disabled => DirectoryStanding::Disabled,
                DirectoryStatus::Deleted => DirectoryStanding::Deleted,
            },
            seen_at: rfc3339(d.seen_at),
        }),
    })
}

#[utoipa::path(get, path = "/v1/admin/users/{username}", tag = "admin", operation_id = "admin_get_user",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "The account", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn get(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    admin.require(AdminScope::Read)?;
    Ok(Json(view(&state, &account(&state, &username).await?).await?))
}

/// Does `action` to the account, audited, tells the person, and answers its new state.
async fn act(
    state: &AppState,
    admin: &Admin,
    username: &str,
    scope: AdminScope,
    action: AdminAction<'_>,
) -> ApiResult<Json<AdminUser>> {
    admin.require(scope)?;
    let account = account(state, username).await?;
    let from = admin.from.to_string();
    let by = By { credential: &admin.claims.credential, actor: &admin.claims.actor, from: &from };
    state
        .administer(&account, by, action)
        .await?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound))?;
    let account = account_after(state, &account).await?;
    Ok(Json(view(state, &account).await?))
}

async fn account_after(state: &AppState, before: &AccountRow) -> ApiResult<AccountRow> {
    state.store.account_by_id(&before.id).await?.ok_or_else(|| ApiError::new(ErrorCode::NotFound))
}

#[utoipa::path(delete, path = "/v1/admin/users/{username}/methods/{id}", tag = "admin", operation_id = "admin_remove_method",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username"), ("id" = String, Path, description = "The method's id")),
    responses((status = 200, description = "Removed; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn remove_method(
    State(state): State<AppState>,
    admin: Admin,
    Path((username, id)): Path<(String, String)>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::RemoveMethod(&id)).await
}

/// Every method removed, every session ended, MFA unlocked: the person sets up a
/// method again at the next sign-in.
#[utoipa::path(post, path = "/v1/admin/users/{username}/reset-mfa", tag = "admin", operation_id = "admin_reset_mfa",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "Reset; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn reset_mfa(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::ResetMfa).await
}

/// The wrong-code lock lifted (after too many wrong codes in a row), methods kept.
#[utoipa::path(post, path = "/v1/admin/users/{username}/unlock-mfa", tag = "admin", operation_id = "admin_unlock_mfa",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "Unlocked; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn unlock_mfa(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::UnlockMfa).await
}

/// Every sign-in refused (web and legacy: app passwords at once), every session ended;
/// the person is told why at sign-in.
#[utoipa::path(post, path = "/v1/admin/users/{username}/disable", tag = "admin", operation_id = "admin_disable",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "Disabled; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn disable(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::Disable).await
}

/// Sign-in allowed again, with the methods and app passwords the account still has.
#[utoipa::path(post, path = "/v1/admin/users/{username}/enable", tag = "admin", operation_id = "admin_enable",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "Enabled; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn enable(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::Enable).await
}

#[utoipa::path(delete, path = "/v1/admin/users/{username}/app-passwords/{id}", tag = "admin", operation_id = "admin_revoke_app_password",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username"), ("id" = String, Path, description = "The app password's id")),
    responses((status = 200, description = "Revoked; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn revoke_app_password(
    State(state): State<AppState>,
    admin: Admin,
    Path((username, id)): Path<(String, String)>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::RevokeAppPassword(&id)).await
}

#[utoipa::path(delete, path = "/v1/admin/users/{username}/app-passwords", tag = "admin", operation_id = "admin_revoke_all_app_passwords",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    responses((status = 200, description = "All revoked; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn revoke_all(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
) -> ApiResult<Json<AdminUser>> {
    act(&state, &admin, &username, AdminScope::Manage, AdminAction::RevokeAllAppPasswords).await
}

/// The whole policy, as the account's page shows it, set at once.
#[utoipa::path(put, path = "/v1/admin/users/{username}/policy", tag = "admin", operation_id = "admin_set_policy",
    security(("bearer" = [])), params(("username" = String, Path, description = "The account's username")),
    request_body = Policy,
    responses((status = 200, description = "Set; the account now", body = AdminUser)))]
#[tracing::instrument(skip_all)]
pub async fn set_policy(
    State(state): State<AppState>,
    admin: Admin,
    Path(username): Path<String>,
    Json(policy): Json<Policy>,
) -> ApiResult<Json<AdminUser>> {
    admin.require(AdminScope::Policy)?;
    if let Some((field, why)) = policy_refusal(&policy) {
        return Err(ApiError::invalid(field, why));
    }
    let change = PolicyChange {
        mfa_required: Some(policy.mfa_required),
        app_passwords_allowed: Some(policy.app_passwords_allowed),
        allowed_methods: Some(policy.allowed_methods),
        phishing_resistant: Some(policy.phishing_resistant),
        app_password_scopes: Some(policy.app_password_scopes),
        app_password_max_days: Some(policy.app_password_max_days),
        keep_app_passwords_on_password_change: Some(policy.keep_app_passwords_on_password_change),
        app_password_unused_days: Some(policy.app_password_unused_days),
    };
    act(&state, &admin, &username, AdminScope::Policy, AdminAction::SetPolicy(&change)).await
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct AuditQuery {
    /// Only this account's lines.
    username: Option<String>,
}

/// The newest 200 lines of what admins did, newest first (the command line's `audit`
/// reads further back).
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", operation_id = "admin_audit",
    security(("bearer" = [])), params(AuditQuery),
    responses((status = 200, description = "The audit log", body = AuditLog)))]
#[tracing::instrument(skip_all)]
pub async fn audit(
    State(state): State<AppState>,
    admin: Admin,
    Query(query): Query<AuditQuery>,
) -> ApiResult<Json<AuditLog>> {
    admin.require(AdminScope::Read)?;
    let username = match query.username.as_deref() {
        Some(raw) => {
            Some(Username::parse(raw).ok_or_else(|| ApiError::invalid("username", "invalid"))?)
        }
        None => None,
    };
    let items = state.store.audit_log(username.as_ref().map(Username::as_str), 200).await?;
    Ok(Json(AuditLog { items }))
}
