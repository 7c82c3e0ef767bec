//! Each screen's behaviour and error paths.

use app_passwords::i18n::Lang;
use wasm_bindgen_test::*;
use wire::{ErrorCode, MethodKind, Next, NotAvailableReason};

use crate::fake::{self, Fake};
use crate::Ui;

#[wasm_bindgen_test]
async fn sign_in_fields_are_labelled_with_autocomplete_and_empty_fields_are_named() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    assert_eq!(ui.heading(), "Sign in");
    assert_eq!(ui.q("label[for=ap-username]").text_content().unwrap(), "Email or username");
    assert_eq!(ui.q("label[for=ap-password]").text_content().unwrap(), "Password");
    assert_eq!(ui.attr("#ap-username", "autocomplete").as_deref(), Some("username"));
    assert_eq!(ui.attr("#ap-password", "autocomplete").as_deref(), Some("current-password"));
    assert_eq!(ui.input("#ap-password").type_(), "password");

    ui.press("Sign in").await;
    ui.until_text("Enter your email or username.").await;
    assert_eq!(ui.attr("#ap-username", "aria-invalid").as_deref(), Some("true"));
    assert_eq!(ui.attr("#ap-username", "aria-describedby").as_deref(), Some("ap-username-error"));
    // Two fields: an error summary at the top, announced and focused, links to the field
    // (whose own message is then not announced a second time).
    ui.until_focused("ap-error-summary").await;
    assert_eq!(ui.attr("#ap-error-summary", "role").as_deref(), Some("alert"));
    assert!(ui.q("#ap-error-summary").text_content().unwrap().starts_with("There is a problem"));
    assert_eq!(ui.attr("#ap-username-error", "role"), None);
    ui.click("#ap-error-summary a").await;
    ui.until_focused("ap-username").await;
    ui.type_in("#ap-username", "nora@contoso.example").await;
    ui.until("the error to go once the field is edited", |ui| !ui.has("#ap-username-error")).await;
    ui.press("Sign in").await;
    ui.until_text("Enter your password.").await;
    assert_eq!(ui.attr("#ap-password", "aria-describedby").as_deref(), Some("ap-password-error"));
    assert!(ui.fake.calls.borrow().iter().all(|c| *c == "sso"), "nothing was sent");
}

#[wasm_bindgen_test]
async fn wrong_password_throttling_and_a_dead_network_each_say_what_happened() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.sign_in("wrong").await;
    ui.until_text("The email, username or password is not correct.").await;
    let alert = ui.q("[role=alert]");
    assert_eq!(ui.attr("form", "aria-describedby"), alert.get_attribute("id"));
    assert_eq!(ui.input("#ap-username").value(), "nora@contoso.example", "nothing lost");

    ui.fake.throttled.set(Some(42));
    ui.press("Sign in").await;
    ui.until_text("Too many attempts. Try again in 42 s.").await;

    ui.fake.throttled.set(None);
    // The organization's directory, which checks the password, does not answer.
    let down = fake::problem(ErrorCode::DirectoryUnavailable, 503, |p| p.retry_after = Some(30));
    *ui.fake.fail_next.borrow_mut() = Some(("sign_in", down));
    ui.press("Sign in").await;
    ui.until_text("Your organization’s directory can’t be reached right now. Try again in 30 s.")
        .await;
    assert_eq!(ui.input("#ap-username").value(), "nora@contoso.example", "nothing lost");

    ui.fake.offline.set(true);
    ui.press("Sign in").await;
    ui.until_text("The sign-in service cannot be reached. Check your connection and try again")
        .await;
    ui.until_text("this page tries again on its own").await; // the banner
    ui.fake.offline.set(false);
    ui.until("the banner to go when the endpoint is back", |ui| {
        !ui.text().contains("tries again on its own")
    })
    .await;
    assert_eq!(ui.announced(), "Connected again.");
    ui.type_in("#ap-password", fake::PASSWORD).await;
    ui.press("Sign in").await;
    ui.until_heading("Secure your account first").await;
}

