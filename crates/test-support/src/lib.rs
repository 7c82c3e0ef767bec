//! What the test suites share: a real SMTP server (aiosmtpd) writing to a Maildir, a
//! real TOTP authenticator (oathtool), free loopback ports, the repository's root. Each
//! is started in a temp folder, on loopback, and stopped when dropped.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

/// The repository's root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// A port nobody listens on now, on 127.0.0.1.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// How long a real service (the SMTP server, the OpenID provider, Dovecot, a browser's
/// driver) may take to start listening before a test says it hung: a deadline for a hang,
/// never a timing. Generous, as CI runs the suites side by side on two cores: the OpenID
/// provider once had not listened after 30 s there.
pub const START_DEADLINE: Duration = Duration::from_secs(180);

/// When the OpenID provider, which listens within seconds even with both cores busy, is
/// taken for hung (see `Idp::run`).
const HUNG_AFTER: Duration = Duration::from_secs(45);

/// Waits until `child` accepts connections on 127.0.0.1:`port`; `false` when it exited
/// first or [`START_DEADLINE`] passed.
pub async fn until_listening(child: &mut tokio::process::Child, port: u16) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed() < START_DEADLINE {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return true;
        }
        if child.try_wait().ok().flatten().is_some() {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

/// The TOTP code at unix time `at` for the base32 `secret` (spaces ignored), from
/// oathtool: an implementation independent of the server's.
pub fn totp_at(secret: &str, at: i64) -> String {
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", "-N", &format!("@{at}"), &secret.replace(' ', "")])
        .output()
        .expect("oathtool is installed by `make test` (Debian package oathtool)");
    assert!(out.status.success(), "oathtool: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A real SMTP server (aiosmtpd, installed by `make test` into .tools/py) on a free
/// loopback port, writing what it receives to a Maildir in a temp folder; killed when
/// dropped.
pub struct Smtpd {
    _child: tokio::process::Child,
    pub port: u16,
    maildir: PathBuf,
    _dir: tempfile::TempDir,
}

impl Smtpd {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let maildir = dir.path().join("Maildir");
        let port = free_port();
        let pythonpath = std::env::var("APP_TEST_PYTHONPATH")
            .map_or_else(|_| root().join(".tools/py"), PathBuf::from);
        let mut child = tokio::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .env("PYTHONPATH", pythonpath)
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs aiosmtpd");
        if until_listening(&mut child, port).await {
            return Self { _child: child, port, maildir, _dir: dir };
        }
        panic!("aiosmtpd did not start on port {port} (scripts/tools.sh test installs it)");
    }

    /// Where it writes what it receives.
    pub fn maildir(&self) -> &Path {
        &self.maildir
    }

    /// Every message received so far, as stored (raw).
    pub fn messages(&self) -> Vec<String> {
        maildir_messages(&self.maildir)
    }

    /// Waits (10 s at most) for a message containing `wanted`; returns it decoded from
    /// quoted-printable.
    pub async fn wait_for(&self, wanted: &str) -> String {
        for _ in 0..200 {
            let found = self.messages().into_iter().map(|m| quoted_printable(&m));
            if let Some(text) = found.into_iter().find(|text| text.contains(wanted)) {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail containing {wanted:?}");
    }
}

/// The messages a Maildir holds (delivered, not yet read), as stored.
pub fn maildir_messages(maildir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(maildir.join("new")) else { return vec![] };
    entries.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok()).collect()
}

/// Quoted-printable (RFC 2045) as mail servers store it: soft line breaks joined, `=XX`
/// bytes decoded, the result read as UTF-8.
pub fn quoted_printable(text: &str) -> String {
    let joined = text.replace("=\r\n", "").replace("=\n", "");
    let bytes = joined.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A real OpenLDAP directory holding the demo organization (`examples/directory/`),
/// made by `scripts/ldap.sh` (the one recipe `make run-org` uses too) in a temp folder,
/// on a free loopback port, as the unprivileged `openldap` user when run as root;
/// stopped when dropped.
pub struct Slapd {
    pub url: String,
    dir: tempfile::TempDir,
}

impl Slapd {
    /// The demo organization's base, admin and people's password.
    pub const BASE: &'static str = "dc=contoso,dc=example";
    pub const ADMIN: &'static str = "cn=admin,dc=contoso,dc=example";
    pub const ADMIN_PASSWORD: &'static str = "Demo-ldap-admin-2026";
    pub const SERVICE: &'static str = "cn=app-passwords,ou=services,dc=contoso,dc=example";
    pub const PEOPLE_PASSWORD: &'static str = "Demo-dir-2026";
    pub const MFA_GROUP: &'static str = "cn=mfa-required,ou=groups,dc=contoso,dc=example";
    pub const OFF_GROUP: &'static str = "cn=app-passwords-off,ou=groups,dc=contoso,dc=example";

    pub fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let url = ldap_sh(&["start", &dir.path().join("ldap").display().to_string()]);
        Self { url, dir }
    }

    /// The file holding the service account's password.
    pub fn service_secret_file(&self) -> PathBuf {
        self.dir.path().join("ldap/service.secret")
    }

    /// The file holding the OpenID provider's own service account's password.
    pub fn idp_secret_file(&self) -> PathBuf {
        self.dir.path().join("ldap/idp.secret")
    }

    /// Stops the directory (an outage), keeping what it holds.
    pub fn stop(&self) {
        ldap_sh(&["stop", &self.dir.path().join("ldap").display().to_string()]);
    }

    /// Starts it again on the same port.
    pub fn resume(&self) {
        ldap_sh(&["resume", &self.dir.path().join("ldap").display().to_string()]);
    }

    /// Applies an LDIF change as the directory's admin (`ldapmodify`), as an operator
    /// would: lock, rename, delete, move between groups.
    pub fn modify(&self, ldif: &str) {
        use std::io::Write;
        let mut child = std::process::Command::new("ldapmodify")
            .args(["-x", "-H", &self.url, "-D", Self::ADMIN, "-w", Self::ADMIN_PASSWORD])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("ldapmodify is installed by `make test` (Debian package ldap-utils)");
        child.stdin.take().unwrap().write_all(ldif.as_bytes()).unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(out.status.success(), "ldapmodify: {}", String::from_utf8_lossy(&out.stderr));
    }
}

impl Drop for Slapd {
    fn drop(&mut self) {
        self.stop();
    }
}

fn ldap_sh(args: &[&str]) -> String {
    let out = std::process::Command::new(root().join("scripts/ldap.sh"))
        .args(args)
        .output()
        .expect("scripts/ldap.sh runs");
    assert!(
        out.status.success(),
        "scripts/ldap.sh {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The demo organization's OpenID provider (`examples/idp/idp.mjs`: panva's certified
/// `oidc-provider` on Node, its npm packages installed by `make test`), its people those
/// of a [`Slapd`], on a free loopback port chosen before the endpoint starts (which
/// names it as its issuer, and whose redirect URI the provider needs in turn); stopped
/// when dropped.
pub struct Idp {
    pub issuer: String,
    port: u16,
    dir: tempfile::TempDir,
    child: std::sync::Mutex<Option<std::process::Child>>,
    /// The environment it was started with, to start it again the same way.
    env: std::sync::Mutex<Vec<(String, String)>>,
    /// The portal client's redirect URI (`PORTAL_REDIRECT` unless a real portal's).
    portal_redirect: std::sync::Mutex<String>,
}

impl Idp {
    /// The endpoint's client id at the provider.
    pub const CLIENT_ID: &'static str = "app-passwords";
    /// A portal's client id at the provider (it signs its own users in there, then
    /// hands them over to the endpoint by token exchange), and its redirect URI.
    pub const PORTAL_ID: &'static str = "portal";
    pub const PORTAL_REDIRECT: &'static str = "http://portal.localhost/callback";
    /// Ada's authenticator at the provider (`examples/idp/contoso.json`).
    pub const ADA_OTP_SECRET: &'static str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

    /// Its port and the client's secret, not running yet.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for file in ["client.secret", "portal.secret"] {
            std::fs::write(dir.path().join(file), format!("{:032x}\n", rand_u128())).unwrap();
        }
        let port = free_port();
        Self {
            issuer: format!("http://127.0.0.1:{port}"),
            port,
            dir,
            child: std::sync::Mutex::new(None),
            env: std::sync::Mutex::new(Vec::new()),
            portal_redirect: std::sync::Mutex::new(Self::PORTAL_REDIRECT.to_owned()),
        }
    }

    /// The file holding the endpoint's client secret.
    pub fn client_secret_file(&self) -> PathBuf {
        self.dir.path().join("client.secret")
    }

    /// A real portal's redirect URI for the portal client (before `start`).
    pub fn set_portal_redirect(&self, uri: &str) {
        *self.portal_redirect.lock().unwrap() = uri.to_owned();
    }

    /// The file holding the portal's client secret at the provider.
    pub fn portal_secret_file(&self) -> PathBuf {
        self.dir.path().join("portal.secret")
    }

    /// The portal's client secret at the provider.
    pub fn portal_secret(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("portal.secret")).unwrap().trim().to_owned()
    }

    /// Runs it with `slapd`'s people, for the endpoint whose public URL is `public_url`
    /// (its redirect URI `<public_url>v1/sso/callback`, and the resource a portal asks
    /// access tokens for); `extra` environment (`IDP_ID_TOKEN_TTL`).
    pub fn start(&self, slapd: &Slapd, public_url: &str, extra: &[(&str, &str)]) {
        let clients = format!(
            r#"[{{"client_id":"{}","secret_file":"{}","redirect_uris":["{public_url}v1/sso/callback"]}},
               {{"client_id":"{}","secret_file":"{}","redirect_uris":["{}"]}}]"#,
            Self::CLIENT_ID,
            self.client_secret_file().display(),
            Self::PORTAL_ID,
            self.portal_secret_file().display(),
            self.portal_redirect.lock().unwrap(),
        );
        let mut env = vec![
            ("IDP_ISSUER".to_owned(), self.issuer.clone()),
            ("IDP_STATE".to_owned(), self.dir.path().join("state").display().to_string()),
            ("IDP_LDAP_URL".to_owned(), slapd.url.clone()),
            ("IDP_LDAP_SECRET_FILE".to_owned(), slapd.idp_secret_file().display().to_string()),
            ("IDP_CLIENTS".to_owned(), clients),
            ("IDP_RESOURCE".to_owned(), public_url.to_owned()),
            ("IDP_RESOURCE_AUDIENCE".to_owned(), Self::CLIENT_ID.to_owned()),
        ];
        env.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())));
        *self.env.lock().unwrap() = env;
        self.run(false);
    }

    /// Stops it (an outage), keeping its signing keys.
    pub fn stop(&self) {
        if let Some(mut child) = self.child.lock().unwrap().take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port; `rotate`: with a new signing key first (the old
    /// one still published), as a provider rotating its key does.
    pub fn restart(&self, rotate: bool) {
        self.stop();
        self.run(rotate);
    }

    fn run(&self, rotate: bool) {
        // Twice in CI (never here) Node printed the provider's import warning and then
        // neither listened nor exited for minutes, on an otherwise idle machine. A hang
        // of the process that serves the test, not of the rule the test attacks: it is
        // started once more, and what the hung one was doing (its state, CPU time and
        // Node's own report: JavaScript and native stacks) goes into the test's output.
        let Err(hung) = self.try_run(rotate, HUNG_AFTER) else { return };
        eprintln!("the OpenID provider hung, started again: {hung}");
        if let Err(again) = self.try_run(rotate, START_DEADLINE) {
            panic!("the OpenID provider did not start, twice: {hung}\n\nthen: {again}");
        }
    }

    /// Starts it and waits until it listens; `Err` (it killed) with what it was doing
    /// when it has not after `deadline`.
    fn try_run(&self, rotate: bool, deadline: Duration) -> Result<(), String> {
        let log_path = self.dir.path().join("idp.log");
        let log = std::fs::File::create(&log_path).unwrap();
        let mut command = std::process::Command::new("node");
        command
            .arg(format!("--report-directory={}", self.dir.path().display()))
            .arg("--report-on-signal")
            .arg(root().join("examples/idp/idp.mjs"))
            .envs(self.env.lock().unwrap().iter().cloned())
            .env("IDP_ROTATE", if rotate { "1" } else { "0" })
            .env("NODE_NO_WARNINGS", "1")
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .stdin(Stdio::null());
        let child = command.spawn().expect(
            "node runs examples/idp/idp.mjs (installed by `make test`: scripts/tools.sh org)",
        );
        let pid = child.id();
        *self.child.lock().unwrap() = Some(child);
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            let exited =
                self.child.lock().unwrap().as_mut().and_then(|c| c.try_wait().ok().flatten());
            let log = || std::fs::read_to_string(&log_path).unwrap_or_default();
            assert!(exited.is_none(), "the OpenID provider exited: {}", log());
            // Node loads oidc-provider and makes an RSA key before it listens: 0.6 s of
            // CPU alone here.
            if started.elapsed() > deadline {
                let diagnosis = self.diagnose(pid);
                self.stop();
                return Err(format!(
                    "not listening after {:?}; its output: {}\n{diagnosis}",
                    started.elapsed(),
                    log()
                ));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(())
    }

    /// What the process `pid` is doing: its scheduler state and CPU time, the kernel
    /// function it waits in, and the stacks of Node's diagnostic report (asked for with
    /// SIGUSR2).
    fn diagnose(&self, pid: u32) -> String {
        let proc = |file: &str| std::fs::read_to_string(format!("/proc/{pid}/{file}"));
        let stat = proc("stat").unwrap_or_default();
        // Fields after the command's closing parenthesis: state is the 1st, utime and
        // stime (clock ticks) the 12th and 13th.
        let fields: Vec<&str> = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace().collect())
            .unwrap_or_default();
        let field = |i: usize| fields.get(i).copied().unwrap_or("?");
        let mut out = format!(
            "state {}, utime {} ticks, stime {} ticks, waiting in {}",
            field(0),
            field(11),
            field(12),
            proc("wchan").unwrap_or_default()
        );
        let _ = std::process::Command::new("kill").args(["-USR2", &pid.to_string()]).status();
        let until = std::time::Instant::now() + Duration::from_secs(5);
        while std::time::Instant::now() < until {
            let report = std::fs::read_dir(self.dir.path())
                .into_iter()
                .flatten()
                .flatten()
                .find(|e| e.file_name().to_string_lossy().starts_with("report."));
            if let Some(report) = report {
                std::thread::sleep(Duration::from_millis(200));
                let text = std::fs::read_to_string(report.path()).unwrap_or_default();
                let _ = std::fs::remove_file(report.path());
                // The stacks only (the report also lists the environment and libuv's
                // handles, pages of them).
                let section = |from: &str, to: &str| {
                    let start = text.find(from).unwrap_or(text.len());
                    let end = text[start..].find(to).map_or(text.len(), |i| start + i);
                    text[start..end].to_owned()
                };
                out.push_str("\nNode's report: ");
                out.push_str(&section("\"javascriptStack\"", "\"javascriptHeap\""));
                out.push_str(&section("\"nativeStack\"", "\"resourceUsage\""));
                return out;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        out.push_str("\nNode wrote no report within 5 s (its main thread never ran again)");
        out.push_str(&native_stacks(pid));
        out
    }
}

/// Every thread's native stack of process `pid`, as gdb reads it when it attaches (Node
/// ships its symbols): where a process whose main thread never runs again is waiting,
/// which no report of its own can say. Frames only, ten a thread; a note instead
/// when gdb is missing or cannot attach.
fn native_stacks(pid: u32) -> String {
    let attached = std::process::Command::new("timeout")
        .args(["30", "gdb", "-p", &pid.to_string(), "-batch", "-ex", "thread apply all bt 10"])
        .stdin(Stdio::null())
        .output();
    let Ok(out) = attached else { return "\nno native stacks: gdb could not be run".to_owned() };
    let text = String::from_utf8_lossy(&out.stdout);
    let frames: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("Thread ") || l.starts_with('#'))
        .map(|l| l.get(..l.len().min(160)).unwrap_or(l))
        .collect();
    if frames.is_empty() {
        let why = String::from_utf8_lossy(&out.stderr);
        return format!("\nno native stacks: gdb said {}", why.trim());
    }
    format!("\nNative stacks (gdb):\n{}", frames.join("\n"))
}

impl Default for Idp {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Idp {
    fn drop(&mut self) {
        self.stop();
    }
}

/// 128 random bits from the operating system (a client secret).
fn rand_u128() -> u128 {
    use std::io::Read;
    let mut bytes = [0u8; 16];
    std::fs::File::open("/dev/urandom").unwrap().read_exact(&mut bytes).unwrap();
    u128::from_le_bytes(bytes)
}
