//! The screens after sign-in come in a chunk of their own (src/lazy.rs), split off the
//! release build: not with the page, but once the person starts signing in. Attacked
//! as a slow network and a slow typist would: the chunk arriving between two keys
//! takes neither a character nor the focus; a chunk that cannot be fetched is said so,
//! in the person's language, and fetched again until it comes, nothing typed lost.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use app_passwords_e2e::{Browser, Driver, Kind, Server};
use fantoccini::actions::{InputSource, KeyAction, KeyActions};

const NEW: (&str, &str) = ("new.user@contoso.example", "Demo-new-2026");

/// The chunk's file in dist/ (one: the screens after sign-in).
fn chunk_name() -> String {
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("app-passwords-journey-") && n.ends_with(".wasm"))
        .collect();
    assert_eq!(names.len(), 1, "one chunk in dist/: {names:?} (make build splits the bundle)");
    names.remove(0)
}

/// How many times the page has asked for the chunk (Resource Timing).
async fn chunk_fetches(b: &Browser) -> u64 {
    let script = "return performance.getEntriesByType('resource')
        .filter(e => e.name.includes('app-passwords-journey-')).length";
    b.client.execute(script, vec![]).await.unwrap().as_u64().unwrap()
}

/// Types `text` into whatever has the focus, one key at a time, `gap` apart, as a
/// person does (not into an element WebDriver would focus first).
async fn type_slowly(b: &Browser, text: &str, gap: Duration) {
    let mut keys = KeyActions::new("person".into());
    for c in text.chars() {
        keys = keys
            .then(KeyAction::Down { value: c })
            .then(KeyAction::Up { value: c })
            .then(KeyAction::Pause { duration: gap });
    }
    b.client.perform_actions(keys).await.unwrap();
}

/// [value of the username field, id of the focused element]
async fn username_and_focus(b: &Browser) -> (String, String) {
    let script = "return [document.getElementById('ap-username').value,
        document.activeElement ? document.activeElement.id : ''];";
    let v = b.client.execute(script, vec![]).await.unwrap();
    (v[0].as_str().unwrap().to_owned(), v[1].as_str().unwrap().to_owned())
}

async fn until<F, Fut>(what: &str, mut check: F)
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

async fn fetched_as_the_person_types(kind: Kind) {
    let server = Server::start().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.open_app(&server.base, false).await;
    b.find("#ap-username").await.click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(chunk_fetches(&b).await, 0, "the chunk came with the page");

    // 40 ms a key: the chunk (a few ms away on loopback) lands mid-word.
    type_slowly(&b, NEW.0, Duration::from_millis(40)).await;
    until("the chunk fetched", || async { chunk_fetches(&b).await == 1 }).await;
    assert_eq!(
        username_and_focus(&b).await,
        (NEW.0.to_owned(), "ap-username".to_owned()),
        "every key typed, the focus still in the field"
    );
    b.type_in("#ap-password", NEW.1).await;
    b.press("Sign in").await;
    b.until_heading("Secure your account first").await;
    b.check(&format!("loading/{kind:?}-after-sign-in").to_lowercase()).await;
    assert_eq!(chunk_fetches(&b).await, 1, "fetched once");
}

#[tokio::test]
async fn the_chunk_is_fetched_as_the_person_types_in_chromium() {
    fetched_as_the_person_types(Kind::Chromium).await;
}

/// The chunk cannot be fetched (a 404, as a half-deployed server would answer), then
/// can: "Please wait" with the reason, in French here, then the screen, the session
/// kept; nothing to do for the person.
#[tokio::test]
async fn a_chunk_that_cannot_be_fetched_is_said_and_fetched_again() {
    let copy = tempfile::tempdir().unwrap();
    let dist = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../dist");
    for entry in std::fs::read_dir(&dist).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_file() {
            std::fs::copy(entry.path(), copy.path().join(entry.file_name())).unwrap();
        }
    }
    let chunk = chunk_name();
    let hidden = copy.path().join("hidden.wasm");
    std::fs::rename(copy.path().join(&chunk), &hidden).unwrap();
    for compressed in [".br", ".gz"] {
        std::fs::remove_file(copy.path().join(format!("{chunk}{compressed}"))).unwrap();
    }
    let server = Server::serving(copy.path()).await;
    let driver = Driver::start(Kind::Firefox).await;
    let b = driver.browser(false).await;
    b.open_app(&server.base, true).await;
    b.sign_in(NEW, true).await;
    b.until_heading("Un instant…").await;
    b.until_text("Le service de connexion est injoignable").await;
    b.check("loading/firefox-fr-chunk-unavailable").await;

    std::fs::rename(&hidden, copy.path().join(&chunk)).unwrap();
    b.until_heading("Sécurisez d’abord votre compte").await;
    b.check("loading/firefox-fr-chunk-came").await;
    assert!(chunk_fetches(&b).await >= 2, "fetched again after it failed");
}
