//! A proof in progress: enrolling a new method, or challenging a registered one.
//! Sent codes are single use, expire, allow a few wrong tries and are stored only as a
//! keyed hash; TOTP codes are checked ±1 step and never accepted twice.

use secrecy::{ExposeSecret, SecretString};
use wire::{ErrorCode, MethodKind};

use crate::clock::now;
use crate::config::Limits;
use crate::crypto::{self, ServerKey};
use crate::db::Db;
use crate::deliver::Deliverer;
use crate::error::ApiError;
use crate::methods::{self, Totp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    Enroll,
    Challenge,
}

impl Purpose {
    fn as_str(self) -> &'static str {
        match self {
            Self::Enroll => "enroll",
            Self::Challenge => "challenge",
        }
    }
}

#[derive(Clone, sqlx::FromRow)]
pub struct Proof {
    pub id: String,
    pub kind: String,
    pub method_id: Option<String>,
    pub destination: Option<String>,
    pub totp_secret: Option<String>,
    pub code_hash: Option<String>,
    pub code_expires: Option<i64>,
    pub attempts: i64,
    pub last_sent_at: Option<i64>,
}

impl std::fmt::Debug for Proof {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Proof")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Proof {
    pub fn kind(&self) -> MethodKind {
        MethodKind::parse(&self.kind).unwrap_or(MethodKind::Totp)
    }
}

/// What a new proof starts with.
pub struct NewProof<'a> {
    pub purpose: Purpose,
    pub session_id: &'a str,
    pub account_id: &'a str,
    pub kind: MethodKind,
    pub method_id: Option<&'a str>,
    pub destination: Option<&'a str>,
    pub totp_secret: Option<&'a str>,
}

pub async fn create(db: &Db, new: NewProof<'_>) -> sqlx::Result<Proof> {
    let id = crypto::random_id();
    sqlx::query(
        "INSERT INTO proofs (id, purpose, session_id, account_id, kind, method_id, destination, totp_secret, created_at) \
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(new.purpose.as_str())
    .bind(new.session_id)
    .bind(new.account_id)
    .bind(new.kind.as_str())
    .bind(new.method_id)
    .bind(new.destination)
    .bind(new.totp_secret)
    .bind(now())
    .execute(db)
    .await?;
    find(db, new.session_id, new.purpose, &id).await?.ok_or(sqlx::Error::RowNotFound)
}

/// An open proof of this session, or `None`.
pub async fn find(
    db: &Db,
    session_id: &str,
    purpose: Purpose,
    id: &str,
) -> sqlx::Result<Option<Proof>> {
    sqlx::query_as(
        "SELECT id, kind, method_id, destination, totp_secret, code_hash, code_expires, attempts, last_sent_at \
         FROM proofs WHERE id = ? AND session_id = ? AND purpose = ? AND done = 0",
    )
    .bind(id)
    .bind(session_id)
    .bind(purpose.as_str())
    .fetch_optional(db)
    .await
}

pub async fn delete(db: &Db, id: &str) -> sqlx::Result<()> {
    sqlx::query("DELETE FROM proofs WHERE id = ?").bind(id).execute(db).await?;
    Ok(())
}

fn code_hash(key: &ServerKey, proof_id: &str, code: &str) -> String {
    key.keyed_hash("code", format!("{proof_id}:{code}").as_bytes())
}

/// Sends a fresh code for `proof` to `to`, honouring the resend cooldown. Returns the
/// code's expiry time. The previous code stops working.
pub async fn send_code(
    db: &Db,
    key: &ServerKey,
    deliverer: &Deliverer,
    limits: &Limits,
    proof: &Proof,
    to: &str,
) -> Result<i64, ApiError> {
    let now = now();
    if let Some(last) = proof.last_sent_at {
        let wait = last + limits.resend_cooldown - now;
        if wait > 0 {
            return Err(ApiError::new(ErrorCode::ResendTooSoon)
                .retry_after(u32::try_from(wait).unwrap_or(1)));
        }
    }
    let code = crypto::new_code();
    let expires = now + limits.code_ttl;
    sqlx::query("UPDATE proofs SET code_hash = ?, code_expires = ?, last_sent_at = ? WHERE id = ?")
        .bind(code_hash(key, &proof.id, code.expose_secret()))
        .bind(expires)
        .bind(now)
        .bind(&proof.id)
        .execute(db)
        .await?;
    if let Err(e) = deliverer.send(db, proof.kind(), to, &code).await {
        tracing::warn!(error = %e, "code delivery failed");
        sqlx::query("UPDATE proofs SET code_hash = NULL, last_sent_at = NULL WHERE id = ?")
            .bind(&proof.id)
            .execute(db)
            .await?;
        return Err(ApiError::new(ErrorCode::DeliveryFailed));
    }
    Ok(expires)
}

/// The outcome of a correct code: the TOTP step it used, if TOTP.
pub struct Passed {
    pub totp_step: Option<i64>,
}

/// Checks `raw_code` against the proof. Wrong codes count against the attempt limit;
/// a correct one closes the proof (once, even under concurrent calls). For a TOTP
/// challenge the step is also claimed on the method, so a code is never used twice.
pub async fn check(
    db: &Db,
    key: &ServerKey,
    limits: &Limits,
    proof: &Proof,
    totp: Option<&Totp>,
    raw_code: &SecretString,
) -> Result<Passed, ApiError> {
    if proof.attempts >= limits.code_attempts {
        return Err(ApiError::new(ErrorCode::TooManyAttempts));
    }
    let now = now();
    let code = crypto::normalize_code(raw_code.expose_secret());
    let outcome = match (&code, totp) {
        (None, _) => Err(ErrorCode::InvalidCode),
        (Some(code), Some(totp)) => {
            let step = totp.matching_step(code, u64::try_from(now).unwrap_or(0));
            match (step, proof.method_id.as_deref()) {
                (Some(step), Some(method))
                    if methods::claim_totp_step(db, method, step).await? =>
                {
                    Ok(Some(step))
                }
                (Some(step), None) => Ok(Some(step)),
                _ => Err(ErrorCode::InvalidCode),
            }
        }
        (Some(code), None) => match (&proof.code_hash, proof.code_expires) {
            (Some(_), Some(exp)) if exp <= now => Err(ErrorCode::CodeExpired),
            (Some(stored), Some(_))
                if crypto::ct_eq(stored.as_bytes(), code_hash(key, &proof.id, code).as_bytes()) =>
            {
                Ok(None)
            }
            _ => Err(ErrorCode::InvalidCode),
        },
    };
    match outcome {
        Ok(totp_step) => {
            let closed = sqlx::query("UPDATE proofs SET done = 1 WHERE id = ? AND done = 0")
                .bind(&proof.id)
                .execute(db)
                .await?;
            if closed.rows_affected() != 1 {
                return Err(ApiError::new(ErrorCode::InvalidCode));
            }
            Ok(Passed { totp_step })
        }
        Err(ErrorCode::CodeExpired) => Err(ApiError::new(ErrorCode::CodeExpired)),
        Err(code) => {
            let attempts: i64 = sqlx::query_scalar(
                "UPDATE proofs SET attempts = attempts + 1 WHERE id = ? RETURNING attempts",
            )
            .bind(&proof.id)
            .fetch_one(db)
            .await?;
            let left = limits.code_attempts - attempts;
            if left <= 0 {
                Err(ApiError::new(ErrorCode::TooManyAttempts))
            } else {
                Err(ApiError::new(code).attempts_left(left))
            }
        }
    }
}
