//! App passwords: listed without secrets, created only under the per-account limit,
//! revoked; and the legacy sign-in check, the hot path of every mail client.

use secrecy::{ExposeSecret, SecretString};
use wire::AppPasswordInfo;

use super::throttle::{take, Hit, Hits};
use super::{finish, Backend, Refusal, Store, StoreResult, Tx};
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

/// A row of the legacy sign-in's read: a counter (`b`: name, hits, end, start), the
/// matching app password (`p`: id, last use, -, -, account), or the primary hash (`h`).
type LegacyRow = (String, String, Option<i64>, Option<i64>, Option<i64>, Option<String>);

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
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer).await?;
        let result = self.create_app_password_in(&mut tx, account_id, name).await;
        finish(tx, result).await
    }

    async fn create_app_password_in(
        &self,
        tx: &mut Tx<'_>,
        account_id: &str,
        name: &AppPasswordName,
    ) -> StoreResult<(AppPasswordInfo, SecretString)> {
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut **tx)
                .await?;
        if held >= self.limits.app_passwords {
            return Err(Refusal::LimitReached { limit: self.limits.app_passwords }.into());
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
            .execute(&mut *self.writer().await?)
            .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn revoke_app_passwords(&self, account_id: &str) -> sqlx::Result<u64> {
        Ok(sqlx::query("DELETE FROM app_passwords WHERE account_id = $1")
            .bind(account_id)
            .execute(&mut *self.writer().await?)
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
        let secret_hash = app_password.map(|p| hash(&self.key, p)).unwrap_or_default();
        let seen = match self.backend {
            Backend::Sqlite => self.legacy_script(&buckets, &secret_hash, username).await?,
            Backend::Postgres => self.legacy_transaction(&buckets, &secret_hash, username).await?,
        };
        Ok(seen.verdict())
    }

    /// SQLite: the whole check in one round trip (the hot path of every mail client).
    async fn legacy_script(
        &self,
        buckets: &[Bucket; 3],
        secret_hash: &str,
        username: &str,
    ) -> sqlx::Result<Seen> {
        let now = self.now();
        let mut conn = self.writer().await?;
        let rows = sqlx::query_as(LEGACY_SCRIPT)
            .bind(&buckets[0].name)
            .bind(&buckets[1].name)
            .bind(&buckets[2].name)
            .bind(secret_hash)
            .bind(username)
            .bind(now)
            .bind(now + self.limits.signin_window)
            .bind(buckets[0].limit)
            .bind(buckets[1].limit)
            .bind(buckets[2].limit)
            .fetch_all(&mut *conn)
            .await;
        match rows {
            Ok(rows) => Ok(Seen::read(rows, buckets, now)),
            Err(e) => {
                // The script stopped inside its transaction: end it.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        }
    }

    /// PostgreSQL (one statement per round trip there): the same read, then the same
    /// writes, in one invariant transaction.
    async fn legacy_transaction(
        &self,
        buckets: &[Bucket; 3],
        secret_hash: &str,
        username: &str,
    ) -> sqlx::Result<Seen> {
        let now = self.now();
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer).await?;
        let rows = sqlx::query_as(LEGACY_READ)
            .bind(&buckets[0].name)
            .bind(&buckets[1].name)
            .bind(&buckets[2].name)
            .bind(secret_hash)
            .bind(username)
            .fetch_all(&mut *tx)
            .await?;
        let mut seen = Seen::read(rows, buckets, now);
        if seen.wait.is_none() {
            match &seen.found {
                Some((password_id, _, last_used)) if last_used.is_none_or(|at| at < now - 60) => {
                    sqlx::query("UPDATE app_passwords SET last_used_at = $1 WHERE id = $2")
                        .bind(now)
                        .bind(password_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Some(_) => {}
                None => {
                    seen.hits = Hits::default();
                    for bucket in buckets {
                        if let Ok(hit) = take(&mut tx, bucket, now).await? {
                            seen.hits.push(hit);
                        }
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(seen)
    }
}

/// What the legacy check read: the longest wait of a full counter, the matching app
/// password (id, account, last use), the primary hash, and the windows a failure is
/// counted in.
struct Seen {
    wait: Option<u32>,
    found: Option<(String, String, Option<i64>)>,
    primary_hash: Option<String>,
    hits: Hits,
}

impl Seen {
    fn read(rows: Vec<LegacyRow>, buckets: &[Bucket; 3], now: i64) -> Self {
        let mut seen = Seen { wait: None, found: None, primary_hash: None, hits: Hits::default() };
        for (kind, text, a, b, c, account_id) in rows {
            match kind.as_str() {
                "b" => {
                    let Some(bucket) = buckets.iter().find(|bucket| bucket.name == text) else {
                        continue;
                    };
                    let (count, expires, start) =
                        (a.unwrap_or(0), b.unwrap_or(0), c.unwrap_or(now));
                    if count >= bucket.limit && expires > now {
                        seen.wait =
                            seen.wait.max(Some(u32::try_from(expires - now).unwrap_or(u32::MAX)));
                    }
                    seen.hits.push(Hit::new(&bucket.name, if expires > now { start } else { now }));
                }
                "p" => seen.found = account_id.map(|account| (text, account, a)),
                _ => seen.primary_hash = Some(text),
            }
        }
        // A counter with no row yet starts its window now.
        for bucket in buckets {
            if !seen.hits.covers(&bucket.name) {
                seen.hits.push(Hit::new(&bucket.name, now));
            }
        }
        seen
    }

    fn verdict(self) -> Legacy {
        match (self.wait, self.found) {
            (Some(wait), _) => Legacy::Blocked(wait),
            (None, Some((_, account_id, _))) => Legacy::Valid { account_id },
            (None, None) => Legacy::Refused { hits: self.hits, primary_hash: self.primary_hash },
        }
    }
}

/// The legacy check's read: the three failure counters (`$1`–`$3`), the app password
/// whose keyed hash is `$4` for username `$5` where the policy allows app passwords,
/// and the primary password's hash where the policy accepts it here.
macro_rules! legacy_read {
    () => {
        "SELECT 'b', bucket, hits, expires_at, window_start, NULL FROM throttles \
           WHERE bucket IN ($1, $2, $3) \
         UNION ALL \
         SELECT 'p', p.id, p.last_used_at, NULL, NULL, a.id FROM app_passwords p \
           JOIN accounts a ON a.id = p.account_id \
           WHERE p.secret_hash = $4 AND a.username = $5 \
           AND a.disabled = 0 AND a.mfa_required = 1 AND a.app_passwords_allowed = 1 \
         UNION ALL \
         SELECT 'h', password_hash, NULL, NULL, NULL, NULL FROM accounts \
           WHERE username = $5 AND disabled = 0 AND mfa_required = 0"
    };
}

const LEGACY_READ: &str = legacy_read!();

/// The legacy check in one round trip to SQLite, under the writer lock from its first
/// statement: the read above; then, only when no counter is full, count a failure in
/// each (if nothing matched) or record the app password's use (at most once a minute).
/// `$6` now, `$7` the end of a new window, `$8`–`$10` the counters' limits.
const LEGACY_SCRIPT: &str = concat!(
    "BEGIN IMMEDIATE; ",
    legacy_read!(),
    "; \
    INSERT INTO throttles (bucket, window_start, hits, expires_at) \
      SELECT name, $6, 1, $7 FROM (SELECT $1 AS name UNION ALL SELECT $2 UNION ALL SELECT $3) \
      WHERE NOT EXISTS (SELECT 1 FROM app_passwords p JOIN accounts a ON a.id = p.account_id \
          WHERE p.secret_hash = $4 AND a.username = $5 \
          AND a.disabled = 0 AND a.mfa_required = 1 AND a.app_passwords_allowed = 1) \
        AND NOT EXISTS (SELECT 1 FROM throttles t WHERE t.expires_at > $6 AND \
          ((t.bucket = $1 AND t.hits >= $8) OR (t.bucket = $2 AND t.hits >= $9) \
           OR (t.bucket = $3 AND t.hits >= $10))) \
    ON CONFLICT (bucket) DO UPDATE SET \
      hits = CASE WHEN throttles.expires_at <= $6 THEN 1 ELSE throttles.hits + 1 END, \
      window_start = CASE WHEN throttles.expires_at <= $6 THEN $6 ELSE throttles.window_start END, \
      expires_at = CASE WHEN throttles.expires_at <= $6 THEN $7 ELSE throttles.expires_at END; \
    UPDATE app_passwords SET last_used_at = $6 \
      WHERE secret_hash = $4 AND (last_used_at IS NULL OR last_used_at < $6 - 60) \
        AND account_id IN (SELECT id FROM accounts WHERE username = $5 \
          AND disabled = 0 AND mfa_required = 1 AND app_passwords_allowed = 1) \
        AND NOT EXISTS (SELECT 1 FROM throttles t WHERE t.expires_at > $6 AND \
          ((t.bucket = $1 AND t.hits >= $8) OR (t.bucket = $2 AND t.hits >= $9) \
           OR (t.bucket = $3 AND t.hits >= $10))); \
    COMMIT;"
);
