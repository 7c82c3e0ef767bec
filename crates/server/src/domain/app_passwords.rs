//! App passwords: generated on the server, stored only as HMAC-SHA256 under the server
//! key, returned once.

use super::is_unsafe_char;
use crate::crypto::ServerKey;

/// A validated name: trimmed, 1–64 characters, no control or bidi-override characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppPasswordName(String);

impl AppPasswordName {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let s = raw.trim();
        match s.chars().count() {
            0 => Err("required"),
            n if n > 64 => Err("too_long"),
            _ if s.chars().any(is_unsafe_char) => Err("invalid_characters"),
            _ => Ok(Self(s.to_owned())),
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The keyed hash an app password is stored and looked up as.
pub fn hash(key: &ServerKey, normalized: &str) -> String {
    key.keyed_hash("app-password", normalized.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_bounded_and_refuse_controls_and_bidi_overrides() {
        assert_eq!(
            AppPasswordName::parse("  Outlook on my laptop ").unwrap().as_str(),
            "Outlook on my laptop"
        );
        assert_eq!(AppPasswordName::parse("   "), Err("required"));
        assert_eq!(AppPasswordName::parse(&"x".repeat(65)), Err("too_long"));
        assert!(AppPasswordName::parse(&"é".repeat(64)).is_ok());
        assert_eq!(AppPasswordName::parse("a\u{7}b"), Err("invalid_characters"));
        assert_eq!(AppPasswordName::parse("Outlook\u{202E}gnp.exe"), Err("invalid_characters"));
    }
}
