//! The screens after sign-in come in a chunk of their own (src/lazy.rs), split off the
//! release build: not with the page, but once the person starts signing in. Attacked
//! as a slow network and a slow typist would: the chunk arriving between two keys
//! takes neither a character nor the focus; a chunk that cannot be fetched is said so,
//! in the person's language, and fetched again until it comes, nothing typed lost. And
//! before any of it, the sign-in screen drawn at build time (crates/prerender), in the
//! page and in the embedding element: typed into while the wasm is held back, taken over
//! whole by the app, a press on Sign in kept until it comes, in all three engines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::Duration;

use app_passwords_e2e::{as_element, copy_of_dist, until, Browser, Driver, Kind, Server, Shadow};
use fantoccini::actions::{
    InputSource, KeyAction, KeyActions, MouseActions, PointerAction, MOUSE_BUTTON_LEFT,
};
use fantoccini::elements::Element;
use serde_json::{json, Value};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();

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
async fn chunk_fetches(b: &Browser) -> usize {
    b.requested().await.iter().filter(|n| n.starts_with("app-passwords-journey-")).count()
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

/// Clicks into `field` with the mouse, as a person does. (Not WebDriver's element click:
/// WebKit's driver takes a field in a shadow root for hidden behind its host and refuses.)
async fn click(b: &Browser, field: Element) {
    let mouse = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement { element: field, duration: None, x: 0, y: 0 })
        .then(PointerAction::Down { button: MOUSE_BUTTON_LEFT })
        .then(PointerAction::Up { button: MOUSE_BUTTON_LEFT });
    b.client.perform_actions(mouse).await.unwrap();
}

/// [value of the username field, id of the focused element]
async fn username_and_focus(b: &Browser) -> (String, String) {
    let script = "return [document.getElementById('ap-username').value,
        document.activeElement ? document.activeElement.id : ''];";
    let v = b.client.execute(script, vec![]).await.unwrap();
    (v[0].as_str().unwrap().to_owned(), v[1].as_str().unwrap().to_owned())
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
/// can: the sign-in says "Please wait" with the reason, in French here, then the next
/// screen, the session kept (the chunk reads it); nothing to do for the person.
#[tokio::test]
async fn a_chunk_that_cannot_be_fetched_is_said_and_fetched_again() {
    let copy = copy_of_dist();
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
    // Signed in, but the session is read by the chunk: the sign-in waits for it, saying
    // why, and goes on by itself once it comes.
    b.until_text("Le service de connexion est injoignable").await;
    b.until_heading("Connexion").await;
    b.check("loading/firefox-fr-chunk-unavailable").await;

    std::fs::rename(&hidden, copy.path().join(&chunk)).unwrap();
    b.until_heading("Sécurisez d’abord votre compte").await;
    b.check("loading/firefox-fr-chunk-came").await;
    assert!(chunk_fetches(&b).await >= 2, "fetched again after it failed");
}

/// What the proxy of `holding_the_wasm` does with requests for a wasm file.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Gate {
    Held,
    Open,
    /// The connection is cut: the network failed.
    Refused,
}

/// A proxy on `listener` in front of `upstream` that holds every request for a wasm
/// file back until the gate opens (or cuts it): the page, its stylesheet and its JS come
/// at once, the app does not — a slow network's first visit, made certain.
fn holding_the_wasm(
    listener: tokio::net::TcpListener,
    upstream: &str,
) -> tokio::sync::watch::Sender<Gate> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let upstream = upstream.trim_start_matches("http://").to_owned();
    let (gate, gated) = tokio::sync::watch::channel(Gate::Held);
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let (upstream, mut gated) = (upstream.clone(), gated.clone());
            tokio::spawn(async move {
                let server = tokio::net::TcpStream::connect(&upstream).await.unwrap();
                let ((mut from_client, mut to_client), (mut from_server, mut to_server)) =
                    (client.into_split(), server.into_split());
                // Ends true when the connection is to be cut.
                let up = async move {
                    let mut buf = vec![0_u8; 64 * 1024];
                    while let Ok(n @ 1..) = from_client.read(&mut buf).await {
                        if buf[..n].windows(8).any(|w| w == b"_bg.wasm") {
                            let _ = gated.wait_for(|g| *g != Gate::Held).await;
                            if *gated.borrow() == Gate::Refused {
                                return true;
                            }
                        }
                        if to_server.write_all(&buf[..n]).await.is_err() {
                            break;
                        }
                    }
                    false
                };
                let down = async move {
                    let _ = tokio::io::copy(&mut from_server, &mut to_client).await;
                };
                tokio::pin!(down);
                tokio::select! {
                    cut = up => if !cut { (&mut down).await },
                    () = &mut down => {}
                }
            });
        }
    });
    gate
}

