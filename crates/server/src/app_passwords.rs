//! App passwords: generated on the server, stored only as HMAC-SHA256 under the server
//! key, returned once.

use secrecy::{ExposeSecret, SecretString};
use wire::AppPasswordInfo;

use crate::clock::{now, rfc3339};
use crate::crypto::{self, ServerKey};
use crate::db::Db;
use crate::throttle::Bucket;

/// A validated name: trimmed, 1–64 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPasswordName(String);

impl AppPasswordName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        match s.chars().count() {
            0 => Err("required"),
            n if n > 64 => Err("too_long"),
            _ if s.chars().any(char::is_control) => Err("invalid_characters"),
            _ => Ok(Self(s.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub fn hash(key: &ServerKey, normalized: &str) -> String {
    key.keyed_hash("app-password", normalized.as_bytes())
}

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

pub async fn list(db: &Db, account_id: &str) -> sqlx::Result<Vec<AppPasswordInfo>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at FROM app_passwords WHERE account_id = ? ORDER BY created_at, id",
    )
    .bind(account_id)
    .fetch_all(db)
    .await?;
    Ok(rows.iter().map(Row::to_wire).collect())
}

pub async fn count(db: &Db, account_id: &str) -> sqlx::Result<i64> {
    sqlx::query_scalar("SELECT COUNT(*) FROM app_passwords WHERE account_id = ?")
        .bind(account_id)
        .fetch_one(db)
        .await
}

pub enum CreateError {
    NameTaken,
    Db(sqlx::Error),
}

/// Creates an app password; the cleartext is returned here and nowhere else.
pub async fn create(
    db: &Db,
    key: &ServerKey,
    account_id: &str,
    name: &AppPasswordName,
) -> Result<(AppPasswordInfo, SecretString), CreateError> {
    let secret = crypto::new_app_password();
    let row = Row {
        id: crypto::random_id(),
        name: name.as_str().to_owned(),
        created_at: now(),
        last_used_at: None,
    };
    let res = sqlx::query(
        "INSERT INTO app_passwords (id, account_id, name, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)",
    )
    .bind(&row.id)
    .bind(account_id)
    .bind(&row.name)
    .bind(hash(key, secret.expose_secret()))
    .bind(row.created_at)
    .execute(db)
    .await;
    match res {
        Ok(_) => Ok((row.to_wire(), secret)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(CreateError::NameTaken),
        Err(e) => Err(CreateError::Db(e)),
    }
}

/// Revokes one; `false` when it does not exist for this account.
pub async fn revoke(db: &Db, account_id: &str, id: &str) -> sqlx::Result<bool> {
    let done = sqlx::query("DELETE FROM app_passwords WHERE account_id = ? AND id = ?")
        .bind(account_id)
        .bind(id)
        .execute(db)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn revoke_all(db: &Db, account_id: &str) -> sqlx::Result<u64> {
    Ok(sqlx::query("DELETE FROM app_passwords WHERE account_id = ?")
        .bind(account_id)
        .execute(db)
        .await?
        .rows_affected())
}

/// A row of the legacy hot-path query: a throttle bucket (name, NULL, window start,
/// hits) or the matching app password (id, account id, last used, NULL).
type HotRow = (String, Option<String>, Option<i64>, Option<i64>);

/// What a legacy sign-in with an app password comes to.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// One of the throttle buckets is full: wait this many seconds.
    Blocked(u32),
    /// The app password belongs to `username`, whose policy allows app passwords.
    Valid {
        account_id: String,
    },
    Invalid,
}

/// Checks the throttle `buckets` and the app password whose cleartext is `normalized`
/// (None when the input cannot be one) for `username` in one round trip, since this is
/// the hot path of every legacy client; records the use at most once a minute.
pub async fn verify(
    db: &Db,
    key: &ServerKey,
    username: &str,
    normalized: Option<&str>,
    buckets: &[Bucket<'_>],
) -> sqlx::Result<Verdict> {
    let mut query = sqlx::QueryBuilder::new(
        "SELECT bucket, NULL, window_start, hits FROM throttles WHERE bucket IN (",
    );
    let mut names = query.separated(", ");
    for b in buckets {
        names.push_bind(b.name);
    }
    query
        .push(
            ") UNION ALL SELECT p.id, a.id, p.last_used_at, NULL FROM app_passwords p \
             JOIN accounts a ON a.id = p.account_id WHERE p.secret_hash = ",
        )
        .push_bind(normalized.map(|n| hash(key, n)).unwrap_or_default())
        .push(" AND a.username = ")
        .push_bind(username)
        .push(" AND a.disabled = 0 AND a.mfa_required = 1 AND a.app_passwords_allowed = 1");
    let rows: Vec<HotRow> = query.build_query_as().fetch_all(db).await?;

    let mut found = None;
    let mut wait = None;
    for (name, account_id, a, b) in rows {
        match account_id {
            Some(account_id) => found = Some((name, account_id, a)),
            None => {
                let row_wait = buckets
                    .iter()
                    .find(|bucket| bucket.name == name)
                    .and_then(|bucket| bucket.wait(a.unwrap_or(0), b.unwrap_or(0)));
                wait = wait.max(row_wait);
            }
        }
    }
    if let Some(wait) = wait {
        return Ok(Verdict::Blocked(wait));
    }
    let Some((password_id, account_id, last_used)) = found else { return Ok(Verdict::Invalid) };
    let now = now();
    // Only write when the recorded use is over a minute old: a write takes SQLite's
    // one writer lock, and a mail client polling every few seconds must not queue on it.
    if last_used.is_none_or(|at| at < now - 60) {
        sqlx::query(
            "UPDATE app_passwords SET last_used_at = ? \
             WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
        )
        .bind(now)
        .bind(&password_id)
        .bind(now - 60)
        .execute(db)
        .await?;
    }
    Ok(Verdict::Valid { account_id })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            AppPasswordName::parse("  Outlook on my laptop ").unwrap().as_str(),
            "Outlook on my laptop"
        );
        assert_eq!(AppPasswordName::parse("   "), Err("required"));
        assert_eq!(AppPasswordName::parse(&"x".repeat(65)), Err("too_long"));
        assert!(AppPasswordName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(AppPasswordName::parse("a\u{7}b"), Err("invalid_characters"));
    }
}
