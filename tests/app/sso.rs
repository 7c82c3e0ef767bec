//! Single sign-on in the app: "Sign in with <the organization>" when the endpoint offers
//! it, beside the password form or instead of it; the way back from the provider
//! (`#sso=<code>`, `#sso_error=<code>`) taken out of the address and turned into the
//! session or a message in the person's language. (The real provider, the embedded
//! app's window and the standalone page's round trip: e2e/tests/sso.rs.)

use wasm_bindgen_test::wasm_bindgen_test;
use wire::{Next, SsoInfo};

use crate::fake::{self, Fake};
use crate::Ui;
use app_passwords::host::HostEvent;
use app_passwords::i18n::Lang;

fn offered(fake: &Fake, password_sign_in: bool) {
    *fake.sso.borrow_mut() =
        Some(SsoInfo { name: "Contoso".into(), password_sign_in, provider_mfa: true });
}

/// Opens the page as the endpoint sends the person back: `#<fragment>` in its address.
fn back_from_provider(fragment: &str) {
    let history = gloo_utils::window().history().unwrap();
    history
        .replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&format!("#{fragment}")))
        .unwrap();
}

fn address() -> String {
    gloo_utils::window().location().href().unwrap()
}

#[wasm_bindgen_test]
async fn single_sign_on_is_offered_beside_the_password_form_and_takes_the_page_to_the_provider() {
    let fake = Fake::new(Next::MfaSetup);
    offered(&fake, true);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.until_text("Sign in with Contoso").await;
    assert!(ui.has("#ap-username") && ui.has("#ap-password"), "{}", ui.text());
    assert_eq!(ui.q(".ap-or").text_content().unwrap(), "or");
    let page = address();
    ui.press("Sign in with Contoso").await;
    ui.until("the page sent to the provider", |_| address().ends_with(fake::PROVIDER_URL)).await;
    // It comes back to this page: its address as it was, without a fragment.
    assert_eq!(
        *fake.sso_started.borrow(),
        vec![(page.split('#').next().unwrap().to_owned(), false)]
    );
    back_from_provider("");
}

#[wasm_bindgen_test]
async fn with_the_provider_as_the_only_door_no_password_is_asked_for() {
    let fake = Fake::new(Next::MfaSetup);
    offered(&fake, false);
    let ui = Ui::mount(fake, Lang::Fr).await;
    ui.until_text("Se connecter avec Contoso").await;
    assert!(!ui.has("#ap-password") && !ui.has("form"), "{}", ui.text());
    assert!(!ui.has(".ap-or"), "{}", ui.text());
}

#[wasm_bindgen_test]
async fn without_single_sign_on_the_page_is_the_password_form_alone() {
    let fake = Fake::new(Next::MfaSetup);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.until("the endpoint asked", |ui| ui.fake.calls.borrow().contains(&"sso")).await;
    crate::settle().await;
    assert!(ui.has("#ap-password") && ui.button("Sign in with Contoso").is_none());
    assert!(!ui.text().contains("Sign in with"), "{}", ui.text());
}

#[wasm_bindgen_test]
async fn coming_back_from_the_provider_opens_the_session_once_and_leaves_no_code_in_the_address() {
    let fake = Fake::new(Next::MfaSetup);
    offered(&fake, true);
    back_from_provider(&format!("sso={}", fake::SSO_CODE));
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.until_heading("Secure your account first").await;
    assert!(!address().contains(fake::SSO_CODE) && !address().contains("sso"), "{}", address());
    assert!(ui.events.borrow().iter().any(|e| matches!(e, HostEvent::SignedIn { .. })));
    drop(ui);

    // The same code again (a reload, a copied address): spent, said plainly; the
    // person starts again.
    back_from_provider(&format!("sso={}", fake::SSO_CODE));
    let ui = Ui::mount(fake, Lang::En).await;
    ui.until_text("The sign-in at your organization did not go through. Try again.").await;
    assert_eq!(ui.heading(), "Sign in");
    ui.press("Sign in with Contoso").await;
    ui.until("the page sent to the provider", |_| address().ends_with(fake::PROVIDER_URL)).await;
    back_from_provider("");
}

#[wasm_bindgen_test]
async fn what_the_provider_refused_is_said_in_the_persons_language() {
    for (code, lang, said) in [
        ("sso_no_account", Lang::En, "Your organization signed you in, but no account here is yours. Contact your administrator."),
        ("sso_no_account", Lang::Fr, "Votre organisation a confirmé votre identité, mais aucun compte ici n’est à votre nom."),
        ("sso_unavailable", Lang::En, "Your organization’s sign-in service can’t be reached right now. Try again in 30 s."),
        ("account_disabled", Lang::Fr, "Ce compte est désactivé."),
        ("directory_unavailable", Lang::En, "Your organization’s directory can’t be reached right now."),
        // Not a code the app knows (a newer endpoint's): the general message.
        ("<script>", Lang::En, "Something went wrong on our side. Try again in a moment."),
    ] {
        let fake = Fake::new(Next::MfaSetup);
        offered(&fake, false);
        back_from_provider(&format!("sso_error={code}"));
        let ui = Ui::mount(fake, lang).await;
        ui.until_text(said).await;
        assert!(!address().contains("sso_error"), "{}", address());
        // Shown with the provider's button, the only way on: it is there to try again.
        ui.until("the button to try again", |ui| ui.all("button.ap-button--sso").len() == 1).await;
    }
}

/// Signed in at the provider, whose MFA counted: once it is too old to count, the
/// step-up offers to prove it there anew (the person may have no method here), and the
/// session that comes back is the one the app goes on with.
#[wasm_bindgen_test]
async fn a_stale_mfa_from_the_provider_is_proven_there_anew() {
    let fake = Fake::new(Next::Ready);
    offered(&fake, true);
    fake.stale_mfa.set(true);
    back_from_provider(&format!("sso={}", fake::SSO_CODE));
    let ui = Ui::mount(fake.clone(), Lang::Fr).await;
    ui.until_text("Vérifier plutôt auprès de Contoso").await;
    assert!(ui.all("button.ap-button--choice").is_empty(), "no method here: {}", ui.text());
    ui.press("Vérifier plutôt auprès de Contoso").await;
    ui.until("the page sent to the provider", |_| address().ends_with(fake::PROVIDER_URL)).await;
    assert!(fake.sso_started.borrow().last().is_some_and(|(_, again)| *again));
    back_from_provider("");
}

/// A person whose password is the organization's (its directory's, or none but the
/// provider's) is not offered to change it here; one whose password is kept here is.
#[wasm_bindgen_test]
async fn a_password_kept_elsewhere_is_not_offered_for_change() {
    let fake = Fake::new(Next::Ready);
    offered(&fake, true);
    fake.password_elsewhere.set(true);
    back_from_provider(&format!("sso={}", fake::SSO_CODE));
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("0 of 40").await;
    assert!(ui.has("button.ap-button--primary"), "{}", ui.text());
    assert!(!ui.text().contains("Change your password"), "{}", ui.text());
}
