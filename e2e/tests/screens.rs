//! Every screen of the app, in English and French, light and dark, at 1280 px and
//! 360 px, walked through as a person would against the real server, photographed
//! into `e2e/artifacts/` (git-ignored) and audited with axe-core. The journey asserts
//! as it goes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{totp, Browser, Driver, Server};

#[derive(Clone, Copy)]
struct Look {
    fr: bool,
    dark: bool,
}

impl Look {
    fn tag(self) -> String {
        format!(
            "{}-{}",
            if self.fr { "fr" } else { "en" },
            if self.dark { "dark" } else { "light" }
        )
    }

    /// The English or French text.
    fn t<'a>(self, en: &'a str, fr: &'a str) -> &'a str {
        if self.fr {
            fr
        } else {
            en
        }
    }
}

/// Both widths of the current screen, and an axe-core audit of it in this look
/// (the journeys audit light mode; this covers dark mode's contrast too).
async fn shots(b: &Browser, look: Look, n: u32, name: &str) {
    for (w, h, label) in [(1280, 900, "1280"), (360, 780, "360")] {
        b.size(w, h).await;
        b.shot(&format!("{}/{n:02}-{name}-{label}", look.tag())).await;
    }
    b.size(1280, 900).await;
    b.assert_accessible(&format!("{name} ({})", look.tag())).await;
}

async fn open(b: &Browser, server: &Server, look: Look) {
    b.open_app(&server.base, look.fr).await;
}

async fn sign_in(b: &Browser, look: Look, user: &str, password: &str) {
    b.sign_in((user, password), look.fr).await;
}

async fn sign_out(b: &Browser, look: Look) {
    b.press(look.t("Sign out", "Se déconnecter")).await;
    b.until_heading(look.t("Sign in", "Connexion")).await;
}

