use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::{ExposeSecret, SecretBox};
use wire::{
    Challenge, ChallengeRequest, CodeSent, Enrollment, EnrollmentRequest, ErrorCode, MethodKind,
    Verified, VerifyRequest,
};

use crate::clock::rfc3339;
use crate::crypto;
use crate::domain::client::ClientAddr;
use crate::domain::methods::{label_for, EmailAddress, PhoneNumber, Totp};
use crate::domain::passkeys::is_credential_json;
use crate::http::auth::Authed;
use crate::http::error::{ApiError, ApiResult, Json};
use crate::http::idempotency;
use crate::http::state::AppState;
use crate::store::notices::Noticed;
use crate::store::proofs::{Answer, CodeToSend, Opened, Purpose, Setup};

/// Delivers the code of a new proof or of a resend; the answer for the client. A first
/// code that cannot be delivered takes its proof with it.
async fn deliver(
    state: &AppState,
    proof_id: &str,
    kind: MethodKind,
    send: CodeToSend,
    first: bool,
) -> ApiResult<CodeSent> {
    if let Err(e) = state.deliverer.send(&state.store, kind, &send.to, &send.code).await {
        tracing::warn!(error = %e, "code delivery failed");
        state.store.send_failed(proof_id, first).await?;
        return Err(ApiError::new(ErrorCode::DeliveryFailed));
    }
    Ok(CodeSent {
        destination: label_for(kind, Some(&send.to)),
        resend_after: u32::try_from(state.config.limits.resend_cooldown).unwrap_or(30),
        expires_at: rfc3339(send.expires_at),
    })
}

/// Start registering a method (seed step 3): TOTP returns the key, the others send a code.
#[utoipa::path(post, path = "/v1/mfa/enrollments", tag = "mfa", operation_id = "start_enrollment",
    security(("bearer" = [])), request_body = EnrollmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 201, description = "Started: the key to scan, or where the code went", body = Enrollment)))]
#[tracing::instrument(skip_all)]
pub async fn enroll(
    State(state): State<AppState>,
    authed: Authed,
    headers: HeaderMap,
    Json(req): Json<EnrollmentRequest>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    authed.require_available()?;
    let kind = req.kind();
    // A key's name follows the rule of an app password's.
    let key_name = match &req {
        EnrollmentRequest::Passkey { name } => Some(
            wire::rules::app_password_name(name).map_err(|why| ApiError::invalid("name", why))?,
        ),
        _ => None,
    };
    let destination = match &req {
        EnrollmentRequest::Totp | EnrollmentRequest::Passkey { .. } => None,
        EnrollmentRequest::Sms { phone } | EnrollmentRequest::Voice { phone } => Some(
            PhoneNumber::parse(phone)
                .ok_or_else(|| ApiError::invalid("phone", "invalid_phone"))?
                .as_str()
                .to_owned(),
        ),
        EnrollmentRequest::Email { email } => Some(
            EmailAddress::parse(email)
                .ok_or_else(|| ApiError::invalid("email", "invalid_email"))?
                .as_str()
                .to_owned(),
        ),
    };
    let client_key = idempotency::key_from(&headers)?;
    let fingerprint = serde_json::to_vec(&req).unwrap_or_default();
    let account_id = authed.account.id.clone();
    idempotency::once(
        &state.store,
        &state.key,
        &account_id,
        "enroll",
        client_key,
        &fingerprint,
        || async {
            let key = (kind == MethodKind::Totp)
                .then(|| SecretBox::new(Box::new(crypto::new_totp_key())));
            let totp = match &key {
                Some(k) => Some(
                    Totp::new(
                        k.expose_secret().clone(),
                        &state.config.issuer,
                        &authed.account.username,
                    )
                    .ok_or_else(|| ApiError::internal("TOTP key rejected"))?,
                ),
                None => None,
            };
            let setup = match (key_name, &key, destination.as_deref()) {
                (Some(name), _, _) => Setup::Key { name, passkeys: &state.passkeys },
                (_, Some(key), _) => Setup::Totp(key),
                (_, None, Some(to)) => Setup::Contact(to),
                (_, None, None) => return Err(ApiError::internal("enrollment without a setup")),
            };
            let Opened { id, send, options, .. } =
                state.store.open_enrollment(&authed.session_id, &account_id, kind, setup).await?;
            let mut out = Enrollment {
                id: id.clone(),
                kind,
                secret: totp.as_ref().map(Totp::secret_base32),
                otpauth_uri: totp.as_ref().map(Totp::uri),
                destination: None,
                resend_after: None,
                expires_at: None,
                options,
            };
            if let Some(send) = send {
                let sent = deliver(&state, &id, kind, send, true).await?;
                out.destination = Some(sent.destination);
                out.resend_after = Some(sent.resend_after);
                out.expires_at = Some(sent.expires_at);
            }
            Ok(out)
        },
    )
    .await
}

async fn resend(
    state: AppState,
    authed: Authed,
    purpose: Purpose,
    id: String,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    let (kind, send) =
        state.store.resend(&authed.session_id, &authed.account.id, purpose, &id).await?;
    Ok((StatusCode::CREATED, Json(deliver(&state, &id, kind, send, false).await?)))
}

