//! Accounts and their admin policy. Every change that must end other things with it
//! (sessions, app passwords, methods) is one transaction.

use secrecy::SecretString;
use sqlx::any::AnyRow;
use sqlx::Row;
use wire::Policy;

use super::audit::By;
use super::{Locks, Store, Tx};
use crate::crypto;
use crate::domain::accounts::{format_methods, AccountRow, Username};
use crate::domain::app_passwords::format_scopes;
use crate::domain::directory::{DirectoryState, DirectoryStatus};
use wire::admin::AuditAction;

/// The columns an [`AccountRow`] is read from.
pub(super) const COLUMNS: &str = "id, username, display_name, password_hash, disabled, \
     mfa_required, app_passwords_allowed, allowed_methods, phishing_resistant, mfa_failures, \
     app_password_scopes, app_password_max_days, keep_app_passwords_on_password_change, \
     app_password_unused_days, directory_id, directory_status, directory_seen_at, \
     directory_asked_ms, directory_password_at, external_id, provisioned_at";

/// Flags are integers 0/1 on both databases (the Any driver reads no SQLite booleans).
impl sqlx::FromRow<'_, AnyRow> for AccountRow {
    fn from_row(row: &AnyRow) -> sqlx::Result<Self> {
        let flag = |name: &str| row.try_get::<i64, _>(name).map(|v| v != 0);
        Ok(Self {
            id: row.try_get("id")?,
            username: row.try_get("username")?,
            display_name: row.try_get("display_name")?,
            password_hash: row.try_get("password_hash")?,
            disabled: flag("disabled")?,
            mfa_required: flag("mfa_required")?,
            app_passwords_allowed: flag("app_passwords_allowed")?,
            allowed_methods: row.try_get("allowed_methods")?,
            phishing_resistant: flag("phishing_resistant")?,
            app_password_scopes: row.try_get("app_password_scopes")?,
            app_password_max_days: row.try_get("app_password_max_days")?,
            keep_app_passwords_on_password_change: flag("keep_app_passwords_on_password_change")?,
            app_password_unused_days: row.try_get("app_password_unused_days")?,
            mfa_failures: row.try_get("mfa_failures")?,
            directory: match row.try_get::<Option<String>, _>("directory_id")? {
                Some(id) => Some(DirectoryState {
                    id,
                    // An unknown word (a newer replica's) shuts the account: never opens it.
                    status: row
                        .try_get::<Option<String>, _>("directory_status")?
                        .as_deref()
                        .and_then(DirectoryStatus::parse)
                        .unwrap_or(DirectoryStatus::Disabled),
                    seen_at: row.try_get::<Option<i64>, _>("directory_seen_at")?.unwrap_or(0),
                    asked_ms: row.try_get::<Option<i64>, _>("directory_asked_ms")?.unwrap_or(0),
                    password_at: row.try_get("directory_password_at")?,
                }),
                None => None,
            },
            external_id: row.try_get("external_id")?,
            provisioned: row.try_get::<Option<i64>, _>("provisioned_at")?.is_some(),
        })
    }
}

/// What an admin sets when creating an account.
pub struct NewAccount<'a> {
    pub username: &'a Username,
    pub display_name: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    pub policy: &'a Policy,
}

/// What a password change ended.
#[derive(Debug)]
pub struct PasswordChanged {
    pub sessions_ended: u64,
    /// The app passwords revoked (none when they were kept).
    pub app_passwords_revoked: Vec<wire::AppPasswordInfo>,
    /// The kept session's new token, when one was kept.
    pub token: Option<SecretString>,
}

impl PasswordChanged {
    /// What the change did, as the audit line and the person's notice say it.
    pub fn detail(&self) -> String {
        format!("{} app passwords revoked", self.app_passwords_revoked.len())
    }
}

impl Store {
    pub async fn account_by_username(
        &self,
        username: &Username,
    ) -> sqlx::Result<Option<AccountRow>> {
        self.account_by_username_str(username.as_str()).await
    }

