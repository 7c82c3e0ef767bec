//! App passwords: generated on the server, stored only as HMAC-SHA256 under the server
//! key, returned once.

use secrecy::{ExposeSecret, SecretString};
use wire::AppPasswordInfo;

use crate::clock::{now, rfc3339};
use crate::crypto::{self, ServerKey};
use crate::db::Db;

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

/// The account id owning the app password whose cleartext is `normalized`, if its
/// username matches; records the use (at most once a minute, to keep verification cheap).
pub async fn verify(
    db: &Db,
    key: &ServerKey,
    username: &str,
    normalized: &str,
) -> sqlx::Result<Option<String>> {
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT p.id, a.id FROM app_passwords p JOIN accounts a ON a.id = p.account_id \
         WHERE p.secret_hash = ? AND a.username = ? AND a.disabled = 0 \
           AND a.mfa_required = 1 AND a.app_passwords_allowed = 1",
    )
    .bind(hash(key, normalized))
    .bind(username)
    .fetch_optional(db)
    .await?;
    let Some((password_id, account_id)) = found else { return Ok(None) };
    let now = now();
    sqlx::query("UPDATE app_passwords SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)")
        .bind(now)
        .bind(&password_id)
        .bind(now - 60)
        .execute(db)
        .await?;
    Ok(Some(account_id))
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
