//! Shared secrets of the systems that call the endpoint on their own behalf, each
//! sending its secret as a Bearer token: the mail servers allowed to ask
//! `POST /v1/legacy/verify` (Dovecot's passdb, `examples/mail/`), and the identity
//! systems provisioning people over SCIM (`/scim/v2/`). Each door has its own file, and
//! a secret of one opens no other: only a mail server proven this way may say which
//! client address a sign-in came from (anyone else's word for it would let a guesser
//! pick the address it is throttled as), and only a SCIM client may create or remove
//! people.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::crypto;

/// One door's secrets file: its setting, and where `--demo` keeps one when none is
/// configured.
#[derive(Debug, Clone, Copy)]
pub struct SecretsFile {
    pub setting: &'static str,
    pub demo_file: &'static str,
}

/// The mail servers' secret (`make mail` reads the demo one).
pub const MAIL_SERVERS: SecretsFile =
    SecretsFile { setting: "APP_MAIL_SERVER_SECRET_FILE", demo_file: "data/mail-server.secret" };

/// The SCIM clients' secret (an identity system's "secret token").
pub const SCIM_CLIENTS: SecretsFile =
    SecretsFile { setting: "APP_SCIM_SECRET_FILE", demo_file: "data/scim.secret" };

/// Shorter secrets are refused at start: 32 characters of `key generate`'s hex is
/// 128 bits.
const MIN_SECRET_LEN: usize = 32;

/// The secrets accepted at one door, as SHA-256 digests (compared in constant time,
/// never kept in clear). Several lines let a secret be rotated without a gap: add the
/// new one, move the callers to it, remove the old one.
#[derive(Default)]
pub struct SharedSecrets {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for SharedSecrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SharedSecrets({} secrets)", self.digests.len())
    }
}

impl SharedSecrets {
    /// From `file` (one secret per line; blank lines and `#` comments skipped); with
    /// `demo` and no file, from the door's demo file, created when missing. Neither:
    /// nobody may call at this door. A file that cannot be read, or holds a short
    /// secret, or none, stops the server with the reason.
    pub fn load(door: SecretsFile, file: Option<&Path>, demo: bool) -> anyhow::Result<Self> {
        // The demo's reader (make mail) may create it at the same moment: then that one
        // is the secret.
        let read = crypto::read_secrets_file(door.setting, file, demo, door.demo_file, || {
            crypto::random_hex(32)
        })?;
        let Some((file, text)) = read else { return Ok(Self::default()) };
        Self::parse(&text)
            .map_err(|why| anyhow::anyhow!("{} {}: {why}", door.setting, file.display()))
    }

    fn parse(text: &str) -> Result<Self, String> {
        let secrets: Vec<&str> =
            text.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')).collect();
        if secrets.is_empty() {
            return Err("holds no secret (one per line; `app-passwords-server key generate --file F` writes one)".into());
        }
        if let Some(n) = secrets.iter().position(|s| s.chars().count() < MIN_SECRET_LEN) {
            return Err(format!(
                "secret {} is shorter than {MIN_SECRET_LEN} characters (`app-passwords-server key generate --file F` writes one)",
                n + 1
            ));
        }
        Ok(Self { digests: secrets.iter().map(|s| Sha256::digest(s.as_bytes()).into()).collect() })
    }

    /// Whether anyone may call at this door.
    pub fn configured(&self) -> bool {
        !self.digests.is_empty()
    }

    /// Whether `presented` is one of the secrets (every digest compared, in constant time).
    pub fn accepts(&self, presented: &str) -> bool {
        let digest: [u8; 32] = Sha256::digest(presented.as_bytes()).into();
        self.digests.iter().fold(false, |found, d| found | crypto::ct_eq(d, &digest))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const A: &str = "0123456789abcdef0123456789abcdef";
    const B: &str = "fedcba9876543210fedcba9876543210";

    #[test]
    fn every_listed_secret_is_accepted_and_nothing_else() {
        let servers =
            SharedSecrets::parse(&format!("# rotated on Monday\n{A}\n\n  {B}  \n")).unwrap();
        assert!(servers.accepts(A) && servers.accepts(B));
        assert!(
            !servers.accepts(&A[..31])
                && !servers.accepts("")
                && !servers.accepts(&A.to_uppercase())
        );
        assert!(!SharedSecrets::default().accepts(""));
    }

    #[test]
    fn short_or_missing_secrets_are_refused_with_the_reason() {
        assert!(SharedSecrets::parse("hunter2\n")
            .unwrap_err()
            .contains("secret 1 is shorter than 32"));
        assert!(SharedSecrets::parse(&format!("{A}\nshort")).unwrap_err().contains("secret 2"));
        assert!(SharedSecrets::parse("# nothing\n\n").unwrap_err().contains("holds no secret"));
        let missing =
            SharedSecrets::load(SCIM_CLIENTS, Some(Path::new("/nonexistent/secret")), false)
                .unwrap_err();
        assert!(
            missing.to_string().contains("APP_SCIM_SECRET_FILE: cannot read /nonexistent/secret"),
            "{missing}"
        );
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let servers = SharedSecrets::parse(A).unwrap();
        let shown = format!("{servers:?}");
        assert_eq!(shown, "SharedSecrets(1 secrets)");
    }
}
