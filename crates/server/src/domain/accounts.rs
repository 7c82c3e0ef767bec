//! Accounts and their admin policy: what the policy allows, and what the person has to
//! do next.

use wire::{MethodKind, Next, NotAvailableReason, Policy};

use super::is_unsafe_char;

/// A validated, normalised username (trimmed, lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// See `wire::rules::username`: the rule the OpenAPI document publishes.
    pub fn parse(raw: &str) -> Option<Self> {
        wire::rules::username(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A display name an admin sets: trimmed, 1–128 characters, nothing that disguises text.
pub fn parse_display_name(raw: &str) -> Option<String> {
    let s = raw.trim();
    ((1..=128).contains(&s.chars().count()) && !s.chars().any(is_unsafe_char)).then(|| s.to_owned())
}

/// An account row (read by `store::accounts`, where its flags are decoded).
#[derive(Clone)]
pub struct AccountRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    pub disabled: bool,
    pub mfa_required: bool,
    pub app_passwords_allowed: bool,
    pub allowed_methods: String,
    /// Wrong MFA codes in a row (any session, any method); reset by a correct one.
    pub mfa_failures: i64,
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

impl AccountRow {
    pub fn policy(&self) -> Policy {
        Policy {
            mfa_required: self.mfa_required,
            app_passwords_allowed: self.app_passwords_allowed,
            allowed_methods: parse_methods(&self.allowed_methods),
        }
    }

    pub fn allows(&self, kind: MethodKind) -> bool {
        parse_methods(&self.allowed_methods).contains(&kind)
    }

    /// Why app passwords cannot be had for this account, if they cannot (the seed's
    /// note: without the MFA requirement, none of the options are offered).
    pub fn unavailable(&self) -> Option<NotAvailableReason> {
        if !self.mfa_required {
            Some(NotAvailableReason::MfaNotRequired)
        } else if !self.app_passwords_allowed {
            Some(NotAvailableReason::AppPasswordsDisabled)
        } else {
            None
        }
    }

    /// What the person should do next, from the policy, the number of registered
    /// methods and whether the session has a fresh MFA proof.
    pub fn next(&self, methods: usize, mfa_fresh: bool) -> (Next, Option<NotAvailableReason>) {
        if let Some(reason) = self.unavailable() {
            (Next::NotAvailable, Some(reason))
        } else if methods == 0 {
            (Next::MfaSetup, None)
        } else if !mfa_fresh {
            (Next::MfaChallenge, None)
        } else {
            (Next::Ready, None)
        }
    }
}

pub fn parse_methods(list: &str) -> Vec<MethodKind> {
    list.split(',').filter_map(|s| MethodKind::parse(s.trim())).collect()
}

pub fn format_methods(kinds: &[MethodKind]) -> String {
    kinds.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_names_refuse_controls_and_bidi_overrides() {
        assert_eq!(parse_display_name("  Nora New ").as_deref(), Some("Nora New"));
        assert!(parse_display_name("Nora\u{2066}New").is_none());
        assert!(parse_display_name("").is_none());
    }
}
