//! The seed's journeys as a person lives them: the release build served by the real
//! server, in headless Chromium and headless Firefox, in English and in French. A
//! real authenticator (oathtool) reads the QR code that zbarimg decodes from a
//! screenshot; codes sent by text and email come from the demo outbox; the copied app
//! password is pasted back from the clipboard and used by a legacy client. Every
//! screen is audited with axe-core (WCAG 2.1 A and AA) and photographed.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{otpauth_secret, totp, Browser, Driver, Kind, Server};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();

/// One run: a browser and a language.
struct Run {
    b: Browser,
    fr: bool,
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

    fn tag(&self, journey: &str) -> String {
        let browser = match self.b.kind {
            Kind::Chromium => "chromium",
            Kind::Firefox => "firefox",
            Kind::WebKit => "webkit",
        };
        format!("journeys/{browser}-{}/{journey}", if self.fr { "fr" } else { "en" })
    }

    /// Photographs the screen and fails on any accessibility violation.
    async fn check(&self, journey: &str, name: &str) {
        let n = self.step.get() + 1;
        self.step.set(n);
        self.b.check(&format!("{}-{n:02}-{name}", self.tag(journey))).await;
    }

    async fn open(&self, server: &Server) {
        self.b.open_app(&server.base, self.fr).await;
    }

    async fn sign_in(&self, user: (&str, &str)) {
        self.b.sign_in(user, self.fr).await;
    }

    async fn heading(&self, en: &str, fr: &str) {
        self.b.until_heading(self.t(en, fr)).await;
    }

    async fn press(&self, en: &str, fr: &str) {
        self.b.press(self.t(en, fr)).await;
    }

    async fn set_up(&self, kind: &str, journey: &str) {
        self.heading("Secure your account first", "Sécurisez d’abord votre compte").await;
        self.check(journey, "set-it-up-now").await;
        self.press("Set it up now", "Configurer maintenant").await;
        self.heading("Choose a method", "Choisissez une méthode").await;
        self.b.click(&format!("label[for=ap-kind-{kind}]")).await;
        self.check(journey, "choose").await;
        self.press("Continue", "Continuer").await;
    }

    async fn enter_code(&self, code: &str) {
        self.b.type_in("#ap-code", code).await;
        self.press("Verify", "Vérifier").await;
    }

    /// From "Method verified" to a copied app password; returns it as shown.
    async fn get_app_password(&self, journey: &str, name: &str) -> String {
        self.heading("Method verified", "Méthode vérifiée").await;
        self.check(journey, "verified").await;
        self.press("Next", "Suivant").await;
        self.name_and_copy(journey, name).await
    }

    async fn name_and_copy(&self, journey: &str, name: &str) -> String {
        self.heading("Name your app password", "Nommez votre mot de passe d’application").await;
        self.b.type_in("#ap-name", name).await;
        self.check(journey, "name").await;
        self.press("Create app password", "Créer le mot de passe").await;
        self.heading("Your app password", "Votre mot de passe d’application").await;
        let shown = self.b.find("#ap-password-shown").await.text().await.unwrap();
        assert_eq!(shown.split(' ').map(str::len).collect::<Vec<_>>(), [4, 4, 4, 4], "{shown}");
        self.press("Copy", "Copier").await;
        self.b.find(".ap-copy").await;
        let copied = self.t("✓ Copied", "✓ Copié");
        self.b
            .client
            .wait()
            .for_element(fantoccini::Locator::XPath(&format!(
                "//button[normalize-space(.)='{copied}']"
            )))
            .await
            .unwrap();
        self.check(journey, "copied").await;
        let pasted = self.b.paste_clipboard().await;
        assert_eq!(pasted, shown.replace(' ', ""), "the clipboard holds the password, no spaces");
        self.press("Done", "Terminé").await;
        self.heading("Your app passwords", "Vos mots de passe d’application").await;
        self.b.find(".ap-item").await;
        self.check(journey, "list").await;
        shown
    }

    async fn sign_out(&self) {
        self.press("Sign out", "Se déconnecter").await;
        self.heading("Sign in", "Connexion").await;
    }
}

