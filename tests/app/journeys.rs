//! The seed's five steps end to end through the app, against the in-memory endpoint.

use app_passwords::api::ApiError;
use app_passwords::i18n::Lang;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use wire::{EnrollmentRequest, Next};

use crate::fake::{self, Fake};
use crate::{copied_text, stub_clipboard, Ui};

async fn to_verified_with_the_app(ui: &Ui) {
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Secure your account first").await;
    ui.press("Set it up now").await;
    ui.add_the_app().await;
}

#[wasm_bindgen_test]
async fn first_time_user_sets_up_an_authenticator_app_and_copies_the_app_password() {
    stub_clipboard(true);
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Secure your account first").await;
    ui.until_focused("ap-title").await;
    assert!(ui.text().contains("Signed in as Nora New"));
    assert!(ui.button("Sign out").is_some());
    ui.press("Set it up now").await;
    ui.until_heading("Choose a method").await;
    ui.click("#ap-kind-totp").await;
    ui.press("Continue").await;
    ui.until_heading("Set up your authenticator app").await;
    assert!(ui.text().contains("Step 2 of 4"));

    // The QR code is drawn here, as an image named as a QR code.
    let qr = ui.q("svg.ap-qr");
    assert_eq!(qr.get_attribute("role").as_deref(), Some("img"));
    assert!(qr.get_attribute("aria-label").unwrap().contains("QR code"));
    assert!(qr.query_selector("path").unwrap().unwrap().get_attribute("d").unwrap().len() > 500);
    assert!(!ui.has("img"), "no image from elsewhere");
    // The key in groups of four, with its own Copy.
    assert_eq!(ui.q("#ap-key").text_content().unwrap(), "JBSW Y3DP EHPK 3PXP JBSW Y3DP EHPK 3PXP");
    ui.press("Copy key").await;
    ui.until("the key on the clipboard", |_| copied_text().as_deref() == Some(fake::TOTP_SECRET))
        .await;
    ui.until("the button to say so", |ui| ui.button("✓ Copied").is_some()).await;
    assert_eq!(ui.announced(), "Copied");

    ui.type_in("#ap-code", fake::WRONG).await;
    ui.press("Verify").await;
    ui.until_text("That code is not correct. 4 tries left.").await;
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Verify").await;
    ui.until_heading("Method verified").await;
    assert!(ui.text().contains("Authenticator app"));
    ui.press("Next").await;
    ui.until_heading("Name your app password").await;
    assert!(ui.text().contains("Step 4 of 4"));
    ui.type_in("#ap-name", "Outlook on my laptop").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;

    // Shown once, in four groups of four; Copy puts it on the clipboard without spaces.
    assert_eq!(ui.q("#ap-password-shown").text_content().unwrap(), "abcd efgh ijkl mnop");
    assert!(ui.text().contains("You do not need to memorize it, and you will not see it again."));
    ui.press("Copy").await;
    ui.until("the password on the clipboard", |_| {
        copied_text().as_deref() == Some(fake::APP_PASSWORD)
    })
    .await;
    ui.until_text("Copied").await;
    assert_eq!(ui.announced(), "App password copied to the clipboard.");

    ui.press("Done").await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("Outlook on my laptop").await;
    let html = ui.root.inner_html();
    assert!(
        !html.contains("abcd") && !html.contains(fake::APP_PASSWORD),
        "the secret left the DOM"
    );
    assert!(!ui.text().contains("Step "), "setup is over");
}

#[wasm_bindgen_test]
async fn where_the_clipboard_api_is_missing_the_password_is_selected_with_an_instruction() {
    stub_clipboard(false);
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    to_verified_with_the_app(&ui).await;
    ui.press("Next").await;
    ui.until_heading("Name your app password").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;
    ui.press("Copy").await;
    ui.until_text("press Ctrl+C (⌘C on a Mac) to copy it").await;
    let input = ui.input("#ap-password-shown-select");
    assert_eq!(input.value(), fake::APP_PASSWORD, "the field holds it without spaces");
    ui.until_focused("ap-password-shown-select").await;
    assert_eq!(
        (input.selection_start().unwrap(), input.selection_end().unwrap()),
        (Some(0), Some(16))
    );
    stub_clipboard(true);
}

