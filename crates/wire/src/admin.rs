//! The admin side of the contract (`/v1/admin/…`): what a helpdesk sees of a person's
//! account and may do to it, and the audit log of what was done. Never a secret: no
//! app password, no authenticator key, destinations masked.

use serde::{Deserialize, Serialize};

#[cfg(feature = "openapi")]
use utoipa::ToSchema;

use crate::{AppPasswordInfo, Method, Policy};

/// What an admin credential may do: look (`read`), act on methods and app passwords
/// (`manage`), change the policy (`policy`), hand people signed in at the portal over
/// to the module (`sessions`: the token exchange, with the credential itself only).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AdminScope {
    Read,
    Manage,
    Policy,
    Sessions,
}

impl AdminScope {
    pub const ALL: [AdminScope; 4] = [Self::Read, Self::Manage, Self::Policy, Self::Sessions];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Manage => "manage",
            Self::Policy => "policy",
            Self::Sessions => "sessions",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// `POST /v1/admin/sessions`, with the portal's admin credential.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdminSessionRequest {
    /// Who at the portal acts (the portal's own sign-in name), for the audit log.
    pub actor: String,
}

/// `201` to `POST /v1/admin/sessions`: a short-lived token for the admin mode.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminSession {
    /// `Authorization: Bearer <token>` on `/v1/admin/…` only. Memory only.
    pub token: String,
    /// RFC 3339.
    pub expires_at: String,
    pub credential: String,
    pub actor: String,
    pub scopes: Vec<AdminScope>,
}

impl std::fmt::Debug for AdminSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminSession")
            .field("expires_at", &self.expires_at)
            .field("credential", &self.credential)
            .field("actor", &self.actor)
            .field("scopes", &self.scopes)
            .field("token", &"[redacted]")
            .finish()
    }
}

/// One account found by a search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserSummary {
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
}

/// `200` to `GET /v1/admin/users?q=…`: at most 20, by username.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct UserList {
    pub items: Vec<UserSummary>,
}

/// Whether the person is offered app passwords, and if not, why: the answer to "why
/// can't I see App passwords?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AppPasswordsOffer {
    /// Offered: MFA is required, app passwords are on, a method is registered.
    Offered,
    /// The policy does not require MFA: app passwords are not offered at all.
    MfaNotRequired,
    /// The policy turns app passwords off.
    AppPasswordsOff,
    /// MFA is required but nothing is registered yet: the person sets up a method at
    /// the next sign-in, then sees app passwords.
    NoMethodYet,
    /// The account is disabled.
    AccountDisabled,
}

/// `200` to `GET /v1/admin/users/{username}` and to each action on it: the account as
/// a helpdesk sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AdminUser {
    pub username: String,
    pub display_name: String,
    pub disabled: bool,
    /// Too many wrong codes in a row: verification is locked until reset.
    pub mfa_locked: bool,
    pub policy: Policy,
    pub app_passwords_offer: AppPasswordsOffer,
    /// Registered methods, destinations masked.
    pub methods: Vec<Method>,
    /// App passwords: names, scopes, dates, last use. Never the passwords.
    pub app_passwords: Vec<AppPasswordInfo>,
    /// For a person of the organization's directory: what it last said of them (their
    /// password is set there, never here). Absent for a local account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<DirectoryInfo>,
    /// Managed by the organization's identity system (SCIM provisioning): it made the
    /// account or took charge of it, and its next sync may undo a change made here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub provisioned: bool,
}

/// What the organization's directory last said of a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct DirectoryInfo {
    pub status: DirectoryStanding,
    /// When it said so (RFC 3339).
    pub seen_at: String,
}

/// A person's standing in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DirectoryStanding {
    Active,
    /// Locked there (`pwdAccountLockedTime`): no door opens.
    Locked,
    /// Disabled there (Active Directory's disabled bit, `nsAccountLock`).
    Disabled,
    /// No longer there: the account is shut, nothing of it removed.
    Deleted,
    /// A standing this client does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

/// What an admin did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    RemoveMethod,
    ResetMfa,
    UnlockMfa,
    RevokeAppPassword,
    RevokeAllAppPasswords,
    SetPolicy,
    Disable,
    Enable,
    SetPassword,
    /// A security key's or authenticator app's name changed (by the person, in
    /// Security info).
    RenameMethod,
    /// The default method changed (by the person, in Security info).
    PreferMethod,
    /// The account made by provisioning.
    Create,
    /// The account removed (by provisioning).
    Delete,
    /// An action this client does not know yet (a newer server).
    #[serde(other)]
    Unknown,
}

impl AuditAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::RemoveMethod => "remove_method",
            Self::ResetMfa => "reset_mfa",
            Self::UnlockMfa => "unlock_mfa",
            Self::RevokeAppPassword => "revoke_app_password",
            Self::RevokeAllAppPasswords => "revoke_all_app_passwords",
            Self::SetPolicy => "set_policy",
            Self::Disable => "disable",
            Self::Enable => "enable",
            Self::SetPassword => "set_password",
            Self::RenameMethod => "rename_method",
            Self::PreferMethod => "prefer_method",
            Self::Create => "create",
            Self::Delete => "delete",
            Self::Unknown => "unknown",
        }
    }
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditEntry {
    /// RFC 3339.
    pub at: String,
    /// The admin credential used (`cli` for the admin command line).
    pub credential: String,
    /// Who acted, as the portal (or the command line's user) said.
    pub actor: String,
    /// Where from: the client address of the admin call, or `cli`.
    pub from: String,
    pub action: AuditAction,
    pub username: String,
    /// What exactly: the method's or app password's name, the policy set, a count.
    pub detail: String,
}

/// `200` to `GET /v1/admin/audit`: newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(ToSchema))]
pub struct AuditLog {
    pub items: Vec<AuditEntry>,
}
