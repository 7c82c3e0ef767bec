//! app-passwords: the browser module that takes a work or school user from sign-in,
//! through MFA enrollment, to an app password they can copy.
//!
//! - `state`: the journey as one state machine (no I/O);
//! - `app`: the root component, turning what the person asks for into requests;
//! - `api`: the typed client of the identity endpoint;
//! - `screens`, `components`: the views; `i18n`: the messages; `clipboard`: Copy.
#![forbid(unsafe_code)]

pub mod api;
pub mod app;
pub mod clipboard;
pub mod components;
pub mod errors;
pub mod i18n;
pub mod screens;
pub mod state;

use wasm_bindgen::JsCast;

/// Mounts the app on the page's `#app` element (or `<body>` when there is none).
pub fn mount_standalone() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let root =
        document.get_element_by_id("app").or_else(|| document.body().map(|b| b.unchecked_into()));
    if let Some(root) = root {
        yew::Renderer::<app::App>::with_root_and_props(root, app::AppProps::default()).render();
    }
}
