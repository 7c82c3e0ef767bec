//! App passwords: listed without secrets, created only under the per-account limit,
//! revoked; and the legacy sign-in check, the hot path of every mail client.

use secrecy::{ExposeSecret, SecretString};
use sqlx::AnyConnection;
use wire::{AppPasswordInfo, Protocol, Scope};

use super::throttle::{count_hit, take, Hit, Hits};
use super::{Backend, Locks, Refusal, Store, StoreResult, Tx};
use crate::clock::rfc3339;
use crate::crypto;
use crate::domain::app_passwords::{format_scopes, hash, parse_scopes, AppPasswordName, Grant};
use crate::domain::client::ClientAddr;
use crate::domain::limits::{Bucket, Budget};

#[derive(Debug, sqlx::FromRow)]
struct Row {
    id: String,
    name: String,
    created_at: i64,
    last_used_at: Option<i64>,
    scopes: String,
    expires_at: Option<i64>,
    last_used_ip: Option<String>,
    last_used_protocol: Option<String>,
}

const COLUMNS: &str =
    "id, name, created_at, last_used_at, scopes, expires_at, last_used_ip, last_used_protocol";

impl Row {
    fn to_wire(&self, now: i64) -> AppPasswordInfo {
        AppPasswordInfo {
            id: self.id.clone(),
            name: self.name.clone(),
            created_at: rfc3339(self.created_at),
            last_used_at: self.last_used_at.map(rfc3339),
            scopes: parse_scopes(&self.scopes),
            expires_at: self.expires_at.map(rfc3339),
            expired: self.expires_at.is_some_and(|t| t <= now),
            last_used_from: self.last_used_ip.clone(),
            last_used_protocol: self.last_used_protocol.as_deref().and_then(Protocol::parse),
        }
    }
}

/// A legacy sign-in's request: who, from where, over what, with which password.
pub struct LegacyAttempt<'a> {
    pub username: &'a str,
    pub client: &'a ClientAddr,
    /// The protocol the calling server reports (none reported: mail).
    pub protocol: Option<Protocol>,
    /// What the client sent, normalized to an app password when it can be one.
    pub app_password: Option<&'a str>,
}

/// A row of the legacy sign-in's read (`legacy_read!`): one of the failure counters
/// (`kind` `counter`: its bucket, hits and window), or the usable app password that
/// matched (`kind` `app_password`: its id, account and last use).
#[derive(sqlx::FromRow)]
struct LegacyRow {
    kind: String,
    id: String,
    hits: Option<i64>,
    window_start: Option<i64>,
    expires_at: Option<i64>,
    account_id: Option<String>,
    last_used_at: Option<i64>,
}

/// The usable app password a legacy sign-in matched.
struct Found {
    password_id: String,
    account_id: String,
    last_used_at: Option<i64>,
}

impl Found {
    /// Whether its use is to be recorded at `now` (at most once a minute).
    fn use_due(&self, now: i64) -> bool {
        self.last_used_at.is_none_or(|at| at < now - 60)
    }
}

/// What a legacy sign-in comes to.
#[derive(Debug)]
pub enum Legacy {
    /// An app password of this account, whose policy allows app passwords.
    Valid { account_id: String },
    /// A failure budget of this client or account is spent: wait this long.
    Blocked(u32),
    /// Not a valid app password; the failure is already counted in `hits` (handed
    /// back if the primary credential then proves right: `credentials::primary`).
    Refused { hits: Hits },
}

