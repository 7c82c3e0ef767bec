//! Admin actions and their audit log. Every change an admin makes to an account (from
//! the admin API or the command line) is ONE transaction that does it and writes who
//! did it, from where, and what exactly: no action without its line, no line without
//! its action.

use wire::admin::{AuditAction, AuditEntry};

use super::{Locks, Refusal, Store, StoreResult, Tx};
use crate::clock::rfc3339;
use crate::domain::accounts::{format_methods, AccountRow, Username};
use crate::domain::accounts::{ChangeRefused, PolicyChange};
use crate::domain::app_passwords::format_scopes;
use crate::domain::scim::UserPatch;

/// Who acts, as the audit log says it.
#[derive(Debug, Clone, Copy)]
pub struct By<'a> {
    /// The admin credential's name, or `cli`.
    pub credential: &'a str,
    /// Who at the portal (or which user of the shell).
    pub actor: &'a str,
    /// The admin call's client address, or `cli`.
    pub from: &'a str,
}

/// What an admin does to one account.
#[derive(Debug)]
pub enum AdminAction<'a> {
    /// One method, by id (a lost phone); its open challenges end with it.
    RemoveMethod(&'a str),
    /// One method's name (a key's, an authenticator app's): the person, in Security info.
    RenameMethod {
        id: &'a str,
        name: &'a str,
    },
    /// One method made the default (offered first): the person, in Security info.
    PreferMethod(&'a str),
    /// Every method, proof and session; MFA unlocked: enroll again at next sign-in.
    ResetMfa,
    /// Wrong-code lock lifted, methods kept.
    UnlockMfa,
    RevokeAppPassword(&'a str),
    RevokeAllAppPasswords,
    SetPolicy(&'a PolicyChange),
    /// Every sign-in refused, every session ended.
    Disable,
    Enable,
    /// What the organization's identity system says of the person (SCIM; see
    /// `Store::provision_in`): a leaver (`active: false`) disabled, every session ended
    /// and every app password revoked at once; re-activated, the methods are back, the
    /// app passwords are not. The password, when one is set, arrives hashed.
    Provision {
        patch: &'a UserPatch,
        password_hash: Option<Option<&'a str>>,
    },
    /// The account and everything it holds removed (provisioning's DELETE); only its
    /// audit lines remain.
    Delete,
}

impl AdminAction<'_> {
    pub fn kind(&self) -> AuditAction {
        match self {
            Self::RemoveMethod(_) => AuditAction::RemoveMethod,
            Self::RenameMethod { .. } => AuditAction::RenameMethod,
            Self::PreferMethod(_) => AuditAction::PreferMethod,
            Self::ResetMfa => AuditAction::ResetMfa,
            Self::UnlockMfa => AuditAction::UnlockMfa,
            Self::RevokeAppPassword(_) => AuditAction::RevokeAppPassword,
            Self::RevokeAllAppPasswords => AuditAction::RevokeAllAppPasswords,
            Self::SetPolicy(_) => AuditAction::SetPolicy,
            Self::Disable => AuditAction::Disable,
            Self::Enable => AuditAction::Enable,
            Self::Provision { patch, password_hash } => match (patch.active, password_hash) {
                (Some(false), _) => AuditAction::Disable,
                (Some(true), _) => AuditAction::Enable,
                (None, Some(_)) => AuditAction::SetPassword,
                (None, None) => AuditAction::SetPolicy,
            },
            Self::Delete => AuditAction::Delete,
        }
    }
}

type Row = (i64, String, String, String, String, String, String);

impl Store {
    /// Does `action` to `account` and writes its audit line, as one transaction.
    /// Returns what was done, in words (the line's detail), or `None` when what it
    /// names does not exist (then nothing is done or written).
    pub async fn administer(
        &self,
        account: &AccountRow,
        by: By<'_>,
        action: AdminAction<'_>,
    ) -> StoreResult<Option<String>> {
        // About this person, and a new name or external id (SCIM), which must be no one
        // else's: every rule that may give one locks it.
        let locks = match &action {
            AdminAction::Provision { patch, .. } => Locks::account(&account.id)
                .and_some("username", patch.user_name.as_ref().map(Username::as_str))
                .and_some("external_id", patch.external_id.as_ref().and_then(|e| e.as_deref())),
            _ => Locks::account(&account.id),
        };
        self.transaction(locks, async |tx| self.administer_in(tx, account, by, &action).await).await
    }

    /// A change the person makes to their own methods (Security info: remove, rename,
    /// make default), with its audit line, as one transaction: refused unless the
    /// session, as it is in that transaction, may change them
    /// (`AccountRow::may_change_methods`: a session proven too long ago, or with a code
    /// where the policy asks for a key, is refused however requests are raced).
    pub async fn change_own_method(
        &self,
        session_id: &str,
        account_id: &str,
        by: By<'_>,
        action: AdminAction<'_>,
    ) -> StoreResult<(AccountRow, String)> {
        self.transaction(Locks::account(account_id), async |tx| {
            let account = self.account_in(tx, account_id).await?;
            let (_, step_up) = self.session_step_up(tx, session_id).await?;
            let kinds = self.method_kinds(tx, account_id).await?;
            account.may_change_methods(&kinds, step_up).map_err(|why| match why {
                ChangeRefused::MfaRequired => Refusal::MfaRequired,
                ChangeRefused::KeyRequired => Refusal::KeyRequired,
            })?;
            let done = self.administer_in(tx, &account, by, &action).await?;
            Ok((account, done.ok_or(Refusal::NotFound)?))
        })
        .await
    }

    async fn administer_in(
        &self,
        tx: &mut Tx<'_>,
        account: &AccountRow,
        by: By<'_>,
        action: &AdminAction<'_>,
    ) -> StoreResult<Option<String>> {
        let id = account.id.as_str();
        let detail = match action {
            AdminAction::RemoveMethod(method) => self
                .remove_method_in(tx, id, method)
                .await?
                .map(|(kind, label)| format!("{kind} {label}")),
            AdminAction::RenameMethod { id: method, name } => self
                .rename_method_in(tx, id, method, name)
                .await?
                .map(|(kind, before)| format!("{kind} {before} -> {name}")),
            AdminAction::PreferMethod(method) => self
                .prefer_method_in(tx, id, method)
                .await?
                .map(|(kind, label)| format!("{kind} {label}")),
            AdminAction::ResetMfa => {
                let removed = self.remove_methods_in(tx, id).await?;
                self.end_sessions_in(tx, id, None).await?;
                unlock_in(tx, id).await?;
                Some(format!("{removed} methods removed"))
            }
            AdminAction::UnlockMfa => {
                unlock_in(tx, id).await?;
                Some(String::new())
            }
            AdminAction::RevokeAppPassword(password) => {
                self.revoke_app_password_in(tx, id, password).await?
            }
            AdminAction::RevokeAllAppPasswords => {
                let revoked = self.revoke_app_passwords_in(tx, id).await?;
                let names: Vec<&str> = revoked.iter().map(|p| p.name.as_str()).collect();
                Some(format!("{} revoked: {}", names.len(), names.join(", ")))
            }
            AdminAction::SetPolicy(change) => {
                set_policy_in(tx, id, change).await?;
                Some(describe(change))
            }
            AdminAction::Disable | AdminAction::Enable => {
                self.set_disabled_in(tx, id, matches!(action, AdminAction::Disable)).await?;
                Some(String::new())
            }
            AdminAction::Provision { patch, password_hash } => {
                Some(self.provision_in(tx, account, patch, *password_hash).await?)
            }
            AdminAction::Delete => {
                let gone = sqlx::query("DELETE FROM accounts WHERE id = $1")
                    .bind(id)
                    .execute(&mut **tx)
                    .await?
                    .rows_affected();
                (gone == 1).then(String::new)
            }
        };
        let Some(detail) = detail else { return Ok(None) };
        self.audit_in(tx, account, by, action.kind(), &detail).await?;
        Ok(Some(detail))
    }

    /// Disables the account (every session ended with it) or enables it again.
    pub(super) async fn set_disabled_in(
        &self,
        tx: &mut Tx<'_>,
        id: &str,
        disable: bool,
    ) -> sqlx::Result<()> {
        sqlx::query("UPDATE accounts SET disabled = $1 WHERE id = $2")
            .bind(i64::from(disable))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        if disable {
            self.end_sessions_in(tx, id, None).await?;
        }
        Ok(())
    }

    /// Writes one audit line inside `tx` (also for a password set by an admin).
    pub(super) async fn audit_in(
        &self,
        tx: &mut Tx<'_>,
        account: &AccountRow,
        by: By<'_>,
        action: AuditAction,
        detail: &str,
    ) -> sqlx::Result<()> {
        sqlx::query(
            "INSERT INTO audit (at, credential, actor, address, action, account_id, username, \
             detail) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(self.now())
        .bind(by.credential)
        .bind(by.actor)
        .bind(by.from)
        .bind(action.as_str())
        .bind(&account.id)
        .bind(&account.username)
        .bind(detail)
        .execute(&mut **tx)
        .await
        .map(drop)
    }

    /// The audit log, newest first: of one account (`username`), or of all.
    pub async fn audit_log(
        &self,
        username: Option<&str>,
        limit: i64,
    ) -> sqlx::Result<Vec<AuditEntry>> {
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT at, credential, actor, address, action, username, detail FROM audit \
             WHERE $1 IS NULL OR username = $1 ORDER BY seq DESC LIMIT $2",
        )
        .bind(username)
        .bind(limit)
        .fetch_all(&self.db)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(at, credential, actor, from, action, username, detail)| AuditEntry {
                at: rfc3339(at),
                credential,
                actor,
                from,
                action: serde_json::from_value(serde_json::Value::String(action))
                    .unwrap_or(AuditAction::Unknown),
                username,
                detail,
            })
            .collect())
    }
}

