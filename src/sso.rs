//! Single sign-on in the browser: the way to the organization's OpenID provider and back.
//!
//! The endpoint sends the person back to the page the sign-in started from, with
//! `#sso=<one-time code>` (or `#sso_error=<problem code>`) in its address: the app takes
//! it out of the address at once and exchanges the code for its session by a POST
//! (`effects::Env::sso_returned`). On the standalone page, the page itself goes to the
//! provider and comes back. An embedded app does not take its host page away: it opens
//! the provider in a window of its own ([`open`]), and that window, back on the host's
//! page (where the app runs too), hands what came back to the app that opened it
//! ([`hand_to_opener`]) and closes.
//!
//! A provider whose pages cut the window from its opener (`Cross-Origin-Opener-Policy`)
//! leaves the window without an opener: the app in it then signs in itself, and the
//! opener's app sees the window closed and stops waiting.

use gloo_timers::callback::Interval;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use crate::host::take_fragment;

/// What the provider's sign-in came back with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Returned {
    /// The one-time code that opens the session (single use, 60 seconds).
    Code(String),
    /// Why it came to nothing: an error code of the endpoint (`sso_failed`, …).
    Problem(String),
}

impl Returned {
    /// What came back in this page's address, taken out of it.
    pub fn take() -> Option<Self> {
        take_fragment("sso")
            .map(Self::Code)
            .or_else(|| take_fragment("sso_error").map(Self::Problem))
    }

    /// As the window hands it over: `sso=<code>` or `sso_error=<code>`.
    fn to_message(&self) -> String {
        match self {
            Self::Code(code) => format!("sso={code}"),
            Self::Problem(code) => format!("sso_error={code}"),
        }
    }

    fn of_message(text: &str) -> Option<Self> {
        let (key, value) = text.split_once('=')?;
        match key {
            "sso" => Some(Self::Code(value.to_owned())),
            "sso_error" => Some(Self::Problem(value.to_owned())),
            _ => None,
        }
    }
}

/// Opens the provider's sign-in (`url`) in a window of its own. Called in the person's
/// click: a window opened later would be blocked. `None` when the browser blocked it all
/// the same.
pub fn open(url: &str) -> Option<web_sys::Window> {
    let window = web_sys::window()?;
    window
        .open_with_url_and_target_and_features(
            url,
            "app-passwords-sso",
            "popup,width=480,height=640",
        )
        .ok()
        .flatten()
}

/// In a window that an app on this same origin opened ([`open`]): hands `back` to it and
/// closes. `false` when this page is no such window (the standalone page came back from
/// the provider itself, or the provider cut the window from its opener).
pub fn hand_to_opener(back: &Returned) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Some(opener) = window.opener().ok().and_then(|o| o.dyn_into::<web_sys::Window>().ok())
    else {
        return false;
    };
    let Ok(origin) = window.location().origin() else { return false };
    // An opener of another origin cannot be read: not a window this app opened.
    if opener.location().origin().ok() != Some(origin.clone()) {
        return false;
    }
    if opener.post_message(&back.to_message().into(), &origin).is_err() {
        return false;
    }
    let _ = window.close();
    true
}

/// How often the opener looks whether the window has been closed.
const POLL_MS: u32 = 250;

/// Waits until `popup` (opened by [`open`]) hands back what the provider said, from this
/// page's own origin; `None` once it is closed without.
pub async fn handed_back(popup: &web_sys::Window) -> Option<Returned> {
    let window = web_sys::window()?;
    let origin = window.location().origin().ok()?;
    let mut waiting = None;
    let answer = js_sys::Promise::new(&mut |resolve: js_sys::Function, _| {
        let on_message = {
            let (resolve, popup, origin) = (resolve.clone(), popup.clone(), origin.clone());
            Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
                let from_popup = e.source().is_some_and(|s| js_sys::Object::is(&s, &popup));
                if from_popup && e.origin() == origin {
                    let _ = resolve.call1(&JsValue::NULL, &e.data());
                }
            })
        };
        let _ =
            window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
        let popup = popup.clone();
        let closed = Interval::new(POLL_MS, move || {
            if popup.closed().unwrap_or(true) {
                let _ = resolve.call0(&JsValue::NULL);
            }
        });
        waiting = Some((on_message, closed));
    });
    let answer = JsFuture::from(answer).await.ok();
    if let Some((on_message, _closed)) = waiting {
        let listener = on_message.as_ref().unchecked_ref();
        let _ = window.remove_event_listener_with_callback("message", listener);
    }
    Returned::of_message(&answer?.as_string()?)
}
