//! Proofs in progress: enrolling a new method, or challenging a registered one.
//!
//! Every proof expires. Sent codes are single use, expire sooner, allow a few wrong
//! tries and are stored only as a keyed hash; TOTP codes are checked ±1 step and a
//! step is never accepted twice for a method. A new authenticator key is sealed at rest
//! and dropped when the proof closes.
//!
//! The rules that span proofs live here too: every wrong code counts against the
//! ACCOUNT (a budget per window, and a consecutive count that locks MFA), whatever the
//! session or proof it came through; a hit is taken before the code is compared; a
//! verification runs as one transaction that closes the proof once, registers the
//! method, and replaces the session's token.

use secrecy::{ExposeSecret, SecretBox, SecretString};
use wire::MethodKind;

use super::sessions::MfaProof;
use super::throttle::{give_back, take, take_all, Hits};
use super::{finish, Locks, Refusal, Store, StoreResult, Tx};
use crate::crypto;
use crate::domain::accounts::{AccountRow, StepUp};
use crate::domain::limits::Budget;
use crate::domain::methods::{code_hash, label_for, MethodRow, Totp, METHOD_COLUMNS};
use crate::domain::passkeys::Passkeys;

/// What authenticator keys are sealed for.
const TOTP_SEAL: &str = "totp";

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

/// A new proof, and the code to deliver if its kind sends one.
pub struct Opened {
    pub id: String,
    pub kind: MethodKind,
    pub method: Option<MethodRow>,
    pub send: Option<CodeToSend>,
    /// A security key's ceremony: the options for the browser (JSON text).
    pub options: Option<String>,
}

/// What a new method is set up with.
pub enum Setup<'a> {
    /// An authenticator app's new key (sealed to the proof).
    Totp(&'a SecretBox<Vec<u8>>),
    /// A phone number or email address codes are sent to.
    Contact(&'a str),
    /// A security key, with the name the person gives it.
    Key { name: &'a str, passkeys: &'a Passkeys },
}

/// What the person answered a proof with.
pub enum Answer<'a> {
    /// Six digits (`wire::rules::code`).
    Code(&'a str),
    /// A security key's `PublicKeyCredential`, as JSON text.
    Key { credential: &'a str, passkeys: &'a Passkeys },
}

/// A code to deliver (after the transaction that stored its hash has committed).
pub struct CodeToSend {
    pub to: String,
    pub code: SecretString,
    pub expires_at: i64,
}

impl std::fmt::Debug for CodeToSend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeToSend").field("expires_at", &self.expires_at).finish_non_exhaustive()
    }
}

/// What a correct code came to.
pub struct Proven {
    /// The method proven (challenge) or registered (enrollment).
    pub method: MethodRow,
    /// The session's new bearer token; the old one no longer works.
    pub token: SecretString,
    /// What the session has proven after the proof.
    pub step_up: StepUp,
    /// The kinds of the methods the account now has.
    pub methods: Vec<MethodKind>,
}

/// The row a verification works on.
#[derive(sqlx::FromRow)]
struct Open {
    id: String,
    account_id: String,
    kind: String,
    method_id: Option<String>,
    destination: Option<String>,
    totp_secret: Option<String>,
    code_hash: Option<String>,
    code_expires: Option<i64>,
    attempts: i64,
    last_sent_at: Option<i64>,
    created_at: i64,
    expires_at: i64,
    step_up_at: Option<i64>,
    ceremony: Option<String>,
    label: Option<String>,
    session_mfa_at: Option<i64>,
    session_mfa_kind: Option<String>,
}

impl Open {
    fn kind(&self) -> MethodKind {
        MethodKind::parse(&self.kind).unwrap_or(MethodKind::Totp)
    }
}

const OPEN_COLUMNS: &str =
    "p.id, p.account_id, p.kind, p.method_id, p.destination, p.totp_secret, \
     p.code_hash, p.code_expires, p.attempts, p.last_sent_at, p.created_at, p.expires_at, \
     p.step_up_at, p.ceremony, p.label, s.mfa_at AS session_mfa_at, \
     s.mfa_kind AS session_mfa_kind";

