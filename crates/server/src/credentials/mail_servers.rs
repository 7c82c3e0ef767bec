//! Shared secrets of the servers that call the endpoint on their own behalf: the mail
//! servers allowed to ask `POST /v1/legacy/verify` (Dovecot's passdb, `examples/mail/`),
//! each sending its secret as a Bearer token. Only a caller proven this way may say
//! which client address a sign-in came from; anyone else's word for it would let a
//! guesser pick the address it is throttled as.

use std::path::Path;

use sha2::{Digest, Sha256};

use crate::crypto;

/// Where `--demo` keeps the secret `make mail` reads, when none is configured.
pub const DEMO_SECRET_FILE: &str = "data/mail-server.secret";

/// Shorter secrets are refused at start: 32 characters of `key generate`'s hex is
/// 128 bits.
const MIN_SECRET_LEN: usize = 32;

/// The secrets accepted, as SHA-256 digests (compared in constant time, never kept in
/// clear). Several lines let a secret be rotated without a gap: add the new one,
/// move the mail servers to it, remove the old one.
#[derive(Default)]
pub struct MailServers {
    digests: Vec<[u8; 32]>,
}

impl std::fmt::Debug for MailServers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MailServers({} secrets)", self.digests.len())
    }
}

impl MailServers {
    /// From `file` (one secret per line; blank lines and `#` comments skipped); with
    /// `demo` and no file, from [`DEMO_SECRET_FILE`], created when missing. Neither:
    /// no mail server may call. A file that cannot be read, or holds a short secret, or
    /// none, stops the server with the reason.
    pub fn load(file: Option<&Path>, demo: bool) -> anyhow::Result<Self> {
        const SETTING: &str = "APP_MAIL_SERVER_SECRET_FILE";
        // make mail may create it at the same moment: then that one is the secret.
        let read = crypto::read_secrets_file(SETTING, file, demo, DEMO_SECRET_FILE, || {
            crypto::random_hex(32)
        })?;
        let Some((file, text)) = read else { return Ok(Self::default()) };
        Self::parse(&text)
            .map_err(|why| anyhow::anyhow!("APP_MAIL_SERVER_SECRET_FILE {}: {why}", file.display()))
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

    /// Whether any mail server may call.
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
            MailServers::parse(&format!("# rotated on Monday\n{A}\n\n  {B}  \n")).unwrap();
        assert!(servers.accepts(A) && servers.accepts(B));
        assert!(
            !servers.accepts(&A[..31])
                && !servers.accepts("")
                && !servers.accepts(&A.to_uppercase())
        );
        assert!(!MailServers::default().accepts(""));
    }

    #[test]
    fn short_or_missing_secrets_are_refused_with_the_reason() {
        assert!(MailServers::parse("hunter2\n")
            .unwrap_err()
            .contains("secret 1 is shorter than 32"));
        assert!(MailServers::parse(&format!("{A}\nshort")).unwrap_err().contains("secret 2"));
        assert!(MailServers::parse("# nothing\n\n").unwrap_err().contains("holds no secret"));
        let missing = MailServers::load(Some(Path::new("/nonexistent/secret")), false).unwrap_err();
        assert!(missing.to_string().contains("cannot read /nonexistent/secret"), "{missing}");
    }

    #[test]
    fn debug_output_shows_no_secret() {
        let servers = MailServers::parse(A).unwrap();
        let shown = format!("{servers:?}");
        assert_eq!(shown, "MailServers(1 secrets)");
    }
}
