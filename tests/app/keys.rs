//! Security keys in the app: the browser's WebAuthn prompt stood in for by a
//! `navigator.credentials` that answers as told (the real ceremonies, with a virtual
//! authenticator, are in e2e/), against the in-memory endpoint. What is checked here is
//! the app's part: the options it hands the browser, and what it says when the browser
//! or the endpoint says no.

use app_passwords::i18n::Lang;
use wasm_bindgen_test::*;
use wire::{MethodKind, Next};

use crate::fake::{self, Fake};
use crate::Ui;

/// Replaces `navigator.credentials`: `create`/`get` answer with `answer` (a credential
/// whose `toJSON()` is that object) or reject with a `DOMException` named `error`.
/// Each call's `publicKey` is kept in `window.__keyCalls`.
fn stub_key(answer: Option<&str>, error: Option<&str>) {
    let f = js_sys::Function::new_with_args(
        "answer, error",
        "window.__keyCalls = [];
         const ceremony = (options) => {
           window.__keyCalls.push(options.publicKey);
           return error
             ? Promise.reject(new DOMException('stand-in', error))
             : Promise.resolve({ toJSON: () => JSON.parse(answer) });
         };
         Object.defineProperty(navigator, 'credentials',
           { value: { create: ceremony, get: ceremony }, configurable: true });",
    );
    f.call2(&wasm_bindgen::JsValue::NULL, &answer.into(), &error.into()).unwrap();
}

fn unstub_key() {
    js_sys::Function::new_no_args("delete navigator.credentials;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}

/// How many ceremonies ran, and whether the last one got binary options (the JSON
/// helpers ran: a challenge as an ArrayBuffer, not a string).
fn key_calls() -> (u32, bool) {
    let f = js_sys::Function::new_no_args(
        "const c = window.__keyCalls || [];
         const last = c[c.length - 1];
         return [c.length, !!last && last.challenge instanceof ArrayBuffer];",
    );
    let v: js_sys::Array = f.call0(&wasm_bindgen::JsValue::NULL).unwrap().into();
    (v.get(0).as_f64().unwrap_or(0.0) as u32, v.get(1).as_bool().unwrap_or(false))
}

async fn to_key_screen(ui: &Ui, name: &str) {
    ui.start_setup("passkey", "Name your security key").await;
    assert!(ui.text().contains("Step 2 of 4"));
    ui.type_in("#ap-key-name", name).await;
    ui.press("Register the key").await;
    ui.until_heading("Register your security key").await;
}

#[wasm_bindgen_test]
async fn a_key_is_named_registered_through_the_browser_and_the_journey_goes_on() {
    stub_key(Some(fake::KEY_ANSWER), None);
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    to_key_screen(&ui, "YubiKey 5C").await;
    assert!(ui.text().contains("Step 3 of 4"));
    ui.press("Register with my key").await;
    ui.until_heading("Method verified").await;
    assert_eq!(key_calls(), (1, true), "the browser got parsed options once");
    assert!(ui.text().contains("YubiKey 5C"), "{}", ui.text());
    let asked = fake.enrollments.borrow().last().cloned();
    assert_eq!(asked, Some(wire::EnrollmentRequest::Passkey { name: "YubiKey 5C".into() }));
    ui.press("Next").await;
    ui.until_heading("Name your app password").await;
    unstub_key();
}

#[wasm_bindgen_test]
async fn a_cancelled_key_says_so_and_another_method_is_one_click_away() {
    stub_key(None, Some("NotAllowedError"));
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    to_key_screen(&ui, "").await;
    ui.press("Register with my key").await;
    ui.until_text("The security key did not answer").await;
    assert!(ui.button("Register with my key").is_some(), "trying again is offered");
    ui.press("← Use another method").await;
    ui.until_heading("Choose a method").await;

    // A key registered already, and one the endpoint refuses, each say so.
    stub_key(None, Some("InvalidStateError"));
    ui.click("#ap-kind-passkey").await;
    ui.press("Continue").await;
    ui.until_heading("Name your security key").await;
    ui.press("Register the key").await;
    ui.until_heading("Register your security key").await;
    ui.press("Register with my key").await;
    ui.until_text("This security key is already registered.").await;
    stub_key(Some(r#"{"id":"someone-elses"}"#), None);
    ui.press("Register with my key").await;
    ui.until_text("The security key's answer was not accepted. 4 tries left.").await;
    unstub_key();
}

#[wasm_bindgen_test]
async fn a_browser_without_webauthn_offers_the_key_disabled_and_says_why() {
    let hide = js_sys::Function::new_no_args(
        "window.__pkc = window.PublicKeyCredential; delete window.PublicKeyCredential;",
    );
    hide.call0(&wasm_bindgen::JsValue::NULL).unwrap();
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::Fr).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Sécurisez d’abord votre compte").await;
    ui.press("Configurer maintenant").await;
    ui.until_heading("Choisissez une méthode").await;
    assert!(ui.input("#ap-kind-passkey").disabled(), "the option cannot be picked");
    assert!(ui.text().contains("Ce navigateur ne peut pas utiliser de clé de sécurité."));
    assert!(!ui.input("#ap-kind-totp").disabled(), "the others can");
    js_sys::Function::new_no_args("window.PublicKeyCredential = window.__pkc;")
        .call0(&wasm_bindgen::JsValue::NULL)
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_returning_user_proves_a_key_named_with_its_last_use() {
    stub_key(Some(fake::KEY_ANSWER), None);
    let fake = Fake::new(Next::MfaChallenge).with_method(MethodKind::Passkey, "Work laptop");
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Verify it is you").await;
    assert!(ui.text().contains("Use Work laptop"), "{}", ui.text());
    assert!(ui.text().contains("last used"), "{}", ui.text());
    ui.press("Use Work laptop").await;
    ui.until_heading("Use your security key").await;
    assert!(ui.text().contains("“Work laptop”"));
    ui.press("Use my key").await;
    ui.until_heading("Your app passwords").await;
    assert_eq!(key_calls(), (1, true));
    unstub_key();
}
