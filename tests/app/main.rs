//! Browser tests of the app in headless Chromium: the real components, state machine
//! and i18n, against an in-memory endpoint (`fake.rs`) behind the `Endpoint` trait.
//! Tests wait for a state of the DOM, never for a fixed time.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod answers;
mod embedding;
mod fake;
#[cfg(feature = "admin")]
mod helpdesk;
mod journeys;
mod keys;
mod late;
mod screens;
mod security;
mod sso;
mod timeouts;

use std::rc::Rc;
use std::time::Duration;

use std::cell::{Cell, RefCell};

use app_passwords::api::Token;
use app_passwords::app::{App, AppProps};
use app_passwords::host::{Control, EndpointRef, HostEvent};
use app_passwords::i18n::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::wasm_bindgen_test_configure;
use web_sys::{Element, HtmlElement, HtmlInputElement};
use yew::Callback;

use fake::Fake;

wasm_bindgen_test_configure!(run_in_browser);

/// The app mounted in a fresh element of the test page; destroyed with its element when
/// dropped, so no app of an earlier test is left listening (to the address, the host).
pub struct Ui<C: yew::BaseComponent = App> {
    pub root: Element,
    pub fake: Rc<Fake>,
    /// What the app told its host, in order.
    pub events: Rc<RefCell<Vec<HostEvent>>>,
    pub control: Control,
    /// Its number among the apps [`mounted`].
    mounted: u64,
    _app: std::marker::PhantomData<C>,
}

impl<C: yew::BaseComponent> Drop for Ui<C> {
    fn drop(&mut self) {
        unmount(|n| n == self.mounted);
    }
}

/// An app mounted and not yet destroyed: its number, and what destroys it and removes
/// its element.
type Mounted = (u64, Box<dyn FnOnce()>);

thread_local! {
    static MOUNTED: RefCell<Vec<Mounted>> = RefCell::default();
    /// The next app's number.
    static NEXT: Cell<u64> = const { Cell::new(0) };
    /// Apps numbered below this were mounted by a test that panicked.
    static ORPHANED_BELOW: Cell<u64> = const { Cell::new(0) };
}

/// Keeps `handle`'s app (in `root`) among the mounted ones, and first destroys those a
/// test that panicked left: a panic in wasm is a trap, not an unwinding, so that test
/// never dropped its `Ui`, and its app would go on listening to the address and its host
/// and take the next test's input. The panic hook (set once, before the harness's own)
/// only marks them: destroying an app there could run its code mid-panic.
fn mounted<C: yew::BaseComponent>(root: &Element, handle: yew::AppHandle<C>) -> u64 {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let harness = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            ORPHANED_BELOW.set(NEXT.get());
            harness(info);
        }));
    });
    let orphaned = ORPHANED_BELOW.get();
    unmount(|n| n < orphaned);
    let n = NEXT.replace(NEXT.get() + 1);
    let root = root.clone();
    let destroy = Box::new(move || {
        handle.destroy();
        root.remove();
    });
    MOUNTED.with_borrow_mut(|apps| apps.push((n, destroy)));
    n
}

/// Destroys the mounted apps whose number `which` names.
fn unmount(which: impl Fn(u64) -> bool) {
    let gone = MOUNTED.with_borrow_mut(|apps| {
        let (gone, kept) = std::mem::take(apps).into_iter().partition(|(n, _)| which(*n));
        *apps = kept;
        gone
    });
    for (_, destroy) in gone {
        destroy();
    }
}

impl Ui {
    pub async fn mount(fake: Rc<Fake>, lang: Lang) -> Self {
        Self::mount_with(fake, Some(lang), None).await
    }

