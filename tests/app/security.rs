//! Security info in the browser: the person's methods, the default first; rename, make
//! default, remove (confirmed, saying what follows), add another and come back; a stale
//! proof leads through the challenge and back here.

use app_passwords::i18n::Lang;
use wasm_bindgen_test::*;
use wire::{MethodKind, Next};

use crate::fake::{self, Fake};
use crate::Ui;

async fn open(fake: std::rc::Rc<Fake>, lang: Lang, list: &str, title: &str) -> Ui {
    let ui = Ui::mount(fake, lang).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_heading(list).await;
    ui.press(title).await;
    ui.until_heading(title).await;
    ui
}

fn names(ui: &Ui) -> Vec<String> {
    ui.all(".ap-item__name").iter().map(|e| e.text_content().unwrap_or_default()).collect()
}

#[wasm_bindgen_test]
async fn a_person_renames_picks_the_default_and_removes_their_methods() {
    let fake = Fake::new(Next::Ready)
        .with_method(MethodKind::Totp, "Authenticator app")
        .with_method(MethodKind::Sms, "+33 ••• •• 78");
    let ui = open(fake.clone(), Lang::En, "Your app passwords", "Security info").await;
    assert_eq!(names(&ui), ["Authenticator app Default", "Text message · +33 ••• •• 78"]);
    assert!(ui.text().contains("Added "), "{}", ui.text());
    assert!(ui.has("button[aria-label='Rename Authenticator app']"));
    assert!(
        !ui.has("button[aria-label='Rename Text message · +33 ••• •• 78']"),
        "a phone is its number"
    );

    // A name that would read differently than it is stays here, said on its field.
    ui.click("button[aria-label='Rename Authenticator app']").await;
    ui.type_in("#ap-method-name", "Phone\u{202e}gnp.exe").await;
    ui.press("Save").await;
    ui.until_text("Use 1 to 64 characters for the name, without control characters.").await;
    assert_eq!(ui.attr("#ap-method-name", "aria-invalid").as_deref(), Some("true"));
    assert!(!fake.calls.borrow().contains(&"change_method"), "nothing sent");
    ui.type_in("#ap-method-name", "  Work phone ").await;
    ui.press("Save").await;
    ui.until("the new name", |ui| names(ui)[0] == "Work phone Default").await;
    assert_eq!(ui.announced(), "Renamed to “Work phone”.");

    ui.click("button[aria-label='Make default: Text message · +33 ••• •• 78']").await;
    ui.until("the default to change", |ui| names(ui)[0].starts_with("Text message")).await;
    assert_eq!(names(&ui), ["Text message · +33 ••• •• 78 Default", "Work phone"]);
    assert_eq!(ui.announced(), "“Text message · +33 ••• •• 78” is now your default method.");

    ui.click("button[aria-label='Remove Work phone']").await;
    ui.until_text("Remove “Work phone”? You will no longer be able to prove it is you with it.")
        .await;
    ui.press("Cancel").await;
    assert_eq!(names(&ui).len(), 2, "Cancel removed nothing");
    ui.click("button[aria-label='Remove Work phone']").await;
    ui.click(".ap-confirm .ap-button--danger-solid").await;
    ui.until("the app to go", |ui| names(ui).len() == 1).await;
    assert_eq!(ui.announced(), "“Work phone” was removed.");

    // The last one: what follows is said before.
    ui.click("button[aria-label='Remove Text message · +33 ••• •• 78']").await;
    ui.until_text(
        "It is your only verification method: you will set up a new one at your next sign-in",
    )
    .await;
    ui.click(".ap-confirm .ap-button--danger-solid").await;
    ui.until_text("You have no verification method.").await;
    assert!(fake.methods.borrow().is_empty());
    ui.press("← Back to app passwords").await;
    ui.until_heading("Your app passwords").await;
}

#[wasm_bindgen_test]
async fn a_stale_proof_leads_through_the_challenge_and_back_to_security_info() {
    let fake = Fake::new(Next::Ready)
        .with_method(MethodKind::Totp, "Authenticator app")
        .with_method(MethodKind::Email, "n•••@example.com");
    let ui =
        open(fake.clone(), Lang::Fr, "Vos mots de passe d’application", "Informations de sécurité")
            .await;
    fake.stale_mfa.set(true);
    ui.click("button[aria-label='Définir par défaut : E-mail · n•••@example.com']").await;
    ui.until_heading("Confirmez votre identité").await;
    assert!(ui.text().contains("Téléphone ou clé perdu ?"), "who can help, said here");
    ui.press("Utiliser Application d’authentification").await;
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Vérifier").await;
    ui.until_heading("Informations de sécurité").await;
    assert_eq!(fake.methods.borrow()[0].kind, MethodKind::Totp, "nothing changed unproven");
}

#[wasm_bindgen_test]
async fn another_method_is_added_from_security_info_and_the_journey_comes_back() {
    let fake = Fake::new(Next::Ready).with_method(MethodKind::Sms, "+33 ••• •• 78");
    let ui = open(fake.clone(), Lang::En, "Your app passwords", "Security info").await;
    ui.press("Add a method").await;
    ui.until_heading("Choose a method").await;
    assert!(!ui.text().contains("Step "), "not the first setup");
    ui.press("← Back").await;
    ui.until_heading("Security info").await;
    ui.press("Add a method").await;
    ui.add_the_app().await;
    ui.press("Next").await;
    ui.until_heading("Security info").await;
    assert_eq!(names(&ui), ["Text message · +33 ••• •• 78 Default", "Authenticator app"]);
}