/// Where the app draws: the standalone page, or the portal's `<app-passwords>` element.
#[derive(Clone, Copy, Debug)]
enum Page {
    Standalone,
    Embedded,
}

impl Page {
    /// The JS expression for the root the app draws in.
    fn root(self) -> &'static str {
        match self {
            Page::Standalone => "document",
            Page::Embedded => "document.querySelector('app-passwords')?.shadowRoot",
        }
    }

    /// The element matching `css` in the root, as WebDriver holds it.
    async fn find(self, b: &Browser, css: &str) -> Element {
        let script = format!("return {}?.querySelector(arguments[0]) ?? null;", self.root());
        let found = std::cell::RefCell::new(None);
        until(&format!("{css} in {self:?}"), || async {
            let v = b.client.execute(&script, vec![json!(css)]).await.unwrap();
            *found.borrow_mut() = as_element(&b.client, &v);
            found.borrow().is_some()
        })
        .await;
        found.into_inner().unwrap()
    }

    /// A server for this page, reached through `holding_the_wasm` at the base URL returned.
    async fn behind_the_gate(self) -> (Server, String, tokio::sync::watch::Sender<Gate>) {
        let proxy = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", proxy.local_addr().unwrap());
        let server = match self {
            Page::Standalone => Server::start().await,
            Page::Embedded => Server::with_portal_behind(&base).await,
        };
        let gate = holding_the_wasm(proxy, server.portal.as_ref().unwrap_or(&server.base));
        (server, base, gate)
    }

    /// Runs `body` (which sees `root`) and returns what it returns.
    async fn js(self, b: &Browser, body: &str) -> Value {
        let script = format!("const root = {}; {body}", self.root());
        b.client.execute(&script, vec![]).await.unwrap()
    }

    /// Waits until the app has taken over the sign-in screen drawn at build time.
    async fn until_live(self, b: &Browser) {
        let live = "return root.querySelector('[data-prerendered]') === null;";
        until("the app took over", || async { self.js(b, live).await == json!(true) }).await;
    }
}

/// The sign-in screen drawn at build time (crates/prerender) stands in for the app's
/// in the page and in the element: the person types before the wasm has come, and the
/// app takes over with every character, the focus and the caret where they were, the
/// field where it was.
async fn typed_before_the_app_came(kind: Kind, page: Page) {
    let (_server, base, release) = page.behind_the_gate().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.client.goto(&base).await.unwrap(); // not open(): that waits for the app
    page.find(&b, "[data-prerendered] h1").await;
    // Drawn at build time, styled (the element's stylesheet is in its script), Sign in
    // enabled (a press is kept: below); where the username field is.
    let state = "const h1 = root.querySelector('h1'), field = root.querySelector('#ap-username');
        return [root.querySelectorAll('[data-prerendered]').length, h1.textContent,
                getComputedStyle(h1).fontSize,
                root.querySelector('button[type=submit]').disabled,
                JSON.stringify(field.getBoundingClientRect())];";
    let before = page.js(&b, state).await;
    let drawn = [json!(1), json!("Sign in"), json!("24px"), json!(false)];
    assert_eq!(before.as_array().unwrap()[..4], drawn, "{before}");
    b.shot(&format!("loading/{kind:?}-{page:?}-before-the-app").to_lowercase()).await;

    click(&b, page.find(&b, "#ap-username").await).await;
    type_slowly(&b, NEW.0, Duration::from_millis(5)).await;
    click(&b, page.find(&b, "#ap-password").await).await;
    type_slowly(&b, "Demo-new", Duration::from_millis(5)).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(page.js(&b, state).await, before, "still the stand-in");
    assert_eq!(chunk_fetches(&b).await, 0, "typing alone fetches no more than the app would");

    release.send(Gate::Open).unwrap();
    page.until_live(&b).await;
    let after = page.js(&b, state).await;
    assert_eq!(after[4], before[4], "the field did not move");
    let typed = "return [root.getElementById('ap-username').value,
        root.activeElement ? root.activeElement.id : ''];";
    assert_eq!(page.js(&b, typed).await, json!([NEW.0, "ap-password"]));
    // The caret where it was: what follows lands at the end.
    type_slowly(&b, "-2026", Duration::from_millis(5)).await;
    let password = "return root.getElementById('ap-password').value";
    assert_eq!(page.js(&b, password).await, NEW.1);
    b.shot(&format!("loading/{kind:?}-{page:?}-the-app-took-over").to_lowercase()).await;
    match page {
        Page::Standalone => b.press("Sign in").await,
        Page::Embedded => Shadow { b: &b, index: 0 }.press("Sign in").await,
    }
    let heading = "return root.querySelector('h1')?.textContent";
    until("the next screen", || async {
        page.js(&b, heading).await == json!("Secure your account first")
    })
    .await;
}