    pub async fn mount_with(fake: Rc<Fake>, lang: Option<Lang>, token: Option<&str>) -> Self {
        let doc = gloo_utils::document();
        let root = doc.create_element("div").unwrap();
        doc.body().unwrap().append_child(&root).unwrap();
        let events: Rc<RefCell<Vec<HostEvent>>> = Rc::default();
        let sink = events.clone();
        let control = Control::default();
        let props = AppProps {
            lang,
            api: Some(EndpointRef(fake.clone())),
            session_token: token.map(Token::new),
            on_event: Callback::from(move |e| sink.borrow_mut().push(e)),
            control: control.clone(),
            ..AppProps::default()
        };
        let handle = yew::Renderer::<App>::with_root_and_props(root.clone(), props).render();
        let mounted = mounted(&root, handle);
        let ui = Self { root, fake, events, control, mounted, _app: std::marker::PhantomData };
        ui.until("the app rendered", |ui| ui.has("h1")).await;
        ui
    }

    pub async fn sign_in(&self, password: &str) {
        self.type_in("#ap-username", "nora@contoso.example").await;
        self.type_in("#ap-password", password).await;
        self.click("button[type=submit]").await;
    }

    /// From the choice of methods, registers the authenticator app, up to "Method
    /// verified".
    pub async fn add_the_app(&self) {
        self.until_heading("Choose a method").await;
        self.click("#ap-kind-totp").await;
        self.press("Continue").await;
        self.until_heading("Set up your authenticator app").await;
        self.type_in("#ap-code", fake::GOOD).await;
        self.press("Verify").await;
        self.until_heading("Method verified").await;
    }

    /// Signs in as a first-time user and goes to the method `kind` (`sms`, `email`…),
    /// up to the screen titled `heading`.
    pub async fn start_setup(&self, kind: &str, heading: &str) {
        self.sign_in(fake::PASSWORD).await;
        self.until_heading("Secure your account first").await;
        self.press("Set it up now").await;
        self.click(&format!("#ap-kind-{kind}")).await;
        self.press("Continue").await;
        self.until_heading(heading).await;
    }
}

/// What every mounted app offers its tests: its page read, acted on, waited for.
impl<C: yew::BaseComponent> Ui<C> {
    /// A mounted component, in `root`, on `fake`.
    pub fn new(root: Element, fake: Rc<Fake>, handle: yew::AppHandle<C>) -> Self {
        let (events, control) = (Rc::default(), Control::default());
        let mounted = mounted(&root, handle);
        Self { root, fake, events, control, mounted, _app: std::marker::PhantomData }
    }

    pub fn text(&self) -> String {
        self.root.text_content().unwrap_or_default()
    }

    pub fn has(&self, selector: &str) -> bool {
        self.root.query_selector(selector).unwrap().is_some()
    }

    pub fn q(&self, selector: &str) -> Element {
        self.root
            .query_selector(selector)
            .unwrap()
            .unwrap_or_else(|| panic!("no {selector} in: {}", self.text()))
    }

    pub fn all(&self, selector: &str) -> Vec<Element> {
        let list = self.root.query_selector_all(selector).unwrap();
        (0..list.length()).filter_map(|i| list.item(i)).map(|n| n.unchecked_into()).collect()
    }

    pub fn input(&self, selector: &str) -> HtmlInputElement {
        self.q(selector).unchecked_into()
    }

    pub fn heading(&self) -> String {
        self.q("h1").text_content().unwrap_or_default()
    }

    pub fn attr(&self, selector: &str, name: &str) -> Option<String> {
        self.q(selector).get_attribute(name)
    }

