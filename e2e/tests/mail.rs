//! A real mail server: Dovecot (examples/mail/, Debian's packages) in a temp folder on
//! loopback, as an unprivileged user, its passdb asking the endpoint. Mail clients sign
//! in with app passwords (curl and Python's imaplib, poplib, smtplib) and are refused
//! what the endpoint refuses, at once; guessing from one client blocks that client
//! only; with the endpoint down, Dovecot says "temporary failure", not "wrong password".
//! In the browser, the list then says where the mail client signed in from, and over what.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Browser, Dovecot, Driver, Kind, Server, Smtpd};
use futures::future::join_all;
use serde_json::json;

const NEW: (&str, &str) = server::demo::NEW_USER.credentials();
const DAY: i64 = 86_400;

/// "abcdefghijklmnop" as the app shows it: "abcd efgh ijkl mnop".
fn spaced(password: &str) -> String {
    password
        .as_bytes()
        .chunks(4)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

#[tokio::test]
async fn mail_clients_sign_in_with_app_passwords_and_nothing_else() {
    let server = Server::with_clock().await;
    let relay = Smtpd::start().await;
    let mail = Dovecot::start(&server.base, &server.mail_server_secret_file(), relay.port).await;
    let token = server.proven_session(NEW).await;
    let (_, password) = server.create_app_password(&token, json!({"name": "Thunderbird"})).await;
    let (revoked_id, revoked) =
        server.create_app_password(&token, json!({"name": "Old phone"})).await;
    let (_, dav) =
        server.create_app_password(&token, json!({"name": "Calendar", "scopes": ["dav"]})).await;
    let (_, month) =
        server.create_app_password(&token, json!({"name": "Laptop", "expires_in_days": 30})).await;

    // curl, then Python's clients over IMAP, POP3 and submission, with and without spaces.
    let (status, transcript) = mail.curl("127.0.0.2", NEW.0, &password).await;
    assert_eq!(status, 0, "{transcript}\n{}", mail.log());
    assert!(transcript.contains("OK Logged in") && transcript.contains("* LIST"), "{transcript}");
    eprintln!("curl imap:// transcript:\n{transcript}");
    assert!(mail.sign_in("imap", "127.0.0.3", NEW.0, &spaced(&password)).await.contains("INBOX"));
    assert!(mail
        .sign_in("pop3", "127.0.0.3", &NEW.0.to_uppercase(), &password)
        .await
        .starts_with("OK"));
    assert_eq!(mail.sign_in("submit", "127.0.0.3", NEW.0, &password).await, "OK sent");
    relay.wait_for("Submitted over SMTP with an app password.").await;

    // Refused, each at once: the primary password (MFA is required), a calendar-only
    // password, a revoked one; all from other clients, at the same time.
    reqwest::Client::new()
        .delete(format!("{}/v1/app-passwords/{revoked_id}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let refusals = join_all([
        mail.sign_in("imap", "127.0.0.4", NEW.0, NEW.1),
        mail.sign_in("imap", "127.0.0.5", NEW.0, &dav),
        mail.sign_in("imap", "127.0.0.6", NEW.0, &revoked),
        mail.sign_in("submit", "127.0.0.7", NEW.0, &dav),
    ])
    .await;
    for answer in &refusals {
        assert!(
            answer.starts_with("NO") && answer.contains("AUTHENTICATIONFAILED")
                || answer.contains("535"),
            "{refusals:?}"
        );
    }

    // Expiry, by the server's clock: day 29 works, day 30 does not.
    server.clock.advance(29 * DAY);
    assert!(mail.sign_in("imap", "127.0.0.8", NEW.0, &month).await.starts_with("OK"));
    server.clock.advance(DAY);
    let expired = mail.sign_in("imap", "127.0.0.8", NEW.0, &month).await;
    assert!(expired.contains("AUTHENTICATIONFAILED"), "{expired}");
}

#[tokio::test]
async fn guessing_from_one_mail_client_blocks_that_client_only_and_an_endpoint_down_is_a_temporary_failure(
) {
    let mut server = Server::start().await;
    let relay = Smtpd::start().await;
    let mail = Dovecot::start(&server.base, &server.mail_server_secret_file(), relay.port).await;
    let token = server.proven_session(NEW).await;
    let (_, password) = server.create_app_password(&token, json!({"name": "Thunderbird"})).await;

    // 20 wrong passwords at once from one client (the endpoint's limit per client).
    let mail = &mail;
    let guesses = (0..20).map(|i| {
        let guess = format!("{:a>16}", i);
        async move { mail.sign_in("imap", "127.0.0.20", NEW.0, &guess).await }
    });
    for answer in join_all(guesses).await {
        assert!(answer.contains("AUTHENTICATIONFAILED"), "{answer}\n{}", mail.log());
    }
    // That client is now refused even the right password, as a temporary failure (its
    // mail app retries later instead of asking for a new password); another client is
    // not, nor is the person's web sign-in.
    let (blocked, other) = tokio::join!(
        mail.sign_in("imap", "127.0.0.20", NEW.0, &password),
        mail.sign_in("imap", "127.0.0.21", NEW.0, &password),
    );
    assert!(blocked.contains("UNAVAILABLE"), "{blocked}");
    assert!(other.starts_with("OK"), "{other}");
    assert!(!server.session_token(NEW.0, NEW.1).await.is_empty());

    // The endpoint down: "temporary failure", never "wrong password".
    server.stop().await;
    let down = mail.sign_in("imap", "127.0.0.22", NEW.0, &password).await;
    assert!(down.contains("UNAVAILABLE") && down.contains("Temporary"), "{down}");
    assert!(mail.log().contains("app-passwords: the endpoint answered 900"), "{}", mail.log());
}

async fn last_use_shows_in_the_list(kind: Kind, fr: bool) {
    let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
    let tag = format!("{}-{}", format!("{kind:?}").to_lowercase(), if fr { "fr" } else { "en" });
    let server = Server::start().await;
    let relay = Smtpd::start().await;
    let mail = Dovecot::start(&server.base, &server.mail_server_secret_file(), relay.port).await;
    let driver = Driver::start(kind).await;
    let b: Browser = driver.browser(false).await;
    b.open_app(&server.base, fr).await;
    b.sign_in(NEW, fr).await;
    // As the person would: copied as shown, spaces and all, into the mail app.
    let shown = b.set_up_and_create("Thunderbird", server.clock.now(), fr).await;
    let answer = mail.sign_in("imap", "127.0.0.9", NEW.0, &shown).await;
    assert!(answer.contains("INBOX"), "{answer}\n{}", mail.log());
    b.press(t("Done", "Terminé")).await;
    b.until_text("127.0.0.9").await;
    let text = b.text().await;
    assert!(text.contains(t("over IMAP", "en IMAP")), "{text}");
    b.check(&format!("mail/{tag}-list-last-used-over-imap")).await;
    b.client.close().await.unwrap();
}

#[tokio::test]
async fn chromium_english_the_list_says_where_and_over_what_the_mail_client_signed_in() {
    last_use_shows_in_the_list(Kind::Chromium, false).await;
}

#[tokio::test]
async fn firefox_french_the_list_says_where_and_over_what_the_mail_client_signed_in() {
    last_use_shows_in_the_list(Kind::Firefox, true).await;
}

/// A leaver, from the identity system's SCIM `active: false` to the mail client's next
/// IMAP login: refused at that login, with no window, and the time it took said (for the
/// note: the PATCH's answer, then the first refused login, from the moment it was sent).
#[tokio::test]
async fn a_leaver_deprovisioned_over_scim_is_refused_at_the_next_imap_login() {
    let server = Server::start().await;
    let relay = Smtpd::start().await;
    let mail = Dovecot::start(&server.base, &server.mail_server_secret_file(), relay.port).await;
    let token = server.proven_session(NEW).await;
    let (_, password) = server.create_app_password(&token, json!({"name": "Thunderbird"})).await;
    let before = std::time::Instant::now();
    assert!(mail.sign_in("imap", "127.0.0.30", NEW.0, &password).await.contains("INBOX"));
    let login = before.elapsed();
    let id = server.scim_id(NEW.0).await;

    let sent = std::time::Instant::now();
    let leaver = json!([{"op": "Replace", "path": "active", "value": "False"}]);
    assert_eq!(server.scim_patch(&id, leaver).await, 200);
    let answered = sent.elapsed();
    let answer = mail.sign_in("imap", "127.0.0.30", NEW.0, &password).await;
    let refused = sent.elapsed();
    assert!(answer.contains("AUTHENTICATIONFAILED"), "{answer}");
    eprintln!(
        "scim active:false answered in {} ms; the first IMAP login after it refused {} ms \
         after the PATCH was sent (the login itself included; Dovecot delays a failure's \
         answer); a successful login took {} ms",
        answered.as_millis(),
        refused.as_millis(),
        login.as_millis()
    );
}