#[wasm_bindgen_test]
async fn not_available_explains_both_reasons_and_who_to_ask_in_both_languages() {
    let cases = [
        (
            NotAvailableReason::MfaNotRequired,
            Lang::En,
            "has not made multi-factor authentication required",
        ),
        (NotAvailableReason::AppPasswordsDisabled, Lang::En, "has turned off app passwords"),
        (
            NotAvailableReason::MfaNotRequired,
            Lang::Fr,
            "n’a pas rendu l’authentification multifacteur obligatoire",
        ),
        (
            NotAvailableReason::AppPasswordsDisabled,
            Lang::Fr,
            "a désactivé les mots de passe d’application",
        ),
    ];
    for (reason, lang, says) in cases {
        let fake = Fake::new(Next::NotAvailable);
        fake.reason.set(Some(reason));
        let ui = Ui::mount(fake, lang).await;
        ui.sign_in(fake::PASSWORD).await;
        ui.until_text(says).await;
        let ask = if lang == Lang::En {
            "ask your administrator"
        } else {
            "adressez-vous à votre administrateur"
        };
        assert!(ui.text().contains(ask), "{}", ui.text());
        assert!(
            ui.button("Set it up now").is_none() && ui.button("Configurer maintenant").is_none()
        );
    }
}

#[wasm_bindgen_test]
async fn choose_offers_only_the_methods_the_admin_allows_as_a_radio_group() {
    let fake = Fake::new(Next::MfaSetup);
    *fake.allowed.borrow_mut() = vec![MethodKind::Totp, MethodKind::Email];
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Secure your account first").await;
    ui.press("Set it up now").await;
    ui.until_heading("Choose a method").await;
    assert!(ui.text().contains("Step 1 of 4"));
    assert_eq!(ui.all("input[type=radio]").len(), 2);
    assert!(ui.text().contains("Authenticator app") && ui.text().contains("Email"));
    assert!(!ui.text().contains("Text message") && !ui.text().contains("Phone call"));
    assert!(ui.has("fieldset legend"), "the group is labelled");
    assert!(ui.button("Continue").unwrap().has_attribute("disabled"), "nothing chosen yet");
    ui.click("#ap-kind-email").await;
    ui.until("Continue to be enabled", |ui| {
        ui.button("Continue").is_some_and(|b| !b.has_attribute("disabled"))
    })
    .await;
}

#[wasm_bindgen_test]
async fn phone_numbers_are_checked_before_sending_and_back_keeps_them() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.start_setup("sms", "Add your mobile phone").await;
    assert!(ui.text().contains("Step 2 of 4"));
    assert!(ui.q("#ap-phone-hint").text_content().unwrap().contains("+33 6 12 34 56 78"));
    assert_eq!(ui.attr("#ap-phone", "type").as_deref(), Some("tel"));

    ui.type_in("#ap-phone", "06 12 34 56 78").await;
    ui.press("Send code").await;
    ui.until_text("Enter the number with its country code").await;
    assert_eq!(
        ui.attr("#ap-phone", "aria-describedby").as_deref(),
        Some("ap-phone-hint ap-phone-error")
    );
    assert!(ui.fake.enrollments.borrow().is_empty(), "an invalid number is not sent");

    ui.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    ui.press("Send code").await;
    ui.until_heading("Enter the code").await;
    assert!(ui.text().contains("We texted a code to +33 ••• •• 78."));
    assert_eq!(ui.announced(), "Code sent to +33 ••• •• 78.");
    ui.press("← Back").await;
    ui.until_heading("Add your mobile phone").await;
    assert_eq!(ui.input("#ap-phone").value(), "+33 6 12 34 56 78", "Back lost the number");
}

#[wasm_bindgen_test]
async fn code_field_accepts_pasted_spaces_and_each_failure_has_its_own_message() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.start_setup("email", "Add an email address").await;
    ui.type_in("#ap-email", "not-an-address").await;
    ui.press("Send code").await;
    ui.until_text("Enter an email address such as name@example.com.").await;
    ui.type_in("#ap-email", "nora.home@example.com").await;
    ui.press("Send code").await;
    ui.until_heading("Enter the code").await;
    assert!(ui.text().contains("We emailed a code to n•••@example.com."));
    assert!(ui.q("label[for=ap-code]").text_content().unwrap().contains("code"));
    assert_eq!(ui.attr("#ap-code", "autocomplete").as_deref(), Some("one-time-code"));
    assert_eq!(ui.attr("#ap-code", "inputmode").as_deref(), Some("numeric"));

    // The resend button counts down, disabled.
    let resend = ui
        .all("button")
        .into_iter()
        .find(|b| b.text_content().unwrap().starts_with("Send a new code in"))
        .unwrap();
    assert!(resend.has_attribute("disabled"));
    assert!(resend.text_content().unwrap().ends_with(" s"));

    for (code, says) in [
        ("12 34", "Enter the 6 digits of the code."),
        ("000 000", "That code is not correct. 4 tries left."),
        (fake::EXPIRED, "That code has expired. Send a new code."),
        (fake::SPENT, "Too many wrong codes. Send a new code to try again."),
    ] {
        ui.type_in("#ap-code", code).await;
        ui.press("Verify").await;
        ui.until_text(says).await;
        assert_eq!(ui.attr("#ap-code", "aria-invalid").as_deref(), Some("true"));
    }
    ui.type_in("#ap-code", "123 456").await;
    ui.press("Verify").await;
    ui.until_heading("Method verified").await;
    assert!(ui.text().contains("Step 3 of 4"));
}

