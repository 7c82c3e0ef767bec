//! Bearer sessions: opaque random tokens stored as SHA-256, idle and absolute expiry,
//! and the time of the last MFA proof (step-up). A session's token is replaced when
//! MFA is proven (see `proofs.rs`), so a token seen before the proof is worth nothing
//! after it.

use secrecy::{ExposeSecret, SecretString};

use super::{Store, Tx};
use crate::crypto;
use crate::domain::accounts::{AccountRow, StepUp};

/// A live session and its account.
#[derive(Debug, Clone)]
pub struct Authenticated {
    pub session_id: String,
    pub created_at: i64,
    pub mfa_at: Option<i64>,
    /// The kind of method that proved `mfa_at`.
    pub mfa_kind: Option<String>,
    pub account: AccountRow,
}

/// An MFA proof a session now carries: when, by a method of which kind.
#[derive(Debug, Clone, Copy)]
pub struct MfaProof<'a> {
    pub at: i64,
    pub kind: &'a str,
}

/// What a bearer token comes to.
#[derive(Debug)]
pub enum Auth {
    Valid(Box<Authenticated>),
    /// No such session (never was, signed out, rotated, or the account disabled).
    Unknown,
    /// It was a session; it ended by inactivity or age and is now removed.
    Expired,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    account_id: String,
    created_at: i64,
    last_seen_at: i64,
    mfa_at: Option<i64>,
    mfa_kind: Option<String>,
}

/// The token's stored form.
fn token_hash(token: &str) -> String {
    crypto::sha256_hex(token.as_bytes())
}

impl Store {
    /// Creates a session; returns the token (shown once to the client) and its expiry.
    #[tracing::instrument(skip_all)]
    pub async fn create_session(&self, account_id: &str) -> sqlx::Result<(SecretString, i64)> {
        self.create_session_with(account_id, None).await
    }

    /// Creates a session carrying an MFA proof made elsewhere (the OpenID provider's,
    /// when it counts): its token and expiry.
    pub async fn create_session_with(
        &self,
        account_id: &str,
        proof: Option<MfaProof<'_>>,
    ) -> sqlx::Result<(SecretString, i64)> {
        let (at, kind) = (proof.map(|p| p.at), proof.map(|p| p.kind));
        let token = self.insert_session(&mut *self.writer().await?, account_id, at, kind).await?;
        Ok((token, self.now() + self.limits.session_max))
    }

    /// A new session of the account on `db` (a write connection or a transaction), carrying an MFA proof made elsewhere
    /// (`mfa_at` by `mfa_kind`: the OpenID provider's, `store::sso`) or none: its token.
    pub(super) async fn insert_session<'e>(
        &self,
        db: impl sqlx::Executor<'e, Database = sqlx::Any>,
        account_id: &str,
        mfa_at: Option<i64>,
        mfa_kind: Option<&str>,
    ) -> sqlx::Result<SecretString> {
        let token = crypto::new_token();
        sqlx::query(
            "INSERT INTO sessions (id, token_hash, account_id, created_at, last_seen_at, mfa_at, \
             mfa_kind) VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(crypto::random_id())
        .bind(token_hash(token.expose_secret()))
        .bind(account_id)
        .bind(self.now())
        .bind(mfa_at)
        .bind(mfa_kind)
        .execute(db)
        .await?;
        Ok(token)
    }

    /// The session a bearer token opens, if it is live; touches its idle timer.
    pub async fn authenticate(&self, token: &str) -> sqlx::Result<Auth> {
        let row: Option<SessionRow> = sqlx::query_as(
            "SELECT id, account_id, created_at, last_seen_at, mfa_at, mfa_kind FROM sessions \
             WHERE token_hash = $1",
        )
        .bind(token_hash(token))
        .fetch_optional(&self.db)
        .await?;
        let Some(row) = row else { return Ok(Auth::Unknown) };
        let now = self.now();
        let limits = &self.limits;
        if now - row.last_seen_at > limits.session_idle || now - row.created_at > limits.session_max
        {
            self.end_session(&row.id).await?;
            return Ok(Auth::Expired);
        }
        let Some(account) = self.account_by_id(&row.account_id).await?.filter(|a| !a.shut()) else {
            return Ok(Auth::Unknown);
        };
        // At most one write every few seconds per session: a page load's burst of
        // requests must not queue on the writer lock just to say "still here".
        sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id = $2 AND last_seen_at < $3")
            .bind(now)
            .bind(&row.id)
            .bind(now - 5)
            .execute(&mut *self.writer().await?)
            .await?;
        Ok(Auth::Valid(Box::new(Authenticated {
            session_id: row.id,
            created_at: row.created_at,
            mfa_at: row.mfa_at,
            mfa_kind: row.mfa_kind,
            account,
        })))
    }

    /// Ends every session of the account but `except` (the person acting, kept), inside
    /// `tx`: how many ended. Every rule that signs a person out everywhere (a password
    /// set, a reset, a disabled account, "this wasn't me") ends them here.
    pub(super) async fn end_sessions_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        except: Option<&str>,
    ) -> sqlx::Result<u64> {
        let ended = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND id <> $2")
            .bind(account_id)
            .bind(except.unwrap_or_default())
            .execute(&mut **tx)
            .await?;
        Ok(ended.rows_affected())
    }

    /// Gives the session a new token inside `tx`, so a token seen before (a proof, a
    /// password change) is worth nothing after it; with `proof`, the MFA proof it now
    /// carries. The new token, to hand to the person once.
    pub(super) async fn rotate_token_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        proof: Option<MfaProof<'_>>,
    ) -> sqlx::Result<SecretString> {
        let token = crypto::new_token();
        sqlx::query(
            "UPDATE sessions SET token_hash = $1, mfa_at = COALESCE($2, mfa_at), \
             mfa_kind = COALESCE($3, mfa_kind), last_seen_at = $4 WHERE id = $5",
        )
        .bind(token_hash(token.expose_secret()))
        .bind(proof.map(|p| p.at))
        .bind(proof.map(|p| p.kind))
        .bind(self.now())
        .bind(session_id)
        .execute(&mut **tx)
        .await?;
        Ok(token)
    }

    pub async fn end_session(&self, session_id: &str) -> sqlx::Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id = $1")
            .bind(session_id)
            .execute(&mut *self.writer().await?)
            .await
            .map(drop)
    }

    /// Whether an MFA proof at `mfa_at` still counts as a step-up now.
    pub fn mfa_fresh(&self, mfa_at: Option<i64>) -> bool {
        mfa_at.is_some_and(|t| self.now() - t <= self.limits.step_up)
    }

    /// What a session whose last MFA proof was at `mfa_at`, by a method of `mfa_kind`,
    /// has proven now.
    pub fn step_up(&self, mfa_at: Option<i64>, mfa_kind: Option<&str>) -> StepUp {
        StepUp::of(self.mfa_fresh(mfa_at), mfa_kind)
    }
}