async fn tour(driver: &Driver, look: Look) {
    let b = driver.browser(look.dark).await;
    let t = |en, fr| look.t(en, fr);

    // Part one: sign-in, not available, then a first-time user with a text message.
    let server = Server::start().await;
    open(&b, &server, look).await;
    shots(&b, look, 1, "sign-in").await;
    // Submitted empty: the error summary, focused, above the two fields.
    b.press(t("Sign in", "Se connecter")).await;
    b.find("#ap-error-summary").await;
    shots(&b, look, 1, "sign-in-summary").await;
    sign_in(&b, look, "new.user@contoso.example", "not-the-password").await;
    b.find("#ap-form-error").await;
    shots(&b, look, 2, "sign-in-error").await;

    b.type_in("#ap-username", "no.mfa@contoso.example").await;
    b.type_in("#ap-password", "Demo-nomfa-2026").await;
    b.press(t("Sign in", "Se connecter")).await;
    b.until_heading(t(
        "App passwords are not available",
        "Mots de passe d’application indisponibles",
    ))
    .await;
    shots(&b, look, 3, "not-available-mfa").await;
    sign_out(&b, look).await;
    sign_in(&b, look, "no.apppw@contoso.example", "Demo-noapppw-2026").await;
    b.until_heading(t(
        "App passwords are not available",
        "Mots de passe d’application indisponibles",
    ))
    .await;
    shots(&b, look, 4, "not-available-disabled").await;
    sign_out(&b, look).await;

    sign_in(&b, look, "new.user@contoso.example", "Demo-new-2026").await;
    b.until_heading(t("Secure your account first", "Sécurisez d’abord votre compte")).await;
    shots(&b, look, 5, "set-it-up-now").await;
    b.press(t("Set it up now", "Configurer maintenant")).await;
    b.until_heading(t("Choose a method", "Choisissez une méthode")).await;
    b.click("label[for=ap-kind-sms]").await;
    shots(&b, look, 6, "choose").await;
    b.press(t("Continue", "Continuer")).await;
    b.until_heading(t("Add your mobile phone", "Ajoutez votre mobile")).await;
    b.type_in("#ap-phone", "06 12 34 56 78").await;
    b.press(t("Send code", "Envoyer le code")).await;
    b.find("#ap-phone-error").await;
    shots(&b, look, 7, "phone-error").await;
    b.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    b.press(t("Send code", "Envoyer le code")).await;
    b.until_heading(t("Enter the code", "Saisissez le code")).await;
    b.type_in("#ap-code", "000000").await;
    b.press(t("Verify", "Vérifier")).await;
    b.find("#ap-code-error").await;
    shots(&b, look, 8, "code-error").await;
    let code = server.last_code("+33612345678").await;
    b.type_in("#ap-code", &code).await;
    b.press(t("Verify", "Vérifier")).await;
    b.until_heading(t("Method verified", "Méthode vérifiée")).await;
    shots(&b, look, 9, "verified").await;
    b.press(t("Next", "Suivant")).await;
    b.until_heading(t("Name your app password", "Nommez votre mot de passe d’application")).await;
    b.type_in("#ap-name", t("Outlook on my laptop", "Outlook sur mon ordinateur portable")).await;
    shots(&b, look, 10, "name").await;
    b.press(t("Create app password", "Créer le mot de passe")).await;
    b.until_heading(t("Your app password", "Votre mot de passe d’application")).await;
    let shown = b.find("#ap-password-shown").await.text().await.unwrap();
    assert_eq!(shown.len(), 19, "four groups of four: {shown}");
    shots(&b, look, 11, "app-password").await;
    b.press(t("Copy", "Copier")).await;
    // Copied (the button says so) or, where the browser refused, the text selected.
    b.find(".ap-copy[data-copied], #ap-password-shown-select").await;
    shots(&b, look, 12, "app-password-copy").await;
    b.press(t("Done", "Terminé")).await;
    b.until_heading(t("Your app passwords", "Vos mots de passe d’application")).await;
    b.find(".ap-item").await;
    shots(&b, look, 13, "list").await;
    b.press(t("Create an app password", "Créer un mot de passe d’application")).await;
    b.type_in("#ap-name", "Thunderbird").await;
    b.press(t("Create app password", "Créer le mot de passe")).await;
    b.press(t("Done", "Terminé")).await;
    b.click("button.ap-button--danger[aria-label]").await;
    b.find(".ap-confirm").await;
    shots(&b, look, 14, "list-confirm-delete").await;

    // Part two: a first-time user with an authenticator app, then as a returning user.
    let server = Server::start().await;
    open(&b, &server, look).await;
    sign_in(&b, look, "new.user@contoso.example", "Demo-new-2026").await;
    b.press(t("Set it up now", "Configurer maintenant")).await;
    b.click("label[for=ap-kind-totp]").await;
    b.press(t("Continue", "Continuer")).await;
    b.until_heading(t(
        "Set up your authenticator app",
        "Configurez votre application d’authentification",
    ))
    .await;
    shots(&b, look, 15, "authenticator").await;
    let key = b.find("#ap-key").await.text().await.unwrap();
    b.type_in("#ap-code", &totp(&key)).await;
    b.press(t("Verify", "Vérifier")).await;
    b.until_heading(t("Method verified", "Méthode vérifiée")).await;
    sign_out(&b, look).await;
    shots(&b, look, 16, "signed-out").await;
    sign_in(&b, look, "new.user@contoso.example", "Demo-new-2026").await;
    b.until_heading(t("Verify it is you", "Confirmez votre identité")).await;
    shots(&b, look, 17, "challenge").await;
    b.click(".ap-methods button").await;
    b.until_heading(t("Enter the code", "Saisissez le code")).await;
    shots(&b, look, 18, "challenge-code").await;
    b.client.close().await.unwrap();
}

/// Every screen at two widths, one test per language and colour scheme (each with its
/// own browser): `every_screen::fr_dark` runs alone, and the four share the suite's slots.
mod every_screen {
    use super::*;

    async fn walk(fr: bool, dark: bool) {
        let driver = Driver::chrome().await;
        tour(&driver, Look { fr, dark }).await;
    }

    #[tokio::test]
    async fn en_light() {
        walk(false, false).await;
    }

    #[tokio::test]
    async fn fr_light() {
        walk(true, false).await;
    }

    #[tokio::test]
    async fn en_dark() {
        walk(false, true).await;
    }

    #[tokio::test]
    async fn fr_dark() {
        walk(true, true).await;
    }
}