#[wasm_bindgen_test]
async fn where_copying_the_key_is_refused_it_is_selected_and_never_called_copied() {
    stub_clipboard(false);
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::Fr).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Sécurisez d’abord votre compte").await;
    ui.press("Configurer maintenant").await;
    ui.click("#ap-kind-totp").await;
    ui.press("Continuer").await;
    ui.until_heading("Configurez votre application d’authentification").await;
    // The new screen has settled (its heading took focus) before the person acts on it:
    // Firefox sometimes runs that focus a moment after the heading is in the page.
    ui.until("the heading to take focus", |ui| ui.focused_id().as_deref() == Some("ap-title"))
        .await;
    ui.press("Copier la clé").await;
    ui.until_text("La clé est sélectionnée").await;
    let input = ui.input("#ap-key-select");
    assert_eq!(input.value(), fake::TOTP_SECRET);
    ui.until_focused("ap-key-select").await;
    assert_eq!(
        (input.selection_start().unwrap(), input.selection_end().unwrap()),
        (Some(0), Some(32))
    );
    assert!(ui.button("✓ Copié").is_none(), "not called copied: {}", ui.text());
    assert_ne!(ui.announced(), "Copié");
    stub_clipboard(true);
}

#[wasm_bindgen_test]
async fn the_default_name_is_dated_and_a_retry_after_a_lost_answer_reuses_the_idempotency_key() {
    stub_clipboard(true);
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    to_verified_with_the_app(&ui).await;
    ui.press("Next").await;
    ui.until_heading("Name your app password").await;
    *fake.lose_next_create_answer.borrow_mut() = Some(ApiError::Network);
    ui.press("Create app password").await;
    ui.until_text("Check your connection and try again").await;
    ui.until("the endpoint to be seen up again", |ui| {
        !ui.text().contains("tries again on its own")
    })
    .await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;

    let creates = fake.creates.borrow().clone();
    assert_eq!(creates.len(), 2);
    assert_eq!(creates[0].1, creates[1].1, "the retry carries the same Idempotency-Key");
    assert_eq!(creates[0].1.len(), 32, "128 bits, hex");
    assert!(creates[0].0.starts_with("App password "), "{}", creates[0].0);
    assert_eq!(fake.items.borrow().len(), 1, "one app password, not two");

    ui.press("Done").await;
    ui.until_text("1 of 40").await;
    ui.press("Create an app password").await;
    ui.until_heading("Name your app password").await;
    ui.type_in("#ap-name", "Second").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;
    let last = fake.creates.borrow().last().cloned().unwrap();
    assert_ne!(last.1, creates[0].1, "a new request gets a new key");
}

#[wasm_bindgen_test]
async fn a_name_already_taken_is_refused_beside_the_field() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let ui = Ui::mount(fake, Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_text("1 of 40").await;
    ui.press("Create an app password").await;
    ui.until_heading("Name your app password").await;
    ui.type_in("#ap-name", "Outlook").await;
    ui.press("Create app password").await;
    ui.until_text("You already have an app password with this name.").await;
    assert_eq!(
        ui.attr("#ap-name", "aria-describedby").as_deref(),
        Some("ap-name-hint ap-name-error")
    );
    // One field: its own message is announced as it appears.
    assert_eq!(ui.attr("#ap-name-error", "role").as_deref(), Some("alert"));
    ui.press("← Back").await;
    ui.until_heading("Your app passwords").await;
}

#[wasm_bindgen_test]
async fn an_expired_session_returns_to_sign_in_with_a_message_and_keeps_what_was_typed() {
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.start_setup("voice", "Add your phone number").await;
    ui.type_in("#ap-phone", "+1 425 555 0100").await;
    fake.expired.set(true);
    ui.press("Send code").await;
    ui.until_heading("Sign in").await;
    assert!(ui
        .text()
        .contains("Your session has expired. Sign in again to carry on where you were."));
    assert_eq!(ui.input("#ap-username").value(), "nora@contoso.example");
    assert_eq!(ui.input("#ap-password").value(), "", "the password is not kept");
    assert!(ui.button("Sign out").is_none());

    ui.type_in("#ap-password", fake::PASSWORD).await;
    ui.press("Sign in").await;
    ui.until_heading("Secure your account first").await;
    ui.press("Set it up now").await;
    ui.click("#ap-kind-voice").await;
    ui.press("Continue").await;
    ui.until_heading("Add your phone number").await;
    assert_eq!(ui.input("#ap-phone").value(), "+1 425 555 0100", "the number survived");
    ui.press("Send code").await;
    ui.until_text("We are calling +14 ••• •• 00 to read out a code.").await;
    assert_eq!(
        fake.enrollments.borrow().last(),
        Some(&EnrollmentRequest::Voice { phone: "+14255550100".into() })
    );
}

