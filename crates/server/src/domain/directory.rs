//! What the organization's directory says of a person (`credentials::directory` asks
//! it; `store::directory` keeps it with the person's account).

use super::username::Username;

/// What the directory last said of a person (`store::directory` keeps it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryState {
    /// The directory's stable id of the person (`entryUUID`, `objectGUID` in hex).
    pub id: String,
    pub status: DirectoryStatus,
    /// When it said so (Unix seconds).
    pub seen_at: i64,
    /// When the question it answered was asked (Unix milliseconds): an answer asked
    /// earlier is older news and changes nothing (`store::directory`).
    pub asked_ms: i64,
    /// When it last saw the password changed, as it says it (`pwdChangedTime`,
    /// `pwdLastSet`; `None`: it does not say).
    pub password_at: Option<String>,
}

/// A person's standing in the directory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectoryStatus {
    Active,
    /// `pwdAccountLockedTime` is set (OpenLDAP's and 389-ds's password policy).
    Locked,
    /// Active Directory's `userAccountControl` disabled bit, or 389-ds's `nsAccountLock`.
    Disabled,
    /// The directory no longer has the person (their id is found nowhere).
    Deleted,
}

impl DirectoryStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Locked => "locked",
            Self::Disabled => "disabled",
            Self::Deleted => "deleted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Active, Self::Locked, Self::Disabled, Self::Deleted]
            .into_iter()
            .find(|status| status.as_str() == s)
    }
}

/// A person as the directory has them now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    /// The stable id (`entryUUID`, `objectGUID` in hex): a renamed person keeps it.
    pub id: String,
    pub dn: String,
    pub username: Username,
    pub display_name: String,
    pub status: DirectoryStatus,
    /// When the directory last saw their password changed, as it says it.
    pub password_changed: Option<String>,
    /// Members of the MFA group (or everyone, when no such group is configured).
    pub mfa_required: bool,
    /// Not members of the group that takes app passwords away.
    pub app_passwords_allowed: bool,
}