#[wasm_bindgen_test]
async fn a_returning_user_proves_a_registered_method_then_sees_the_list() {
    let fake = Fake::new(Next::MfaChallenge)
        .with_method(MethodKind::Sms, "+33 ••• •• 78")
        .with_item("Outlook on my laptop", Some("2026-11-24T08:15:00Z"))
        .with_item("iPhone Mail", None);
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Verify it is you").await;
    ui.press("Use Text message · +33 ••• •• 78").await;
    ui.until_heading("Enter the code").await;
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Verify").await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("Outlook on my laptop").await;
    assert!(ui.text().contains("2 of 40"));
    assert!(ui.text().contains("Never used"));
    assert!(ui.text().contains("Last used"));
    assert!(!ui.text().contains("Step "), "no step indicator outside the first setup");
}

#[wasm_bindgen_test]
async fn deleting_asks_first_and_the_limit_blocks_creating() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None).with_item("Thunderbird", None);
    fake.limit.set(2);
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_text("Thunderbird").await;
    assert!(ui.text().contains("You have reached the limit of 2 app passwords."));
    assert!(ui.button("Create an app password").unwrap().has_attribute("disabled"));

    let focused_class = || {
        gloo_utils::document()
            .active_element()
            .map(|e| e.get_attribute("class").unwrap_or_default())
            .unwrap_or_default()
    };
    ui.click("button[aria-label='Delete Outlook']").await;
    ui.until_text("Delete “Outlook”? Apps using it will stop signing in.").await;
    ui.until("focus to move into the question", |_| focused_class() == "ap-confirm").await;
    ui.press("Cancel").await;
    ui.until("the question to go", |ui| !ui.text().contains("Delete “Outlook”?")).await;
    assert_eq!(ui.fake.items.borrow().len(), 2, "Cancel deleted nothing");
    // Focus goes back to the button that asked, once the question has left the page
    // (after the render: a loaded browser takes a few frames).
    ui.until("focus back on Delete Outlook", |_| {
        gloo_utils::document()
            .active_element()
            .and_then(|e| e.get_attribute("aria-label"))
            .is_some_and(|label| label == "Delete Outlook")
    })
    .await;

    ui.click("button[aria-label='Delete Outlook']").await;
    ui.until_text("Delete “Outlook”?").await;
    ui.click(".ap-confirm button").await;
    ui.until("Outlook to go from the list", |ui| ui.all(".ap-item__name").len() == 1).await;
    ui.until_focused("ap-title").await;
    assert_eq!(ui.q(".ap-item__name").text_content().unwrap(), "Thunderbird");
    assert_eq!(ui.announced(), "“Outlook” was deleted.");
    assert!(!ui.button("Create an app password").unwrap().has_attribute("disabled"));
    assert!(ui.button("Delete all").is_none(), "Delete all needs two or more");
}

#[wasm_bindgen_test]
async fn delete_all_is_confirmed_with_the_count() {
    let fake =
        Fake::new(Next::Ready).with_item("A", None).with_item("B", None).with_item("C", None);
    let ui = Ui::mount(fake, Lang::Fr).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Vos mots de passe d’application").await;
    ui.until_text("3 sur 40").await;
    ui.press("Tout supprimer").await;
    ui.until_text("Supprimer les 3 mots de passe d’application\u{202f}?").await;
    ui.press("Tout supprimer").await;
    ui.until_text("Vous n’avez aucun mot de passe d’application.").await;
    assert!(ui.fake.items.borrow().is_empty());
    assert_eq!(ui.announced(), "Tous les mots de passe d’application ont été supprimés.");
}