impl Store {
    pub async fn app_passwords(&self, account_id: &str) -> sqlx::Result<Vec<AppPasswordInfo>> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM app_passwords WHERE account_id = $1 ORDER BY created_at, id"
        ))
        .bind(account_id)
        .fetch_all(&self.db)
        .await?;
        let now = self.now();
        Ok(rows.iter().map(|r| r.to_wire(now)).collect())
    }

    /// Creates an app password while the account is under its limit, in one
    /// transaction (counted and inserted under the writer lock: a burst of creates at
    /// the limit cannot overshoot it). The cleartext is returned here and nowhere else.
    /// Creates one for the account of `session`, which must still be open when the
    /// transaction runs: a session ended meanwhile (a leaver deprovisioned, a helpdesk
    /// disable, "this wasn't me", a password change) makes nothing, so no app password
    /// outlives the event that revoked its siblings.
    pub async fn create_app_password(
        &self,
        session: &str,
        account_id: &str,
        name: &AppPasswordName,
        grant: &Grant,
    ) -> StoreResult<(AppPasswordInfo, SecretString)> {
        self.transaction(Locks::account(account_id), async |tx| {
            self.create_app_password_in(tx, session, account_id, name, grant).await
        })
        .await
    }

    async fn create_app_password_in(
        &self,
        tx: &mut Tx<'_>,
        session: &str,
        account_id: &str,
        name: &AppPasswordName,
        grant: &Grant,
    ) -> StoreResult<(AppPasswordInfo, SecretString)> {
        let open: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.id = $1 AND s.account_id = $2 AND a.disabled = 0",
        )
        .bind(session)
        .bind(account_id)
        .fetch_optional(&mut **tx)
        .await?;
        if open.is_none() {
            return Err(Refusal::SessionEnded.into());
        }
        let held: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE account_id = $1")
                .bind(account_id)
                .fetch_one(&mut **tx)
                .await?;
        if held >= self.limits.app_passwords {
            return Err(Refusal::LimitReached { limit: self.limits.app_passwords }.into());
        }
        let secret = crypto::new_app_password();
        let now = self.now();
        let row = Row {
            id: crypto::random_id(),
            name: name.as_str().to_owned(),
            created_at: now,
            last_used_at: None,
            scopes: format_scopes(&grant.scopes),
            expires_at: grant.lifetime_days.map(|d| now + i64::from(d) * 86_400),
            last_used_ip: None,
            last_used_protocol: None,
        };
        let inserted = sqlx::query(
            "INSERT INTO app_passwords (id, account_id, name, secret_hash, created_at, scopes, expires_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id, name) DO NOTHING",
        )
        .bind(&row.id)
        .bind(account_id)
        .bind(&row.name)
        .bind(hash(&self.key, secret.expose_secret()))
        .bind(row.created_at)
        .bind(&row.scopes)
        .bind(row.expires_at)
        .execute(&mut **tx)
        .await?;
        if inserted.rows_affected() != 1 {
            return Err(Refusal::NameTaken.into());
        }
        Ok((row.to_wire(now), secret))
    }

    /// Revokes one; `false` when it does not exist for this account.
    pub async fn revoke_app_password(&self, account_id: &str, id: &str) -> sqlx::Result<bool> {
        let mut writer = self.writer().await?;
        Ok(self.revoke_app_password_in(&mut writer, account_id, id).await?.is_some())
    }

    /// Revokes every app password of the account; how many.
    pub async fn revoke_app_passwords(&self, account_id: &str) -> sqlx::Result<u64> {
        let mut writer = self.writer().await?;
        let revoked = self.revoke_app_passwords_in(&mut writer, account_id).await?;
        Ok(u64::try_from(revoked.len()).unwrap_or(u64::MAX))
    }

    /// Revokes one app password of the account on `conn` (a transaction, or the
    /// writer): its name, or `None` when the account has no such app password.
    pub(super) async fn revoke_app_password_in(
        &self,
        conn: &mut AnyConnection,
        account_id: &str,
        id: &str,
    ) -> sqlx::Result<Option<String>> {
        sqlx::query_scalar(
            "DELETE FROM app_passwords WHERE account_id = $1 AND id = $2 RETURNING name",
        )
        .bind(account_id)
        .bind(id)
        .fetch_optional(conn)
        .await
    }

    /// Revokes every app password of the account on `conn`, in one statement: what
    /// they were, oldest first.
    pub(super) async fn revoke_app_passwords_in(
        &self,
        conn: &mut AnyConnection,
        account_id: &str,
    ) -> sqlx::Result<Vec<AppPasswordInfo>> {
        let mut rows: Vec<Row> = sqlx::query_as(&format!(
            "DELETE FROM app_passwords WHERE account_id = $1 RETURNING {COLUMNS}"
        ))
        .bind(account_id)
        .fetch_all(conn)
        .await?;
        rows.sort_by(|a, b| (a.created_at, &a.id).cmp(&(b.created_at, &b.id)));
        let now = self.now();
        Ok(rows.iter().map(|r| r.to_wire(now)).collect())
    }

    /// A legacy sign-in (`username` and what the client sent, normalized to an app
    /// password when it can be one): refused without looking when the client's or the
    /// account's failure budget is spent; otherwise a match passes (its use recorded at
    /// most once a minute) and anything else is counted as a failure, under the writer
    /// lock, before the answer leaves. A burst of guesses is therefore evaluated no
    /// further than the budget, however parallel. A success whose use was recorded in
    /// the last minute is only read, without the writer: the path stays fast.
    pub async fn legacy_sign_in(&self, attempt: &LegacyAttempt<'_>) -> sqlx::Result<Legacy> {
        let (username, client) = (attempt.username, attempt.client);
        let buckets = [
            Budget::LegacyAddress(client).bucket(&self.limits),
            Budget::LegacyClient(username, client).bucket(&self.limits),
            Budget::LegacyAccount(username).bucket(&self.limits),
        ];
        let secret_hash = attempt.app_password.map(|p| hash(&self.key, p)).unwrap_or_default();
        // The mail clients' hot path: the right app password from a client within its
        // budgets, its use recorded less than a minute ago, changes nothing any rule
        // counts. It is read without the writer (SQLite) or the invariant lock
        // (PostgreSQL): every reader at once, on every replica.
        let (now, max_age) = (self.now(), self.limits.directory_status_max_age);
        let mut conn = self.hot.acquire().await?;
        let seen = legacy_read(&mut conn, &buckets, &secret_hash, attempt, now, max_age).await;
        let seen = conn.done(seen)?;
        if seen.wait.is_none() && seen.found.as_ref().is_some_and(|f| !f.use_due(now)) {
            return Ok(seen.verdict());
        }
        let seen = match self.backend {
            Backend::Sqlite => self.legacy_script(&buckets, &secret_hash, attempt).await?,
            Backend::Postgres => {
                self.legacy_transaction(&buckets, &secret_hash, attempt, seen).await?
            }
        };
        Ok(seen.verdict())
    }

    /// SQLite: the whole check in one round trip (the hot path of every mail client).
    async fn legacy_script(
        &self,
        buckets: &[Bucket; 3],
        secret_hash: &str,
        attempt: &LegacyAttempt<'_>,
    ) -> sqlx::Result<Seen> {
        let now = self.now();
        let mut conn = self.writer().await?;
        let mut script =
            bind_read(sqlx::query_as(LEGACY_SCRIPT), buckets, secret_hash, attempt, now);
        for bucket in buckets {
            script = script.bind(now + bucket.window);
        }
        for bucket in buckets {
            script = script.bind(bucket.limit);
        }
        let script = script
            .bind(scope_of(attempt.protocol).as_str())
            .bind(attempt.client.0.to_string())
            .bind(attempt.protocol.map(Protocol::as_str))
            .bind(now - self.limits.directory_status_max_age);
        // Until it is marked finished, the next holder of the writer rolls it back: this
        // future may be dropped anywhere below (its client went away).
        conn.script_open(true);
        let rows = script.fetch_all(&mut *conn).await;
        let seen = match rows {
            Ok(rows) => Ok(Seen::read(rows, buckets, now)),
            Err(e) => {
                // The script stopped inside its transaction: end it.
                let _ = sqlx::query("ROLLBACK").execute(&mut *conn).await;
                Err(e)
            }
        };
        conn.script_open(false);
        seen
    }

    /// PostgreSQL (one statement per round trip there), after the read without the
    /// lock (`seen`): the right app password from a client within its budget records
    /// its last use, when due, in one conditional update. Anything else (a wrong
    /// password, a spent budget) is read again and counted in one invariant transaction,
    /// as on SQLite: guesses, however parallel, are evaluated no further than the budget.
    async fn legacy_transaction(
        &self,
        buckets: &[Bucket; 3],
        secret_hash: &str,
        attempt: &LegacyAttempt<'_>,
        seen: Seen,
    ) -> sqlx::Result<Seen> {
        let (now, max_age) = (self.now(), self.limits.directory_status_max_age);
        if seen.wait.is_none() {
            if let Some(found) = &seen.found {
                if found.use_due(now) {
                    // Of replicas racing to record the same use, one writes.
                    sqlx::query(
                        "UPDATE app_passwords SET last_used_at = $1, last_used_ip = $2, \
                         last_used_protocol = $3 WHERE id = $4 \
                         AND (last_used_at IS NULL OR last_used_at < $5)",
                    )
                    .bind(now)
                    .bind(attempt.client.0.to_string())
                    .bind(attempt.protocol.map(Protocol::as_str))
                    .bind(&found.password_id)
                    .bind(now - 60)
                    .execute(&self.db)
                    .await?;
                }
                return Ok(seen);
            }
        }
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::buckets(buckets)).await?;
        let mut seen = legacy_read(&mut tx, buckets, secret_hash, attempt, now, max_age).await?;
        // Read again under the lock: a password revoked or a budget spent since counts.
        // (Found now, it was created since the first read: it passes, its use recorded
        // on its next sign-in.)
        if seen.wait.is_none() && seen.found.is_none() {
            seen.hits = Hits::default();
            for bucket in buckets {
                if let Ok(hit) = take(&mut tx, bucket, now).await? {
                    seen.hits.push(hit);
                }
            }
        }
        tx.commit().await?;
        Ok(seen)
    }
}

