//! A real Dovecot on loopback, asking the server about every password.

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::*;

/// A real Dovecot (`examples/mail/`, run by `scripts/mail.sh`: rootless, in a folder of
/// its own) on free loopback ports, asking `endpoint` to check every password, handing
/// submitted mail to the SMTP server on `relay_port`. Killed when dropped.
pub struct Dovecot {
    _child: tokio::process::Child,
    pub imap: u16,
    pub pop3: u16,
    pub submission: u16,
    dir: tempfile::TempDir,
}

impl Dovecot {
    pub async fn start(endpoint: &str, secret_file: &Path, relay_port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (imap, pop3, submission) = (free_port(), free_port(), free_port());
        let mut child = tokio::process::Command::new(root().join("scripts/mail.sh"))
            .arg("run")
            .arg(dir.path())
            .env("APP_PASSWORDS_URL", endpoint)
            .env("APP_PASSWORDS_SECRET_FILE", secret_file)
            .env("MAIL_IMAP_PORT", imap.to_string())
            .env("MAIL_POP3_PORT", pop3.to_string())
            .env("MAIL_SUBMISSION_PORT", submission.to_string())
            .env("MAIL_RELAY_PORT", relay_port.to_string())
            .env("MAIL_LOG", dir.path().join("dovecot.log"))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("scripts/mail.sh runs Dovecot");
        let listening = support::until_listening(&mut child, imap).await;
        let dovecot = Self { _child: child, imap, pop3, submission, dir };
        assert!(listening, "Dovecot did not start:\n{}", dovecot.log());
        dovecot
    }

    /// The certificate Dovecot's STARTTLS presents, for clients to trust.
    pub fn ca(&self) -> PathBuf {
        self.dir.path().join("tls/cert.pem")
    }

    /// Dovecot's log so far.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("dovecot.log")).unwrap_or_default()
    }

    /// Signs in over `kind` (`imap`, `pop3`, or `submit`: AUTH PLAIN then a message to
    /// the user) with Python's own mail clients, from loopback address `from`; the
    /// server's answer: `OK …` or `NO …`.
    pub async fn sign_in(&self, kind: &str, from: &str, user: &str, password: &str) -> String {
        let port = match kind {
            "imap" => self.imap,
            "pop3" => self.pop3,
            _ => self.submission,
        };
        let out = tokio::process::Command::new("python3")
            .arg(root().join("e2e/clients/mail.py"))
            .args([kind, &port.to_string(), from])
            .arg(self.ca())
            .args([user, password])
            .output()
            .await
            .unwrap();
        let answer = String::from_utf8_lossy(&out.stdout).trim().to_owned();
        assert!(
            answer.starts_with("OK") || answer.starts_with("NO"),
            "{kind} client failed: {answer}{}\n{}",
            String::from_utf8_lossy(&out.stderr),
            self.log()
        );
        answer
    }

    /// `curl imap://` (STARTTLS) from loopback address `from`, verbose: its exit status (0 when
    /// signed in and listed) and the IMAP conversation, the credentials elided.
    pub async fn curl(&self, from: &str, user: &str, password: &str) -> (i32, String) {
        let out = tokio::process::Command::new("curl")
            .args(["--silent", "--verbose", "--interface", from, "--max-time", "30"])
            .arg("--ssl-reqd")
            .arg("--cacert")
            .arg(self.ca())
            .arg(format!("imap://127.0.0.1:{}/", self.imap))
            .args(["--user", &format!("{user}:{password}")])
            .output()
            .await
            .expect("curl (make test installs it)");
        let transcript: Vec<String> = String::from_utf8_lossy(&out.stderr)
            .lines()
            .chain(String::from_utf8_lossy(&out.stdout).lines())
            .filter(|l| l.starts_with("> ") || l.starts_with("< ") || l.starts_with("* LIST"))
            .map(|l| match l.split_once("AUTHENTICATE PLAIN ") {
                Some((head, _)) => format!("{head}AUTHENTICATE PLAIN [credentials elided]"),
                None => l.to_owned(),
            })
            .collect();
        (out.status.code().unwrap_or(-1), transcript.join("\n"))
    }
}