#[wasm_bindgen_test]
async fn a_stale_mfa_proof_leads_to_the_challenge_then_back_to_the_list() {
    let fake = Fake::new(Next::Ready).with_method(MethodKind::Totp, "Authenticator app");
    fake.stale_mfa.set(true);
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Verify it is you").await;
    ui.press("Use Authenticator app").await;
    ui.until_text("Open your authenticator app").await;
    assert!(ui.button("Send a new code").is_none(), "nothing to resend for an app");
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Verify").await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("0 of 40").await;
}

#[wasm_bindgen_test]
async fn the_language_switch_translates_everything_and_keeps_what_was_typed() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.type_in("#ap-username", "nora@contoso.example").await;
    ui.press("Sign in").await;
    ui.until_text("Enter your password.").await;
    ui.press("Français").await;
    ui.until_heading("Connexion").await;
    assert!(ui.text().contains("Saisissez votre mot de passe."), "errors are translated too");
    assert_eq!(
        ui.q("label[for=ap-username]").text_content().unwrap(),
        "Adresse e-mail ou nom d’utilisateur"
    );
    assert_eq!(ui.attr(".ap-root", "lang").as_deref(), Some("fr"));
    assert_eq!(ui.input("#ap-username").value(), "nora@contoso.example");
    ui.press("English").await;
    ui.until_heading("Sign in").await;
}

#[wasm_bindgen_test]
fn browser_language_tags_map_to_the_languages_the_app_speaks() {
    assert_eq!(Lang::from_tag("fr-CA"), Some(Lang::Fr));
    assert_eq!(Lang::from_tag("FR"), Some(Lang::Fr));
    assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
    assert_eq!(Lang::from_tag("de-DE"), None);
    assert_eq!(Lang::En.wait(42), "42 s");
    assert_eq!(Lang::Fr.wait(300), "5 min");
}

#[wasm_bindgen_test]
async fn resend_works_after_the_cooldown_and_refusals_from_the_endpoint_are_explained() {
    let fake = Fake::new(Next::MfaSetup);
    fake.cooldown.set(0);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.start_setup("sms", "Add your mobile phone").await;
    ui.type_in("#ap-phone", "+33 6 12 34 56 78").await;

    // The gateway refused: said, and the number is still there to retry.
    let refused = fake::problem(ErrorCode::DeliveryFailed, 502, |_| {});
    *fake.fail_next.borrow_mut() = Some(("enroll", refused));
    ui.press("Send code").await;
    ui.until_text("The code could not be sent.").await;
    assert_eq!(ui.input("#ap-phone").value(), "+33 6 12 34 56 78");
    ui.press("Send code").await;
    ui.until_heading("Enter the code").await;

    ui.until("Resend to be enabled", |ui| ui.button("Send a new code").is_some()).await;
    let soon = fake::problem(ErrorCode::ResendTooSoon, 429, |p| p.retry_after = Some(20));
    *fake.fail_next.borrow_mut() = Some(("resend", soon));
    ui.press("Send a new code").await;
    ui.until_text("A code was sent moments ago. Wait 20 s before asking for another.").await;
    ui.press("Send a new code").await;
    ui.until("a second code to be sent", |ui| {
        ui.fake.calls.borrow().iter().filter(|c| **c == "resend").count() == 2
    })
    .await;
    assert_eq!(ui.announced(), "Code sent to +33 ••• •• 78.");

    let boom = fake::problem(ErrorCode::Internal, 500, |_| {});
    *fake.fail_next.borrow_mut() = Some(("verify_enrollment", boom));
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Verify").await;
    ui.until_text("Something went wrong on our side. Try again in a moment. (Reference: req-7f3a)")
        .await;
    ui.press("Verify").await;
    ui.until_heading("Method verified").await;
}

#[wasm_bindgen_test]
async fn the_limit_reached_on_the_server_is_said_with_the_server_s_number() {
    // The server's limit (7 here, configurable there), from its problem document: the
    // list was loaded when the limit was still 9, so the number can only come from it.
    let fake = Fake::new(Next::Ready);
    fake.limit.set(9);
    let ui = Ui::mount(fake.clone(), Lang::Fr).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_text("0 sur 9").await;
    ui.press("Créer un mot de passe d’application").await;
    ui.until_heading("Nommez votre mot de passe d’application").await;
    let full = fake::problem(ErrorCode::LimitReached, 409, |p| p.limit = Some(7));
    *fake.fail_next.borrow_mut() = Some(("create", full));
    ui.press("Créer le mot de passe").await;
    ui.until_text("Vous avez atteint la limite de 7 mots de passe d’application.").await;

    // An older server that does not say it: no number is made up.
    let full = fake::problem(ErrorCode::LimitReached, 409, |_| {});
    *fake.fail_next.borrow_mut() = Some(("create", full));
    ui.press("Créer le mot de passe").await;
    ui.until_text("Vous avez atteint la limite de mots de passe d’application.").await;
}

