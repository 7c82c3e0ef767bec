//! Single sign-on's rules that must hold under concurrency (`credentials::sso` verifies
//! what the provider says; this keeps what follows from it):
//! - a sign-in sent to the provider is kept by its `state`'s hash, and taken **once**,
//!   before it expires: a replayed or raced callback finds nothing;
//! - the person the provider vouches for is linked to one account by (issuer, subject):
//!   the directory person with the mail the provider gave, when a directory is
//!   configured; otherwise an account made on their first sign-in, named by that mail,
//!   never a local account that already has the name (no silent take-over);
//! - the session reaches the app through a **hand-off code**: random, kept hashed, taken
//!   once within [`HANDOFF_TTL`] seconds, and the session it opens carries the MFA the
//!   provider did when it counted.

use secrecy::{ExposeSecret, SecretString};

use super::accounts::{account_on, insert_account, NewAccount, COLUMNS};
use super::sessions::MfaProof;
use super::{Locks, Store, StoreResult, Tx};
use crate::crypto;
use crate::domain::accounts::{AccountRow, Username};

/// How long a sign-in sent to the provider may take to come back, in seconds.
pub const LOGIN_TTL: i64 = 10 * 60;

/// How long the app has to exchange its hand-off code, in seconds.
pub const HANDOFF_TTL: i64 = 60;

/// What linking the provider's person to an account came to.
#[derive(Debug)]
pub enum Linked {
    Account(Box<AccountRow>),
    /// No account may be theirs: a local account has the name their mail would give
    /// (an admin links or renames), or the provider gave no usable mail.
    NoAccount,
}

/// A session opened by a hand-off: its token (shown once), expiry, and account.
pub struct HandedOff {
    pub token: SecretString,
    pub expires_at: i64,
    pub account: AccountRow,
    pub mfa_at: Option<i64>,
    pub mfa_kind: Option<String>,
}

impl Store {
    /// Keeps a sign-in sent to the provider, by its `state`, with where to go back to.
    pub async fn begin_sso(&self, state: &SecretString, return_to: &str) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO sso_logins (state_hash, return_to, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(crypto::sha256_hex(state.expose_secret().as_bytes()))
        .bind(return_to)
        .bind(self.now() + LOGIN_TTL)
        .execute(&mut *self.writer().await?)
        .await
        .map(drop)
    }

