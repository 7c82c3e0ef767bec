//! The end-to-end harness: the real server (in this process, on a free port, a fresh
//! SQLite database, demo accounts, serving the release build in `dist/`), a WebDriver
//! (chromedriver) and helpers to drive and photograph the app as a person uses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::{Element, ElementRef};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How WebDriver marks an element reference in JSON.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// The repository root (this crate lives in `e2e/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

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
        }
    }

    async fn run(&mut self) {
        let mut config = server::config::Config::for_tests(self.dir.path());
        config.static_dir = self.static_dir.clone();
        config.allowed_origins.clone_from(&self.allowed_origins);
        config.port = self.addr.port();
        config.portal_port = self.portal_port;
        config.portal_dir = root().join("examples/portal");
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
        let policy = wire::Policy {
            mfa_required: true,
            app_passwords_allowed: true,
            allowed_methods: wire::MethodKind::ALL.to_vec(),
            phishing_resistant: false,
            app_password_scopes: wire::Scope::ALL.to_vec(),
            app_password_max_days: None,
            keep_app_passwords_on_password_change: false,
            app_password_unused_days: None,
        };
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

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// The browsers the suite drives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Chromium,
    Firefox,
    /// WebKitGTK's MiniBrowser (Safari's engine), on a virtual display (Xvfb).
    WebKit,
}

/// The WebKitGTK browser that WebKitWebDriver drives (Debian's webkit2gtk-driver).
const MINIBROWSER: &str = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/// A WebDriver process (chromedriver, geckodriver or WebKitWebDriver) on a free port,
/// stopped on drop with the virtual display WebKit draws on, after ending every browser
/// session it opened: a test that fails half-way leaves no browser running.
pub struct Driver {
    pub url: String,
    pub kind: Kind,
    child: tokio::process::Child,
    display: Option<tokio::process::Child>,
    sessions: std::sync::Mutex<Vec<String>>,
}

