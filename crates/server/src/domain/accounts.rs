//! Accounts and their admin policy: what the policy allows, and what the person has to
//! do next.

use wire::{MethodKind, Next, NotAvailableReason, Policy};

use super::directory::{DirectoryState, DirectoryStatus};
use super::is_unsafe_char;
pub use super::username::Username;

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
    /// Creating an app password needs a session proven with a phishing-resistant method.
    pub phishing_resistant: bool,
    /// The scopes app passwords may have (comma-separated).
    pub app_password_scopes: String,
    /// The longest lifetime a new app password may have, in days; `None`: no expiry required.
    pub app_password_max_days: Option<i64>,
    /// App passwords survive a password change (explicit; off by default).
    pub keep_app_passwords_on_password_change: bool,
    /// App passwords unused for this many days are removed by the sweeper.
    pub app_password_unused_days: Option<i64>,
    /// Wrong MFA codes in a row (any session, any method); reset by a correct one.
    pub mfa_failures: i64,
    /// What the organization's directory last said of the person, for an account that
    /// comes from it (`None`: a local account).
    pub directory: Option<DirectoryState>,
    /// The organization's identity system's id for the person (SCIM `externalId`).
    pub external_id: Option<String>,
    /// An identity system made the account or took charge of it (SCIM): the helpdesk
    /// sees it as managed by provisioning.
    pub provisioned: bool,
}

impl std::fmt::Debug for AccountRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountRow")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Why no one could live under `policy`, if so: the field and the reason (a validation
/// error's). MFA required with no method allowed, app passwords with no scope, a
/// lifetime out of range, the phishing-resistant rule without security keys allowed.
pub fn policy_refusal(policy: &Policy) -> Option<(&'static str, &'static str)> {
    let days = |d: Option<u32>| {
        d.is_some_and(|d| !(1..=super::app_passwords::MAX_LIFETIME_DAYS).contains(&d))
    };
    if policy.mfa_required && policy.allowed_methods.is_empty() {
        Some(("allowed_methods", "empty"))
    } else if policy.app_password_scopes.is_empty() {
        Some(("app_password_scopes", "empty"))
    } else if days(policy.app_password_max_days) {
        Some(("app_password_max_days", "range"))
    } else if days(policy.app_password_unused_days) {
        Some(("app_password_unused_days", "range"))
    } else if policy.phishing_resistant
        && !policy.allowed_methods.iter().any(|k| k.phishing_resistant())
    {
        Some(("phishing_resistant", "needs_passkey"))
    } else {
        None
    }
}

impl AccountRow {
    /// The primary password is kept here, so changed here: not for a directory person
    /// (the directory keeps it) nor for one made at a first single sign-on (none at all).
    pub fn password_here(&self) -> bool {
        self.directory.is_none() && !self.password_hash.is_empty()
    }

    pub fn policy(&self) -> Policy {
        Policy {
            mfa_required: self.mfa_required,
            app_passwords_allowed: self.app_passwords_allowed,
            allowed_methods: parse_methods(&self.allowed_methods),
            phishing_resistant: self.phishing_resistant,
            app_password_scopes: super::app_passwords::parse_scopes(&self.app_password_scopes),
            app_password_max_days: self.app_password_max_days.and_then(|d| u32::try_from(d).ok()),
            keep_app_passwords_on_password_change: self.keep_app_passwords_on_password_change,
            app_password_unused_days: self
                .app_password_unused_days
                .and_then(|d| u32::try_from(d).ok()),
        }
    }

