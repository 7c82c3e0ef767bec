//! What passes between the app and the page that embeds it: the events it tells the
//! host (`embed.rs` turns them into DOM events), the commands the host sends, and the
//! slots through which they travel.

use std::rc::Rc;

use wire::MethodKind;
use yew::Callback;

use crate::api::{Endpoint, Token};
use crate::i18n::Lang;

/// What the app tells the page that embeds it (as DOM `CustomEvent`s, see `embed.rs`).
/// Never a secret: an app password is named by its id and name only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostEvent {
    SignedIn { username: String },
    MethodRegistered { kind: MethodKind },
    AppPasswordCreated { id: String, name: String },
    AppPasswordRevoked { id: Option<String> },
    SignedOut,
    SessionExpired,
}

/// What the embedding page can change on a running app.
pub enum HostCommand {
    SetLang(Option<Lang>),
    /// The host's user is signed in: use this session (skips the sign-in screen).
    SetSessionToken(Token),
    /// The host's user signed out: so does the app (the host ends its session itself).
    SignOut,
}

/// A slot through which the host reaches the running app; compared by identity. What
/// the host sends before the app listens (right after `mount()` returns, before the
/// first render) waits in it and is delivered, in order, when the app starts listening.
#[derive(Clone, Default)]
pub struct Control(Rc<std::cell::RefCell<Slot>>);

#[derive(Default)]
struct Slot {
    listener: Option<Callback<HostCommand>>,
    waiting: Vec<HostCommand>,
}

impl PartialEq for Control {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Control {
    pub fn send(&self, command: HostCommand) {
        let listener = self.0.borrow().listener.clone();
        match listener {
            Some(listener) => listener.emit(command),
            None => self.0.borrow_mut().waiting.push(command),
        }
    }

    /// The app listens: what waited is delivered first.
    pub fn listen(&self, listener: Callback<HostCommand>) {
        self.0.borrow_mut().listener = Some(listener);
        let waiting = std::mem::take(&mut self.0.borrow_mut().waiting);
        waiting.into_iter().for_each(|command| self.send(command));
    }

    /// The app stops listening (unmounted, or given another slot).
    pub fn stop(&self) {
        self.0.borrow_mut().listener = None;
    }
}

/// An endpoint handed in by the host (or a test); compared by identity.
#[derive(Clone)]
pub struct EndpointRef(pub Rc<dyn Endpoint>);

impl PartialEq for EndpointRef {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The value of `#<key>=<value>` in the page's address (a notice's "this wasn't me"
/// link: `disown`; the way back from the organization's provider: `sso`, `sso_error`),
/// taken out of the address at once: not left in the history, the address bar or a
/// bookmark. `None` when the address carries no such fragment, and off the browser (the
/// sign-in screen drawn at build time, crates/prerender).
pub fn take_fragment(key: &str) -> Option<String> {
    if cfg!(not(target_arch = "wasm32")) {
        return None;
    }
    let window = web_sys::window()?;
    let location = window.location();
    let value = fragment_value(&location.hash().ok()?, key)?;
    let clean = format!("{}{}", location.pathname().ok()?, location.search().ok()?);
    if let Ok(history) = window.history() {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean));
    }
    Some(value)
}

/// The value of `#<key>=<value>` in an address's fragment (`hash`), if not empty.
pub fn fragment_value(hash: &str, key: &str) -> Option<String> {
    let value = hash.get(1..)?.strip_prefix(key)?.strip_prefix("=")?.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// The page's address without its fragment.
pub fn page_address() -> Option<String> {
    let href = web_sys::window()?.location().href().ok()?;
    Some(href.split('#').next().unwrap_or_default().to_owned())
}
