//! Security keys and passkeys in the browser (WebAuthn): the endpoint's options (JSON
//! text) go through `PublicKeyCredential.parseCreationOptionsFromJSON()` /
//! `parseRequestOptionsFromJSON()` to `navigator.credentials.create()` / `get()`, and
//! the credential comes back through its own `toJSON()`: the browser does the base64url
//! work, the wasm carries no WebAuthn code (Chrome 129, Firefox 119, Safari 18.4).
//!
//! Everything goes through `Reflect`, as in `clipboard.rs`: a browser without WebAuthn
//! (or without the JSON helpers) is told apart, not thrown through the wasm. The
//! ceremony runs in the document the app is mounted in: embedded, that is the host
//! portal's, whose origin the endpoint must accept (see docs/embedding.md).

use js_sys::{Function, Object, Promise, Reflect, JSON};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// Why a ceremony gave no credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyError {
    /// The person cancelled, no key answered in time, or none was there
    /// (`NotAllowedError`: browsers do not say which, on purpose).
    Cancelled,
    /// This key is registered already (`InvalidStateError`, from `excludeCredentials`).
    AlreadyRegistered,
    /// This browser cannot use security keys (no WebAuthn, or too old for the JSON
    /// helpers).
    Unsupported,
    /// The page's origin does not belong to the relying party the endpoint names
    /// (`SecurityError`): a configuration matter for the administrator.
    WrongSite,
    /// Anything else the browser reported.
    Failed,
}

impl From<KeyError> for crate::errors::UiError {
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Cancelled => Self::KeyCancelled,
            KeyError::AlreadyRegistered => Self::KeyExists,
            KeyError::Unsupported => Self::KeyUnsupported,
            KeyError::WrongSite => Self::KeyWrongSite,
            KeyError::Failed => Self::KeyFailed,
        }
    }
}

/// What the ceremony is for.
#[derive(Clone, Copy)]
enum Ceremony {
    Create,
    Get,
}

fn public_key_credential() -> Option<JsValue> {
    let window = web_sys::window()?;
    let pkc = Reflect::get(&window, &"PublicKeyCredential".into()).ok()?;
    (!pkc.is_undefined() && !pkc.is_null()).then_some(pkc)
}

fn function(on: &JsValue, name: &str) -> Option<Function> {
    Reflect::get(on, &name.into()).ok()?.dyn_into::<Function>().ok()
}

/// Whether this browser can register and use a security key here.
pub fn supported() -> bool {
    public_key_credential().is_some_and(|pkc| {
        function(&pkc, "parseCreationOptionsFromJSON").is_some()
            && function(&pkc, "parseRequestOptionsFromJSON").is_some()
    })
}

/// Registers a new key with the endpoint's creation options; the attestation as JSON.
pub async fn create(options: &str) -> Result<String, KeyError> {
    ceremony(Ceremony::Create, options).await
}

/// Proves a registered key with the endpoint's request options; the assertion as JSON.
pub async fn get(options: &str) -> Result<String, KeyError> {
    ceremony(Ceremony::Get, options).await
}

async fn ceremony(which: Ceremony, options: &str) -> Result<String, KeyError> {
    let pkc = public_key_credential().ok_or(KeyError::Unsupported)?;
    let (parse, call) = match which {
        Ceremony::Create => ("parseCreationOptionsFromJSON", "create"),
        Ceremony::Get => ("parseRequestOptionsFromJSON", "get"),
    };
    let parse = function(&pkc, parse).ok_or(KeyError::Unsupported)?;
    let json = JSON::parse(options).map_err(|_| KeyError::Failed)?;
    let public_key = parse.call1(&pkc, &json).map_err(|_| KeyError::Failed)?;
    let request = Object::new();
    Reflect::set(&request, &"publicKey".into(), &public_key).map_err(|_| KeyError::Failed)?;
    let navigator = web_sys::window().ok_or(KeyError::Unsupported)?.navigator();
    let credentials =
        Reflect::get(&navigator, &"credentials".into()).map_err(|_| KeyError::Unsupported)?;
    let call = function(&credentials, call).ok_or(KeyError::Unsupported)?;
    let promise = call.call1(&credentials, &request).map_err(|e| key_error(&e))?;
    let promise = promise.dyn_into::<Promise>().map_err(|_| KeyError::Failed)?;
    let credential = JsFuture::from(promise).await.map_err(|e| key_error(&e))?;
    let to_json = function(&credential, "toJSON").ok_or(KeyError::Unsupported)?;
    let json = to_json.call0(&credential).map_err(|_| KeyError::Failed)?;
    JSON::stringify(&json).ok().and_then(|s| s.as_string()).ok_or(KeyError::Failed)
}

/// The `DOMException` a ceremony rejected with, as a [`KeyError`].
fn key_error(e: &JsValue) -> KeyError {
    let name = Reflect::get(e, &"name".into()).ok().and_then(|n| n.as_string());
    match name.as_deref() {
        Some("NotAllowedError" | "AbortError") => KeyError::Cancelled,
        Some("InvalidStateError") => KeyError::AlreadyRegistered,
        Some("NotSupportedError") => KeyError::Unsupported,
        Some("SecurityError") => KeyError::WrongSite,
        _ => KeyError::Failed,
    }
}