/// How a right answer proved the proof.
enum Passed {
    /// A TOTP code, of this time step.
    Totp(i64),
    /// A sent code.
    Sent,
    /// A security key: its credential to store (registered, or its counter moved on).
    Key { credential: String, credential_id: Option<String> },
}

impl Store {
    pub(super) async fn account_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
    ) -> StoreResult<AccountRow> {
        let account =
            super::accounts::account_on(&mut **tx, account_id).await?.ok_or(Refusal::NotFound)?;
        if account.mfa_failures >= self.limits.mfa_lockout {
            return Err(Refusal::MfaLocked.into());
        }
        Ok(account)
    }

    /// The kinds of the account's methods, one per method.
    pub(super) async fn method_kinds(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
    ) -> sqlx::Result<Vec<MethodKind>> {
        let kinds: Vec<String> =
            sqlx::query_scalar("SELECT kind FROM methods WHERE account_id = $1")
                .bind(account_id)
                .fetch_all(&mut **tx)
                .await?;
        Ok(kinds.iter().filter_map(|k| MethodKind::parse(k)).collect())
    }

    /// The session's last MFA proof: when, and what it proved.
    pub(super) async fn session_step_up(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
    ) -> StoreResult<(Option<i64>, StepUp)> {
        let row: Option<(Option<i64>, Option<String>)> =
            sqlx::query_as("SELECT mfa_at, mfa_kind FROM sessions WHERE id = $1")
                .bind(session_id)
                .fetch_optional(&mut **tx)
                .await?;
        let (mfa_at, kind) = row.ok_or(Refusal::NotFound)?;
        Ok((mfa_at, self.step_up(mfa_at, kind.as_deref())))
    }

    /// The credential ids of the account's security keys (excluded from a new
    /// registration: the browser refuses to register one twice).
    async fn credential_ids(&self, tx: &mut Tx<'_>, account_id: &str) -> sqlx::Result<Vec<String>> {
        sqlx::query_scalar(
            "SELECT credential_id FROM methods WHERE account_id = $1 AND credential_id IS NOT NULL",
        )
        .bind(account_id)
        .fetch_all(&mut **tx)
        .await
    }

    /// Spends the send caps for `to` and makes a code; `Err` when a cap is reached.
    async fn claim_send(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        to: &str,
    ) -> StoreResult<(SecretString, i64)> {
        let buckets = [
            Budget::SendsAccount(account_id).bucket(&self.limits),
            Budget::SendsDestination(to).bucket(&self.limits),
        ];
        take_all(tx, &buckets, self.now()).await?.map_err(Refusal::from)?;
        Ok((crypto::new_code(), self.now() + self.limits.code_ttl))
    }

    /// Opens an enrollment of a new method (seed step 3). An authenticator key is
    /// sealed to the proof; a sent code's hash is stored and the code returned to send;
    /// a security key's ceremony (its challenge) is kept with the proof, single use.
    /// Once the account has a method, only a session with a fresh MFA proof may add one
    /// (`AccountRow::may_add_method`).
    pub async fn open_enrollment(
        &self,
        session_id: &str,
        account_id: &str,
        kind: MethodKind,
        setup: Setup<'_>,
    ) -> StoreResult<Opened> {
        self.transaction(Locks::account(account_id), async |tx| {
            self.open_enrollment_in(tx, session_id, account_id, kind, setup).await
        })
        .await
    }

    async fn open_enrollment_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        account_id: &str,
        kind: MethodKind,
        setup: Setup<'_>,
    ) -> StoreResult<Opened> {
        let account = self.account_in(tx, account_id).await?;
        if !account.allows(kind) {
            return Err(Refusal::MethodNotAllowed.into());
        }
        let (mfa_at, step_up) = self.session_step_up(tx, session_id).await?;
        let kinds = self.method_kinds(tx, account_id).await?;
        // A stolen password alone must not register the attacker's phone.
        if !account.may_add_method(&kinds, step_up) {
            return Err(Refusal::MfaRequired.into());
        }
        let enrollments = Budget::Enrollments(account_id).bucket(&self.limits);
        take(tx, &enrollments, self.now()).await?.map_err(Refusal::from)?;
        let id = crypto::random_id();
        let (mut destination, mut sealed, mut send, mut ceremony, mut options, mut label) =
            (None, None, None, None, None, None);
        match setup {
            Setup::Totp(key) => sealed = Some(self.key.seal(TOTP_SEAL, &id, key.expose_secret())),
            Setup::Contact(to) => {
                let (code, expires_at) = self.claim_send(tx, account_id, to).await?;
                destination = Some(to.to_owned());
                send = Some(CodeToSend { to: to.to_owned(), code, expires_at });
            }
            Setup::Key { name, passkeys } => {
                let exclude = self.credential_ids(tx, account_id).await?;
                let begun = passkeys
                    .begin_registration(
                        self.user_handle(account_id),
                        &account.username,
                        &account.display_name,
                        exclude,
                    )
                    .map_err(|e| super::StoreError::Other(e.to_string()))?;
                ceremony = Some(begun.state);
                options = Some(begun.options);
                label = Some(name.to_owned());
            }
        }
        let now = self.now();
        sqlx::query(
            "INSERT INTO proofs (id, purpose, session_id, account_id, kind, destination, totp_secret, \
             code_hash, code_expires, last_sent_at, created_at, expires_at, step_up_at, ceremony, label) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
        )
        .bind(&id)
        .bind(Purpose::Enroll.as_str())
        .bind(session_id)
        .bind(account_id)
        .bind(kind.as_str())
        .bind(destination)
        .bind(sealed)
        .bind(send.as_ref().map(|s| code_hash(&self.key, &id, s.code.expose_secret())))
        .bind(send.as_ref().map(|s| s.expires_at))
        .bind(send.as_ref().map(|_| now))
        .bind(now)
        .bind(now + self.limits.proof_ttl)
        .bind(if kinds.is_empty() { None } else { mfa_at })
        .bind(ceremony)
        .bind(label)
        .execute(&mut **tx)
        .await?;
        Ok(Opened { id, kind, method: None, send, options })
    }

    /// The opaque handle a security key stores for the account: keyed, so it says
    /// nothing about the account to anyone without the server key.
    fn user_handle(&self, account_id: &str) -> [u8; 16] {
        let mac = self.key.mac("webauthn-user", account_id.as_bytes());
        let mut handle = [0; 16];
        handle.copy_from_slice(&mac[..16]);
        handle
    }

    /// Opens a challenge of a registered method (returning users). Refused when the
    /// admin no longer allows the method's kind, when MFA is locked, and past the
    /// account's hourly challenge budget.
    pub async fn open_challenge(
        &self,
        session_id: &str,
        account_id: &str,
        method_id: &str,
        passkeys: &Passkeys,
    ) -> StoreResult<Opened> {
        self.transaction(Locks::account(account_id), async |tx| {
            self.open_challenge_in(tx, session_id, account_id, method_id, passkeys).await
        })
        .await
    }

    async fn open_challenge_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        account_id: &str,
        method_id: &str,
        passkeys: &Passkeys,
    ) -> StoreResult<Opened> {
        let method = self.method_in(tx, account_id, method_id).await?.ok_or(Refusal::NotFound)?;
        let account = self.account_in(tx, account_id).await?;
        if !account.allows(method.kind()) {
            return Err(Refusal::MethodNotAllowed.into());
        }
        let challenges = Budget::Challenges(account_id).bucket(&self.limits);
        take(tx, &challenges, self.now()).await?.map_err(Refusal::from)?;
        let send = match method.destination.as_deref() {
            Some(to) if method.kind().sends_code() => {
                let (code, expires_at) = self.claim_send(tx, account_id, to).await?;
                Some(CodeToSend { to: to.to_owned(), code, expires_at })
            }
            _ => None,
        };
        let begun = match method.credential.as_deref() {
            Some(credential) => Some(
                passkeys
                    .begin_authentication(credential)
                    .map_err(|e| super::StoreError::Other(e.to_string()))?,
            ),
            None => None,
        };
        let (ceremony, options) = begun.map(|b| (b.state, b.options)).unzip();
        let id = crypto::random_id();
        let now = self.now();
        sqlx::query(
            "INSERT INTO proofs (id, purpose, session_id, account_id, kind, method_id, code_hash, \
             code_expires, last_sent_at, created_at, expires_at, ceremony) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(&id)
        .bind(Purpose::Challenge.as_str())
        .bind(session_id)
        .bind(account_id)
        .bind(method.kind().as_str())
        .bind(&method.id)
        .bind(send.as_ref().map(|s| code_hash(&self.key, &id, s.code.expose_secret())))
        .bind(send.as_ref().map(|s| s.expires_at))
        .bind(send.as_ref().map(|_| now))
        .bind(now)
        .bind(now + self.limits.proof_ttl)
        .bind(ceremony)
        .execute(&mut **tx)
        .await?;
        Ok(Opened { id, kind: method.kind(), method: Some(method), send, options })
    }

    /// A new code for an open proof of this session: one transaction that checks the
    /// cooldown and the send caps and replaces the code (the previous one stops working).
    /// About the session's account (`account_id`); the send caps are counted exactly
    /// across accounts by the throttle's own upsert (`throttle::take`).
    pub async fn resend(
        &self,
        session_id: &str,
        account_id: &str,
        purpose: Purpose,
        id: &str,
    ) -> StoreResult<(MethodKind, CodeToSend)> {
        self.transaction(Locks::account(account_id), async |tx| {
            self.resend_in(tx, session_id, account_id, purpose, id).await
        })
        .await
    }

    async fn resend_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        account_id: &str,
        purpose: Purpose,
        id: &str,
    ) -> StoreResult<(MethodKind, CodeToSend)> {
        let proof = self.open_in(tx, session_id, purpose, id).await?;
        // Not what the locks taken are about (the session is another account's).
        if proof.account_id != account_id {
            return Err(Refusal::NotFound.into());
        }
        let now = self.now();
        if proof.expires_at <= now {
            return Err(Refusal::CodeExpired.into());
        }
        self.account_in(tx, &proof.account_id).await?;
        let to = match &proof.method_id {
            Some(method_id) => {
                self.method_in(tx, &proof.account_id, method_id).await?.and_then(|m| m.destination)
            }
            None => proof.destination.clone(),
        };
        let Some(to) = to.filter(|_| proof.kind().sends_code()) else {
            return Err(Refusal::NoCodeToSend.into());
        };
        if let Some(last) = proof.last_sent_at {
            let wait = last + self.limits.resend_cooldown - now;
            if wait > 0 {
                return Err(Refusal::ResendTooSoon(u32::try_from(wait).unwrap_or(1)).into());
            }
        }
        let (code, expires_at) = self.claim_send(tx, &proof.account_id, &to).await?;
        sqlx::query(
            "UPDATE proofs SET code_hash = $1, code_expires = $2, last_sent_at = $3 WHERE id = $4",
        )
        .bind(code_hash(&self.key, &proof.id, code.expose_secret()))
        .bind(expires_at)
        .bind(now)
        .bind(&proof.id)
        .execute(&mut **tx)
        .await?;
        Ok((proof.kind(), CodeToSend { to, code, expires_at }))
    }

    /// The code of `proof_id` could not be delivered: it stops working and another may
    /// be asked for at once. The send still counts against the caps (a gateway that
    /// fails after sending must not become a way around them).
    pub async fn send_failed(&self, proof_id: &str, first: bool) -> sqlx::Result<()> {
        let statement = if first {
            "DELETE FROM proofs WHERE id = $1"
        } else {
            "UPDATE proofs SET code_hash = NULL, code_expires = NULL, last_sent_at = NULL WHERE id = $1"
        };
        sqlx::query(statement).bind(proof_id).execute(&mut *self.writer().await?).await.map(drop)
    }

    async fn open_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        purpose: Purpose,
        id: &str,
    ) -> StoreResult<Open> {
        let proof: Option<Open> = sqlx::query_as(&format!(
            "SELECT {OPEN_COLUMNS} FROM proofs p JOIN sessions s ON s.id = p.session_id \
             WHERE p.id = $1 AND p.session_id = $2 AND p.purpose = $3 AND p.done = 0"
        ))
        .bind(id)
        .bind(session_id)
        .bind(purpose.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        proof.ok_or_else(|| Refusal::NotFound.into())
    }

    async fn method_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        id: &str,
    ) -> sqlx::Result<Option<MethodRow>> {
        sqlx::query_as(&format!(
            "SELECT {METHOD_COLUMNS} FROM methods WHERE account_id = $1 AND id = $2"
        ))
        .bind(account_id)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await
    }

    /// Checks an answer (six digits: `wire::rules::code`, or a security key's
    /// credential) against an open proof of this session, as one transaction:
    ///
    /// 1. refuse when MFA is locked, the proof expired or has no tries left, the
    ///    admin no longer allows the method, or the answer is not of the proof's kind;
    /// 2. an enrollment finished once the account has another method needs a session
    ///    that proved MFA after the enrollment was opened (an enrollment opened with the
    ///    password alone before the real user registered cannot be finished later), and
    ///    that may still add a method (`AccountRow::may_add_method`);
    /// 3. take a hit from the account's MFA failure budget, then compare: a code in
    ///    constant time, a key's answer against the ceremony kept with the proof (its
    ///    challenge, the origins, the key's public key and counter);
    /// 4. wrong: the proof's tries, the account's consecutive failures and the budget
    ///    keep the count; right: the hit is handed back, the consecutive count cleared,
    ///    the proof closed and its secrets dropped, the method registered (enrollment)
    ///    or its TOTP step or key counter moved on (challenge), its last use noted, and
    ///    the session's token replaced. Verifying a new method counts as a step-up only
    ///    for the account's first one.
    ///
    /// A challenge and an enrollment are about the session's account (`account_id`); a
    /// security key's registration also about the key, once its answer names it (the
    /// key must be no one else's: `Store::lock_also`).
    pub async fn verify(
        &self,
        session_id: &str,
        account_id: &str,
        purpose: Purpose,
        id: &str,
        answer: Answer<'_>,
    ) -> StoreResult<Proven> {
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::account(account_id)).await?;
        let result = self.verify_in(&mut tx, session_id, account_id, purpose, id, answer).await;
        match result {
            // A wrong answer is a refusal whose counts must be written.
            Err(super::StoreError::Refused(
                r @ (Refusal::InvalidCode { .. }
                | Refusal::CredentialRefused { .. }
                | Refusal::TooManyAttempts),
            )) => {
                tx.commit().await?;
                Err(r.into())
            }
            other => finish(tx, other).await,
        }
    }

    async fn verify_in(
        &self,
        tx: &mut Tx<'_>,
        session_id: &str,
        account_id: &str,
        purpose: Purpose,
        id: &str,
        answer: Answer<'_>,
    ) -> StoreResult<Proven> {
        let proof = self.open_in(tx, session_id, purpose, id).await?;
        if proof.account_id != account_id {
            // Not what the locks taken are about (the session is another account's).
            return Err(Refusal::NotFound.into());
        }
        let account = self.account_in(tx, &proof.account_id).await?;
        let now = self.now();
        if proof.expires_at <= now || proof.code_expires.is_some_and(|t| t <= now) {
            return Err(Refusal::CodeExpired.into());
        }
        if proof.attempts >= self.limits.code_attempts {
            return Err(Refusal::TooManyAttempts.into());
        }
        if !account.allows(proof.kind()) {
            return Err(Refusal::MethodNotAllowed.into());
        }
        match (&answer, proof.kind() == MethodKind::Passkey) {
            (Answer::Code(_), true) => {
                return Err(Refusal::Invalid("credential", "required").into())
            }
            (Answer::Key { .. }, false) => return Err(Refusal::Invalid("code", "required").into()),
            _ => {}
        }
        let kinds_before = self.method_kinds(tx, &account.id).await?;
        if purpose == Purpose::Enroll && !kinds_before.is_empty() {
            let since = proof.step_up_at.unwrap_or(proof.created_at);
            let proven_since = proof.session_mfa_at.is_some_and(|t| t >= since);
            let step_up = self.step_up(proof.session_mfa_at, proof.session_mfa_kind.as_deref());
            if !(proven_since && account.may_add_method(&kinds_before, step_up)) {
                return Err(Refusal::MfaRequired.into());
            }
        }
        let budget = Budget::MfaFailures(&account.id).bucket(&self.limits);
        let hit = take(tx, &budget, now).await?.map_err(Refusal::from)?;

        let method = match &proof.method_id {
            Some(method_id) => {
                Some(self.method_in(tx, &account.id, method_id).await?.ok_or(Refusal::NotFound)?)
            }
            None => None,
        };
        let passed = self.compare(&proof, method.as_ref(), &answer, now);
        let passed = match (passed, &method) {
            // A challenge's TOTP step is claimed on the method: never accepted twice.
            (Some(Passed::Totp(step)), Some(m)) => {
                let claimed = sqlx::query(
                    "UPDATE methods SET last_totp_step = $1 \
                     WHERE id = $2 AND (last_totp_step IS NULL OR last_totp_step < $1)",
                )
                .bind(step)
                .bind(&m.id)
                .execute(&mut **tx)
                .await?
                .rows_affected()
                    == 1;
                claimed.then_some(Passed::Totp(step))
            }
            (passed, _) => passed,
        };
        let Some(passed) = passed else {
            return Err(self.count_wrong(tx, &proof, &account.id).await?.into());
        };

        give_back(tx, &Hits::from(hit)).await?;
        sqlx::query("UPDATE accounts SET mfa_failures = 0 WHERE id = $1")
            .bind(&account.id)
            .execute(&mut **tx)
            .await?;
        sqlx::query(
            "UPDATE proofs SET done = 1, totp_secret = NULL, code_hash = NULL, ceremony = NULL \
             WHERE id = $1 AND done = 0",
        )
        .bind(&proof.id)
        .execute(&mut **tx)
        .await?;
        let (method, step_up) = match method {
            Some(method) => {
                let credential = match passed {
                    Passed::Key { credential, .. } => Some(credential),
                    _ => None,
                };
                sqlx::query(
                    "UPDATE methods SET last_used_at = $1, credential = COALESCE($2, credential) \
                     WHERE id = $3",
                )
                .bind(now)
                .bind(credential)
                .bind(&method.id)
                .execute(&mut **tx)
                .await?;
                (MethodRow { last_used_at: Some(now), ..method }, true)
            }
            None => (self.register(tx, &proof, passed).await?, kinds_before.is_empty()),
        };
        let (mfa_at, mfa_kind) = if step_up {
            (Some(now), Some(method.kind.clone()))
        } else {
            (proof.session_mfa_at, proof.session_mfa_kind.clone())
        };
        let proof = step_up.then_some(MfaProof { at: now, kind: &method.kind });
        let token = self.rotate_token_in(tx, session_id, proof).await?;
        let methods = self.method_kinds(tx, &account.id).await?;
        let step_up = self.step_up(mfa_at, mfa_kind.as_deref());
        Ok(Proven { method, token, step_up, methods })
    }

    /// How the answer proved the proof, or `None` when it did not.
    fn compare(
        &self,
        proof: &Open,
        method: Option<&MethodRow>,
        answer: &Answer<'_>,
        now: i64,
    ) -> Option<Passed> {
        match (proof.kind(), answer) {
            (MethodKind::Passkey, Answer::Key { credential: answer, passkeys }) => {
                let ceremony = proof.ceremony.as_deref()?;
                let outcome = match method {
                    Some(m) => passkeys
                        .finish_authentication(ceremony, m.credential.as_deref()?, answer)
                        .map(|credential| Passed::Key { credential, credential_id: None }),
                    None => passkeys.finish_registration(ceremony, answer).map(|key| Passed::Key {
                        credential: key.credential,
                        credential_id: Some(key.credential_id),
                    }),
                };
                outcome
                    .map_err(|refused| {
                        tracing::info!(reason = %refused.0, "security key answer refused");
                    })
                    .ok()
            }
            (MethodKind::Totp, Answer::Code(code)) => {
                let (sealed, bound_to) = match method {
                    Some(m) => (m.totp_secret.as_deref()?, m.id.as_str()),
                    None => (proof.totp_secret.as_deref()?, proof.id.as_str()),
                };
                let key = self.key.open(TOTP_SEAL, bound_to, sealed)?;
                let totp = Totp::new(key.expose_secret().clone(), "-", "-")?;
                Some(Passed::Totp(totp.matching_step(code, u64::try_from(now).ok()?)?))
            }
            (_, Answer::Code(code)) => {
                let stored = proof.code_hash.as_deref()?;
                let given = code_hash(&self.key, &proof.id, code);
                crypto::ct_eq(stored.as_bytes(), given.as_bytes()).then_some(Passed::Sent)
            }
            (_, Answer::Key { .. }) => None,
        }
    }

    /// Counts a wrong code on the proof and the account; what to tell the person.
    async fn count_wrong(
        &self,
        tx: &mut Tx<'_>,
        proof: &Open,
        account_id: &str,
    ) -> sqlx::Result<Refusal> {
        let attempts: i64 = sqlx::query_scalar(
            "UPDATE proofs SET attempts = attempts + 1 WHERE id = $1 RETURNING attempts",
        )
        .bind(&proof.id)
        .fetch_one(&mut **tx)
        .await?;
        sqlx::query("UPDATE accounts SET mfa_failures = mfa_failures + 1 WHERE id = $1")
            .bind(account_id)
            .execute(&mut **tx)
            .await?;
        let left = self.limits.code_attempts - attempts;
        Ok(if left <= 0 {
            Refusal::TooManyAttempts
        } else if proof.kind() == MethodKind::Passkey {
            Refusal::CredentialRefused { attempts_left: left }
        } else {
            Refusal::InvalidCode { attempts_left: left }
        })
    }

    /// Registers the method an enrollment proved; an authenticator key is sealed anew
    /// to the method; a security key is refused when registered already (to any
    /// account: webauthn-rs leaves that check to the relying party).
    async fn register(
        &self,
        tx: &mut Tx<'_>,
        proof: &Open,
        passed: Passed,
    ) -> StoreResult<MethodRow> {
        let id = crypto::random_id();
        let kind = proof.kind();
        let (totp_step, credential, credential_id) = match passed {
            Passed::Totp(step) => (Some(step), None, None),
            Passed::Sent => (None, None, None),
            Passed::Key { credential, credential_id } => (None, Some(credential), credential_id),
        };
        if let Some(credential_id) = &credential_id {
            // A key is no one else's: registrations of the same key, to any account, wait
            // for each other here, and the later one finds it taken.
            self.lock_also(tx, "credential", credential_id).await?;
            let taken: Option<i64> =
                sqlx::query_scalar("SELECT 1 FROM methods WHERE credential_id = $1")
                    .bind(credential_id)
                    .fetch_optional(&mut **tx)
                    .await?;
            if taken.is_some() {
                return Err(Refusal::KeyAlreadyRegistered.into());
            }
        }
        let seed = match proof.totp_secret.as_deref() {
            Some(sealed) => {
                let key = self.key.open(TOTP_SEAL, &proof.id, sealed).ok_or(Refusal::NotFound)?;
                Some(self.key.seal(TOTP_SEAL, &id, key.expose_secret()))
            }
            None => None,
        };
        let row = MethodRow {
            id,
            kind: kind.as_str().to_owned(),
            label: match &proof.label {
                Some(name) => name.clone(),
                None => label_for(kind, proof.destination.as_deref()),
            },
            destination: proof.destination.clone(),
            totp_secret: seed,
            last_totp_step: totp_step,
            credential,
            last_used_at: Some(self.now()),
            created_at: self.now(),
        };
        sqlx::query(
            "INSERT INTO methods (id, account_id, kind, label, destination, totp_secret, \
             last_totp_step, credential, credential_id, last_used_at, created_at, preferred) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
             (SELECT CASE WHEN COUNT(*) = 0 THEN 1 END FROM methods WHERE account_id = $2))",
        )
        .bind(&row.id)
        .bind(&proof.account_id)
        .bind(&row.kind)
        .bind(&row.label)
        .bind(&row.destination)
        .bind(&row.totp_secret)
        .bind(row.last_totp_step)
        .bind(&row.credential)
        .bind(credential_id)
        .bind(row.last_used_at)
        .bind(row.created_at)
        .execute(&mut **tx)
        .await?;
        Ok(row)
    }
}