async fn unlock_in(tx: &mut Tx<'_>, account_id: &str) -> sqlx::Result<()> {
    for statement in [
        "UPDATE accounts SET mfa_failures = 0 WHERE id = $1",
        "DELETE FROM throttles WHERE bucket = 'mfa:' || $1",
    ] {
        sqlx::query(statement).bind(account_id).execute(&mut **tx).await?;
    }
    Ok(())
}

/// Changes the settings given, in one statement.
pub(super) async fn set_policy_in(
    tx: &mut Tx<'_>,
    account_id: &str,
    change: &PolicyChange,
) -> sqlx::Result<()> {
    sqlx::query(
        "UPDATE accounts SET mfa_required = COALESCE($1, mfa_required), \
         app_passwords_allowed = COALESCE($2, app_passwords_allowed), \
         allowed_methods = COALESCE($3, allowed_methods), \
         phishing_resistant = COALESCE($4, phishing_resistant), \
         app_password_scopes = COALESCE($5, app_password_scopes), \
         app_password_max_days = CASE WHEN $6 = 1 THEN $7 ELSE app_password_max_days END, \
         keep_app_passwords_on_password_change = \
           COALESCE($8, keep_app_passwords_on_password_change), \
         app_password_unused_days = CASE WHEN $9 = 1 THEN $10 ELSE app_password_unused_days END \
         WHERE id = $11",
    )
    .bind(change.mfa_required.map(i64::from))
    .bind(change.app_passwords_allowed.map(i64::from))
    .bind(change.allowed_methods.as_deref().map(format_methods))
    .bind(change.phishing_resistant.map(i64::from))
    .bind(change.app_password_scopes.as_deref().map(format_scopes))
    .bind(i64::from(change.app_password_max_days.is_some()))
    .bind(change.app_password_max_days.flatten().map(i64::from))
    .bind(change.keep_app_passwords_on_password_change.map(i64::from))
    .bind(i64::from(change.app_password_unused_days.is_some()))
    .bind(change.app_password_unused_days.flatten().map(i64::from))
    .bind(account_id)
    .execute(&mut **tx)
    .await
    .map(drop)
}

/// A policy change in words, for the audit line: only what was set.
pub(super) fn describe(c: &PolicyChange) -> String {
    let days = |d: Option<u32>| d.map_or("none".to_owned(), |d| d.to_string());
    let mut parts = Vec::new();
    if let Some(v) = c.mfa_required {
        parts.push(format!("mfa_required={v}"));
    }
    if let Some(v) = c.app_passwords_allowed {
        parts.push(format!("app_passwords={v}"));
    }
    if let Some(v) = &c.allowed_methods {
        parts.push(format!("methods={}", format_methods(v)));
    }
    if let Some(v) = c.phishing_resistant {
        parts.push(format!("phishing_resistant={v}"));
    }
    if let Some(v) = &c.app_password_scopes {
        parts.push(format!("scopes={}", format_scopes(v)));
    }
    if let Some(v) = c.app_password_max_days {
        parts.push(format!("max_days={}", days(v)));
    }
    if let Some(v) = c.keep_app_passwords_on_password_change {
        parts.push(format!("keep_app_passwords_on_password_change={v}"));
    }
    if let Some(v) = c.app_password_unused_days {
        parts.push(format!("remove_unused_days={}", days(v)));
    }
    parts.join(" ")
}
