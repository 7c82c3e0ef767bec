//! Single sign-on in the browser: the way to the organization's OpenID provider and back.
//!
//! The endpoint sends the browser back to the page the sign-in started from, with
//! `#sso=<one-time code>` (or `#sso_error=<problem code>`) in its address: the app takes
//! it out of the address at once and exchanges the code for its session by a POST
//! (`effects::Env::sso_returned`). On the standalone page, the page itself goes to the
//! provider and comes back. An embedded app does not take its host page away: it opens
//! the provider in a window of its own ([`open`]), and reads what came back in that
//! window's address once it is back on the host's own origin ([`handed_back`]), then
//! closes it; the app in that window leaves the address alone for it ([`Returned::take`]).
//!
//! A provider whose pages cut the window from its opener (`Cross-Origin-Opener-Policy`)
//! leaves the window without an opener: the app in it then signs in itself, and the
//! opener's app sees the window closed and stops waiting.

use crate::host::{fragment_value, take_fragment};

/// What the provider's sign-in came back with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Returned {
    /// The one-time code that opens the session (single use, 60 seconds).
    Code(String),
    /// Why it came to nothing: an error code of the endpoint (`sso_failed`, …).
    Problem(String),
}

impl Returned {
    /// What came back in this page's address, taken out of it — unless this page is the
    /// window an embedded app opened (`embedded`, with an opener), which that app reads.
    pub fn take(embedded: bool) -> Option<Self> {
        if embedded && web_sys::window().and_then(|w| w.opener().ok()).is_some_and(|o| !o.is_null())
        {
            return None;
        }
        take_fragment("sso")
            .map(Self::Code)
            .or_else(|| take_fragment("sso_error").map(Self::Problem))
    }

    /// What an address's fragment (`#…`) says came back, if anything.
    fn of_fragment(hash: &str) -> Option<Self> {
        fragment_value(hash, "sso")
            .map(Self::Code)
            .or_else(|| fragment_value(hash, "sso_error").map(Self::Problem))
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

/// How often the opener looks at the window.
const POLL_MS: u32 = 250;

/// Waits until `popup` (opened by [`open`]) is back on this page's origin with what the
/// provider said in its address, and closes it; `None` once it is closed without. (While
/// it shows the provider, another origin, its address cannot be read.)
pub async fn handed_back(popup: &web_sys::Window) -> Option<Returned> {
    loop {
        gloo_timers::future::TimeoutFuture::new(POLL_MS).await;
        if popup.closed().unwrap_or(true) {
            return None;
        }
        let hash = popup.location().hash().ok();
        if let Some(back) = hash.as_deref().and_then(Returned::of_fragment) {
            let _ = popup.close();
            return Some(back);
        }
    }
}
