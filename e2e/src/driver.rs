//! The WebDriver processes (chromedriver, geckodriver, WebKitWebDriver on a virtual
//! display), one per test, and the browser sessions they open.

use std::process::Stdio;
use std::time::Duration;

use fantoccini::ClientBuilder;
use serde_json::{json, Value};

use crate::*;

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
    /// Firefox's profiles, one per session, removed after the sessions end.
    profiles: std::sync::Mutex<Vec<tempfile::TempDir>>,
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
        let mut child = command
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("{hint}: {e}"));
        assert!(support::until_listening(&mut child, port).await, "{hint} did not start");
        let url = format!("http://127.0.0.1:{port}");
        Self {
            url,
            kind,
            child,
            display,
            sessions: Default::default(),
            profiles: Default::default(),
        }
    }

    /// A profile for one Firefox session: a copy of one Firefox has run once before
    /// (`target/e2e-firefox-profile-*`, made by the first test that needs it, for this
    /// Firefox binary). A fresh profile cost Firefox 3.7 CPU-s to start here (its caches
    /// and databases made anew), a copy of a used one 2.3: the suite starts about twenty.
    async fn firefox_profile(&self) -> String {
        let binary = std::fs::metadata(FIREFOX).and_then(|m| m.modified()).ok();
        let stamp = binary
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs());
        let template = root().join(format!("target/e2e-firefox-profile-{stamp}"));
        if !template.exists() {
            // Made aside and renamed into place: a test in another process making it at
            // the same time loses the rename, and its copy is thrown away.
            let _ = std::fs::create_dir_all(template.parent().unwrap());
            let aside = tempfile::tempdir_in(template.parent().unwrap()).unwrap();
            let path = aside.path().to_str().unwrap().to_owned();
            let client = self.connect(firefox_caps("en-US", false, &path)).await;
            client.goto("about:blank").await.unwrap();
            // Ending the session quits Firefox, which writes its caches as it goes.
            client.close().await.unwrap();
            let made = aside.keep();
            if std::fs::rename(&made, &template).is_err() {
                let _ = std::fs::remove_dir_all(&made);
            }
        }
        let copy = tempfile::tempdir().unwrap();
        let status = std::process::Command::new("cp")
            .arg("-a")
            .arg(template.join("."))
            .arg(copy.path())
            .status()
            .unwrap();
        assert!(status.success(), "copying Firefox's profile {}", template.display());
        for lock in ["lock", ".parentlock"] {
            let _ = std::fs::remove_file(copy.path().join(lock));
        }
        let path = copy.path().to_str().unwrap().to_owned();
        self.profiles.lock().unwrap().push(copy);
        path
    }

    /// A WebDriver session with these capabilities, ended with the driver if the test
    /// does not end it.
    async fn connect(&self, caps: Value) -> fantoccini::Client {
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
        client
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
            Kind::Firefox => firefox_caps(language, dark, &self.firefox_profile().await),
            // No dark mode switch in MiniBrowser: the dark screenshots stay with the others.
            Kind::WebKit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": { "binary": MINIBROWSER, "args": ["--automation"] },
            }),
        };
        let client = self.connect(caps).await;
        // A page that never finishes loading fails its test in a minute, not the
        // drivers' five (WebKitGTK's once held a page load that long in a full run).
        let timeouts = fantoccini::wd::TimeoutConfiguration::new(
            Some(Duration::from_secs(30)),
            Some(Duration::from_secs(60)),
            Some(Duration::ZERO),
        );
        client.update_timeouts(timeouts).await.expect("the driver's timeouts");
        let b = Browser { client, kind: self.kind };
        b.size(1280, 900).await;
        b
    }
}

const FIREFOX: &str = "/usr/bin/firefox-esr";

/// Headless Firefox on `profile`, whose person prefers `language` and maybe a dark scheme.
fn firefox_caps(language: &str, dark: bool, profile: &str) -> Value {
    json!({ "moz:firefoxOptions": {
        "binary": FIREFOX,
        "args": ["-headless", "-profile", profile],
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
    }})
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