    /// Why `new` cannot be this account's password, if it cannot: too short or long,
    /// the current one again, or easy to guess: zxcvbn's estimate below 10^10 guesses
    /// ("very unguessable"; common passwords, words, names, dates, keyboard walks, and
    /// the account's own username, name and organization count as few guesses). Three
    /// or four unrelated words pass; `NoraNew2026` does not. The field error's `code`.
    pub fn new_password_refusal(
        &self,
        new: &str,
        current: &str,
        issuer: &str,
    ) -> Option<&'static str> {
        if let Err(why) = wire::rules::new_password(new) {
            return Some(why);
        }
        if new == current {
            return Some("same_as_current");
        }
        // The account's own words: the username, its parts, the name, the organization.
        let local = self.username.split('@').next().unwrap_or_default();
        let mut inputs = vec![self.username.as_str(), local, self.display_name.as_str(), issuer];
        inputs.extend(local.split(|c: char| !c.is_alphanumeric()).filter(|w| w.len() > 2));
        inputs.extend(self.display_name.split_whitespace().filter(|w| w.len() > 2));
        (zxcvbn::zxcvbn(new, &inputs).score() < zxcvbn::Score::Four).then_some("too_guessable")
    }

    /// The account's username (stored as parsed).
    pub fn name(&self) -> Username {
        Username::stored(self.username.clone())
    }

    /// Whether the legacy door (mail clients) takes this account's primary password:
    /// only where the admin does not require MFA (where it does, only app passwords
    /// pass there), and never for a disabled account.
    pub fn takes_password_at_legacy_door(&self) -> bool {
        !self.mfa_required && !self.shut()
    }

    /// Whether the account is closed to every door: disabled by an admin, or locked,
    /// disabled or deleted in the organization's directory.
    pub fn shut(&self) -> bool {
        self.disabled
            || self.directory.as_ref().is_some_and(|d| d.status != DirectoryStatus::Active)
    }

    /// Whether what the directory said of this person is older than `max_age` seconds at
    /// `now` (a local account's never is): its app passwords then wait for it.
    pub fn directory_stale(&self, now: i64, max_age: i64) -> bool {
        self.directory.as_ref().is_some_and(|d| d.seen_at < now - max_age)
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

    /// What the person should do next, from the policy, the kinds of the registered
    /// methods and what the session has proven. Under the phishing-resistant policy a
    /// session proven with a code is ready only once it proves a security key: the
    /// person proves one they have, or registers one (`mfa_setup`). MFA done at the
    /// organization's OpenID provider, while fresh, stands for a method of the person's
    /// own (they need none here).
    pub fn next(
        &self,
        methods: &[MethodKind],
        step_up: StepUp,
    ) -> (Next, Option<NotAvailableReason>) {
        if let Some(reason) = self.unavailable() {
            (Next::NotAvailable, Some(reason))
        } else if methods.is_empty() && !step_up.by_provider {
            (Next::MfaSetup, None)
        } else if !step_up.fresh {
            (Next::MfaChallenge, None)
        } else if self.phishing_resistant && !step_up.phishing_resistant {
            if methods.iter().any(|k| k.phishing_resistant()) {
                (Next::MfaChallenge, None)
            } else {
                (Next::MfaSetup, None)
            }
        } else {
            (Next::Ready, None)
        }
    }

    /// Whether this session may add a method to an account that has `methods`: the
    /// first needs nothing; later ones a fresh step-up, and under the phishing-resistant
    /// policy, once a security key is registered, a step-up with one (a phisher relaying
    /// a code must not register their own key).
    pub fn may_add_method(&self, methods: &[MethodKind], step_up: StepUp) -> bool {
        methods.is_empty() || self.may_change_methods(methods, step_up).is_ok()
    }

    /// Whether a session that proved `step_up` may change the registered `methods`
    /// (add, remove, rename, make default — Security info): MFA proven within the
    /// step-up window and, under the phishing-resistant policy once a key is registered,
    /// proven with a key (a code relayed by a phisher must not remove the person's key).
    pub fn may_change_methods(
        &self,
        methods: &[MethodKind],
        step_up: StepUp,
    ) -> Result<(), ChangeRefused> {
        if !step_up.fresh {
            Err(ChangeRefused::MfaRequired)
        } else if self.phishing_resistant
            && !step_up.phishing_resistant
            && methods.iter().any(|k| k.phishing_resistant())
        {
            Err(ChangeRefused::KeyRequired)
        } else {
            Ok(())
        }
    }
}

/// Why a session may not change the account's methods.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRefused {
    /// MFA not proven within the step-up window.
    MfaRequired,
    /// Proven, but not with a key, where the policy asks for one.
    KeyRequired,
}

/// A policy change: `None` leaves a setting as it is.
#[derive(Debug, Default, Clone)]
pub struct PolicyChange {
    pub mfa_required: Option<bool>,
    pub app_passwords_allowed: Option<bool>,
    pub allowed_methods: Option<Vec<wire::MethodKind>>,
    pub phishing_resistant: Option<bool>,
    pub app_password_scopes: Option<Vec<wire::Scope>>,
    /// `Some(None)` removes the maximum.
    pub app_password_max_days: Option<Option<u32>>,
    pub keep_app_passwords_on_password_change: Option<bool>,
    /// `Some(None)` stops removing unused ones.
    pub app_password_unused_days: Option<Option<u32>>,
}

impl PolicyChange {
    /// `policy` with this change made.
    pub fn applied_to(&self, policy: Policy) -> Policy {
        Policy {
            mfa_required: self.mfa_required.unwrap_or(policy.mfa_required),
            app_passwords_allowed: self
                .app_passwords_allowed
                .unwrap_or(policy.app_passwords_allowed),
            allowed_methods: self.allowed_methods.clone().unwrap_or(policy.allowed_methods),
            phishing_resistant: self.phishing_resistant.unwrap_or(policy.phishing_resistant),
            app_password_scopes: self
                .app_password_scopes
                .clone()
                .unwrap_or(policy.app_password_scopes),
            app_password_max_days: self
                .app_password_max_days
                .unwrap_or(policy.app_password_max_days),
            keep_app_passwords_on_password_change: self
                .keep_app_passwords_on_password_change
                .unwrap_or(policy.keep_app_passwords_on_password_change),
            app_password_unused_days: self
                .app_password_unused_days
                .unwrap_or(policy.app_password_unused_days),
        }
    }
}

