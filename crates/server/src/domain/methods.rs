//! Second factors: validation and masking of destinations, TOTP (RFC 6238), and the
//! registered methods of an account.

use totp_rs::{Algorithm, TOTP};
use wire::{Method, MethodKind};

use crate::crypto::{self, ServerKey};

/// A phone number in international (E.164) format, e.g. `+33612345678`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Accepts `+33 6 12 34 56 78`, `+1 (555) 010-0199`; refuses numbers without `+`.
    pub fn parse(raw: &str) -> Option<Self> {
        wire::rules::phone(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `+33 ••• •• 78`: the country prefix and the last two digits.
    pub fn masked(&self) -> String {
        let digits = &self.0[1..];
        let cc = if digits.starts_with('1') || digits.starts_with('7') { 1 } else { 2 };
        format!("+{} ••• •• {}", &digits[..cc], &digits[digits.len() - 2..])
    }
}

/// An email address for codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Option<Self> {
        wire::rules::email(raw).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `a•••@example.com`.
    pub fn masked(&self) -> String {
        let (local, domain) = self.0.split_once('@').unwrap_or((&self.0, ""));
        let first: String = local.chars().take(1).collect();
        format!("{first}•••@{domain}")
    }
}

/// RFC 6238 TOTP as authenticator apps read it: SHA-1, 6 digits, 30-second steps.
pub struct Totp(TOTP);

pub const TOTP_STEP: u64 = 30;

impl Totp {
    pub fn new(key: Vec<u8>, issuer: &str, account: &str) -> Option<Self> {
        TOTP::new(
            Algorithm::SHA1,
            6,
            1,
            TOTP_STEP,
            key,
            Some(issuer.to_owned()),
            account.to_owned(),
        )
        .ok()
        .map(Self)
    }

    pub fn secret_base32(&self) -> String {
        self.0.get_secret_base32()
    }

    pub fn uri(&self) -> String {
        self.0.get_url()
    }

    /// The time step within ±1 of `at` whose code equals `code`, if any. Every
    /// candidate is compared in constant time.
    pub fn matching_step(&self, code: &str, at: u64) -> Option<i64> {
        let step = at / TOTP_STEP;
        let mut found = None;
        for s in [step.saturating_sub(1), step, step + 1] {
            if crypto::ct_eq(self.0.generate(s * TOTP_STEP).as_bytes(), code.as_bytes()) {
                found = Some(s);
            }
        }
        found.and_then(|s| i64::try_from(s).ok())
    }
}

/// The masked label shown for a registered method.
pub fn label_for(kind: MethodKind, destination: Option<&str>) -> String {
    match (kind, destination) {
        (MethodKind::Sms | MethodKind::Voice, Some(d)) => {
            PhoneNumber::parse(d).map(|p| p.masked()).unwrap_or_default()
        }
        (MethodKind::Email, Some(d)) => {
            EmailAddress::parse(d).map(|e| e.masked()).unwrap_or_default()
        }
        _ => "Authenticator app".to_owned(),
    }
}

/// A registered method row. `totp_secret` is sealed (see `crypto::ServerKey::seal`);
/// `credential` is a security key's public credential (`domain::passkeys`).
#[derive(Clone, sqlx::FromRow)]
pub struct MethodRow {
    pub id: String,
    pub kind: String,
    pub label: String,
    pub destination: Option<String>,
    pub totp_secret: Option<String>,
    pub last_totp_step: Option<i64>,
    pub credential: Option<String>,
    pub last_used_at: Option<i64>,
    pub created_at: i64,
}

/// The columns a [`MethodRow`] is read from.
pub const METHOD_COLUMNS: &str =
    "id, kind, label, destination, totp_secret, last_totp_step, credential, last_used_at, created_at";

/// The order an account's methods are listed in: the default first (the last made
/// default, else the first registered), then by age.
pub const METHOD_ORDER: &str = "COALESCE(preferred, 0) DESC, created_at, id";

impl std::fmt::Debug for MethodRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MethodRow")
            .field("id", &self.id)
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl MethodRow {
    pub fn kind(&self) -> MethodKind {
        MethodKind::parse(&self.kind).unwrap_or(MethodKind::Totp)
    }

    pub fn to_wire(&self) -> Method {
        Method {
            id: self.id.clone(),
            kind: self.kind(),
            label: self.label.clone(),
            last_used_at: self.last_used_at.map(crate::clock::rfc3339),
            added_at: crate::clock::rfc3339(self.created_at),
            default: false,
        }
    }
}

/// An account's methods as the person sees them, listed in [`METHOD_ORDER`]: the first
/// is the default.
pub fn listed(rows: &[MethodRow]) -> Vec<Method> {
    let mut methods: Vec<Method> = rows.iter().map(MethodRow::to_wire).collect();
    if let Some(first) = methods.first_mut() {
        first.default = true;
    }
    methods
}

/// The keyed hash a sent code is stored as, bound to its proof.
pub fn code_hash(key: &ServerKey, proof_id: &str, code: &str) -> String {
    key.keyed_hash("code", format!("{proof_id}:{code}").as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_must_be_international_and_are_masked() {
        let p = PhoneNumber::parse("+33 6 12 34 56 78").unwrap();
        assert_eq!(p.as_str(), "+33612345678");
        assert_eq!(p.masked(), "+33 ••• •• 78");
        assert_eq!(PhoneNumber::parse("+1 (555) 010-0199").unwrap().masked(), "+1 ••• •• 99");
        assert!(PhoneNumber::parse("06 12 34 56 78").is_none());
        assert!(PhoneNumber::parse("+33 6 12 AB").is_none());
        assert!(PhoneNumber::parse("+123").is_none());
    }

    #[test]
    fn email_addresses_are_checked_and_masked() {
        assert_eq!(EmailAddress::parse(" alex@example.com ").unwrap().masked(), "a•••@example.com");
        assert!(EmailAddress::parse("alex@localhost").is_none());
        assert!(EmailAddress::parse("not an email").is_none());
    }

    /// RFC 6238 Appendix B, SHA-1 rows (8 digits, key "12345678901234567890").
    #[test]
    fn totp_matches_the_rfc_6238_test_vectors() {
        let key = b"12345678901234567890".to_vec();
        let totp = TOTP::new_unchecked(Algorithm::SHA1, 8, 1, 30, key, None, String::new());
        for (t, code) in [
            (59, "94287082"),
            (1111111109, "07081804"),
            (1111111111, "14050471"),
            (1234567890, "89005924"),
            (2000000000, "69279037"),
            (20000000000, "65353130"),
        ] {
            assert_eq!(totp.generate(t), code, "T = {t}");
        }
    }

    #[test]
    fn totp_accepts_one_step_either_side_and_no_further() {
        let totp = Totp::new(crypto::new_totp_key(), "Contoso", "a@b.example").unwrap();
        let at = 1_700_000_000u64;
        let code_now = totp.0.generate(at);
        assert_eq!(totp.matching_step(&code_now, at), Some((at / 30) as i64));
        assert!(totp.matching_step(&totp.0.generate(at - 30), at).is_some());
        assert!(totp.matching_step(&totp.0.generate(at + 30), at).is_some());
        let far = totp.0.generate(at - 90);
        if far != code_now {
            assert_eq!(totp.matching_step(&far, at), None);
        }
        assert!(totp.uri().starts_with("otpauth://totp/Contoso:"));
    }
}
