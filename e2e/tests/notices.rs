//! The notice of a new app password, sent over real SMTP to the account's address, and
//! its "this wasn't me" link followed in the browser: the password stops working, the
//! token leaves the address bar, and the link works once. Photographed and audited.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Driver, Kind, Server, Smtpd};

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();

async fn this_wasnt_me(kind: Kind, fr: bool) {
    let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let tag = format!("{}-{}", format!("{kind:?}").to_lowercase(), if fr { "fr" } else { "en" });
    let smtpd = Smtpd::start().await;
    let server = Server::with_smtp(smtpd.port).await;
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.open_app(&server.localhost(), fr).await;
    b.sign_in(NEW, fr).await;
    let shown = b.set_up_and_create("Outlook", server.clock.now(), fr).await;
    let password = shown.replace(' ', "");

    // The notice, as the mail server received it.
    let mail = smtpd.wait_for("A new app password was created").await;
    assert!(mail.contains(&format!("To: {}", NEW.0)), "{mail}");
    assert!(mail.contains("Name given: “Outlook”"), "{mail}");
    let link = mail.lines().find(|l| l.contains("#disown=")).expect("the link").trim().to_owned();
    assert!(link.starts_with(&format!("{}/#disown=", server.localhost())), "{link}");

    // Someone else did it: the owner follows the link (a new page, as from a mail).
    b.open("about:blank").await;
    b.open(&link).await;
    b.until_heading("Was it not you?").await;
    if fr {
        b.press("Français").await;
    }
    b.until_heading(t("Was it not you?", "Ce n’était pas vous\u{202f}?")).await;
    let address = b.client.current_url().await.unwrap().to_string();
    assert!(!address.contains("disown"), "the token left the address bar: {address}");
    b.check(&format!("notices/{tag}-01-disown")).await;
    b.press(t("Remove it and sign out everywhere", "Supprimer et fermer toutes les sessions"))
        .await;
    b.until_heading(t("Removed", "Supprimé")).await;
    b.check(&format!("notices/{tag}-02-removed")).await;
    assert_eq!(server.legacy_status_over(NEW.0, &password, Some("imap")).await, 401);
    // Once only.
    b.open("about:blank").await;
    b.open(&link).await;
    if fr {
        b.press("Français").await;
    }
    b.press(t("Remove it and sign out everywhere", "Supprimer et fermer toutes les sessions"))
        .await;
    b.until_text(t("already been used or has expired", "a déjà servi ou a expiré")).await;
    b.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn this_wasnt_me_in_chromium() {
    this_wasnt_me(Kind::Chromium, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn this_wasnt_me_in_firefox() {
    this_wasnt_me(Kind::Firefox, true).await;
}
