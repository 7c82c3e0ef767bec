//! Accounts, their admin policy, and primary-password checks (Argon2id).

use std::sync::LazyLock;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use secrecy::{ExposeSecret, SecretString};
use wire::{MethodKind, Policy};

use crate::clock::now;
use crate::crypto;
use crate::db::Db;

/// A validated, normalised username (trimmed, lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    pub fn parse(raw: &str) -> Option<Self> {
        let s = raw.trim().to_lowercase();
        let ok = (1..=254).contains(&s.chars().count())
            && !s.chars().any(|c| c.is_whitespace() || c.is_control());
        ok.then_some(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub fn hash_password(password: &SecretString) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(argon2().hash_password(password.expose_secret().as_bytes(), &salt)?.to_string())
}

/// A hash of a random password, checked against when the account does not exist so
/// that unknown and known usernames take the same time.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash_password(&SecretString::from(crypto::random_hex(16))).unwrap_or_default()
});

/// Verifies `password` against `hash` (or the dummy hash) off the async runtime.
pub async fn verify_password(hash: Option<String>, password: SecretString) -> bool {
    let known = hash.is_some();
    let hash = hash.unwrap_or_else(|| DUMMY_HASH.clone());
    let ok = tokio::task::spawn_blocking(move || {
        PasswordHash::new(&hash)
            .map(|parsed| {
                argon2().verify_password(password.expose_secret().as_bytes(), &parsed).is_ok()
            })
            .unwrap_or(false)
    })
    .await
    .unwrap_or(false);
    ok && known
}

/// An account row.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub mfa_required: bool,
    pub app_passwords_allowed: bool,
    pub allowed_methods: String,
}

impl AccountRow {
    pub fn policy(&self) -> Policy {
        Policy {
            mfa_required: self.mfa_required,
            app_passwords_allowed: self.app_passwords_allowed,
            allowed_methods: parse_methods(&self.allowed_methods),
        }
    }
}

pub fn parse_methods(list: &str) -> Vec<MethodKind> {
    list.split(',').filter_map(|s| MethodKind::parse(s.trim())).collect()
}

pub fn format_methods(kinds: &[MethodKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

const ACCOUNT_COLUMNS: &str = "id, username, display_name, password_hash, disabled, mfa_required, \
                               app_passwords_allowed, allowed_methods";

pub async fn find_by_username(db: &Db, username: &Username) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE username = ?"))
        .bind(username.as_str())
        .fetch_optional(db)
        .await
}

pub async fn find_by_id(db: &Db, id: &str) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE id = ?"))
        .bind(id)
        .fetch_optional(db)
        .await
}

/// What an admin sets when creating an account.
pub struct NewAccount<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    pub password: &'a SecretString,
    pub policy: &'a Policy,
}

#[tracing::instrument(skip_all, fields(username = %new.username.as_str()))]
pub async fn create(db: &Db, new: NewAccount<'_>) -> anyhow::Result<String> {
    let id = crypto::random_id();
    let hash = hash_password(new.password).map_err(|e| anyhow::anyhow!("hashing failed: {e}"))?;
    sqlx::query(
        "INSERT INTO accounts (id, username, display_name, password_hash, mfa_required, \
         app_passwords_allowed, allowed_methods, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&id)
    .bind(new.username.as_str())
    .bind(new.display_name)
    .bind(hash)
    .bind(new.policy.mfa_required)
    .bind(new.policy.app_passwords_allowed)
    .bind(format_methods(&new.policy.allowed_methods))
    .bind(now())
    .execute(db)
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_are_trimmed_lowercased_and_refuse_spaces() {
        assert_eq!(
            Username::parse("  New.User@Contoso.Example ").unwrap().as_str(),
            "new.user@contoso.example"
        );
        assert!(Username::parse("two words").is_none());
        assert!(Username::parse("   ").is_none());
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_and_nothing_else() {
        let pw = SecretString::from("correct horse");
        let hash = hash_password(&pw).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password(Some(hash.clone()), pw).await);
        assert!(!verify_password(Some(hash), SecretString::from("wrong")).await);
        assert!(!verify_password(None, SecretString::from("anything")).await);
    }
}
