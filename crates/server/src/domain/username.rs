//! The name a person signs in with, below both the accounts and the directory that
//! gives people theirs.

/// A validated, normalised username (trimmed, lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

impl Username {
    /// See `wire::rules::username`: the rule the OpenAPI document publishes.
    pub fn parse(raw: &str) -> Option<Self> {
        wire::rules::username(raw).map(Self)
    }

    /// A name as stored, which was parsed when it was written.
    pub(super) fn stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}
