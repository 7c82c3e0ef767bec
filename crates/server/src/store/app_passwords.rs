//! App passwords: listed without secrets, created only under the per-account limit,
//! revoked; and the legacy sign-in check, the hot path of every mail client.

use secrecy::{ExposeSecret, SecretString};
use wire::AppPasswordInfo;

use super::throttle::{take, Hits};
use super::{finish, Refusal, Store, StoreResult, Tx};
use crate::client::ClientAddr;
use crate::clock::rfc3339;
use crate::crypto;
use crate::domain::app_passwords::{hash, AppPasswordName};
use crate::limits::{Bucket, Budget};

#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
}

impl Row {
    fn to_wire(&self) -> AppPasswordInfo {
        AppPasswordInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            created_at: rfc3339(self.created_at),
            last_used_at: self.last_used_at.map(rfc3339),
        }
    }
}

/// What a legacy sign-in comes to.
#[derive(Debug)]
pub enum Legacy {
    /// An app password of this account, whose policy allows app passwords.
    Valid { account_id: String },
    /// A failure budget of this client or account is spent: wait this long.
    Blocked(u32),
    /// Not a valid app password; the failure is already counted in `hits`. When the
    /// account's policy accepts its primary password here (MFA not required),
    /// `primary_hash` is that password's hash to check.
    Refused { hits: Hits, primary_hash: Option<String> },
}

impl Store {
    pub async fn app_passwords(&self, account_id: &str) -> sqlx::Result<Vec<AppPasswordInfo>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, created_at, last_used_at FROM app_passwords WHERE account_id = $1 \
             ORDER BY created_at, id",
        )
        .bind(account_id)
        .fetch_all(&self.db)
        .await?;
        Ok(rows.iter().map(Row::to_wire).collect())
    }

    /// Creates an app password while the account is under its limit, in one
    /// transaction (counted and inserted under the writer lock: a burst of creates at
    /// the limit cannot overshoot it). The cleartext is returned here and nowhere else.
    pub async fn create_app_password(
        &self,
        account_id: &str,
        name: &AppPasswordName,
    ) -> StoreResult<(AppPasswordInfo, SecretString)> {
        let mut tx = self.begin().await?;
        let result = self.create_app_password_in(&mut tx, account_id, name).await;
        finish(tx, result).await
    }

    async fn create_app_password_in(
        &self,
        tx: &mut Tx,
        account_id: &str,
        name: &AppPasswordName,
    ) -> StoreResult<(AppPasswordInfo, SecretString)> {
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut **tx)
                .await?;
        if held >= self.limits.app_passwords {
            return Err(Refusal::LimitReached.into());
        }
        let secret = crypto::new_app_password();
        let row = Row {
            id: crypto::random_id(),
            name: name.as_str().to_owned(),
            created_at: self.now(),
            last_used_at: None,
        };
        let inserted = sqlx::query(
            "INSERT INTO app_passwords (id, account_id, name, secret_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, name) DO NOTHING",
        )
        .bind(&row.id)
        .bind(account_id)
        .bind(&row.name)
        .bind(hash(&self.key, secret.expose_secret()))
        .bind(row.created_at)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(Refusal::NameTaken.into());
        }
        Ok((row.to_wire(), secret))
    }

    /// Revokes one; `false` when it does not exist for this account.
    pub async fn revoke_app_password(&self, account_id: &str, id: &str) -> sqlx::Result<bool> {
        let done = sqlx::query("DELETE FROM app_passwords WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(&self.db)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_app_passwords(&self, account_id: &str) -> sqlx::Result<u64> {
        Ok(sqlx::query("DELETE FROM app_passwords WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.db)
            .await?
            .rows_affected())
    }

    /// A legacy sign-in (`username` and what the client sent, normalized to an app
    /// password when it can be one), as one transaction under the writer lock:
    /// refused without looking when the client's or the account's failure budget is
    /// spent; otherwise a match passes (its use recorded at most once a minute) and
    /// anything else is counted as a failure before the answer leaves. A burst of
    /// guesses is therefore evaluated no further than the budget, however parallel.
    /// Successes write nothing but the occasional last-use time, so the path stays fast.
    pub async fn legacy_sign_in(
        &self,
        username: &str,
        client: &ClientAddr,
        app_password: Option<&str>,
    ) -> sqlx::Result<Legacy> {
        let buckets = [
            Budget::LegacyAddress(client).bucket(&self.limits),
            Budget::LegacyClient(username, client).bucket(&self.limits),
            Budget::LegacyAccount(username).bucket(&self.limits),
        ];
        let now = self.now();
        let mut tx = self.begin().await?;
        if let Some(wait) = self.full(&mut tx, &buckets, now).await? {
            tx.rollback().await?;
            return Ok(Legacy::Blocked(wait));
        }
        let found: Option<(String, String, Option<i64>)> = match app_password {
            Some(normalized) => {
                sqlx::query_as(
                    "SELECT p.id, a.id, p.last_used_at FROM app_passwords p \
                     JOIN accounts a ON a.id = p.account_id \
                     WHERE p.secret_hash = $1 AND a.username = $2 \
                     AND NOT a.disabled AND a.mfa_required AND a.app_passwords_allowed",
                )
                .bind(hash(&self.key, normalized))
                .bind(username)
                .fetch_optional(&mut *tx)
                .await?
            }
            None => None,
        };
        if let Some((password_id, account_id, last_used)) = found {
            // A mail client polling every few seconds must not write every time.
            if last_used.is_none_or(|at| at < now - 60) {
                sqlx::query("UPDATE app_passwords SET last_used_at = $1 WHERE id = $2")
                    .bind(now)
                    .bind(&password_id)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            return Ok(Legacy::Valid { account_id });
        }
        let mut hits = Hits::default();
        for bucket in &buckets {
            if let Ok(hit) = take(&mut tx, bucket, now).await? {
                hits.push(hit);
            }
        }
        let primary_hash: Option<String> = sqlx::query_scalar(
            "SELECT password_hash FROM accounts WHERE username = $1 AND NOT disabled AND NOT mfa_required",
        )
        .bind(username)
        .fetch_optional(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Legacy::Refused { hits, primary_hash })
    }

    /// The longest wait among `buckets` that are full now, read under the caller's lock.
    async fn full(&self, tx: &mut Tx, buckets: &[Bucket], now: i64) -> sqlx::Result<Option<u32>> {
        let mut wait = None;
        for bucket in buckets {
            let row: Option<(i64, i64)> =
                sqlx::query_as("SELECT hits, expires_at FROM throttles WHERE bucket = $1")
                    .bind(&bucket.name)
                    .fetch_optional(&mut **tx)
                    .await?;
            if let Some((hits, expires)) =
                row.filter(|(hits, expires)| *hits >= bucket.limit && *expires > now)
            {
                let _ = hits;
                wait = wait.max(Some(u32::try_from(expires - now).unwrap_or(u32::MAX)));
            }
        }
        Ok(wait)
    }
}