/// Journey 1: first-time user with an authenticator app, then a legacy client.
async fn authenticator_app(r: &Run) {
    let j = "1-authenticator";
    let server = Server::start().await;
    r.open(&server).await;
    // A first visit: the wasm and the JS come over the network once each (WebKit once
    // downloaded the wasm twice: a preload it did not hand to the loader's fetch).
    assert_eq!(r.b.bundle_downloads().await, [1, 1], "each file of the bundle downloaded once");
    r.check(j, "sign-in").await;
    r.sign_in(NEW).await;
    r.set_up("totp", j).await;
    r.heading("Set up your authenticator app", "Configurez votre application d’authentification")
        .await;
    r.check(j, "authenticator").await;
    let uri = r.b.read_qr().await;
    let secret = otpauth_secret(&uri);
    let key = r.b.find("#ap-key").await.text().await.unwrap();
    assert_eq!(key.replace(' ', ""), secret, "the key shown is the one in the QR code");
    r.enter_code(&totp(&secret)).await;
    let password = r
        .get_app_password(j, r.t("Outlook on my laptop", "Outlook sur mon ordinateur portable"))
        .await;
    assert_eq!(server.legacy_status(NEW.0, &password.replace(' ', "")).await, 200);
    assert_eq!(server.legacy_status(NEW.0, &password).await, 200, "with the display spaces too");
    assert_eq!(server.legacy_status(NEW.0, NEW.1).await, 401, "not the primary password");
    // Created with the defaults: a mail password, for IMAP and not for calendars.
    let password = password.replace(' ', "");
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("imap")).await, 200);
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("caldav")).await, 401);
}

/// Journey 2 and 3: text message, then the same person returning; and email.
async fn text_message_then_returning_and_email(r: &Run) {
    let j = "2-text-message";
    let server = Server::start().await;
    r.open(&server).await;
    r.sign_in(NEW).await;
    r.set_up("sms", j).await;
    r.heading("Add your mobile phone", "Ajoutez votre mobile").await;
    r.b.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    r.check(j, "phone").await;
    r.press("Send code", "Envoyer le code").await;
    r.heading("Enter the code", "Saisissez le code").await;
    r.check(j, "code").await;
    r.enter_code(&server.last_code("+33612345678").await).await;
    let first = r.get_app_password(j, "Apple Mail").await;
    assert_eq!(server.legacy_status(NEW.0, &first).await, 200);
    r.sign_out().await;

    let j = "3-returning";
    r.sign_in(NEW).await;
    r.heading("Verify it is you", "Confirmez votre identité").await;
    r.check(j, "challenge").await;
    r.b.click(".ap-methods button").await;
    r.heading("Enter the code", "Saisissez le code").await;
    r.check(j, "challenge-code").await;
    r.enter_code(&server.last_code("+33612345678").await).await;
    r.heading("Your app passwords", "Vos mots de passe d’application").await;
    r.b.find(".ap-item").await;
    r.press("Create an app password", "Créer un mot de passe d’application").await;
    let second = r.name_and_copy(j, "Thunderbird").await;
    r.b.click("button[aria-label='Delete Apple Mail'], button[aria-label='Supprimer Apple Mail']")
        .await;
    r.b.find(".ap-confirm").await;
    r.check(j, "confirm-delete").await;
    r.b.click(".ap-confirm .ap-button--danger-solid").await;
    r.b.client
        .wait()
        .for_element(fantoccini::Locator::XPath("//ul[@class='ap-items' and count(li)=1]"))
        .await
        .unwrap();
    r.check(j, "after-delete").await;
    assert_eq!(server.legacy_status(NEW.0, &first).await, 401, "the revoked one is refused");
    assert_eq!(server.legacy_status(NEW.0, &second).await, 200, "the other still works");
    r.sign_out().await;

    // After 100 wrong codes in a row, verification locks until an admin unlocks it: the
    // person is told so, and whom to ask, in their language.
    sqlx::query("UPDATE accounts SET mfa_failures = 100").execute(server.db()).await.unwrap();
    r.sign_in(NEW).await;
    r.heading("Verify it is you", "Confirmez votre identité").await;
    r.b.click(".ap-methods button").await;
    let locked = r.t(
        "Verification is locked after too many wrong codes. Contact your administrator",
        "La vérification est verrouillée après trop de codes erronés. Contactez votre administrateur",
    );
    r.b.until_text(locked).await;
    r.check(j, "mfa-locked").await;
    sqlx::query("UPDATE accounts SET mfa_failures = 0").execute(server.db()).await.unwrap();
    r.sign_out().await;

    let j = "2-email";
    let user = ("erin@contoso.example", "Erin-pass-2026");
    server.add_account(user.0, user.1, "Erin Email").await;
    r.sign_in(user).await;
    r.set_up("email", j).await;
    r.heading("Add an email address", "Ajoutez une adresse e-mail").await;
    r.b.type_in("#ap-email", "erin.home@example.com").await;
    r.press("Send code", "Envoyer le code").await;
    r.heading("Enter the code", "Saisissez le code").await;
    r.check(j, "code").await;
    r.enter_code(&server.last_code("erin.home@example.com").await).await;
    let password = r.get_app_password(j, "IMAP").await;
    assert_eq!(server.legacy_status(user.0, &password).await, 200);
}

