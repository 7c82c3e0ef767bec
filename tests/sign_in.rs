//! Browser tests of the sign-in screen, in headless Chromium.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

use app_passwords::screens::sign_in::{Credentials, SignIn, SignInProps};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Element, HtmlButtonElement, HtmlInputElement};
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fresh_root() -> Element {
    let doc = gloo_utils::document();
    let root = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&root).unwrap();
    root
}

async fn settle() {
    yew::platform::time::sleep(Duration::from_millis(10)).await;
}

fn type_into(input: &HtmlInputElement, text: &str) {
    input.set_value(text);
    let ev = web_sys::InputEvent::new("input").unwrap();
    input.dispatch_event(&ev).unwrap();
}

#[wasm_bindgen_test]
async fn sign_in_form_has_labelled_autocomplete_fields_and_submits_what_was_typed() {
    let root = fresh_root();
    let got: Rc<RefCell<Option<Credentials>>> = Rc::default();
    let sink = got.clone();
    let props = SignInProps {
        on_submit: Callback::from(move |c| *sink.borrow_mut() = Some(c)),
        busy: false,
        error: None,
    };
    yew::Renderer::<SignIn>::with_root_and_props(root.clone(), props).render();
    settle().await;

    let user: HtmlInputElement =
        root.query_selector("#ap-username").unwrap().unwrap().unchecked_into();
    let pass: HtmlInputElement =
        root.query_selector("#ap-password").unwrap().unwrap().unchecked_into();
    assert_eq!(user.get_attribute("autocomplete").as_deref(), Some("username"));
    assert_eq!(pass.get_attribute("autocomplete").as_deref(), Some("current-password"));
    assert_eq!(pass.type_(), "password");
    let label = root.query_selector("label[for=ap-username]").unwrap().unwrap();
    assert_eq!(label.text_content().as_deref(), Some("Email or username"));

    type_into(&user, "  new.user@contoso.example ");
    type_into(&pass, "Demo-new-2026");
    settle().await;
    let button: HtmlButtonElement =
        root.query_selector("button[type=submit]").unwrap().unwrap().unchecked_into();
    assert_eq!(button.text_content().as_deref(), Some("Sign in"));
    button.click();
    settle().await;

    let creds = got.borrow().clone().expect("the form was submitted");
    assert_eq!(creds.username, "new.user@contoso.example");
    assert_eq!(creds.password, "Demo-new-2026");
    assert!(!format!("{creds:?}").contains("Demo-new-2026"), "Debug leaks the password");
}

#[wasm_bindgen_test]
async fn sign_in_error_is_shown_as_an_alert_tied_to_the_form() {
    let root = fresh_root();
    let props = SignInProps {
        on_submit: Callback::noop(),
        busy: false,
        error: Some("The username or password is not correct.".into()),
    };
    yew::Renderer::<SignIn>::with_root_and_props(root.clone(), props).render();
    settle().await;
    let alert = root.query_selector("[role=alert]").unwrap().expect("an alert");
    assert_eq!(alert.text_content().as_deref(), Some("The username or password is not correct."));
    let form = root.query_selector("form").unwrap().unwrap();
    assert_eq!(form.get_attribute("aria-describedby"), alert.get_attribute("id"));
}