/// What a session has proven, as the policy weighs it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StepUp {
    /// MFA proven within the step-up window.
    pub fresh: bool,
    /// ... and that proof was a phishing-resistant method's.
    pub phishing_resistant: bool,
    /// ... and it was done at the organization's OpenID provider (single sign-on), not
    /// with one of this endpoint's methods.
    pub by_provider: bool,
}

/// The kind a session records for MFA done at the OpenID provider (`credentials::sso`):
/// with a key (`hwk`/`swk`, phishing resistant), or otherwise.
pub const SSO_PROOF: &str = "sso";
pub const SSO_KEY_PROOF: &str = "sso-key";

impl StepUp {
    /// What a proof at `mfa_at` by a method of `mfa_kind` (a [`MethodKind`], or one of
    /// the provider's proofs) is worth, given whether it is `fresh`.
    pub fn of(fresh: bool, mfa_kind: Option<&str>) -> Self {
        let by_provider = matches!(mfa_kind, Some(SSO_PROOF | SSO_KEY_PROOF));
        let key = match mfa_kind {
            Some(SSO_KEY_PROOF) => true,
            Some(kind) => MethodKind::parse(kind).is_some_and(|k| k.phishing_resistant()),
            None => false,
        };
        Self { fresh, phishing_resistant: fresh && key, by_provider: fresh && by_provider }
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

    fn account() -> AccountRow {
        AccountRow {
            id: "a".into(),
            username: "nora.new@contoso.example".into(),
            display_name: "Nora New".into(),
            password_hash: String::new(),
            disabled: false,
            mfa_required: true,
            app_passwords_allowed: true,
            allowed_methods: "totp".into(),
            phishing_resistant: false,
            app_password_scopes: "mail".into(),
            app_password_max_days: None,
            keep_app_passwords_on_password_change: false,
            app_password_unused_days: None,
            mfa_failures: 0,
            directory: None,
            external_id: None,
            provisioned: false,
        }
    }

    #[test]
    fn new_passwords_are_refused_when_short_reused_or_guessable_and_passphrases_pass() {
        let a = account();
        let refusal = |new: &str| a.new_password_refusal(new, "Old-password-1", "Contoso");
        assert_eq!(refusal("short"), Some("too_short"));
        assert_eq!(refusal("Old-password-1"), Some("same_as_current"));
        for guessable in [
            "password1",
            "Password123!",
            "qwertyuiop",
            "NoraNew2026",
            "contoso2026",
            "NewNora2026!",
        ] {
            assert_eq!(refusal(guessable), Some("too_guessable"), "{guessable}");
        }
        // No composition rules: lower-case words pass, and so does any script.
        for fine in
            ["correct horse battery staple", "plume ardoise volcan tiroir", "ζωή-είναι-ωραία-42"]
        {
            assert_eq!(refusal(fine), None, "{fine}");
        }
        assert_eq!(refusal(&"a".repeat(257)), Some("too_long"));
    }

    #[test]
    fn display_names_refuse_controls_and_bidi_overrides() {
        assert_eq!(parse_display_name("  Nora New ").as_deref(), Some("Nora New"));
        assert!(parse_display_name("Nora\u{2066}New").is_none());
        assert!(parse_display_name("").is_none());
    }

    #[test]
    fn mfa_at_the_provider_stands_for_a_method_only_while_fresh_and_as_the_policy_asks() {
        let mut a = account();
        let by = |fresh, kind| StepUp::of(fresh, Some(kind));
        // No method here: fresh MFA at the provider is enough; stale, set one up.
        assert_eq!(a.next(&[], by(true, SSO_PROOF)).0, Next::Ready);
        assert_eq!(a.next(&[], by(false, SSO_PROOF)).0, Next::MfaSetup);
        assert_eq!(a.next(&[], StepUp::default()).0, Next::MfaSetup);
        // With methods: a stale provider proof asks for one of them.
        assert_eq!(a.next(&[MethodKind::Totp], by(false, SSO_PROOF)).0, Next::MfaChallenge);
        // Phishing resistant: a code at the provider is not enough, a key there is.
        a.phishing_resistant = true;
        a.allowed_methods = "totp,passkey".into();
        assert_eq!(a.next(&[], by(true, SSO_PROOF)).0, Next::MfaSetup);
        assert_eq!(a.next(&[MethodKind::Passkey], by(true, SSO_PROOF)).0, Next::MfaChallenge);
        assert_eq!(a.next(&[], by(true, SSO_KEY_PROOF)).0, Next::Ready);
        // A method's own kind is never taken for the provider's.
        assert!(!by(true, "totp").by_provider && by(true, "passkey").phishing_resistant);
    }
}