type AnyQueryAs<'q, O> = sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments<'q>>;

/// The parameters of `legacy_read!` in both its uses (`LEGACY_READ`, `LEGACY_SCRIPT`):
/// `$1`–`$3` the budgets' counters, `$4` the app password's hash, `$5` the username,
/// `$6` now.
fn bind_read<'q, O>(
    query: AnyQueryAs<'q, O>,
    buckets: &'q [Bucket; 3],
    secret_hash: &'q str,
    attempt: &LegacyAttempt<'q>,
    now: i64,
) -> AnyQueryAs<'q, O> {
    query
        .bind(&buckets[0].name)
        .bind(&buckets[1].name)
        .bind(&buckets[2].name)
        .bind(secret_hash)
        .bind(attempt.username)
        .bind(now)
}

/// PostgreSQL's read of a legacy sign-in (`LEGACY_READ`) on `db`: the counters, the
/// matching app password, the primary hash.
async fn legacy_read(
    db: &mut sqlx::AnyConnection,
    buckets: &[Bucket; 3],
    secret_hash: &str,
    attempt: &LegacyAttempt<'_>,
    now: i64,
    max_age: i64,
) -> sqlx::Result<Seen> {
    let rows = bind_read(sqlx::query_as(LEGACY_READ), buckets, secret_hash, attempt, now)
        .bind(scope_of(attempt.protocol).as_str())
        .bind(now - max_age)
        .fetch_all(db)
        .await?;
    Ok(Seen::read(rows, buckets, now))
}

