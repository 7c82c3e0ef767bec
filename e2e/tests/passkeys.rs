//! Security keys and passkeys, end to end: the release build on the real server,
//! real WebAuthn ceremonies in the browser against the browser's virtual authenticator
//! (the WebAuthn specification's WebDriver extension: chromedriver and geckodriver
//! offer it; WebKitWebDriver does not, and WebKitGTK has no WebAuthn: there the app
//! must offer the method disabled and say why). The page is opened on localhost: a
//! relying party is a domain, never an IP address. Screens photographed and audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Browser, Driver, Kind, Server};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();
const KEY_USER: (&str, &str) = server::demo::KEY_USER.credentials();

struct Run {
    b: Browser,
    fr: bool,
    name: &'static str,
    step: std::cell::Cell<u32>,
}

impl Run {
    fn t<'a>(&self, en: &'a str, fr: &'a str) -> &'a str {
        if self.fr {
            fr
        } else {
            en
        }
    }

    async fn check(&self, what: &str) {
        let n = self.step.get() + 1;
        self.step.set(n);
        let lang = if self.fr { "fr" } else { "en" };
        self.b.check(&format!("passkeys/{}-{lang}-{n:02}-{what}", self.name)).await;
    }

    async fn heading(&self, en: &str, fr: &str) {
        self.b.until_heading(self.t(en, fr)).await;
    }

    async fn press(&self, en: &str, fr: &str) {
        self.b.press(self.t(en, fr)).await;
    }

    async fn open_and_sign_in(&self, server: &Server, user: (&str, &str)) {
        self.b.open_app(&server.localhost(), self.fr).await;
        self.b.sign_in(user, self.fr).await;
    }

    /// From "Set it up now" to a registered key named `name`.
    async fn register_key(&self, name: &str) {
        self.heading("Secure your account first", "Sécurisez d’abord votre compte").await;
        self.press("Set it up now", "Configurer maintenant").await;
        self.heading("Choose a method", "Choisissez une méthode").await;
        self.b.click("label[for=ap-kind-passkey]").await;
        self.check("choose").await;
        self.press("Continue", "Continuer").await;
        self.heading("Name your security key", "Nommez votre clé de sécurité").await;
        self.b.type_in("#ap-key-name", name).await;
        self.check("key-name").await;
        self.press("Register the key", "Enregistrer la clé").await;
        self.heading("Register your security key", "Enregistrez votre clé de sécurité").await;
        self.check("key-register").await;
        self.press("Register with my key", "Enregistrer avec ma clé").await;
        self.heading("Method verified", "Méthode vérifiée").await;
        assert!(self.b.text().await.contains(name));
        self.check("verified").await;
    }

    async fn create_app_password(&self, name: &str) {
        self.heading("Name your app password", "Nommez votre mot de passe d’application").await;
        self.b.type_in("#ap-name", name).await;
        self.press("Create app password", "Créer le mot de passe").await;
        self.heading("Your app password", "Votre mot de passe d’application").await;
        self.check("app-password").await;
    }
}

/// Register a key at setup, sign out, sign in, prove the key, create an app password;
/// then the same key again is refused by the browser (excludeCredentials).
async fn register_then_prove(r: &Run, server: &Server) {
    r.open_and_sign_in(server, NEW).await;
    r.register_key("Laptop").await;
    r.press("Next", "Suivant").await;
    r.create_app_password("Outlook").await;
    r.press("Done", "Terminé").await;
    r.heading("Your app passwords", "Vos mots de passe d’application").await;
    r.press("Sign out", "Se déconnecter").await;
    r.heading("Sign in", "Connexion").await;

    r.open_and_sign_in(server, NEW).await;
    r.heading("Verify it is you", "Confirmez votre identité").await;
    let text = r.b.text().await;
    assert!(text.contains(r.t("last used", "dernière utilisation")), "{text}");
    r.check("challenge").await;
    r.press("Use Laptop", "Utiliser Laptop").await;
    r.heading("Use your security key", "Utilisez votre clé de sécurité").await;
    r.check("key-use").await;
    r.press("Use my key", "Utiliser ma clé").await;
    r.heading("Your app passwords", "Vos mots de passe d’application").await;
    r.press("Create an app password", "Créer un mot de passe d’application").await;
    r.create_app_password("Apple Mail").await;
    r.press("Done", "Terminé").await;
    r.heading("Your app passwords", "Vos mots de passe d’application").await;
    // The list loads after the heading shows: wait for it, do not read it at once.
    r.b.until_text("Apple Mail").await;
    r.b.until_text("Outlook").await;
}

