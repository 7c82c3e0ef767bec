//! The life of app passwords, in the browser, with the server's clock moved on: one
//! created for 30 days works on day 29 and is refused and shown as expired on day 30
//! (its last use says from where and over what); then a password change revokes the
//! rest and says which. Screens photographed and audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{otpauth_secret, totp_at, Browser, Driver, Kind, Server};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();
const DAY: i64 = 86_400;

async fn sign_in(b: &Browser, server: &Server, fr: bool) {
    b.open_app(&server.base, fr).await;
    b.sign_in(NEW, fr).await;
}

async fn expiring_password(kind: Kind, fr: bool) {
    let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let tag = format!("{}-{}", format!("{kind:?}").to_lowercase(), if fr { "fr" } else { "en" });
    let server = Server::with_clock().await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    sign_in(&b, &server, fr).await;
    b.press(t("Set it up now", "Configurer maintenant")).await;
    b.click("label[for=ap-kind-totp]").await;
    b.press(t("Continue", "Continuer")).await;
    b.until_heading(t(
        "Set up your authenticator app",
        "Configurez votre application d’authentification",
    ))
    .await;
    let secret = otpauth_secret(&b.read_qr().await);
    b.type_in("#ap-code", &totp_at(&secret, server.clock.now())).await;
    b.press(t("Verify", "Vérifier")).await;
    b.press(t("Next", "Suivant")).await;
    b.until_heading(t("Name your app password", "Nommez votre mot de passe d’application")).await;
    b.type_in("#ap-name", "Phone").await;
    b.click("label[for=ap-scope-dav]").await;
    b.click("#ap-expiry option[value='30']").await;
    b.check(&format!("lifetimes/{tag}-01-name-scopes-expiry")).await;
    b.press(t("Create app password", "Créer le mot de passe")).await;
    b.until_heading(t("Your app password", "Votre mot de passe d’application")).await;
    let password = b.find("#ap-password-shown").await.text().await.unwrap().replace(' ', "");
    b.press(t("Done", "Terminé")).await;
    b.until_text(t("Expires", "Expire le")).await;

    // Day 29: it works, over IMAP and CardDAV (both ticked); the list says where from.
    server.clock.advance(29 * DAY);
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("imap")).await, 200);
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("ews")).await, 401);
    // Day 30: it no longer does.
    server.clock.advance(DAY);
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("imap")).await, 401);
    // The person comes back (the session ended long ago) and is told.
    sign_in(&b, &server, fr).await;
    b.until_heading(t("Verify it is you", "Confirmez votre identité")).await;
    b.press(t("Use Authenticator app", "Utiliser Application d’authentification")).await;
    b.type_in("#ap-code", &totp_at(&secret, server.clock.now())).await;
    b.press(t("Verify", "Vérifier")).await;
    b.until_heading(t("Your app passwords", "Vos mots de passe d’application")).await;
    b.until_text(t("it no longer works", "il ne fonctionne plus")).await;
    let text = b.text().await;
    assert!(text.contains(t("over IMAP", "en IMAP")) && text.contains("127.0.0.1"), "{text}");
    assert!(text.contains(t("Calendars and contacts", "Agendas et contacts")), "{text}");
    b.check(&format!("lifetimes/{tag}-02-list-expired")).await;

    // A mail password, then a new primary password: it stops working, and the person
    // is told which.
    b.press(t("Create an app password", "Créer un mot de passe d’application")).await;
    b.until_heading(t("Name your app password", "Nommez votre mot de passe d’application")).await;
    b.type_in("#ap-name", "Thunderbird").await;
    b.press(t("Create app password", "Créer le mot de passe")).await;
    b.until_heading(t("Your app password", "Votre mot de passe d’application")).await;
    let mail = b.find("#ap-password-shown").await.text().await.unwrap().replace(' ', "");
    b.press(t("Done", "Terminé")).await;
    b.press(t("Change your password", "Changer votre mot de passe")).await;
    b.until_heading(t("Change your password", "Changer votre mot de passe")).await;
    b.type_in("#ap-current-password", NEW.1).await;
    b.type_in("#ap-new-password", "Password2026!").await;
    b.press(t("Change password", "Changer le mot de passe")).await;
    b.until_text(t("too easy to guess", "trop facile à deviner")).await;
    b.check(&format!("lifetimes/{tag}-03-password-guessable")).await;
    b.type_in("#ap-new-password", "plume ardoise volcan tiroir").await;
    b.press(t("Change password", "Changer le mot de passe")).await;
    b.until_heading(t("Password changed", "Mot de passe changé")).await;
    let text = b.text().await;
    assert!(text.contains("Phone") && text.contains("Thunderbird"), "{text}");
    b.check(&format!("lifetimes/{tag}-04-password-changed")).await;
    assert_eq!(server.legacy_status_over(NEW.0, &mail, Some("imap")).await, 401);
    b.press(t("Back to your app passwords", "Retour à vos mots de passe d’application")).await;
    b.until_text(t("You have no app passwords.", "Vous n’avez aucun mot de passe d’application."))
        .await;
    b.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expiring_password_in_chromium() {
    expiring_password(Kind::Chromium, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_expiring_password_in_firefox() {
    expiring_password(Kind::Firefox, true).await;
}