/// The scope a protocol needs; none reported: mail (what every caller checked before
/// scopes existed).
fn scope_of(protocol: Option<Protocol>) -> Scope {
    protocol.map_or(Scope::Mail, Protocol::scope)
}

/// What the legacy check read: the longest wait of a full counter, the matching app
/// password (id, account, last use), and the windows a failure is counted in.
struct Seen {
    wait: Option<u32>,
    found: Option<Found>,
    hits: Hits,
}

impl Seen {
    fn read(rows: Vec<LegacyRow>, buckets: &[Bucket; 3], now: i64) -> Self {
        let mut seen = Seen { wait: None, found: None, hits: Hits::default() };
        for row in rows {
            if row.kind == "app_password" {
                seen.found = row.account_id.map(|account_id| Found {
                    password_id: row.id,
                    account_id,
                    last_used_at: row.last_used_at,
                });
                continue;
            }
            let Some(bucket) = buckets.iter().find(|bucket| bucket.name == row.id) else {
                continue;
            };
            let (count, expires, start) = (
                row.hits.unwrap_or(0),
                row.expires_at.unwrap_or(0),
                row.window_start.unwrap_or(now),
            );
            if count >= bucket.limit && expires > now {
                seen.wait = seen.wait.max(Some(u32::try_from(expires - now).unwrap_or(u32::MAX)));
            }
            seen.hits.push(Hit::new(&bucket.name, if expires > now { start } else { now }));
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
            (None, Some(found)) => Legacy::Valid { account_id: found.account_id },
            (None, None) => Legacy::Refused { hits: self.hits },
        }
    }
}