/// Journey 4: the admin has not required MFA, or has turned app passwords off.
async fn not_available(r: &Run) {
    let j = "4-not-available";
    let server = Server::start().await;
    r.open(&server).await;
    for (user, says) in [
        (
            ("no.mfa@contoso.example", "Demo-nomfa-2026"),
            r.t(
                "has not made multi-factor authentication required",
                "n’a pas rendu l’authentification multifacteur obligatoire",
            ),
        ),
        (
            ("no.apppw@contoso.example", "Demo-noapppw-2026"),
            r.t("has turned off app passwords", "a désactivé les mots de passe d’application"),
        ),
    ] {
        r.sign_in(user).await;
        r.heading("App passwords are not available", "Mots de passe d’application indisponibles")
            .await;
        assert!(r.b.text().await.contains(says));
        r.check(j, user.0.split('@').next().unwrap()).await;
        r.sign_out().await;
    }
}

/// Journey 5: what people get wrong, and what goes wrong under them.
async fn mistakes_and_outages(r: &Run) {
    let j = "5-errors";
    let mut server = Server::start().await;
    r.open(&server).await;
    r.sign_in((NEW.0, "Not-the-password")).await;
    r.b.find("#ap-form-error").await;
    r.check(j, "wrong-password").await;
    r.b.type_in("#ap-password", NEW.1).await;
    r.press("Sign in", "Se connecter").await;
    r.set_up("sms", j).await;
    r.heading("Add your mobile phone", "Ajoutez votre mobile").await;
    r.b.type_in("#ap-phone", "0612345678").await;
    r.press("Send code", "Envoyer le code").await;
    r.b.find("#ap-phone-error").await;
    r.check(j, "bad-number").await;
    r.b.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    r.press("Send code", "Envoyer le code").await;
    r.heading("Enter the code", "Saisissez le code").await;
    r.enter_code("000000").await;
    r.b.find("#ap-code-error").await;
    r.check(j, "wrong-code").await;

    // The server goes away mid-way: the app says so, then carries on when it is back.
    server.stop().await;
    let code = "123456";
    r.enter_code(code).await;
    r.b.find(".ap-banner--error").await;
    r.check(j, "server-down").await;
    server.restart().await;
    r.b.client
        .wait()
        .at_most(std::time::Duration::from_secs(15))
        .for_element(fantoccini::Locator::XPath("//div[contains(@class,'ap-root') and not(.//div[contains(@class,'ap-banner--error')])]"))
        .await
        .unwrap();
    r.enter_code(&server.last_code("+33612345678").await).await;
    r.heading("Method verified", "Méthode vérifiée").await;

    // The session ends on the server mid-way: back to sign-in, told why.
    server.end_sessions().await;
    r.press("Next", "Suivant").await;
    r.press("Create app password", "Créer le mot de passe").await;
    r.heading("Sign in", "Connexion").await;
    let says = r.t("Your session has expired.", "Votre session a expiré.");
    assert!(r.b.text().await.contains(says));
    r.check(j, "session-expired").await;
}

/// Journey 6: a browser that refuses to copy (no Clipboard API, `execCommand` refused,
/// as on an insecure origin or under a strict policy): the password is selected, the
/// person presses Ctrl+C as told, and it is on the clipboard.
async fn copy_refused(r: &Run) {
    let j = "6-copy-refused";
    let server = Server::start().await;
    r.open(&server).await;
    r.sign_in(NEW).await;
    r.set_up("sms", j).await;
    r.b.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    r.press("Send code", "Envoyer le code").await;
    r.heading("Enter the code", "Saisissez le code").await;
    r.enter_code(&server.last_code("+33612345678").await).await;
    r.heading("Method verified", "Méthode vérifiée").await;
    r.press("Next", "Suivant").await;
    r.heading("Name your app password", "Nommez votre mot de passe d’application").await;
    r.press("Create app password", "Créer le mot de passe").await;
    r.heading("Your app password", "Votre mot de passe d’application").await;
    let shown = r.b.find("#ap-password-shown").await.text().await.unwrap();
    r.b.client
        .execute(
            "Object.defineProperty(navigator, 'clipboard', { value: undefined, configurable: true });
             document.execCommand = () => false;",
            vec![],
        )
        .await
        .unwrap();
    r.press("Copy", "Copier").await;
    let field = r.b.find("#ap-password-shown-select").await;
    r.check(j, "copy-refused").await;
    let active = r.b.client.active_element().await.unwrap();
    assert_eq!(active.attr("id").await.unwrap().as_deref(), Some("ap-password-shown-select"));
    assert_eq!(field.prop("value").await.unwrap().unwrap_or_default(), shown.replace(' ', ""));
    active.send_keys(&format!("{}c", char::from(fantoccini::key::Key::Control))).await.unwrap();
    assert_eq!(r.b.paste_clipboard().await, shown.replace(' ', ""), "Ctrl+C as told copies it");
}

