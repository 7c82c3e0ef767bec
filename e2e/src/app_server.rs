//! The reference server, in this process, for one test: a free port, a fresh SQLite
//! database, the demo accounts, the release build in `dist/`; stopped and restarted as
//! a crash would.

use std::path::{Path, PathBuf};

use serde_json::{json, Value};

use crate::*;

/// The reference server with the demo accounts, on 127.0.0.1 and a free port. It runs
/// on its own thread and runtime, so `stop` kills it as a crash would: the listener
/// and every open connection go at once.
pub struct Server {
    pub base: String,
    /// The example admin portal's base URL (another origin), when started with it.
    pub portal: Option<String>,
    addr: std::net::SocketAddr,
    portal_port: Option<u16>,
    /// The test's own store on the server's database file.
    store: server::store::Store,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    dir: tempfile::TempDir,
    /// The server's clock: the system's, or one the test moves (`with_clock`).
    pub clock: server::clock::Clock,
    /// A real SMTP server's port, when notices and codes go by mail (`with_smtp`).
    smtp_port: Option<u16>,
    /// The built app it serves: dist/, or a copy the test changes (`serving`).
    static_dir: PathBuf,
    /// Origins allowed to call the API besides the portal's (`with_portal_behind`).
    allowed_origins: Vec<String>,
    /// The organization's directory people also sign in through (`with_directory`).
    directory: Option<server::config::DirectoryConfig>,
    /// The organization's OpenID provider people also sign in through (`with_sso`).
    sso: Option<server::config::SsoConfig>,
    /// The example portal's own client at that provider (`with_sso` with the portal).
    portal_sso: Option<(String, PathBuf)>,
}

impl Server {
    pub async fn start() -> Self {
        Self::start_with(None, server::clock::Clock::system()).await
    }

