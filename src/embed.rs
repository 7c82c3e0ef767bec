//! Embedding in a host page: `mount(element, options)` for hosts that call code, used
//! by the `<app-passwords>` custom element defined in `embed/app-passwords.js`. Events
//! reach the host as DOM `CustomEvent`s (`app-passwords:signed-in`, …) that bubble out
//! of a shadow root; their `detail` never holds a secret.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use yew::prelude::*;
use yew::AppHandle;

use crate::api::Token;
use crate::app::{App, AppProps};
use crate::host::{Control, HostCommand, HostEvent};
use crate::i18n::Lang;

/// A running app, as the host holds it.
#[wasm_bindgen]
pub struct Mounted {
    handle: Option<AppHandle<App>>,
    control: Control,
}

#[wasm_bindgen]
impl Mounted {
    /// Removes the app and everything it started (listeners, timers, requests' effects).
    pub fn unmount(&mut self) {
        if let Some(handle) = self.handle.take() {
            handle.destroy();
        }
    }

    /// `"en"`, `"fr"`, or `""` for the browser's languages.
    #[wasm_bindgen(js_name = setLang)]
    pub fn set_lang(&self, lang: &str) {
        self.control.send(HostCommand::SetLang(Lang::from_tag(lang)));
    }

    /// Hands over the host's session: the app skips sign-in. An empty token: the host's
    /// user signed out, and so does the app.
    #[wasm_bindgen(js_name = setSessionToken)]
    pub fn set_session_token(&self, token: &str) {
        self.control.send(match token {
            "" => HostCommand::SignOut,
            token => HostCommand::SetSessionToken(Token::new(token)),
        });
    }
}

/// The non-empty text option `name` of a host's `options`.
pub(crate) fn text_option(options: &JsValue, name: &str) -> Option<String> {
    Reflect::get(options, &name.into()).ok().and_then(|v| v.as_string()).filter(|s| !s.is_empty())
}

/// The event's name and `detail`.
fn describe(event: &HostEvent) -> (&'static str, Object) {
    let detail = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&detail, &k.into(), &v);
    };
    let name = match event {
        HostEvent::SignedIn { username } => {
            set("username", username.into());
            "signed-in"
        }
        HostEvent::MethodRegistered { kind } => {
            set("kind", kind.as_str().into());
            "method-registered"
        }
        HostEvent::AppPasswordCreated { id, name } => {
            set("id", id.into());
            set("name", name.into());
            "app-password-created"
        }
        HostEvent::AppPasswordRevoked { id } => {
            set("id", id.as_deref().map_or(JsValue::NULL, JsValue::from));
            set("all", id.is_none().into());
            "app-password-revoked"
        }
        HostEvent::SignedOut => "signed-out",
        HostEvent::SessionExpired => "session-expired",
    };
    (name, detail)
}

/// Sends the host `app-passwords:{name}` with `detail`: bubbling, and out of the shadow
/// root (composed).
pub fn emit(target: &web_sys::EventTarget, name: &str, detail: &Object) {
    let init = web_sys::CustomEventInit::new();
    init.set_bubbles(true);
    init.set_composed(true);
    init.set_detail(detail);
    let type_ = format!("app-passwords:{name}");
    if let Ok(e) = web_sys::CustomEvent::new_with_event_init_dict(&type_, &init) {
        let _ = target.dispatch_event(&e);
    }
}

/// Where the screens after sign-in are linked in (not split off: the tests), their
/// stylesheet is adopted where the app mounts (split off, it comes with them: app.rs).
pub(crate) fn linked_styles(root: &web_sys::Element) {
    if let Some(journey) = crate::lazy::journey() {
        (journey.adopt_styles)(root);
    }
}

/// Mounts the app in `element`. `options`: `endpoint` (base URL of the identity
/// endpoint; default the page's origin), `lang` (`"en"`, `"fr"`; default the browser's
/// languages), `sessionToken` (the host's session), `events` (the `EventTarget` that
/// receives the events; default `element`).
#[wasm_bindgen]
pub fn mount(element: web_sys::Element, options: JsValue) -> Mounted {
    let target: web_sys::EventTarget = Reflect::get(&options, &"events".into())
        .ok()
        .and_then(|v| v.dyn_into().ok())
        .unwrap_or_else(|| element.clone().into());
    let on_event = Callback::from(move |event: HostEvent| {
        let (name, detail) = describe(&event);
        emit(&target, name, &detail);
    });
    let control = Control::default();
    let props = AppProps {
        endpoint: text_option(&options, "endpoint").unwrap_or_default().into(),
        lang: text_option(&options, "lang").and_then(|l| Lang::from_tag(&l)),
        api: None,
        session_token: text_option(&options, "sessionToken").map(Token::new),
        on_event,
        control: control.clone(),
        embedded: true,
    };
    crate::embed::linked_styles(&element);
    let handle = yew::Renderer::<App>::with_root_and_props(element, props).render();
    Mounted { handle: Some(handle), control }
}