    /// The account of a username already normalised (lower-cased).
    pub async fn account_by_username_str(
        &self,
        username: &str,
    ) -> sqlx::Result<Option<AccountRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE username = $1"))
            .bind(username)
            .fetch_optional(&self.db)
            .await
    }

    pub async fn account_by_id(&self, id: &str) -> sqlx::Result<Option<AccountRow>> {
        account_on(&self.db, id).await
    }

    /// Accounts whose username or display name contains `q` (any case), by username,
    /// at most `limit`.
    pub async fn search_accounts(&self, q: &str, limit: i64) -> sqlx::Result<Vec<AccountRow>> {
        let escaped: String = q
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM accounts WHERE lower(username) LIKE $1 ESCAPE '\\' \
             OR lower(display_name) LIKE $1 ESCAPE '\\' ORDER BY username LIMIT $2"
        ))
        .bind(format!("%{escaped}%"))
        .bind(limit)
        .fetch_all(&self.db)
        .await
    }

    /// One page of the accounts, by username: from the `offset`-th, at most `limit`; and
    /// how many there are in all.
    pub async fn accounts_page(
        &self,
        offset: i64,
        limit: i64,
    ) -> sqlx::Result<(i64, Vec<AccountRow>)> {
        let total: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM accounts").fetch_one(&self.db).await?;
        let rows = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM accounts ORDER BY username LIMIT $1 OFFSET $2"
        ))
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.db)
        .await?;
        Ok((total, rows))
    }

    pub async fn accounts(&self) -> sqlx::Result<Vec<AccountRow>> {
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts ORDER BY username"))
            .fetch_all(&self.db)
            .await
    }

    /// Creates an account; `None` when the username is taken.
    #[tracing::instrument(skip_all, fields(username = %new.username.as_str()))]
    pub async fn create_account(&self, new: NewAccount<'_>) -> sqlx::Result<Option<String>> {
        insert_account(&mut *self.writer().await?, &new, self.now()).await
    }

    /// Sets the primary password, in one transaction: every session ends but
    /// `keep_session` (the person changing it, whose token is replaced); unless
    /// `keep_app_passwords`, every app password is revoked too (a phished app password
    /// must not outlive the password reset that follows the phishing).
    ///
    /// With `replacing`, only while the stored hash is still that one (the password the
    /// person proved): of two changes raced with the same current password, one wins;
    /// `None` then. Set `by` an admin (`by`), the change is in the audit log.
    pub async fn set_password(
        &self,
        account: &AccountRow,
        password_hash: &str,
        keep_app_passwords: bool,
        keep_session: Option<&str>,
        replacing: Option<&str>,
        by: Option<By<'_>>,
    ) -> sqlx::Result<Option<PasswordChanged>> {
        let mut writer = self.writer().await?;
        let mut tx = self.begin(&mut writer, &Locks::account(&account.id)).await?;
        let done = self
            .set_password_in(
                &mut tx,
                account,
                password_hash,
                keep_app_passwords,
                keep_session,
                replacing,
            )
            .await?;
        if let (Some(done), Some(by)) = (&done, by) {
            self.audit_in(&mut tx, account, by, AuditAction::SetPassword, &done.detail()).await?;
        }
        tx.commit().await?;
        Ok(done)
    }

    /// [`Store::set_password`] inside `tx`, unaudited (provisioning audits it with what
    /// else it changed).
    pub(super) async fn set_password_in(
        &self,
        tx: &mut Tx<'_>,
        account: &AccountRow,
        password_hash: &str,
        keep_app_passwords: bool,
        keep_session: Option<&str>,
        replacing: Option<&str>,
    ) -> sqlx::Result<Option<PasswordChanged>> {
        let account_id = account.id.as_str();
        let set = sqlx::query(
            "UPDATE accounts SET password_hash = $1 WHERE id = $2 \
             AND ($3 IS NULL OR password_hash = $3) AND directory_id IS NULL",
        )
        .bind(password_hash)
        .bind(account_id)
        .bind(replacing)
        .execute(&mut **tx)
        .await?;
        if set.rows_affected() != 1 {
            return Ok(None);
        }
        let sessions_ended = self.end_sessions_in(tx, account_id, keep_session).await?;
        let token = match keep_session {
            Some(session_id) => Some(self.rotate_token_in(tx, session_id, None).await?),
            None => None,
        };
        let app_passwords_revoked = if keep_app_passwords {
            Vec::new()
        } else {
            self.revoke_app_passwords_in(tx, account_id).await?
        };
        Ok(Some(PasswordChanged { sessions_ended, app_passwords_revoked, token }))
    }
}

/// Inserts a new account on `db` (a write connection or a transaction) unless its name
/// is taken: its id, or `None`. Every way an account is made (an admin, a directory
/// person's first sign-in, a single sign-on's) makes it here.
pub(super) async fn insert_account<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    new: &NewAccount<'_>,
    now: i64,
) -> sqlx::Result<Option<String>> {
    let id = crypto::random_id();
    let done = sqlx::query(
        "INSERT INTO accounts (id, username, display_name, password_hash, mfa_required, \
         app_passwords_allowed, allowed_methods, phishing_resistant, app_password_scopes, \
         app_password_max_days, keep_app_passwords_on_password_change, app_password_unused_days, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
         ON CONFLICT (username) DO NOTHING",
    )
    .bind(&id)
    .bind(new.username.as_str())
    .bind(new.display_name)
    .bind(new.password_hash)
    .bind(i64::from(new.policy.mfa_required))
    .bind(i64::from(new.policy.app_passwords_allowed))
    .bind(format_methods(&new.policy.allowed_methods))
    .bind(i64::from(new.policy.phishing_resistant))
    .bind(format_scopes(&new.policy.app_password_scopes))
    .bind(new.policy.app_password_max_days.map(i64::from))
    .bind(i64::from(new.policy.keep_app_passwords_on_password_change))
    .bind(new.policy.app_password_unused_days.map(i64::from))
    .bind(now)
    .execute(db)
    .await?;
    Ok((done.rows_affected() == 1).then_some(id))
}

/// The account `id` names, read on `db` (the pool, or a transaction that must see its own
/// writes): every read of one account by its id is this one.
pub(super) async fn account_on<'e>(
    db: impl sqlx::Executor<'e, Database = sqlx::Any>,
    id: &str,
) -> sqlx::Result<Option<AccountRow>> {
    sqlx::query_as(&format!("SELECT {COLUMNS} FROM accounts WHERE id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await
}
