use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use secrecy::SecretString;
use wire::{
    Challenge, ChallengeRequest, CodeSent, Enrollment, EnrollmentRequest, ErrorCode, MethodKind,
    Verified, VerifyRequest,
};

use crate::clock::rfc3339;
use crate::crypto;
use crate::error::{ApiError, ApiResult, Json};
use crate::idempotency;
use crate::methods::{self, EmailAddress, PhoneNumber, Totp};
use crate::proofs::{self, NewProof, Proof, Purpose};
use crate::sessions::{self, Authed};
use crate::startup::AppState;
use crate::throttle::Bucket;

fn not_found() -> ApiError {
    ApiError::new(ErrorCode::NotFound).detail("No such enrollment or challenge in this session.")
}

/// Sends (or re-sends) the code of a sent-code proof; the answer for the client.
async fn send(state: &AppState, proof: &Proof, to: &str) -> ApiResult<CodeSent> {
    let expires =
        proofs::send_code(&state.db, &state.key, &state.deliverer, &state.config.limits, proof, to)
            .await?;
    Ok(CodeSent {
        destination: methods::label_for(proof.kind(), Some(to)),
        resend_after: u32::try_from(state.config.limits.resend_cooldown).unwrap_or(30),
        expires_at: rfc3339(expires),
    })
}