#[tokio::test]
async fn typed_before_the_app_came_is_kept_in_chromium() {
    typed_before_the_app_came(Kind::Chromium, Page::Standalone).await;
}

#[tokio::test]
async fn typed_before_the_app_came_is_kept_in_firefox() {
    typed_before_the_app_came(Kind::Firefox, Page::Standalone).await;
}

#[tokio::test]
async fn typed_before_the_app_came_is_kept_in_webkit() {
    typed_before_the_app_came(Kind::WebKit, Page::Standalone).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_into_the_element_before_the_app_came_is_kept_in_chromium() {
    typed_before_the_app_came(Kind::Chromium, Page::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_into_the_element_before_the_app_came_is_kept_in_firefox() {
    typed_before_the_app_came(Kind::Firefox, Page::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn typed_into_the_element_before_the_app_came_is_kept_in_webkit() {
    typed_before_the_app_came(Kind::WebKit, Page::Embedded).await;
}

/// Sign in pressed before the app has come (Enter in the password field, as a person or
/// a password manager does): the press is kept — the button says "Please wait…", the
/// fields hold still, nothing typed is sent, the page stays, the screens after sign-in
/// start downloading — and when the app comes it signs in with what was typed, no
/// second press, and takes that download rather than asking again.
async fn pressed_before_the_app_came(kind: Kind, page: Page) {
    let (_server, base, release) = page.behind_the_gate().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.client.goto(&base).await.unwrap();
    click(&b, page.find(&b, "[data-prerendered] #ap-username").await).await;
    type_slowly(&b, NEW.0, Duration::ZERO).await;
    click(&b, page.find(&b, "[data-prerendered] #ap-password").await).await;
    type_slowly(&b, &format!("{}\u{E007}", NEW.1), Duration::ZERO).await;
    let state = "const button = root.querySelector('button[type=submit]');
        return [root.querySelectorAll('[data-prerendered]').length, button.textContent,
                button.disabled, root.getElementById('ap-username').readOnly,
                root.getElementById('ap-password').readOnly];";
    let kept = json!([1, "Please wait…", true, true, true]);
    until("the press kept", || async { page.js(&b, state).await == kept }).await;
    // The fields hold still: what the app sends is what was there at the press.
    type_slowly(&b, "x", Duration::ZERO).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(page.js(&b, state).await, kept);
    let password = "return root.getElementById('ap-password').value";
    assert_eq!(page.js(&b, password).await, NEW.1);
    assert_eq!(b.client.current_url().await.unwrap().as_str(), format!("{base}/"));
    // The press started the screens after sign-in (the chunk) while the app's own code is
    // still on its way, rather than once it has come.
    until("the chunk fetched at the press", || async { chunk_fetches(&b).await == 1 }).await;
    b.shot(&format!("loading/{kind:?}-{page:?}-pressed-before-the-app").to_lowercase()).await;

    release.send(Gate::Open).unwrap();
    let heading = "return root.querySelector('h1')?.textContent";
    until("signed in by the press kept", || async {
        page.js(&b, heading).await == json!("Secure your account first")
    })
    .await;
    // The app took that download: it asked for the chunk no second time.
    assert_eq!(chunk_fetches(&b).await, 1, "the chunk requested once");
    assert_eq!(b.fetches_left().await, Vec::<String>::new(), "taken");
}

#[tokio::test]
async fn pressed_before_the_app_came_signs_in_when_it_comes_in_chromium() {
    pressed_before_the_app_came(Kind::Chromium, Page::Standalone).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pressed_in_the_element_before_the_app_came_signs_in_when_it_comes_in_firefox() {
    pressed_before_the_app_came(Kind::Firefox, Page::Embedded).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn pressed_in_the_element_before_the_app_came_signs_in_when_it_comes_in_webkit() {
    pressed_before_the_app_came(Kind::WebKit, Page::Embedded).await;
}

/// The element's stand-in answers to what the host does before the app has come: its
/// `lang` (French, then English, what was typed and the focus carried over), none for a
/// session the host handed over or for the admin view — also when `mode` is set after the
/// element connected, and the app that then comes is the admin view.
#[tokio::test(flavor = "multi_thread")]
async fn the_elements_stand_in_follows_the_host_in_chromium() {
    let (server, base, release) = Page::Embedded.behind_the_gate().await;
    let token = server.session_token("no.apppw@contoso.example", "Demo-noapppw-2026").await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.client.goto(&base).await.unwrap();
    Page::Embedded.find(&b, "[data-prerendered] h1").await;
    let add = "const [token] = arguments;
        const endpoint = document.querySelector('app-passwords').getAttribute('endpoint');
        const add = (id, before) => {
          const e = document.createElement('app-passwords');
          e.id = id; e.setAttribute('endpoint', endpoint); before(e);
          document.querySelector('main').append(e);
          return e;
        };
        add('fr', (e) => e.setAttribute('lang', 'fr'));
        add('token', (e) => { e.sessionToken = token; });
        add('admin', (e) => e.setAttribute('mode', 'admin'));
        add('later', () => {}).setAttribute('mode', 'admin');";
    b.client.execute(add, vec![json!(token)]).await.unwrap();
    let stand_ins = "return ['fr', 'token', 'admin', 'later'].map((id) =>
        document.getElementById(id).shadowRoot.querySelector('[data-prerendered] h1')?.textContent ?? null);";
    let shown = b.client.execute(stand_ins, vec![]).await.unwrap();
    assert_eq!(shown, json!(["Connexion", null, null, null]));

    let fr = "document.getElementById('fr').shadowRoot";
    let field = format!("return {fr}.querySelector('#ap-username');");
    click(&b, as_element(&b.client, &b.client.execute(&field, vec![]).await.unwrap()).unwrap())
        .await;
    type_slowly(&b, "nora", Duration::from_millis(5)).await;
    b.client
        .execute("document.getElementById('fr').setAttribute('lang', 'en')", vec![])
        .await
        .unwrap();
    let state = format!(
        "const root = {fr}; return [root.querySelectorAll('[data-prerendered]').length,
            root.querySelector('[data-prerendered] h1')?.textContent ?? null,
            root.getElementById('ap-username').value, root.activeElement?.id ?? null];"
    );
    let carried = b.client.execute(&state, vec![]).await.unwrap();
    assert_eq!(carried, json!([1, "Sign in", "nora", "ap-username"]), "redrawn in English");
    type_slowly(&b, "@contoso.example", Duration::from_millis(5)).await;

    release.send(Gate::Open).unwrap();
    let live = Shadow { b: &b, index: 1 };
    live.until_heading("Sign in").await;
    let taken = b.client.execute(&state, vec![]).await.unwrap();
    assert_eq!(taken, json!([0, null, "nora@contoso.example", "ap-username"]), "taken over");
    Shadow { b: &b, index: 2 }.until_heading("App passwords are not available").await;
    for index in [3, 4] {
        Shadow { b: &b, index }.until_heading("Helpdesk: app passwords").await;
    }
    b.shot("loading/chromium-embedded-stand-ins-followed-the-host").await;
}

/// The wasm never comes (the network cuts the connection): the sign-in screen standing in
/// for the app says so where the app's banners go, in the person's language; what was
/// typed stays, Sign in is let go and disabled (nothing can be sent).
async fn an_app_that_cannot_be_loaded_is_said(kind: Kind, page: Page) {
    let (_server, base, gate) = page.behind_the_gate().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.client.goto(&base).await.unwrap();
    click(&b, page.find(&b, "[data-prerendered] #ap-username").await).await;
    type_slowly(&b, &format!("{}\u{E007}", NEW.0), Duration::from_millis(5)).await;
    let said = "return root.querySelector('[data-prerendered] [role=alert]')?.textContent ?? null;";
    assert_eq!(page.js(&b, said).await, Value::Null, "nothing said while it may still come");

    gate.send(Gate::Refused).unwrap();
    let unloaded = "The page did not fully load. Check your connection and reload.";
    until("the failure said", || async { page.js(&b, said).await == json!(unloaded) }).await;
    let state = "const button = root.querySelector('button[type=submit]');
        return [root.getElementById('ap-username').value, button.disabled, button.textContent,
                root.getElementById('ap-username').readOnly,
                root.querySelector('.ap-header + [role=alert]') !== null];";
    assert_eq!(page.js(&b, state).await, json!([NEW.0, true, "Sign in", false, true]));
    b.shot(&format!("loading/{kind:?}-{page:?}-cannot-be-loaded").to_lowercase()).await;
}

#[tokio::test]
async fn an_app_that_cannot_be_loaded_is_said_in_chromium() {
    an_app_that_cannot_be_loaded_is_said(Kind::Chromium, Page::Standalone).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_element_that_cannot_be_loaded_is_said_in_firefox() {
    an_app_that_cannot_be_loaded_is_said(Kind::Firefox, Page::Embedded).await;
}

/// A French browser: the sign-in screen standing in is French, on the page and in the
/// element, and so is the app that takes it over — the stand-in's language rule
/// (stand-in.js) and the app's (`Lang::from_browser`) agree.
async fn a_french_browser_is_answered_in_french(kind: Kind) {
    let driver = Driver::start(kind).await;
    for page in [Page::Standalone, Page::Embedded] {
        let (_server, base, gate) = page.behind_the_gate().await;
        let b = driver.browser_speaking("fr-FR", false).await;
        b.client.goto(&base).await.unwrap();
        let heading = "return [root.querySelector('[data-prerendered]') !== null,
            root.querySelector('h1')?.textContent ?? null];";
        page.find(&b, "[data-prerendered] h1").await;
        assert_eq!(page.js(&b, heading).await, json!([true, "Connexion"]), "{page:?}");
        click(&b, page.find(&b, "[data-prerendered] #ap-username").await).await;
        type_slowly(&b, NEW.0, Duration::from_millis(5)).await;
        gate.send(Gate::Open).unwrap();
        page.until_live(&b).await;
        assert_eq!(page.js(&b, heading).await, json!([false, "Connexion"]), "{page:?}");
        let typed = "return root.getElementById('ap-username').value;";
        assert_eq!(page.js(&b, typed).await, json!(NEW.0));
        b.shot(&format!("loading/{kind:?}-{page:?}-french").to_lowercase()).await;
        b.client.close().await.unwrap();
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_french_browser_is_answered_in_french_in_chromium() {
    a_french_browser_is_answered_in_french(Kind::Chromium).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_french_browser_is_answered_in_french_in_firefox() {
    a_french_browser_is_answered_in_french(Kind::Firefox).await;
}

/// A form submitted by another hand than the app's (a password manager's auto-submit
/// calls `form.submit()` or `requestSubmit()`): the browser sends nothing, and nothing
/// typed lands in the host's address — a plain form would GET the host's own URL with
/// the username and password in its query (the portal allows `form-action 'self'`),
/// into its logs, its history and Referer headers. The stand-in's form and the app's;
/// the stand-in keeps `requestSubmit()` as a press, for the app to sign in with.
async fn a_form_submitted_by_another_hand_sends_nothing(kind: Kind) {
    let (_server, base, gate) = Page::Embedded.behind_the_gate().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.client.goto(&base).await.unwrap();
    // Fills the form shown and submits it with each of the ways named.
    let fill_and = "const [ways, password] = arguments;
        const root = document.querySelector('app-passwords').shadowRoot;
        root.getElementById('ap-username').value = 'new.user@contoso.example';
        root.getElementById('ap-password').value = password;
        const form = root.querySelector('form');
        for (const way of ways) form[way]();";
    Page::Embedded.find(&b, "[data-prerendered] form").await;
    let wrong = json!("not-the-password");
    b.client.execute(fill_and, vec![json!(["submit", "requestSubmit"]), wrong]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.client.current_url().await.unwrap().as_str(), format!("{base}/"), "stand-in");

    gate.send(Gate::Open).unwrap();
    let app = Shadow { b: &b, index: 0 };
    // The press kept is the app's sign-in when it comes: a wrong password, said.
    let said = "return document.querySelector('app-passwords').shadowRoot
        .getElementById('ap-form-error')?.textContent ?? null;";
    let wrong_said = json!("The email, username or password is not correct.");
    until("the kept press answered", || async {
        b.client.execute(said, vec![]).await.unwrap() == wrong_said
    })
    .await;
    app.until_heading("Sign in").await;
    // (requestSubmit() there is the app's own sign-in, as Enter is.)
    b.client.execute(fill_and, vec![json!(["submit"]), json!(NEW.1)]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(b.client.current_url().await.unwrap().as_str(), format!("{base}/"), "the app");
    app.until_heading("Sign in").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_submitted_by_another_hand_sends_nothing_in_chromium() {
    a_form_submitted_by_another_hand_sends_nothing(Kind::Chromium).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_form_submitted_by_another_hand_sends_nothing_in_webkit() {
    a_form_submitted_by_another_hand_sends_nothing(Kind::WebKit).await;
}
