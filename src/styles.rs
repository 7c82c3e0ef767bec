//! The screens after sign-in's stylesheet (styles/journey.css). The first visit carries
//! only the rules of the sign-in screen and of the chrome around every screen
//! (styles/app.css: the page's stylesheet, the element's); these come with the chunk of
//! the screens that use them (lazy.rs), or with the admin mode's bundle, and are adopted
//! by the document or the shadow root the app is in.

use js_sys::{Array, Reflect};
use wasm_bindgen::JsValue;

/// The rules of the screens after sign-in.
const JOURNEY: &str = include_str!("../styles/journey.css");

thread_local! {
    /// One constructed stylesheet, shared by every document and shadow root adopting it.
    static SHEET: Option<web_sys::CssStyleSheet> = sheet(JOURNEY);
}

fn sheet(css: &str) -> Option<web_sys::CssStyleSheet> {
    let sheet = web_sys::CssStyleSheet::new().ok()?;
    sheet.replace_sync(css).ok()?;
    Some(sheet)
}

/// Adds the screens after sign-in's rules to the document or shadow root that `node` is
/// in (once: adopting them again changes nothing).
pub fn adopt_journey(node: &web_sys::Node) {
    let Some(sheet) = SHEET.with(Clone::clone) else { return };
    let root = node.get_root_node();
    let key = JsValue::from_str("adoptedStyleSheets");
    let Ok(adopted) = Reflect::get(&root, &key) else { return };
    let adopted = Array::from(&adopted);
    if !adopted.includes(&sheet, 0) {
        adopted.push(&sheet);
        let _ = Reflect::set(&root, &key, &adopted);
    }
}