    /// Not in demo mode: mail goes to the SMTP server on `smtp_port`, notices link to
    /// `http://localhost:<port>/` (the port chosen before the server starts).
    pub async fn with_smtp(smtp_port: u16) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut server = Self::build(None, server::clock::Clock::system()).await;
        server.addr = ([127, 0, 0, 1], port).into();
        server.smtp_port = Some(smtp_port);
        server.run().await;
        server
    }

    /// On a clock of its own, starting now, moved by the test (`clock.advance`).
    pub async fn with_clock() -> Self {
        let now = server::clock::Clock::system().now();
        Self::start_with(None, server::clock::Clock::manual(now)).await
    }

    /// Serving the app from `static_dir` (a copy of dist/ the test changes) instead of
    /// dist/.
    pub async fn serving(static_dir: &Path) -> Self {
        let mut server = Self::build(None, server::clock::Clock::system()).await;
        server.static_dir = static_dir.to_owned();
        server.run().await;
        server
    }

    /// With the example portal, serving the app from `static_dir` (a copy of dist/ the
    /// test changes, [`copy_of_dist`]).
    pub async fn with_portal_serving(static_dir: &Path) -> Self {
        let mut server = Self::build(Some(0), server::clock::Clock::system()).await;
        server.static_dir = static_dir.to_owned();
        server.run().await;
        server
    }

    /// Signing the people of `slapd`'s demo organization in through it (the settings of
    /// `make run-org`), beside the demo's local accounts; with the example portal too
    /// when `portal`.
    pub async fn with_directory(slapd: &support::Slapd, portal: bool) -> Self {
        let mut server = Self::build(portal.then_some(0), server::clock::Clock::system()).await;
        server.directory = Some(directory(slapd));
        server.run().await;
        server
    }

    /// As `with_directory`, its people signing in through the organization's OpenID
    /// provider too (`idp`, started here for this server), whose MFA counts (the
    /// settings of `make run-org`); the password form beside it, or not. The app's
    /// address, `localhost()`, is its public URL (the provider's redirect URI). With the
    /// portal, the portal signs its users in there too (`portal_localhost()`).
    pub async fn with_sso(
        slapd: &support::Slapd,
        idp: &support::Idp,
        portal: bool,
        password_sign_in: bool,
    ) -> Self {
        let portal_port = portal.then(free_port);
        let mut server = Self::build(portal_port, server::clock::Clock::system()).await;
        server.addr = ([127, 0, 0, 1], free_port()).into();
        server.directory = Some(directory(slapd));
        if let Some(port) = portal_port {
            idp.set_portal_redirect(&format!("http://localhost:{port}/callback"));
            let id = support::Idp::PORTAL_ID.to_owned();
            server.portal_sso = Some((id, idp.portal_secret_file()));
        }
        server.sso = Some(server::config::SsoConfig {
            sso_issuer: Some(idp.issuer.clone()),
            sso_client_id: Some(support::Idp::CLIENT_ID.into()),
            sso_client_secret_file: Some(idp.client_secret_file()),
            sso_mfa_amr: ["mfa", "otp", "hwk", "swk"].map(str::to_owned).to_vec(),
            password_sign_in,
            ..server::config::SsoConfig::default()
        });
        idp.start(slapd, &format!("{}/", server.localhost()), &[]);
        server.run().await;
        server
    }

    /// With the example admin portal on a port of its own (another origin).
    pub async fn with_portal() -> Self {
        Self::start_with(Some(0), server::clock::Clock::system()).await
    }

    /// With the example portal, whose pages the browser reaches through a proxy at
    /// `origin`: the API answers that origin too.
    pub async fn with_portal_behind(origin: &str) -> Self {
        let mut server = Self::build(Some(0), server::clock::Clock::system()).await;
        server.allowed_origins.push(origin.to_owned());
        server.run().await;
        server
    }

    async fn start_with(portal_port: Option<u16>, clock: server::clock::Clock) -> Self {
        let mut server = Self::build(portal_port, clock).await;
        server.run().await;
        server
    }

    /// The server's database and demo accounts, not yet serving.
    async fn build(portal_port: Option<u16>, clock: server::clock::Clock) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let config = server::config::Config::for_tests(dir.path());
        let key = server::crypto::ServerKey::load(&config.secret_key_file, false).unwrap();
        let store = server::store::Store::open(
            &config.database_url,
            server::store::Schema::Migrate,
            server::clock::Clock::system(),
            std::sync::Arc::new(key),
            std::sync::Arc::new(config.limits.clone()),
        )
        .await
        .unwrap();
        server::demo::seed(&store).await.unwrap();
        Self {
            base: String::new(),
            portal: None,
            portal_port,
            addr: ([127, 0, 0, 1], 0).into(),
            store,
            stop: None,
            thread: None,
            dir,
            clock,
            smtp_port: None,
            static_dir: root().join("dist"),
            allowed_origins: Vec::new(),
            directory: None,
            sso: None,
            portal_sso: None,
        }
    }

    async fn run(&mut self) {
        let mut config = server::config::Config::for_tests(self.dir.path());
        config.static_dir = self.static_dir.clone();
        config.allowed_origins.clone_from(&self.allowed_origins);
        config.port = self.addr.port();
        config.portal_port = self.portal_port;
        config.portal_dir = root().join("examples/portal");
        if let Some(directory) = &self.directory {
            config.directory = directory.clone();
        }
        if let Some(sso) = &self.sso {
            config.sso = sso.clone();
        }
        if let Some((id, secret)) = &self.portal_sso {
            config.portal_sso_client_id = Some(id.clone());
            config.portal_sso_client_secret_file = Some(secret.clone());
        }
        if let Some(smtp) = self.smtp_port {
            config.demo = false;
            config.deliveries.smtp_url = Some(format!("smtp://127.0.0.1:{smtp}").into());
            config.public_url = Some(format!("http://localhost:{}/", self.addr.port()));
        }
        assert!(
            config.static_dir.join("index.html").exists(),
            "dist/ is missing: run `make build` first (make test does)"
        );
        let (bound_tx, bound_rx) = tokio::sync::oneshot::channel();
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let clock = self.clock.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let app = server::startup::Application::build_with(config, clock).await.unwrap();
                let _ = bound_tx.send((app.local_addr().unwrap(), app.portal_addr()));
                tokio::select! {
                    _ = app.run_until(std::future::pending()) => {}
                    _ = stop_rx => {}
                }
            });
            rt.shutdown_background();
        });
        let (addr, portal) = bound_rx.await.unwrap();
        self.addr = addr;
        self.base = format!("http://{addr}");
        self.portal_port = portal.map(|p| p.port());
        self.portal = portal.map(|p| format!("http://{p}"));
        self.stop = Some(stop_tx);
        self.thread = Some(thread);
    }

    /// The example portal's address as `http://localhost:PORT` (its redirect URI at the
    /// organization's provider is there).
    pub fn portal_localhost(&self) -> String {
        format!("http://localhost:{}", self.portal_port.unwrap_or_default())
    }

    /// The app's address as `http://localhost:PORT`: WebAuthn needs a domain (an IP
    /// address cannot be a relying party), and localhost is a secure context.
    pub fn localhost(&self) -> String {
        format!("http://localhost:{}", self.addr.port())
    }

    pub fn db(&self) -> &server::store::Db {
        self.store.db()
    }

    /// Kills the server: connections dropped, port closed.
    pub async fn stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            tokio::task::spawn_blocking(move || thread.join()).await.unwrap().unwrap();
        }
    }

    /// Starts it again on the same port and database.
    pub async fn restart(&mut self) {
        self.run().await;
    }

    /// Ends every session on the server side, as expiry would.
    pub async fn end_sessions(&self) {
        sqlx::query("DELETE FROM sessions").execute(self.db()).await.unwrap();
    }

    /// Adds an account whose admin requires MFA and which has nothing registered.
    pub async fn add_account(&self, username: &str, password: &str, display_name: &str) {
        let username = server::domain::accounts::Username::parse(username).unwrap();
        // The new demo user's policy: MFA required, every method and scope allowed.
        let policy = server::demo::NEW_USER.policy();
        let hash =
            server::credentials::argon2::hash(&secrecy::SecretString::from(password)).unwrap();
        let new = server::store::accounts::NewAccount {
            username: &username,
            display_name,
            password_hash: &hash,
            policy: &policy,
        };
        self.store.create_account(new).await.unwrap();
    }

    /// The last code sent to `destination` (demo outbox).
    pub async fn last_code(&self, destination: &str) -> String {
        let outbox: Vec<Value> = reqwest::get(format!("{}/v1/demo/outbox", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The outbox lists the newest first.
        let body = outbox
            .iter()
            .find(|m| m["destination"] == destination)
            .and_then(|m| m["body"].as_str())
            .unwrap_or_else(|| panic!("nothing sent to {destination}: {outbox:?}"));
        body.chars().filter(char::is_ascii_digit).take(6).collect()
    }

    /// A session token for `username`, as a host's back end would get one.
    pub async fn session_token(&self, username: &str, password: &str) -> String {
        let session = self.sign_in(username, password).await;
        session["token"].as_str().unwrap_or_else(|| panic!("{session}")).to_owned()
    }

    /// The endpoint's answer to a sign-in (`next` says what the person is asked next).
    pub async fn sign_in(&self, username: &str, password: &str) -> Value {
        let body = json!({ "username": username, "password": password });
        self.post("/v1/sessions", None, body).await
    }

    /// POSTs `body` to the API at `path` (with a bearer `token`); the JSON answer.
    async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Value {
        let mut req = reqwest::Client::new().post(format!("{}{path}", self.base)).json(&body);
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        req.send().await.unwrap().json().await.unwrap()
    }

    /// The shared secret mail servers send this server (Config::for_tests made it).
    pub fn mail_server_secret_file(&self) -> PathBuf {
        self.dir.path().join("mail-server.secret")
    }

    /// The secret identity systems provision people with (Config::for_tests made it).
    pub fn scim_secret(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("scim.secret")).unwrap().trim().to_owned()
    }

    /// The SCIM id of `username`, found as an identity system finds people.
    pub async fn scim_id(&self, username: &str) -> String {
        let url = format!("{}/scim/v2/Users?filter=userName%20eq%20%22{username}%22", self.base);
        let req = reqwest::Client::new().get(url).bearer_auth(self.scim_secret());
        let found: Value = req.send().await.unwrap().json().await.unwrap();
        found["Resources"][0]["id"].as_str().unwrap_or_else(|| panic!("{found}")).to_owned()
    }

    /// Sends the SCIM PatchOp `operations` for the User `id`, as an identity system does;
    /// the answer's status.
    pub async fn scim_patch(&self, id: &str, operations: Value) -> u16 {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": operations});
        let req = reqwest::Client::new()
            .patch(format!("{}/scim/v2/Users/{id}", self.base))
            .bearer_auth(self.scim_secret())
            .header("content-type", "application/scim+json")
            .body(body.to_string());
        req.send().await.unwrap().status().as_u16()
    }

    /// A session of `user` that proved MFA (an authenticator app enrolled now), as the
    /// app has after the wizard: it may create app passwords.
    pub async fn proven_session(&self, user: (&str, &str)) -> String {
        let token = self.session_token(user.0, user.1).await;
        let enrollment =
            self.post("/v1/mfa/enrollments", Some(&token), json!({"kind": "totp"})).await;
        let secret = enrollment["secret"].as_str().unwrap();
        let code = totp_at(secret, self.clock.now());
        let path = format!("/v1/mfa/enrollments/{}/verify", enrollment["id"].as_str().unwrap());
        let verified = self.post(&path, Some(&token), json!({ "code": code })).await;
        verified["token"].as_str().unwrap_or_else(|| panic!("{verified}")).to_owned()
    }

    /// Creates an app password (`body` as `POST /v1/app-passwords` takes it) with a
    /// proven session; returns its id and the password.
    pub async fn create_app_password(&self, token: &str, body: Value) -> (String, String) {
        let created = self.post("/v1/app-passwords", Some(token), body).await;
        let field = |name: &str| created[name].as_str().unwrap_or_else(|| panic!("{created}"));
        (field("id").to_owned(), field("password").to_owned())
    }

    /// What a legacy client (IMAP, SMTP, EWS) gets for `username:password`.
    pub async fn legacy_status(&self, username: &str, password: &str) -> u16 {
        self.legacy_status_over(username, password, None).await
    }

    /// A legacy sign-in as a mail or calendar server reports it: over `protocol`.
    pub async fn legacy_status_over(
        &self,
        username: &str,
        password: &str,
        protocol: Option<&str>,
    ) -> u16 {
        let query = protocol.map(|p| format!("?protocol={p}")).unwrap_or_default();
        reqwest::Client::new()
            .get(format!("{}/v1/legacy/whoami{query}", self.base))
            .basic_auth(username, Some(password))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

/// The demo organization's directory (`slapd`), with the settings of `make run-org`.
fn directory(slapd: &support::Slapd) -> server::config::DirectoryConfig {
    server::config::DirectoryConfig {
        directory_url: Some(slapd.url.clone()),
        directory_bind_dn: Some(support::Slapd::SERVICE.into()),
        directory_bind_password_file: Some(slapd.service_secret_file()),
        directory_base: Some(support::Slapd::BASE.into()),
        directory_mfa_group: Some(support::Slapd::MFA_GROUP.into()),
        directory_app_passwords_off_group: Some(support::Slapd::OFF_GROUP.into()),
        ..server::config::DirectoryConfig::default()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// A copy of dist/'s files (not its folders) in a folder of its own, for a test to change.
pub fn copy_of_dist() -> tempfile::TempDir {
    let copy = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(root().join("dist")).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
    }
    copy
}