async fn verify(
    state: AppState,
    authed: Authed,
    purpose: Purpose,
    id: String,
    req: VerifyRequest,
    client: ClientAddr,
) -> ApiResult<Json<Verified>> {
    let code: String;
    let answer = match &req {
        VerifyRequest::Code(c) => {
            code = wire::rules::code(&c.code)
                .ok_or_else(|| ApiError::invalid("code", "invalid_format"))?;
            Answer::Code(&code)
        }
        VerifyRequest::Credential(k) if !is_credential_json(&k.credential) => {
            return Err(ApiError::invalid("credential", "malformed"));
        }
        VerifyRequest::Credential(k) => {
            Answer::Key { credential: &k.credential, passkeys: &state.passkeys }
        }
    };
    let proven =
        state.store.verify(&authed.session_id, &authed.account.id, purpose, &id, answer).await?;
    tracing::info!(account = %authed.account.id, kind = proven.method.kind().as_str(), ?purpose, "method proven");
    if purpose == Purpose::Enroll {
        let m = &proven.method;
        state.notifier.added(&authed.account, Noticed::Method, &m.id, &m.label, &client).await;
    }
    Ok(Json(Verified {
        method: proven.method.to_wire(),
        next: authed.account.next(&proven.methods, proven.step_up).0,
        token: proven.token.expose_secret().to_owned(),
    }))
}

/// Send another code for an enrollment (after the cooldown).
#[utoipa::path(post, path = "/v1/mfa/enrollments/{id}/resend", tag = "mfa", operation_id = "resend_enrollment_code",
    security(("bearer" = [])), params(("id" = String, Path, description = "The enrollment's id")),
    responses((status = 201, description = "A new code was sent; the previous one stopped working", body = CodeSent)))]
#[tracing::instrument(skip_all)]
pub async fn enrollment_resend(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    resend(state, authed, Purpose::Enroll, id).await
}

/// Check the code and register the method (seed step 4). The session's token is
/// replaced: the answer carries the new one.
#[utoipa::path(post, path = "/v1/mfa/enrollments/{id}/verify", tag = "mfa", operation_id = "verify_enrollment",
    security(("bearer" = [])), request_body = VerifyRequest,
    params(("id" = String, Path, description = "The enrollment's id")),
    responses((status = 200, description = "Registered; the session's new token", body = Verified)))]
#[tracing::instrument(skip_all)]
pub async fn enrollment_verify(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Path(id): Path<String>,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<Json<Verified>> {
    verify(state, authed, Purpose::Enroll, id, req, client).await
}

/// Returning users: prove a registered method.
#[utoipa::path(post, path = "/v1/mfa/challenges", tag = "mfa", operation_id = "start_challenge",
    security(("bearer" = [])), request_body = ChallengeRequest,
    responses((status = 201, description = "Started: where the code went, if it is sent", body = Challenge)))]
#[tracing::instrument(skip_all)]
pub async fn challenge(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<ChallengeRequest>,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let Opened { id, kind, method, send, options } = state
        .store
        .open_challenge(&authed.session_id, &authed.account.id, &req.method_id, &state.passkeys)
        .await?;
    let method = method.ok_or_else(|| ApiError::internal("challenge without a method"))?;
    let mut out = Challenge {
        id: id.clone(),
        method: method.to_wire(),
        destination: None,
        resend_after: None,
        expires_at: None,
        options,
    };
    if let Some(send) = send {
        let sent = deliver(&state, &id, kind, send, true).await?;
        out.destination = Some(sent.destination);
        out.resend_after = Some(sent.resend_after);
        out.expires_at = Some(sent.expires_at);
    }
    Ok((StatusCode::CREATED, Json(out)))
}

/// Send another code for a challenge (after the cooldown).
#[utoipa::path(post, path = "/v1/mfa/challenges/{id}/resend", tag = "mfa", operation_id = "resend_challenge_code",
    security(("bearer" = [])), params(("id" = String, Path, description = "The challenge's id")),
    responses((status = 201, description = "A new code was sent; the previous one stopped working", body = CodeSent)))]
#[tracing::instrument(skip_all)]
pub async fn challenge_resend(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    resend(state, authed, Purpose::Challenge, id).await
}

/// Check a challenge's code: the session counts as MFA-verified (step-up) and its
/// token is replaced: the answer carries the new one.
#[utoipa::path(post, path = "/v1/mfa/challenges/{id}/verify", tag = "mfa", operation_id = "verify_challenge",
    security(("bearer" = [])), request_body = VerifyRequest,
    params(("id" = String, Path, description = "The challenge's id")),
    responses((status = 200, description = "Proven (a step-up); the session's new token", body = Verified)))]
#[tracing::instrument(skip_all)]
pub async fn challenge_verify(
    State(state): State<AppState>,
    authed: Authed,
    client: ClientAddr,
    Path(id): Path<String>,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<Json<Verified>> {
    verify(state, authed, Purpose::Challenge, id, req, client).await
}