/// Under the phishing-resistant policy the choice is a key, and why is said.
async fn policy_asks_for_a_key(r: &Run, server: &Server) {
    r.open_and_sign_in(server, KEY_USER).await;
    r.heading("Secure your account first", "Sécurisez d’abord votre compte").await;
    let text = r.b.text().await;
    assert!(text.contains(r.t("requires a security key", "exige une clé de sécurité")), "{text}");
    r.check("policy-intro").await;
    r.press("Set it up now", "Configurer maintenant").await;
    r.heading("Choose a method", "Choisissez une méthode").await;
    assert!(r.b.client.find(fantoccini::Locator::Css("#ap-kind-totp")).await.is_err());
    r.check("policy-choose").await;
    r.b.click("label[for=ap-kind-passkey]").await;
    r.press("Continue", "Continuer").await;
    r.heading("Name your security key", "Nommez votre clé de sécurité").await;
    r.press("Register the key", "Enregistrer la clé").await;
    r.press("Register with my key", "Enregistrer avec ma clé").await;
    r.heading("Method verified", "Méthode vérifiée").await;
    r.press("Next", "Suivant").await;
    r.create_app_password("Thunderbird").await;
}

async fn with_keys(kind: Kind, name: &'static str, fr: bool) {
    let server = Server::start().await;
    let driver = Driver::start(kind).await;
    let r = Run { b: driver.browser(false).await, fr, name, step: 0.into() };
    r.b.add_virtual_authenticator().await.expect("the driver offers a virtual authenticator");
    register_then_prove(&r, &server).await;
    // A fresh browser (its own authenticator) for the policy's account; geckodriver
    // drives one session at a time.
    r.b.client.clone().close().await.unwrap();
    let r = Run { b: driver.browser(false).await, fr, name, step: 20.into() };
    r.b.add_virtual_authenticator().await.unwrap();
    policy_asks_for_a_key(&r, &server).await;
    // Closed, or the browser outlives its driver.
    r.b.client.clone().close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn passkeys_in_chromium() {
    with_keys(Kind::Chromium, "chromium", false).await;
    with_keys(Kind::Chromium, "chromium", true).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn passkeys_in_firefox() {
    with_keys(Kind::Firefox, "firefox", false).await;
}

/// WebKitGTK: no WebAuthn and no virtual authenticator; the method is offered
/// disabled, with the reason, and the journey goes on with another.
#[tokio::test(flavor = "multi_thread")]
async fn webkit_without_webauthn_says_why_and_offers_the_others() {
    let server = Server::start().await;
    let driver = Driver::start(Kind::WebKit).await;
    let b = driver.browser(false).await;
    assert!(b.add_virtual_authenticator().await.is_err(), "WebKitWebDriver gained WebAuthn");
    let r = Run { b, fr: false, name: "webkit", step: 0.into() };
    r.open_and_sign_in(&server, NEW).await;
    r.heading("Secure your account first", "").await;
    r.press("Set it up now", "").await;
    r.heading("Choose a method", "").await;
    let passkey = r.b.find("#ap-kind-passkey").await;
    assert_eq!(passkey.attr("disabled").await.unwrap().as_deref(), Some("true"));
    assert!(r.b.text().await.contains("This browser cannot use security keys."));
    r.b.shot("passkeys/webkit-en-01-choose-unsupported").await;
    r.b.click("label[for=ap-kind-totp]").await;
    r.press("Continue", "").await;
    r.heading("Set up your authenticator app", "").await;
    r.b.client.clone().close().await.unwrap();
}

/// Embedded, the ceremony runs in the portal's document: the key is bound to the
/// relying party (localhost here; the portal's registrable domain in production) and
/// the portal's origin must be one the endpoint accepts. A key registered inside the
/// portal then works on the standalone page too: same relying party, another origin.
#[tokio::test(flavor = "multi_thread")]
async fn a_key_registered_in_the_portal_works_on_the_standalone_page_too() {
    use app_passwords_e2e::Shadow;
    let server = Server::with_portal().await;
    let portal_port = server.portal.as_deref().unwrap().rsplit(':').next().unwrap().to_owned();
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.add_virtual_authenticator().await.unwrap();
    b.open(&format!("http://localhost:{portal_port}/")).await;
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("Sign in").await;
    app.type_in("#ap-username", NEW.0).await;
    app.type_in("#ap-password", NEW.1).await;
    app.press("Sign in").await;
    app.until_heading("Secure your account first").await;
    app.press("Set it up now").await;
    app.click("label[for=ap-kind-passkey]").await;
    app.press("Continue").await;
    app.until_heading("Name your security key").await;
    app.type_in("#ap-key-name", "Portal key").await;
    app.press("Register the key").await;
    app.until_heading("Register your security key").await;
    app.press("Register with my key").await;
    app.until_heading("Method verified").await;
    b.shot("passkeys/portal-chromium-en-01-verified").await;

    let r = Run { b, fr: false, name: "portal-standalone", step: 0.into() };
    r.open_and_sign_in(&server, NEW).await;
    r.heading("Verify it is you", "").await;
    r.press("Use Portal key", "").await;
    r.press("Use my key", "").await;
    r.heading("Your app passwords", "").await;
    r.b.client.clone().close().await.unwrap();
}