#[wasm_bindgen_test]
async fn sign_out_forgets_the_session_and_says_so() {
    let fake = Fake::new(Next::Ready);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Your app passwords").await;
    ui.press("Sign out").await;
    ui.until_heading("Sign in").await;
    assert!(ui.text().contains("You have signed out."));
    ui.until("the endpoint told", |ui| ui.fake.calls.borrow().contains(&"sign_out")).await;
}

#[wasm_bindgen_test]
async fn the_whole_setup_reads_in_french_with_a_text_message() {
    stub_clipboard(true);
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::Fr).await;
    assert_eq!(ui.heading(), "Connexion");
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Sécurisez d’abord votre compte").await;
    ui.press("Configurer maintenant").await;
    ui.until_heading("Choisissez une méthode").await;
    assert!(ui.text().contains("Étape 1 sur 4"));
    ui.click("#ap-kind-sms").await;
    ui.press("Continuer").await;
    ui.until_heading("Ajoutez votre mobile").await;
    ui.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    ui.press("Envoyer le code").await;
    ui.until_heading("Saisissez le code").await;
    assert!(ui.text().contains("Nous avons envoyé un code par SMS au +33 ••• •• 78."));
    assert!(ui.text().contains("Renvoyer un code dans"));
    ui.type_in("#ap-code", fake::WRONG).await;
    ui.press("Vérifier").await;
    ui.until_text("Ce code est incorrect. Encore 4 essais.").await;
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Vérifier").await;
    ui.until_heading("Méthode vérifiée").await;
    ui.press("Suivant").await;
    ui.until_heading("Nommez votre mot de passe d’application").await;
    ui.type_in("#ap-name", "Outlook sur mon ordinateur portable").await;
    ui.press("Créer le mot de passe").await;
    ui.until_heading("Votre mot de passe d’application").await;
    assert!(ui.text().contains("Inutile de le retenir"));
    ui.press("Copier").await;
    ui.until_text("Copié").await;
    assert_eq!(copied_text().as_deref(), Some(fake::APP_PASSWORD));
    ui.press("Terminé").await;
    ui.until_text("Outlook sur mon ordinateur portable").await;
    ui.until_text("Jamais utilisé").await;
}

#[wasm_bindgen_test]
async fn proving_a_method_switches_the_app_to_the_session_token_the_server_replaced_it_with() {
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    to_verified_with_the_app(&ui).await;
    // The fake, like the server, refuses the token from before the proof from now on.
    assert_ne!(fake.live.borrow().as_str(), "secret-token");
    ui.press("Next").await;
    ui.until_heading("Name your app password").await;
    ui.type_in("#ap-name", "Outlook").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;
    assert_eq!(
        fake.creates.borrow().len(),
        1,
        "created with the new token, not sent back to sign-in"
    );
}

#[wasm_bindgen_test]
async fn an_app_password_for_calendars_that_expires_is_asked_for_with_two_clicks() {
    let fake = Fake::new(Next::Ready).with_item("Old phone", Some("2026-11-24T08:15:00Z"));
    let ui = crate::Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("Last used").await;
    assert!(ui.text().contains("from 203.0.113.7 over IMAP"), "{}", ui.text());
    assert!(ui.text().contains("Mail"), "the scopes are listed");
    ui.press("Create an app password").await;
    ui.until_heading("Name your app password").await;
    // Defaults: mail ticked, never expires.
    assert!(ui.input("#ap-scopes").checked(), "mail is ticked");
    assert!(!ui.input("#ap-scope-dav").checked());
    assert_eq!(ui.q("#ap-expiry").unchecked_into::<web_sys::HtmlSelectElement>().value(), "never");
    // Nothing ticked is said before anything is sent.
    ui.click("#ap-scopes").await;
    ui.press("Create app password").await;
    ui.until_text("Choose at least one use.").await;
    assert!(fake.asked.borrow().is_empty(), "nothing sent");
    ui.click("#ap-scope-dav").await;
    assert!(!ui.text().contains("Choose at least one use."), "the error goes with the change");
    let select = ui.q("#ap-expiry").unchecked_into::<web_sys::HtmlSelectElement>();
    select.set_value("90");
    select.dispatch_event(&web_sys::Event::new("change").unwrap()).unwrap();
    crate::settle().await;
    ui.type_in("#ap-name", "Calendar").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;
    let asked = fake.asked.borrow().last().cloned().unwrap();
    assert_eq!(asked.scopes, vec![wire::Scope::Dav]);
    assert_eq!(asked.expires_in_days, Some(90));
    ui.press("Done").await;
    ui.until_text("Calendars and contacts").await;
    assert!(ui.text().contains("Expires"), "{}", ui.text());
}

