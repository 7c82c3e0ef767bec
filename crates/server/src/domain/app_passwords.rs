//! App passwords: generated on the server, stored only as HMAC-SHA256 under the server
//! key, returned once.

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