    /// Takes the sign-in of `state`, once: where to go back to, if it is still live.
    pub async fn take_sso(&self, state: &str) -> sqlx::Result<Option<String>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "DELETE FROM sso_logins WHERE state_hash = $1 RETURNING return_to, expires_at",
        )
        .bind(crypto::sha256_hex(state.as_bytes()))
        .fetch_optional(&mut *self.writer().await?)
        .await?;
        Ok(row.filter(|(_, expires_at)| *expires_at > self.now()).map(|(to, _)| to))
    }

    /// Links (issuer, subject) to `account` (a directory person's) unless it is linked
    /// already: the account it is linked to then (the first link stands; a directory
    /// person found again by another mail stays who they were).
    pub async fn link_sso(
        &self,
        issuer: &str,
        subject: &str,
        account: AccountRow,
    ) -> StoreResult<Linked> {
        let now = self.now();
        let locks = Locks::account(&account.id).and("subject", &subject_key(issuer, subject));
        self.transaction(
            locks,
            async |tx| Ok(link_in(tx, issuer, subject, &account.id, now).await?),
        )
        .await
    }

    /// The account of a person the provider vouches for, without a directory: the one
    /// (issuer, subject) is linked to, or one made now, named `username` (their mail),
    /// with the default policy and no password of its own (`NoAccount` when a local
    /// account has that name). Two first sign-ins raced make one account.
    pub async fn sso_person(
        &self,
        issuer: &str,
        subject: &str,
        username: Option<&Username>,
        display_name: &str,
    ) -> StoreResult<Linked> {
        let now = self.now();
        // About the subject, and the name it may give a new account.
        let locks = Locks::found_inside()
            .and("subject", &subject_key(issuer, subject))
            .and_some("username", username.map(Username::as_str));
        self.transaction(locks, async |tx| {
            if let Some(account) = linked(&mut **tx, issuer, subject).await? {
                return Ok(Linked::Account(Box::new(account)));
            }
            let Some(username) = username else { return Ok(Linked::NoAccount) };
            let policy = wire::Policy::default();
            let new = NewAccount { username, display_name, password_hash: "", policy: &policy };
            let made = insert_account(&mut **tx, &new, now).await?;
            let Some(id) = made else {
                // The name is taken: by the same person's first sign-in raced with this
                // one (linked by now), or by a local account (never taken over).
                return Ok(match linked(&mut **tx, issuer, subject).await? {
                    Some(account) => Linked::Account(Box::new(account)),
                    None => {
                        tracing::warn!("sso: a local account has the person's name");
                        Linked::NoAccount
                    }
                });
            };
            tracing::info!(account = %id, "sso: account made on first sign-in");
            Ok(link_in(tx, issuer, subject, &id, now).await?)
        })
        .await
    }

    /// A hand-off code for `account_id`'s new session (with the provider's MFA proof,
    /// when it counts): to put in the return address, exchanged once.
    pub async fn hand_off(
        &self,
        account_id: &str,
        proof: Option<MfaProof<'_>>,
    ) -> sqlx::Result<SecretString> {
        let code = crypto::new_token();
        sqlx::query(
            "INSERT INTO sso_handoffs (code_hash, account_id, mfa_at, mfa_kind, expires_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(crypto::sha256_hex(code.expose_secret().as_bytes()))
        .bind(account_id)
        .bind(proof.map(|p| p.at))
        .bind(proof.map(|p| p.kind))
        .bind(self.now() + HANDOFF_TTL)
        .execute(&mut *self.writer().await?)
        .await?;
        Ok(code)
    }

    /// Takes a hand-off code, once, before it expires, and opens its session (in one
    /// transaction): `None` for a code unknown, used, expired, or whose account is shut.
    pub async fn redeem_hand_off(&self, code: &str) -> StoreResult<Option<HandedOff>> {
        let now = self.now();
        let session_max = self.limits.session_max;
        self.transaction(Locks::found_inside(), async |tx| {
            let row: Option<(String, Option<i64>, Option<String>, i64)> = sqlx::query_as(
                "DELETE FROM sso_handoffs WHERE code_hash = $1 \
                 RETURNING account_id, mfa_at, mfa_kind, expires_at",
            )
            .bind(crypto::sha256_hex(code.as_bytes()))
            .fetch_optional(&mut **tx)
            .await?;
            let Some((account_id, mfa_at, mfa_kind, expires_at)) = row else { return Ok(None) };
            if expires_at <= now {
                return Ok(None);
            }
            // The code is this transaction's (taken above): the rest is about its account.
            self.lock_also(tx, "account", &account_id).await?;
            let account = account_on(&mut **tx, &account_id).await?;
            let Some(account) = account.filter(|a| !a.shut()) else { return Ok(None) };
            let token =
                self.insert_session(&mut **tx, &account.id, mfa_at, mfa_kind.as_deref()).await?;
            Ok(Some(HandedOff { token, expires_at: now + session_max, account, mfa_at, mfa_kind }))
        })
        .await
    }
}

/// The name of a provider's subject for [`Locks::and`]: its issuer and subject.
fn subject_key(issuer: &str, subject: &str) -> String {
    format!("{issuer}\0{subject}")
}

/// Links (issuer, subject) to `account_id` in `tx` unless it is linked already: the
/// account it is linked to then.
async fn link_in(
    tx: &mut Tx<'_>,
    issuer: &str,
    subject: &str,
    account_id: &str,
    now: i64,
) -> sqlx::Result<Linked> {
    sqlx::query(
        "INSERT INTO sso_links (issuer, subject, account_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (issuer, subject) DO NOTHING",
    )
    .bind(issuer)
    .bind(subject)
    .bind(account_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    let linked = linked(&mut **tx, issuer, subject).await?;
    Ok(linked.map_or(Linked::NoAccount, |a| Linked::Account(Box::new(a))))
}

/// The account (issuer, subject) is linked to, read in `db` (a transaction).
async fn linked<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    issuer: &str,
    subject: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM accounts WHERE id = \
         (SELECT account_id FROM sso_links WHERE issuer = $1 AND subject = $2)"
    ))
    .bind(issuer)
    .bind(subject)
    .fetch_optional(db)
    .await
}