#[wasm_bindgen_test]
async fn under_a_maximum_lifetime_never_is_not_offered_and_the_default_fits() {
    let fake = Fake::new(Next::Ready);
    fake.max_days.set(Some(60));
    fake.unused_days.set(Some(180));
    let ui = crate::Ui::mount(fake.clone(), Lang::Fr).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Vos mots de passe d’application").await;
    ui.until_text("inutilisés depuis 180 jours").await;
    ui.press("Créer un mot de passe d’application").await;
    ui.until_heading("Nommez votre mot de passe d’application").await;
    let options: Vec<String> =
        ui.all("#ap-expiry option").iter().map(|o| o.text_content().unwrap()).collect();
    assert_eq!(options, ["Après 30 jours", "Après 60 jours"]);
    ui.press("Créer le mot de passe").await;
    ui.until_heading("Votre mot de passe d’application").await;
    assert_eq!(fake.asked.borrow().last().unwrap().expires_in_days, Some(60));
}

#[wasm_bindgen_test]
async fn a_new_password_says_which_app_passwords_stopped_working() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None).with_item("Phone", None);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("Outlook").await;
    ui.press("Change your password").await;
    ui.until_heading("Change your password").await;
    assert!(ui.text().contains("Your app passwords will stop working"), "said before");
    // Checked here before anything is sent.
    ui.press("Change password").await;
    ui.until_text("Enter your current password.").await;
    ui.type_in("#ap-current-password", fake::PASSWORD).await;
    ui.type_in("#ap-new-password", "short").await;
    ui.press("Change password").await;
    ui.until_text("Use at least 8 characters.").await;
    // The endpoint's refusals, on their fields.
    ui.type_in("#ap-new-password", "password-password").await;
    ui.press("Change password").await;
    ui.until_text("This password is too easy to guess").await;
    assert_eq!(ui.attr("#ap-new-password", "aria-invalid").as_deref(), Some("true"));
    ui.type_in("#ap-current-password", "not-it").await;
    ui.type_in("#ap-new-password", "plume ardoise volcan tiroir").await;
    ui.press("Change password").await;
    ui.until_text("Your current password is not correct.").await;
    ui.type_in("#ap-current-password", fake::PASSWORD).await;
    ui.press("Change password").await;
    ui.until_heading("Password changed").await;
    let text = ui.text();
    assert!(text.contains("Outlook") && text.contains("Phone"), "{text}");
    // The list loads with the rotated token (the old one is refused by the endpoint).
    ui.press("Back to your app passwords").await;
    ui.until_text("You have no app passwords.").await;
}

/// Opens the page as a notice's link does: `#disown=<token>` in its address.
fn open_from_notice(token: &str) {
    let history = gloo_utils::window().history().unwrap();
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#disown={token}")))
        .unwrap();
}

#[wasm_bindgen_test]
async fn a_notices_link_followed_in_the_open_page_opens_its_page_there() {
    let fake = Fake::new(Next::Ready);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading("Your app passwords").await;
    // The link pasted into this tab: the fragment changes, the page does not reload.
    gloo_utils::window().location().set_hash(&format!("disown={}", fake::DISOWN_TOKEN)).unwrap();
    ui.until_heading("Was it not you?").await;
    let href = gloo_utils::window().location().href().unwrap();
    assert!(!href.contains(fake::DISOWN_TOKEN), "{href}");
    ui.press("Remove it and sign out everywhere").await;
    ui.until_heading("Removed").await;
}

#[wasm_bindgen_test]
async fn a_notices_link_removes_what_it_named_once_and_leaves_no_token_in_the_address() {
    open_from_notice(fake::DISOWN_TOKEN);
    let fake = Fake::new(Next::Ready);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.until_heading("Was it not you?").await;
    let href = gloo_utils::window().location().href().unwrap();
    assert!(!href.contains("disown") && !href.contains(fake::DISOWN_TOKEN), "{href}");
    ui.press("Remove it and sign out everywhere").await;
    ui.until_heading("Removed").await;
    assert!(ui.text().contains("The app password “Outlook” was removed"), "{}", ui.text());
    assert!(ui.text().contains("Now change your password"));
    ui.press("Sign in").await;
    ui.until_heading("Sign in").await;

    // The same link again, in French: used, said plainly.
    open_from_notice(fake::DISOWN_TOKEN);
    let ui = Ui::mount(fake, Lang::Fr).await;
    ui.until_heading("Ce n’était pas vous\u{202f}?").await;
    ui.press("Supprimer et fermer toutes les sessions").await;
    ui.until_text("Ce lien a déjà servi ou a expiré.").await;
    ui.press("← C’était moi\u{a0}: me connecter").await;
    ui.until_heading("Connexion").await;
}
