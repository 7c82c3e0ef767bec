//! App passwords: generated on the server, stored only as HMAC-SHA256 under the server
//! key, returned once.

use wire::{Policy, Scope};

use crate::crypto::ServerKey;

/// A validated name: trimmed, 1–64 characters, no control or bidi-override characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPasswordName(String);

impl AppPasswordName {
    /// See `wire::rules::app_password_name`: the rule the OpenAPI document publishes.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        wire::rules::app_password_name(raw).map(|s| Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keyed hash an app password is stored and looked up as.
pub fn hash(key: &ServerKey, normalized: &str) -> String {
    key.keyed_hash("app-password", normalized.as_bytes())
}

/// What a new app password may be used for and for how long, as the account's policy
/// allows: scopes (none asked: mail, or the policy's first), at most 10 years, and
/// within the policy's maximum lifetime when it sets one (then a lifetime is required).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub scopes: Vec<Scope>,
    pub lifetime_days: Option<u32>,
}

/// Ten years: "never" is absent, not a large number.
pub const MAX_LIFETIME_DAYS: u32 = 3650;

impl Grant {
    /// The grant, or the refused field and why (`not_allowed`, `out_of_range`,
    /// `required`, `too_long`).
    pub fn new(
        scopes: &[Scope],
        days: Option<u32>,
        policy: &Policy,
    ) -> Result<Self, (&'static str, &'static str)> {
        let allowed = &policy.app_password_scopes;
        let mut scopes: Vec<Scope> = if scopes.is_empty() {
            let default = if allowed.contains(&Scope::Mail) {
                Some(Scope::Mail)
            } else {
                allowed.first().copied()
            };
            default.into_iter().collect()
        } else {
            scopes.to_vec()
        };
        scopes.sort();
        scopes.dedup();
        if scopes.is_empty() || scopes.iter().any(|s| !allowed.contains(s)) {
            return Err(("scopes", "not_allowed"));
        }
        match (days, policy.app_password_max_days) {
            (Some(d), _) if d == 0 || d > MAX_LIFETIME_DAYS => {
                Err(("expires_in_days", "out_of_range"))
            }
            (None, Some(_)) => Err(("expires_in_days", "required")),
            (Some(d), Some(max)) if d > max => Err(("expires_in_days", "too_long")),
            _ => Ok(Self { scopes, lifetime_days: days }),
        }
    }
}

pub fn parse_scopes(list: &str) -> Vec<Scope> {
    list.split(',').filter_map(|s| Scope::parse(s.trim())).collect()
}

pub fn format_scopes(scopes: &[Scope]) -> String {
    scopes.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(scopes: &[Scope], max: Option<u32>) -> Policy {
        Policy {
            app_password_scopes: scopes.to_vec(),
            app_password_max_days: max,
            ..Policy::default()
        }
    }

    #[test]
    fn a_grant_is_what_the_policy_allows_mail_by_default() {
        let open = policy(&Scope::ALL, None);
        assert_eq!(
            Grant::new(&[], None, &open),
            Ok(Grant { scopes: vec![Scope::Mail], lifetime_days: None })
        );
        let both = Grant::new(&[Scope::Dav, Scope::Mail, Scope::Dav], Some(90), &open).unwrap();
        assert_eq!(both, Grant { scopes: vec![Scope::Mail, Scope::Dav], lifetime_days: Some(90) });
        let dav_only = policy(&[Scope::Dav], None);
        assert_eq!(Grant::new(&[], None, &dav_only).unwrap().scopes, [Scope::Dav]);
        assert_eq!(Grant::new(&[Scope::Mail], None, &dav_only), Err(("scopes", "not_allowed")));
        assert_eq!(Grant::new(&[], None, &policy(&[], None)), Err(("scopes", "not_allowed")));
    }

    #[test]
    fn lifetimes_are_bounded_and_required_under_a_maximum() {
        let open = policy(&Scope::ALL, None);
        assert_eq!(Grant::new(&[], Some(0), &open), Err(("expires_in_days", "out_of_range")));
        assert_eq!(Grant::new(&[], Some(3651), &open), Err(("expires_in_days", "out_of_range")));
        let capped = policy(&Scope::ALL, Some(90));
        assert_eq!(Grant::new(&[], None, &capped), Err(("expires_in_days", "required")));
        assert_eq!(Grant::new(&[], Some(365), &capped), Err(("expires_in_days", "too_long")));
        assert_eq!(Grant::new(&[], Some(90), &capped).unwrap().lifetime_days, Some(90));
    }
}