/// The usable app password whose keyed hash is `$4`, of username `$5`: the account
/// allows app passwords (MFA required, not disabled; from the directory: active there,
/// as it said no earlier than `seen`), the password has not expired at `now` and its
/// scopes and the account's current policy both include `scope` (an admin narrowing the
/// scopes stops the passwords that had them).
macro_rules! usable {
    ($now:literal, $scope:literal, $seen:literal) => {
        concat!(
            "FROM app_passwords p JOIN accounts a ON a.id = p.account_id \
             WHERE p.secret_hash = $4 AND a.username = $5 \
             AND a.disabled = 0 AND a.mfa_required = 1 AND a.app_passwords_allowed = 1 \
             AND (a.directory_id IS NULL OR (a.directory_status = 'active' \
                  AND a.directory_seen_at >= ",
            $seen,
            ")) AND (p.expires_at IS NULL OR p.expires_at > ",
            $now,
            ") AND (',' || p.scopes || ',') LIKE ('%,' || ",
            $scope,
            " || ',%') AND (',' || a.app_password_scopes || ',') LIKE ('%,' || ",
            $scope,
            " || ',%')"
        )
    };
}

/// The legacy check's read: the three failure counters (`$1`–`$3`) and the usable app
/// password (above).
macro_rules! legacy_read {
    ($now:literal, $scope:literal, $seen:literal) => {
        concat!(
            "SELECT 'counter' AS kind, bucket AS id, hits, window_start, expires_at, \
               NULL AS account_id, NULL AS last_used_at FROM throttles \
               WHERE bucket IN ($1, $2, $3) \
             UNION ALL \
             SELECT 'app_password', p.id, NULL, NULL, NULL, a.id, p.last_used_at ",
            usable!($now, $scope, $seen)
        )
    };
}

/// PostgreSQL: `$6` now, `$7` the scope asked for, `$8` the oldest directory status
/// taken.
const LEGACY_READ: &str = legacy_read!("$6", "$7", "$8");

/// No counter of `$1`–`$3` is full (limits `$10`–`$12`) at `$6`.
macro_rules! not_blocked {
    () => {
        "NOT EXISTS (SELECT 1 FROM throttles t WHERE t.expires_at > $6 AND \
          ((t.bucket = $1 AND t.hits >= $10) OR (t.bucket = $2 AND t.hits >= $11) \
           OR (t.bucket = $3 AND t.hits >= $12)))"
    };
}

/// The legacy check in one round trip to SQLite, under the writer lock from its first
/// statement: the read above; then, only when no counter is full, count a failure in
/// each (if nothing usable matched: the throttle's own upsert, each counter's new window
/// ending at its own `$7`–`$9`) or record the app password's use — when, from where
/// (`$14`), over what (`$15`) — at most once a minute. `$6` now, `$10`–`$12` the
/// counters' limits, `$13` the scope asked for, `$16` the oldest directory status taken.
const LEGACY_SCRIPT: &str = concat!(
    "BEGIN IMMEDIATE; ",
    legacy_read!("$6", "$13", "$16"),
    "; \
    INSERT INTO throttles (bucket, window_start, hits, expires_at) \
      SELECT name, $6, 1, ends FROM \
        (SELECT $1 AS name, $7 AS ends UNION ALL SELECT $2, $8 UNION ALL SELECT $3, $9) \
      WHERE NOT EXISTS (SELECT 1 ",
    usable!("$6", "$13", "$16"),
    ") AND ",
    not_blocked!(),
    " ",
    count_hit!(),
    "; \
    UPDATE app_passwords SET last_used_at = $6, last_used_ip = $14, last_used_protocol = $15 \
      WHERE id IN (SELECT p.id ",
    usable!("$6", "$13", "$16"),
    ") AND (last_used_at IS NULL OR last_used_at < $6 - 60) AND ",
    not_blocked!(),
    "; COMMIT;"
);
