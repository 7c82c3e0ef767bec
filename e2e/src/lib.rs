//! The end-to-end harness: the real server (in this process, on a free port, a fresh
//! SQLite database, demo accounts, serving the release build in `dist/`), a WebDriver
//! (chromedriver) and helpers to drive and photograph the app as a person uses it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// The repository root (this crate lives in `e2e/`).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

/// The reference server with the demo accounts, on 127.0.0.1 and a free port.
pub struct Server {
    pub base: String,
    _dir: tempfile::TempDir,
}

impl Server {
    pub async fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let mut config = server::config::Config::for_tests(dir.path());
        config.static_dir = root().join("dist");
        assert!(
            config.static_dir.join("index.html").exists(),
            "dist/ is missing: run `make build` first (make test does)"
        );
        let app = server::startup::Application::build(config).await.unwrap();
        server::demo::seed(app.db()).await.unwrap();
        let base = format!("http://{}", app.local_addr().unwrap());
        tokio::spawn(app.run_until_stopped());
        Self { base, _dir: dir }
    }

    /// The last code sent to `destination` (demo outbox).
    pub async fn last_code(&self, destination: &str) -> String {
        let outbox: Vec<Value> = reqwest::get(format!("{}/v1/demo/outbox", self.base))
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let body = outbox
            .iter()
            .rev()
            .find(|m| m["destination"] == destination)
            .and_then(|m| m["body"].as_str())
            .unwrap_or_else(|| panic!("nothing sent to {destination}: {outbox:?}"));
        body.chars().filter(char::is_ascii_digit).take(6).collect()
    }
}

/// A chromedriver process on a free port, stopped on drop.
pub struct Driver {
    pub url: String,
    child: tokio::process::Child,
}

impl Driver {
    pub async fn chrome() -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let bin = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let child = tokio::process::Command::new(bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("chromedriver (apt chromium-driver; make test installs it)");
        let url = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if reqwest::get(format!("{url}/status")).await.is_ok() {
                return Self { url, child };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("chromedriver did not start");
    }

    /// A fresh headless Chromium; `dark` makes it prefer a dark colour scheme.
    pub async fn browser(&self, dark: bool) -> Browser {
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
            "--lang=en-US",
        ];
        if dark {
            args.push("--blink-settings=preferredColorScheme=0");
        }
        let caps = json!({ "goog:chromeOptions": { "binary": "/usr/bin/chromium", "args": args } });
        let Value::Object(caps) = caps else { unreachable!() };
        let client = ClientBuilder::rustls()
            .unwrap()
            .capabilities(caps)
            .connect(&self.url)
            .await
            .expect("a WebDriver session");
        Browser { client }
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}

/// A browser session on the app.
pub struct Browser {
    pub client: Client,
}

impl Browser {
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
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

    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
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
        button.click().await.unwrap();
    }

    pub async fn click(&self, css: &str) {
        self.find(css).await.click().await.unwrap();
    }

    /// A PNG of the viewport, saved as `e2e/artifacts/{name}.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let path = root().join("e2e/artifacts").join(format!("{name}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
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