#[wasm_bindgen_test]
fn every_error_has_its_own_message_in_each_language() {
    use app_passwords::errors::UiError as E;
    let all = [
        E::Network,
        E::Timeout,
        E::UsernameMissing,
        E::PasswordMissing,
        E::Credentials,
        E::AccountDisabled,
        E::RateLimited { wait: 42 },
        E::Busy { wait: 2 },
        E::DirectoryUnavailable { wait: 30 },
        E::MfaLocked,
        E::MethodNotAllowed,
        E::DeliveryFailed,
        E::Phone,
        E::Email,
        E::CodeFormat,
        E::CodeWrong { left: Some(3) },
        E::CodeWrong { left: Some(1) },
        E::CodeWrong { left: None },
        E::CodeExpired,
        E::CodeTooMany,
        E::ResendTooSoon { wait: 120 },
        E::NameTaken,
        E::NameInvalid,
        E::Limit { limit: 40 },
        E::LimitUnknown,
        E::Unexpected { reference: Some("r1".into()) },
        E::Unexpected { reference: None },
    ];
    for lang in [Lang::En, Lang::Fr] {
        // Every error's words, the chunk's included (journey_message has them all).
        let texts: Vec<String> = all.iter().map(|e| e.journey_message(lang)).collect();
        for (e, text) in all.iter().zip(&texts) {
            assert!(!text.is_empty() && !text.contains("{ $"), "{e:?}: {text}");
            assert_eq!(texts.iter().filter(|t| *t == text).count(), 1, "{e:?} shares {text}");
        }
    }
    assert_eq!(
        E::RateLimited { wait: 120 }.message(Lang::Fr),
        "Trop de tentatives. Réessayez dans 2 min."
    );
}

#[wasm_bindgen_test]
fn endpoint_errors_map_to_what_the_person_can_do() {
    use app_passwords::api::ApiError;
    use app_passwords::errors::{outcome, Outcome, UiError};
    let p = |code, edit: fn(&mut wire::Problem)| fake::problem(code, 400, edit);
    assert_eq!(outcome(&p(ErrorCode::SessionExpired, |_| {}), None), Outcome::Expired);
    assert_eq!(outcome(&p(ErrorCode::Unauthorized, |_| {}), None), Outcome::Expired);
    assert_eq!(outcome(&p(ErrorCode::MfaRequired, |_| {}), None), Outcome::StepUp);
    let phone = |p: &mut wire::Problem| {
        p.code = ErrorCode::ValidationFailed;
        p.errors.push(wire::FieldError { field: "phone".into(), code: "invalid".into() })
    };
    assert_eq!(
        outcome(&p(ErrorCode::ValidationFailed, phone), None),
        Outcome::Show(UiError::Phone)
    );
    assert_eq!(
        outcome(&p(ErrorCode::Unknown, |_| {}), None),
        Outcome::Show(UiError::Unexpected { reference: Some("req-7f3a".into()) })
    );
    assert_eq!(outcome(&p(ErrorCode::MfaLocked, |_| {}), None), Outcome::Show(UiError::MfaLocked));
    assert_eq!(
        outcome(&p(ErrorCode::ServerBusy, |p| p.retry_after = Some(2)), None),
        Outcome::Show(UiError::Busy { wait: 2 })
    );
    assert_eq!(outcome(&ApiError::Network, None), Outcome::Show(UiError::Network));
    assert_eq!(
        outcome(&ApiError::Unexpected { status: 502 }, None),
        Outcome::Show(UiError::Unexpected { reference: None })
    );
}

#[wasm_bindgen_test]
async fn a_list_that_failed_to_load_says_so_without_please_wait_and_loads_on_try_again() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let broken = fake::problem(ErrorCode::Internal, 500, |_| {});
    *fake.fail_next.borrow_mut() = Some(("list", broken));
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_text("req-7f3a").await;
    assert!(!ui.text().contains("Please wait"), "{}", ui.text());
    ui.press("Try again").await;
    ui.until_text("Outlook").await;
    assert!(!ui.text().contains("req-7f3a") && ui.button("Try again").is_none());
}