/// An Xvfb server on the first free display number (`-displayfd`), and that number.
async fn virtual_display() -> (tokio::process::Child, String) {
    use tokio::io::AsyncBufReadExt;
    let mut xvfb = tokio::process::Command::new("Xvfb")
        .args(["-displayfd", "1", "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("Xvfb (apt xvfb; make test installs it): {e}"));
    let out = xvfb.stdout.take().unwrap();
    let mut line = String::new();
    tokio::io::BufReader::new(out).read_line(&mut line).await.unwrap();
    (xvfb, format!(":{}", line.trim()))
}

impl Driver {
    pub async fn chrome() -> Self {
        Self::start(Kind::Chromium).await
    }

    pub async fn start(kind: Kind) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let (bin, hint) = match kind {
            Kind::Chromium => (
                std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into()),
                "chromedriver (apt chromium-driver; make test installs it)",
            ),
            Kind::Firefox => {
                ("geckodriver".into(), "geckodriver (.tools/bin; make test installs it)")
            }
            Kind::WebKit => (
                "WebKitWebDriver".into(),
                "WebKitWebDriver (apt webkit2gtk-driver; make test installs it)",
            ),
        };
        let mut command = tokio::process::Command::new(bin);
        let display = if kind == Kind::WebKit {
            let (xvfb, number) = virtual_display().await;
            command.env("DISPLAY", number).env("LANG", "en_US.UTF-8");
            Some(xvfb)
        } else {
            None
        };
        let child = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{hint}: {e}"));
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..200 {
            if reqwest::get(format!("{url}/status")).await.is_ok() {
                return Self { url, kind, child, display, sessions: Default::default() };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{hint} did not start");
    }

    /// A fresh headless browser; `dark` makes it prefer a dark colour scheme.
    pub async fn browser(&self, dark: bool) -> Browser {
        self.browser_speaking("en-US", dark).await
    }

    /// A fresh headless browser whose person prefers `language` (a BCP 47 tag, as
    /// `navigator.language` says it; Chromium and Firefox: MiniBrowser speaks its own).
    pub async fn browser_speaking(&self, language: &str, dark: bool) -> Browser {
        let (lang, accept) = (format!("--lang={language}"), format!("--accept-lang={language}"));
        let caps = match self.kind {
            Kind::Chromium => {
                let mut args = vec![
                    "--headless=new",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-dev-shm-usage",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                    "--hide-scrollbars",
                    &lang,
                    &accept,
                ];
                if dark {
                    args.push("--blink-settings=preferredColorScheme=0");
                }
                json!({ "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args } })
            }
            Kind::Firefox => json!({ "moz:firefoxOptions": {
                "binary": "/usr/bin/firefox-esr",
                "args": ["-headless"],
                "prefs": {
                    "intl.accept_languages": language,
                    "layout.css.prefers-color-scheme.content-override": if dark { 0 } else { 1 },
                    "browser.shell.checkDefaultBrowser": false,
                    "app.update.enabled": false,
                    "network.captive-portal-service.enabled": false,
                    "dom.events.asyncClipboard.readText": true,
                    // WebDriver's virtual authenticators answer only through the
                    // soft token (no hardware here).
                    "security.webauth.webauthn_enable_softtoken": true,
                    "security.webauth.webauthn_enable_usbtoken": false,
                }
            }}),
            // No dark mode switch in MiniBrowser: the dark screenshots stay with the others.
            Kind::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": ["--automation"] },
            }),
        };
        let Value::Object(caps) = caps else { unreachable!() };
        // The server (ring) and fantoccini (aws-lc-rs) both bring a TLS provider: pick one.
        server::deliveries::install_tls_provider();
        let client = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session");
        if let Ok(Some(id)) = client.session_id().await {
            self.sessions.lock().unwrap().push(id);
        }
        let b = Browser { client, kind: self.kind };
        b.size(1280, 900).await;
        b
    }
}

/// Ends WebDriver session `id` (the driver closes its browser), in plain blocking HTTP:
/// it runs in `drop`, maybe while a failed test unwinds, where no future can be awaited.
/// A session the test already closed answers 404 at once.
fn end_session(driver: &str, id: &str) {
    use std::io::{Read, Write};
    let Some(addr) = driver.strip_prefix("http://") else { return };
    let Ok(mut stream) = std::net::TcpStream::connect(addr) else { return };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let request = format!(
        "DELETE /session/{id} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    if stream.write_all(request.as_bytes()).is_ok() {
        let _ = stream.read(&mut [0; 256]);
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        for id in self.sessions.lock().map(|s| s.clone()).unwrap_or_default() {
            end_session(&self.url, &id);
        }
        let _ = self.child.start_kill();
        if let Some(display) = &mut self.display {
            let _ = display.start_kill();
        }
    }
}

/// A browser session on the app.
pub struct Browser {
    pub client: Client,
    pub kind: Kind,
}

/// The WebAuthn WebDriver extension's "Add Virtual Authenticator" (W3C WebAuthn §11.3):
/// a platform authenticator with user verification, that says yes to every prompt.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/webauthn/authenticator", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Gives the browser a virtual security key (a passkey on the device). `Err` when
    /// the driver lacks the WebAuthn extension (WebKitWebDriver, when last checked).
    pub async fn add_virtual_authenticator(&self) -> Result<String, String> {
        match self.client.issue_cmd(AddVirtualAuthenticator).await {
            Ok(id) => Ok(id.as_str().unwrap_or_default().to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Opens `url` and waits (10 s at most) for the app to have taken over the sign-in
    /// screen drawn at build time (crates/prerender), if the page has one: typing into
    /// that one while the app takes over would leave the driver holding a removed field.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.until_live().await;
    }

    /// Waits (10 s at most) until the page has no prerendered screen left.
    pub async fn until_live(&self) {
        let script = "return document.querySelector('[data-prerendered]') === null;";
        until("the prerendered sign-in screen taken over by the app", || async {
            self.client.execute(script, vec![]).await.unwrap() == json!(true)
        })
        .await;
    }

    pub async fn size(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Waits for the screen whose heading is `title`.
    pub async fn until_heading(&self, title: &str) {
        let xpath = format!("//h1[normalize-space(.)={}]", xpath_literal(title));
        if let Err(e) = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            let text = self.text().await;
            panic!("no heading {title:?} ({e}); the page says: {text}");
        }
    }

    /// Waits until an element's text contains `wanted`.
    pub async fn until_text(&self, wanted: &str) {
        let xpath = format!("//*[contains(normalize-space(.), {})]", xpath_literal(wanted));
        if let Err(e) = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            panic!("no {wanted:?} ({e}); the page says: {}", self.text().await);
        }
    }

    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// How many times the bundle's wasm and its JS came over the network (Resource
    /// Timing; a cache's answer does not count).
    pub async fn bundle_downloads(&self) -> [u64; 2] {
        let script = "return ['_bg.wasm', '.js'].map(end => performance
            .getEntriesByType('resource')
            .filter(e => /app-passwords-[0-9a-f]+(_bg)?\\.(wasm|js)$/.test(e.name))
            .filter(e => e.name.endsWith(end) && e.transferSize > 0).length)";
        let counts = self.client.execute(script, vec![]).await.unwrap();
        serde_json::from_value(counts).unwrap()
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
        settled(&self.client, &field, text).await;
    }

    /// Clicks the button whose visible text is `label`.
    pub async fn press(&self, label: &str) {
        let xpath = format!("//button[normalize-space(.)={}]", xpath_literal(label));
        let button = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {label:?}: {e}"));
        click_in_view(&self.client, button).await;
    }

    pub async fn click(&self, css: &str) {
        click_in_view(&self.client, self.find(css).await).await;
    }

    /// Pastes the clipboard into a scratch field added to the page, with the keyboard
    /// as a person would, and returns what arrived.
    pub async fn paste_clipboard(&self) -> String {
        self.client
            .execute(
                "const t = document.createElement('textarea'); t.id = 'e2e-paste';
                 t.setAttribute('aria-label', 'paste'); document.body.appendChild(t); t.focus();",
                vec![],
            )
            .await
            .unwrap();
        let field = self.find("#e2e-paste").await;
        field.send_keys(&format!("{}v", char::from(fantoccini::key::Key::Control))).await.unwrap();
        let value = field.prop("value").await.unwrap().unwrap_or_default();
        self.client.execute("document.getElementById('e2e-paste').remove()", vec![]).await.unwrap();
        value
    }

    /// The text the QR code on the page encodes, read from a screenshot of it by
    /// zbarimg (Debian zbar-tools), an independent decoder.
    pub async fn read_qr(&self) -> String {
        let qr = self.find("svg.ap-qr").await;
        decode_qr(&qr_picture(self, qr).await)
    }

    /// The WCAG 2.1 A and AA violations axe-core finds on the page, one line each.
    pub async fn audit(&self) -> Vec<String> {
        let axe = root().join(".tools/node_modules/axe-core/axe.min.js");
        let source = std::fs::read_to_string(&axe)
            .unwrap_or_else(|e| panic!("{} ({e}); make test installs it", axe.display()));
        self.client.execute(&format!("if (!window.axe) {{ {source} }}"), vec![]).await.unwrap();
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done(r.violations.map(v =>
                      v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(result).unwrap()
    }

    /// Opens the app at `url` on its sign-in screen and, with `fr`, switches it to French.
    pub async fn open_app(&self, url: &str, fr: bool) {
        self.open(url).await;
        self.until_heading("Sign in").await;
        if fr {
            self.press("Français").await;
            self.until_heading("Connexion").await;
        }
    }

    /// Signs in from the sign-in screen (its button in French with `fr`).
    pub async fn sign_in(&self, (user, password): (&str, &str), fr: bool) {
        self.type_in("#ap-username", user).await;
        self.type_in("#ap-password", password).await;
        self.press(if fr { "Se connecter" } else { "Sign in" }).await;
    }

    /// From the first screen after sign-in to a new app password named `name`, as a
    /// person goes: "Set it up now", an authenticator app (its code computed at `now`,
    /// unix seconds), "Next", the name, "Create". Returns the password as shown
    /// (spaced in fours).
    pub async fn set_up_and_create(&self, name: &str, now: i64, fr: bool) -> String {
        let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
        self.press(t("Set it up now", "Configurer maintenant")).await;
        self.click("label[for=ap-kind-totp]").await;
        self.press(t("Continue", "Continuer")).await;
        let secret = otpauth_secret(&self.read_qr().await);
        self.type_in("#ap-code", &totp_at(&secret, now)).await;
        self.press(t("Verify", "Vérifier")).await;
        self.press(t("Next", "Suivant")).await;
        self.until_heading(t("Name your app password", "Nommez votre mot de passe d’application"))
            .await;
        self.type_in("#ap-name", name).await;
        self.press(t("Create app password", "Créer le mot de passe")).await;
        self.until_heading(t("Your app password", "Votre mot de passe d’application")).await;
        self.find("#ap-password-shown").await.text().await.unwrap()
    }

    /// Fails with axe-core's findings (WCAG 2.1 A and AA) on the page as it is now.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.audit().await;
        assert!(violations.is_empty(), "axe on {what}:\n{}", violations.join("\n"));
    }

    /// Photographs the screen (`e2e/artifacts/{name}.png`) and fails on any
    /// accessibility violation.
    pub async fn check(&self, name: &str) {
        self.shot(name).await;
        self.assert_accessible(name).await;
        self.assert_forms_unsendable(name).await;
    }

    /// Fails if a form of the module could be sent by the browser itself (`method` other
    /// than `dialog`): `form.submit()` from another hand (a password manager's
    /// auto-submit) would GET the page's own URL with what was typed in its query.
    pub async fn assert_forms_unsendable(&self, what: &str) {
        let script = "const roots = [document, ...[...document.querySelectorAll('app-passwords')]
                .map((e) => e.shadowRoot).filter(Boolean)];
            return roots.flatMap((r) => [...r.querySelectorAll('.ap-root form')])
                .filter((f) => f.method !== 'dialog').map((f) => f.outerHTML.slice(0, 120));";
        let sendable = self.client.execute(script, vec![]).await.unwrap();
        assert_eq!(sendable, json!([]), "forms the browser would send on {what}");
    }

    /// A PNG of the viewport, saved as `e2e/artifacts/{name}.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let path = root().join("e2e/artifacts").join(format!("{name}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

/// The app inside one `<app-passwords>` element's shadow root: the same moves as on
/// the standalone page, found through `shadowRoot` since CSS selectors stop at it.
pub struct Shadow<'a> {
    pub b: &'a Browser,
    /// Which `<app-passwords>` element of the page (0 = the first).
    pub index: usize,
}

impl Shadow<'_> {
    fn root(&self) -> String {
        format!("document.querySelectorAll('app-passwords')[{}]?.shadowRoot", self.index)
    }

    /// Runs `body` (which sees `root`) until it returns an element, up to 10 s, once the
    /// app has taken over the sign-in screen drawn at build time (see `Browser::open`).
    async fn poll_element(&self, what: &str, body: &str, args: Vec<Value>) -> Element {
        let script = format!(
            "const root = {}; if (!root || root.querySelector('[data-prerendered]')) return null; {body}",
            self.root()
        );
        for _ in 0..200 {
            let found = self.b.client.execute(&script, args.clone()).await.unwrap();
            if let Some(element) = as_element(&self.b.client, &found) {
                return element;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {what} in <app-passwords>[{}]: {}", self.index, self.text().await);
    }

    pub async fn find(&self, css: &str) -> Element {
        self.poll_element(css, "return root.querySelector(arguments[0]);", vec![json!(css)]).await
    }

    pub async fn text(&self) -> String {
        let script = format!("return {}?.textContent ?? '';", self.root());
        self.b.client.execute(&script, vec![]).await.unwrap().as_str().unwrap_or("").to_owned()
    }

    /// Waits (10 s at most) until the module's text contains `wanted`.
    pub async fn until_text(&self, wanted: &str) {
        for _ in 0..200 {
            if self.text().await.contains(wanted) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {wanted:?} in: {}", self.text().await);
    }

    pub async fn until_heading(&self, title: &str) {
        let body = "const h = root.querySelector('h1');
                    return h && h.textContent.trim() === arguments[0] ? h : null;";
        self.poll_element(&format!("the heading {title:?}"), body, vec![json!(title)]).await;
    }

    pub async fn press(&self, label: &str) {
        let body = "return [...root.querySelectorAll('button')]
                      .find(b => b.textContent.trim() === arguments[0] && !b.disabled) ?? null;";
        let button =
            self.poll_element(&format!("button {label:?}"), body, vec![json!(label)]).await;
        click_in_view(&self.b.client, button).await;
    }

    pub async fn click(&self, css: &str) {
        click_in_view(&self.b.client, self.find(css).await).await;
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
        settled(&self.b.client, &field, text).await;
    }

    /// A computed style property of the first element matching `css`.
    pub async fn style(&self, css: &str, property: &str) -> String {
        self.find(css).await;
        let script = format!(
            "return getComputedStyle({}.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
            self.root()
        );
        let v = self.b.client.execute(&script, vec![json!(css), json!(property)]).await.unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The otpauth URI in this instance's QR code, read by zbarimg from a screenshot.
    pub async fn read_qr(&self) -> String {
        let qr = self.find("svg.ap-qr").await;
        decode_qr(&qr_picture(self.b, qr).await)
    }
}

/// The element a script returned, as WebDriver holds it (`None`: it returned another value).
pub fn as_element(client: &Client, found: &Value) -> Option<Element> {
    let id = found.get(ELEMENT_KEY)?.as_str()?;
    Some(Element::from_element_id(client.clone(), ElementRef::from(id.to_owned())))
}

/// The current code for a base32 key (display spaces allowed), from oathtool: a TOTP
/// implementation independent of the server's.
pub fn totp(secret: &str) -> String {
    totp_at(secret, server::clock::Clock::system().now())
}

/// The TOTP code at unix time `at` (a server on a moved clock expects that one).
pub fn totp_at(secret: &str, at: i64) -> String {
    let out = std::process::Command::new("oathtool")
        .args(["--totp", "-b", "-N", &format!("@{at}"), &secret.replace(' ', "")])
        .output()
        .expect("oathtool (apt oathtool; make test installs it)");
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// The `secret` parameter of an `otpauth://` URI.
pub fn otpauth_secret(uri: &str) -> String {
    let query = uri.split_once('?').map_or("", |(_, q)| q);
    let secret = query.split('&').find_map(|kv| kv.strip_prefix("secret="));
    secret.unwrap_or_else(|| panic!("no secret in {uri}")).to_owned()
}

/// A picture of the QR code `qr`. WebKitGTK without a GPU draws element screenshots
/// black (the viewport's are right): there, the viewport with the code scrolled into it,
/// which zbarimg reads as well.
async fn qr_picture(b: &Browser, qr: Element) -> Vec<u8> {
    if b.kind != Kind::WebKit {
        return qr.screenshot().await.unwrap();
    }
    let args = vec![serde_json::to_value(&qr).unwrap()];
    b.client.execute("arguments[0].scrollIntoView({block: 'center'});", args).await.unwrap();
    b.client.screenshot().await.unwrap()
}

/// Clicks `element` once it is wholly in view, as a person scrolls to a button before
/// pressing it. WebKit's driver clicks a partly visible element at the centre of its
/// visible part, and there delivered pointerdown, mousedown and mouseup to the button
/// but no click (seen on the portal's "Create app password", 9 px of it in view: the
/// embedding test's flake under load).
async fn click_in_view(client: &Client, element: Element) {
    let script = "arguments[0].scrollIntoView({ block: 'center', inline: 'center' });";
    client.execute(script, vec![serde_json::to_value(&element).unwrap()]).await.unwrap();
    element.click().await.unwrap();
}

/// Waits until `check` holds, polling every 50 ms for 10 s at most; then fails saying
/// `what` was expected.
pub async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} within 10 s");
}

/// Waits until `field` holds `text` and the app has had a frame to take it in:
/// WebKitWebDriver may answer a key sequence before the page has handled every key.
async fn settled(client: &Client, field: &Element, text: &str) {
    let script = "const [el, text, done] = arguments;
        const check = (n) => el.value === text || n === 0
          ? requestAnimationFrame(() => setTimeout(() => done(el.value), 0))
          : setTimeout(() => check(n - 1), 20);
        check(100);";
    let args = vec![serde_json::to_value(field).unwrap(), json!(text)];
    client.execute_async(script, args).await.unwrap();
}

fn decode_qr(png: &[u8]) -> String {
    let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(file.path(), png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(file.path())
        .output()
        .expect("zbarimg (apt zbar-tools; make test installs it)");
    let text = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    if !text.starts_with("otpauth://") {
        let kept = root().join("e2e/artifacts/qr-unreadable.png");
        let _ = std::fs::create_dir_all(kept.parent().unwrap());
        let _ = std::fs::write(&kept, png);
        panic!("zbarimg read {text:?} from the screenshot kept in {}", kept.display());
    }
    text
}

fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}

/// A real SMTP server (aiosmtpd, installed by `make test` into .tools/py) on a free
/// loopback port, writing what it receives to a Maildir; killed when dropped.
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
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = tokio::process::Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(&maildir)
            .env("PYTHONPATH", root().join(".tools/py"))
            .stdout(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("python3 runs aiosmtpd");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                return Self { _child: child, port, maildir, _dir: dir };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not start (scripts/tools.sh test installs it)");
    }

    /// Waits (10 s at most) for a message containing `wanted`; returns it decoded from
    /// quoted-printable.
    pub async fn wait_for(&self, wanted: &str) -> String {
        for _ in 0..200 {
            let entries = std::fs::read_dir(self.maildir.join("new")).into_iter().flatten();
            for entry in entries.flatten() {
                let raw = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let text = quoted_printable(&raw);
                if text.contains(wanted) {
                    return text;
                }
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no mail containing {wanted:?}");
    }
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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Dovecot {
    pub async fn start(endpoint: &str, secret_file: &Path, relay_port: u16) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let (imap, pop3, submission) = (free_port(), free_port(), free_port());
        let child = tokio::process::Command::new(root().join("scripts/mail.sh"))
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
        let dovecot = Self { _child: child, imap, pop3, submission, dir };
        for _ in 0..200 {
            if tokio::net::TcpStream::connect(("127.0.0.1", imap)).await.is_ok() {
                return dovecot;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("Dovecot did not start:\n{}", dovecot.log());
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