/// One test per journey and engine (`authenticator_app::fr_in_webkit`), each with its
/// own browser and server: one of them runs alone, and a failure names it.
///
/// Every journey runs in every engine, and in both languages; each engine meets both
/// languages too, over the journeys (pairwise: what differs by engine — clipboard, forms,
/// focus, layout — and what differs by language — every text, its length — are each
/// walked in every journey; their few meetings, such as a longer French text in WebKit's
/// layout, are met by more than one journey). Every screen in both languages is in
/// screens.rs, how each engine picks the person's language in loading.rs. Running all
/// six pairs of every journey took 436 s of the e2e suite's 1,230 test-seconds, half of
/// them repeating what another pair had shown.
macro_rules! in_every_engine_and_language {
    ($($journey:ident: $($test:ident($kind:ident, $fr:literal)),+;)*) => {$(
        mod $journey {
            use super::*;

            async fn run(kind: Kind, fr: bool) {
                let driver = Driver::start(kind).await;
                let r = Run { b: driver.browser(false).await, fr, step: 0.into() };
                super::$journey(&r).await;
                r.b.client.close().await.unwrap();
            }

            $(
                #[tokio::test(flavor = "multi_thread")]
                async fn $test() {
                    run(Kind::$kind, $fr).await;
                }
            )+
        }
    )*};
}

in_every_engine_and_language!(
    authenticator_app:
        en_in_chromium(Chromium, false), fr_in_firefox(Firefox, true), en_in_webkit(WebKit, false);
    text_message_then_returning_and_email:
        fr_in_chromium(Chromium, true), en_in_firefox(Firefox, false), fr_in_webkit(WebKit, true);
    not_available:
        en_in_chromium(Chromium, false), en_in_firefox(Firefox, false), fr_in_webkit(WebKit, true);
    mistakes_and_outages:
        fr_in_chromium(Chromium, true), fr_in_firefox(Firefox, true), en_in_webkit(WebKit, false);
    copy_refused:
        en_in_chromium(Chromium, false), fr_in_firefox(Firefox, true), fr_in_webkit(WebKit, true);
);

/// Keys as WebDriver spells them.
const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const DOWN: &str = "\u{E015}";

async fn keys(b: &Browser, keys: &str) {
    b.client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

async fn focused(b: &Browser) -> String {
    let id = b.client.execute(
        "return document.activeElement.id || document.activeElement.textContent.trim()",
        vec![],
    );
    id.await.unwrap().as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_setup_works_with_the_keyboard_alone() {
    let server = Server::start().await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.open(&server.base).await;
    b.until_heading("Sign in").await;
    // The language switch, then the form, in reading order.
    keys(&b, TAB).await;
    assert_eq!(focused(&b).await, "Français");
    keys(&b, TAB).await;
    assert_eq!(focused(&b).await, "ap-username");
    keys(&b, NEW.0).await;
    keys(&b, TAB).await;
    assert_eq!(focused(&b).await, "ap-password");
    keys(&b, &format!("{}{ENTER}", NEW.1)).await;
    b.until_heading("Secure your account first").await;
    assert_eq!(focused(&b).await, "ap-title", "focus starts at the new screen's heading");
    keys(&b, TAB).await; // from the heading into the screen
    assert_eq!(focused(&b).await, "Set it up now");
    keys(&b, ENTER).await;
    b.until_heading("Choose a method").await;
    keys(&b, TAB).await; // the radio group
    assert_eq!(focused(&b).await, "ap-kind-totp");
    keys(&b, DOWN).await; // arrows move within the group and select
    assert_eq!(focused(&b).await, "ap-kind-sms");
    keys(&b, &format!("{TAB}{ENTER}")).await; // Continue
    b.until_heading("Add your mobile phone").await;
    keys(&b, TAB).await;
    assert_eq!(focused(&b).await, "ap-phone");
    keys(&b, &format!("+33 6 12 34 56 78{ENTER}")).await;
    b.until_heading("Enter the code").await;
    keys(&b, TAB).await;
    assert_eq!(focused(&b).await, "ap-code");
    keys(&b, &format!("{}{ENTER}", server.last_code("+33612345678").await)).await;
    b.until_heading("Method verified").await;
    b.client.close().await.unwrap();
}
