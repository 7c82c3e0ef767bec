//! Copying a secret. The async Clipboard API first; where it is missing (an insecure
//! origin, an old browser) or refused (permission denied, the document not focused),
//! the legacy `execCommand("copy")` on a selected, off-screen field; where that fails
//! too, the caller selects the visible text and tells the person to press Ctrl+C.
//!
//! Everything goes through `Reflect`, not web-sys's `Clipboard` binding: calling a
//! method on an `undefined` `navigator.clipboard` would throw through the wasm.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// How the copy went.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Copied {
    /// The text is on the clipboard.
    Clipboard,
    /// The browser refused: the text is selected for the person to copy by hand.
    Selected,
}

/// Copies `text`; `Selected` means the caller must select it and say how to copy.
pub async fn copy(text: &str) -> Copied {
    if async_clipboard(text).await || exec_command(text) {
        Copied::Clipboard
    } else {
        Copied::Selected
    }
}

async fn async_clipboard(text: &str) -> bool {
    let Some(window) = web_sys::window() else { return false };
    let Ok(clipboard) = Reflect::get(&window.navigator(), &"clipboard".into()) else {
        return false;
    };
    if clipboard.is_undefined() || clipboard.is_null() {
        return false;
    }
    let Ok(write) = Reflect::get(&clipboard, &"writeText".into()) else { return false };
    let Some(write) = write.dyn_ref::<Function>() else { return false };
    let Ok(promise) = write.call1(&clipboard, &JsValue::from_str(text)) else { return false };
    let Ok(promise) = promise.dyn_into::<Promise>() else { return false };
    JsFuture::from(promise).await.is_ok()
}

fn exec_command(text: &str) -> bool {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return false };
    let Some(body) = document.body() else { return false };
    let Ok(area) = document.create_element("textarea") else { return false };
    let Ok(area) = area.dyn_into::<web_sys::HtmlTextAreaElement>() else { return false };
    area.set_value(text);
    let _ = area.set_attribute("readonly", "");
    let _ = area.set_attribute("aria-hidden", "true");
    let _ = area.style().set_property("position", "fixed");
    let _ = area.style().set_property("left", "-9999px");
    if body.append_child(&area).is_err() {
        return false;
    }
    area.select();
    let copied = document
        .dyn_ref::<web_sys::HtmlDocument>()
        .and_then(|d| d.exec_command("copy").ok())
        .unwrap_or(false);
    area.remove();
    copied
}