    /// Waits until `cond` holds (up to 10 s), else fails saying what was awaited.
    pub async fn until(&self, what: &str, cond: impl Fn(&Self) -> bool) {
        // 10 s at most: a loaded machine (the suites run side by side) renders slowly.
        for _ in 0..1000 {
            // Read the page only once Yew has finished what it started: past 16 ms it
            // yields to the browser with child components' new props still to apply (a
            // loaded machine saw the sign-in screen drawn under a header that still said
            // "Sign out").
            yew::scheduler::flush().await;
            if cond(self) {
                return;
            }
            yew::platform::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("timed out waiting for {what}; the page says: {}", self.text());
    }

    pub async fn until_heading(&self, heading: &str) {
        self.until(&format!("the heading {heading:?}"), |ui| ui.heading() == heading).await;
    }

    pub async fn until_text(&self, text: &str) {
        self.until(&format!("the text {text:?}"), |ui| ui.text().contains(text)).await;
    }

    pub async fn type_in(&self, selector: &str, text: &str) {
        let input = self.input(selector);
        input.set_value(text);
        input.dispatch_event(&web_sys::InputEvent::new("input").unwrap()).unwrap();
        let want = text.to_owned();
        self.until(&format!("{selector} to hold what was typed"), move |ui| {
            ui.input(selector).value() == want
        })
        .await;
    }

    /// Clicks the element `selector`, once it is there (the screen before may still be
    /// on the page: a loaded machine renders the next one later).
    pub async fn click(&self, selector: &str) {
        self.until(&format!("{selector} to click"), |ui| ui.has(selector)).await;
        self.q(selector).unchecked_into::<HtmlElement>().click();
        settle().await;
    }

    /// Clicks the button whose text is `label`, once it is there and enabled (a screen
    /// may still be loading what the button acts on).
    pub async fn press(&self, label: &str) {
        let enabled = |ui: &Self| ui.button(label).filter(|b| !b.has_attribute("disabled"));
        self.until(&format!("an enabled button {label:?}"), |ui| enabled(ui).is_some()).await;
        if let Some(button) = enabled(self) {
            button.unchecked_into::<HtmlElement>().click();
        }
        settle().await;
    }

    pub fn button(&self, label: &str) -> Option<Element> {
        self.all("button")
            .into_iter()
            .find(|b| b.text_content().unwrap_or_default().trim() == label)
    }

    /// The id of the element that has focus.
    pub fn focused_id(&self) -> Option<String> {
        gloo_utils::document().active_element().map(|e| e.id())
    }

    /// Waits until the element with this id has focus (the app moves it after the render
    /// that draws the element).
    pub async fn until_focused(&self, id: &str) {
        self.until(&format!("#{id} to have focus"), |ui| ui.focused_id().as_deref() == Some(id))
            .await;
    }

    /// The text of the polite live region.
    pub fn announced(&self) -> String {
        self.q("[aria-live=polite]").text_content().unwrap_or_default()
    }
}

pub async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(5)).await;
}

/// Replaces `navigator.clipboard` for this page: `Some(sink)` records what is written
/// in `window.__copied`; `None` removes the API, as on an insecure origin.
pub fn stub_clipboard(present: bool) {
    let f = js_sys::Function::new_with_args(
        "present",
        "window.__copied = null;
         const value = present
           ? { writeText: (t) => { window.__copied = t; return Promise.resolve(); } }
           : undefined;
         Object.defineProperty(navigator, 'clipboard', { value, configurable: true });",
    );
    f.call1(&wasm_bindgen::JsValue::NULL, &present.into()).unwrap();
}

/// Replaces the page's `fetch` with `fetch` (the source of a JS function): the real
/// client (`api::Http`) against a stand-in server. [`restore_fetch`] puts it back.
pub fn replace_fetch(fetch: &str) {
    let body = format!("globalThis.__apFetch ??= globalThis.fetch; globalThis.fetch = {fetch};");
    js_sys::Function::new_no_args(&body).call0(&wasm_bindgen::JsValue::NULL).unwrap();
}

pub fn restore_fetch() {
    let body = "if (globalThis.__apFetch) { globalThis.fetch = globalThis.__apFetch;
                delete globalThis.__apFetch; }";
    js_sys::Function::new_no_args(body).call0(&wasm_bindgen::JsValue::NULL).unwrap();
}

/// What the stubbed clipboard received.
pub fn copied_text() -> Option<String> {
    let w = gloo_utils::window();
    js_sys::Reflect::get(&w, &"__copied".into()).ok().and_then(|v| v.as_string())
}
