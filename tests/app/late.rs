//! Answers that come late, after the person moved on: each is taken only by the request
//! that is still awaited — except a created app password, which is always shown.

use app_passwords::i18n::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::HtmlElement;
use wire::{ErrorCode, Next};

use crate::fake::{self, Fake};
use crate::{settle, Ui};

/// Clicks a button even when it is disabled (as an impatient or scripted user might).
async fn force_click(ui: &Ui, label: &str) {
    let button = ui.button(label).unwrap_or_else(|| panic!("no button {label:?}"));
    button.unchecked_into::<HtmlElement>().click();
    settle().await;
}

#[wasm_bindgen_test]
async fn while_a_password_is_created_back_and_sign_out_wait_and_the_answer_is_shown() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Your app passwords").await;
    ui.press("Create an app password").await;
    ui.until_heading("Name your app password").await;
    ui.type_in("#ap-name", "Thunderbird").await;
    let answer = fake.hold("create");
    ui.press("Create app password").await;
    ui.until("the create to be sent", |ui| ui.fake.creates.borrow().len() == 1).await;

    for label in ["← Back", "Sign out"] {
        let button = ui.button(label).unwrap_or_else(|| panic!("{label} stays in place"));
        assert!(button.has_attribute("disabled"), "{label} waits for the app password");
        force_click(&ui, label).await;
    }
    assert_eq!(ui.heading(), "Name your app password", "still waiting for the answer");
    assert!(!ui.fake.calls.borrow().contains(&"sign_out"), "not signed out meanwhile");

    answer.release();
    ui.until_heading("Your app password").await;
    assert!(ui.text().contains("abcd efgh ijkl mnop"), "{}", ui.text());
    assert!(ui.button("← Back").is_none());
    // The header is a component of its own: it follows the screen in a later render.
    let live = |ui: &Ui| ui.button("Sign out").is_some_and(|b| !b.has_attribute("disabled"));
    ui.until("Sign out to be live again", live).await;
}

#[wasm_bindgen_test]
async fn after_back_a_late_answer_neither_moves_the_person_nor_shows_its_error() {
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.start_setup("sms", "Add your mobile phone").await;
    ui.type_in("#ap-phone", "+33 6 12 34 56 78").await;

    // A late success: the code screen must not appear over where the person went.
    let answer = fake.hold("enroll");
    ui.press("Send code").await;
    ui.until("the enrollment to be sent", |ui| ui.fake.enrollments.borrow().len() == 1).await;
    ui.press("← Back").await;
    ui.until_heading("Choose a method").await;
    answer.release();
    ui.until("the late answer to arrive", |_| fake.held_count() == 0).await;
    settle().await;
    assert_eq!(ui.heading(), "Choose a method");
    assert!(!ui.button("Continue").unwrap().has_attribute("disabled"), "nothing pending");

    // A late failure: no error on the screen the person is on.
    ui.press("Continue").await;
    ui.until_heading("Add your mobile phone").await;
    let undelivered = fake::problem(ErrorCode::DeliveryFailed, 502, |_| {});
    *fake.fail_next.borrow_mut() = Some(("enroll", undelivered));
    let answer = fake.hold("enroll");
    ui.press("Send code").await;
    ui.press("← Back").await;
    ui.until_heading("Choose a method").await;
    answer.release();
    ui.until("the late answer to arrive", |_| fake.held_count() == 0).await;
    settle().await;
    assert!(!ui.has(".ap-error"), "no error on Choose: {}", ui.text());
    assert!(!ui.button("Continue").unwrap().has_attribute("disabled"), "nothing pending");
}
