//! app-passwords: the browser module that takes a work or school user from sign-in,
//! through MFA enrollment, to an app password they can copy.
//!
//! - `state`: the journey as one state machine (no I/O);
//! - `app`: the root component, turning what the person asks for into requests;
//! - `api`: the typed client of the identity endpoint;
//! - `screens`, `components`: the views; `i18n`: the messages; `clipboard`: Copy;
//! - `embed`: `mount()` and the events for host pages; `sso`: the way to the
//!   organization's provider and back;
//! - `lazy`: the screens after sign-in, fetched when they are about to be needed, with
//!   their stylesheet (`styles`).
// No unsafe code but the split point's loader (`lazy`), which `wasm_split` generates.
#![deny(unsafe_code)]

#[cfg(feature = "admin")]
pub mod admin;
pub mod announcements;
pub mod api;
pub mod app;
pub mod clipboard;
pub mod components;
pub mod effects;
pub mod embed;
pub mod errors;
pub mod host;
pub mod i18n;
pub mod intent;
pub mod lazy;
pub mod passkey;
pub mod screens;
pub mod sso;
pub mod state;
pub mod styles;

pub use embed::mount;

/// Runs when the module loads (`main`): on the standalone page (index.html) mounts the
/// app on its `[data-app-passwords-page]` element; on a host page does nothing, the host
/// mounts it (the `<app-passwords>` element or `mount()`).
pub fn start() {
    let root = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector("[data-app-passwords-page]").ok().flatten());
    if let Some(root) = root {
        embed::linked_styles(&root);
        yew::Renderer::<app::App>::with_root_and_props(root, app::AppProps::default()).render();
    }
}