/// Start registering a method (seed step 3): TOTP returns the key, the others send a code.
#[utoipa::path(post, path = "/v1/mfa/enrollments", tag = "mfa", security(("bearer" = [])),
    request_body = EnrollmentRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes a retry return the first answer")),
    responses((status = 201, body = Enrollment), (status = 403, body = wire::Problem),
              (status = 422, body = wire::Problem), (status = 429, body = wire::Problem),
              (status = 502, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn enroll(
    State(state): State<AppState>,
    authed: Authed,
    headers: HeaderMap,
    Json(req): Json<EnrollmentRequest>,
) -> ApiResult<(StatusCode, Json<Enrollment>)> {
    authed.require_available()?;
    let kind = req.kind();
    if !authed.account.policy().allowed_methods.contains(&kind) {
        return Err(ApiError::new(ErrorCode::MethodNotAllowed));
    }
    // Adding a second method needs the first one proven: a stolen password alone must
    // not be enough to register an attacker's phone.
    if !methods::list(&state.db, &authed.account.id).await?.is_empty() {
        authed.require_mfa()?;
    }
    let destination = match &req {
        EnrollmentRequest::Totp => None,
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
        &state.db,
        &state.key,
        &account_id,
        "enroll",
        client_key,
        &fingerprint,
        || async {
            let per_session = format!("enroll:{}", authed.session_id);
            let per_session = Bucket { name: &per_session, limit: 10, window: 3600 };
            if let Some(wait) = per_session.hit(&state.db).await? {
                return Err(ApiError::new(ErrorCode::RateLimited).retry_after(wait));
            }
            let totp = match kind {
                MethodKind::Totp => Some(
                    Totp::new(
                        crypto::new_totp_key(),
                        &state.config.issuer,
                        &authed.account.username,
                    )
                    .ok_or_else(|| ApiError::internal("TOTP key rejected"))?,
                ),
                _ => None,
            };
            let secret = totp.as_ref().map(Totp::secret_base32);
            let proof = proofs::create(
                &state.db,
                NewProof {
                    purpose: Purpose::Enroll,
                    session_id: &authed.session_id,
                    account_id: &authed.account.id,
                    kind,
                    method_id: None,
                    destination: destination.as_deref(),
                    totp_secret: secret.as_deref(),
                },
            )
            .await?;
            let mut out = Enrollment {
                id: proof.id.clone(),
                kind,
                secret,
                otpauth_uri: totp.as_ref().map(Totp::uri),
                destination: None,
                resend_after: None,
                expires_at: None,
            };
            if let Some(to) = &destination {
                let sent = send_first(&state, &proof, to).await?;
                out.destination = Some(sent.destination);
                out.resend_after = Some(sent.resend_after);
                out.expires_at = Some(sent.expires_at);
            }
            Ok(out)
        },
    )
    .await
}

/// The TOTP of a stored key, if any.
fn stored_totp(state: &AppState, authed: &Authed, secret: Option<&str>) -> ApiResult<Option<Totp>> {
    secret
        .map(|s| {
            Totp::from_base32(s, &state.config.issuer, &authed.account.username)
                .ok_or_else(|| ApiError::internal("stored TOTP key unreadable"))
        })
        .transpose()
}

/// Sends the first code of a new proof; a proof whose code could not be sent is dropped.
async fn send_first(state: &AppState, proof: &Proof, to: &str) -> ApiResult<CodeSent> {
    let sent = send(state, proof, to).await;
    if sent.is_err() {
        proofs::delete(&state.db, &proof.id).await?;
    }
    sent
}

async fn open_proof(
    state: &AppState,
    authed: &Authed,
    purpose: Purpose,
    id: &str,
) -> ApiResult<Proof> {
    proofs::find(&state.db, &authed.session_id, purpose, id).await?.ok_or_else(not_found)
}

/// Where a proof's codes go: the enrollment's new destination or the method's.
async fn destination_of(state: &AppState, authed: &Authed, proof: &Proof) -> ApiResult<String> {
    let dest = match &proof.method_id {
        Some(method_id) => methods::find(&state.db, &authed.account.id, method_id)
            .await?
            .and_then(|m| m.destination),
        None => proof.destination.clone(),
    };
    dest.filter(|_| proof.kind().sends_code()).ok_or_else(|| {
        ApiError::new(ErrorCode::BadRequest)
            .detail("Authenticator app codes are not sent; open the app.")
    })
}

async fn resend(
    state: AppState,
    authed: Authed,
    purpose: Purpose,
    id: String,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    let proof = open_proof(&state, &authed, purpose, &id).await?;
    let to = destination_of(&state, &authed, &proof).await?;
    Ok((StatusCode::CREATED, Json(send(&state, &proof, &to).await?)))
}

/// Send another code for an enrollment (after the cooldown).
#[utoipa::path(post, path = "/v1/mfa/enrollments/{id}/resend", tag = "mfa", security(("bearer" = [])),
    responses((status = 201, body = CodeSent), (status = 404, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn enrollment_resend(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    resend(state, authed, Purpose::Enroll, id).await
}

/// Check the code and register the method (seed step 4).
#[utoipa::path(post, path = "/v1/mfa/enrollments/{id}/verify", tag = "mfa", security(("bearer" = [])),
    request_body = VerifyRequest,
    responses((status = 200, body = Verified), (status = 404, body = wire::Problem),
              (status = 422, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn enrollment_verify(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<Json<Verified>> {
    let proof = open_proof(&state, &authed, Purpose::Enroll, &id).await?;
    let totp = stored_totp(&state, &authed, proof.totp_secret.as_deref())?;
    let code = SecretString::from(req.code);
    let passed =
        proofs::check(&state.db, &state.key, &state.config.limits, &proof, totp.as_ref(), &code)
            .await?;
    let method = methods::insert(
        &state.db,
        &authed.account.id,
        proof.kind(),
        proof.destination.as_deref(),
        proof.totp_secret.as_deref().zip(passed.totp_step),
    )
    .await?;
    tracing::info!(account = %authed.account.id, kind = method.kind().as_str(), "method registered");
    proven(&state, &authed, &method).await
}

/// Returning users: prove a registered method.
#[utoipa::path(post, path = "/v1/mfa/challenges", tag = "mfa", security(("bearer" = [])),
    request_body = ChallengeRequest,
    responses((status = 201, body = Challenge), (status = 404, body = wire::Problem),
              (status = 429, body = wire::Problem), (status = 502, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn challenge(
    State(state): State<AppState>,
    authed: Authed,
    Json(req): Json<ChallengeRequest>,
) -> ApiResult<(StatusCode, Json<Challenge>)> {
    let method =
        methods::find(&state.db, &authed.account.id, &req.method_id).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound).detail("No such method on this account.")
        })?;
    let per_session = format!("challenge:{}", authed.session_id);
    if let Some(wait) =
        (Bucket { name: &per_session, limit: 10, window: 3600 }).hit(&state.db).await?
    {
        return Err(ApiError::new(ErrorCode::RateLimited).retry_after(wait));
    }
    let proof = proofs::create(
        &state.db,
        NewProof {
            purpose: Purpose::Challenge,
            session_id: &authed.session_id,
            account_id: &authed.account.id,
            kind: method.kind(),
            method_id: Some(&method.id),
            destination: None,
            totp_secret: None,
        },
    )
    .await?;
    let mut out = Challenge {
        id: proof.id.clone(),
        method: method.to_wire(),
        destination: None,
        resend_after: None,
        expires_at: None,
    };
    if let Some(to) = method.destination.as_deref().filter(|_| method.kind().sends_code()) {
        let sent = send_first(&state, &proof, to).await?;
        out.destination = Some(sent.destination);
        out.resend_after = Some(sent.resend_after);
        out.expires_at = Some(sent.expires_at);
    }
    Ok((StatusCode::CREATED, Json(out)))
}

/// Send another code for a challenge (after the cooldown).
#[utoipa::path(post, path = "/v1/mfa/challenges/{id}/resend", tag = "mfa", security(("bearer" = [])),
    responses((status = 201, body = CodeSent), (status = 404, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn challenge_resend(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
) -> ApiResult<(StatusCode, Json<CodeSent>)> {
    resend(state, authed, Purpose::Challenge, id).await
}

/// Check a challenge's code; the session then counts as MFA-verified (step-up).
#[utoipa::path(post, path = "/v1/mfa/challenges/{id}/verify", tag = "mfa", security(("bearer" = [])),
    request_body = VerifyRequest,
    responses((status = 200, body = Verified), (status = 404, body = wire::Problem),
              (status = 422, body = wire::Problem), (status = 429, body = wire::Problem)))]
#[tracing::instrument(skip_all)]
pub async fn challenge_verify(
    State(state): State<AppState>,
    authed: Authed,
    Path(id): Path<String>,
    Json(req): Json<VerifyRequest>,
) -> ApiResult<Json<Verified>> {
    let proof = open_proof(&state, &authed, Purpose::Challenge, &id).await?;
    let method_id = proof.method_id.clone().unwrap_or_default();
    let method =
        methods::find(&state.db, &authed.account.id, &method_id).await?.ok_or_else(not_found)?;
    let totp = stored_totp(&state, &authed, method.totp_secret.as_deref())?;
    let code = SecretString::from(req.code);
    proofs::check(&state.db, &state.key, &state.config.limits, &proof, totp.as_ref(), &code)
        .await?;
    proven(&state, &authed, &method).await
}

/// A method was just proven: the session counts as MFA-verified (step-up).
async fn proven(
    state: &AppState,
    authed: &Authed,
    method: &methods::MethodRow,
) -> ApiResult<Json<Verified>> {
    sessions::mark_mfa(&state.db, &authed.session_id).await?;
    let count = methods::list(&state.db, &authed.account.id).await?.len();
    Ok(Json(Verified {
        method: method.to_wire(),
        next: sessions::next_for(&authed.account, count, true).0,
    }))
}
