//! People of the organization's directory, as they live it: a real OpenLDAP (slapd,
//! started by the test in a temp folder, holding the demo organization of `make
//! run-org`), the release build in real browsers, standalone and embedded in the
//! example portal, and a real Dovecot asking the endpoint. Ada (in the MFA group) goes
//! from sign-in to a copied app password and reads her mail over IMAP with it; locked in
//! the directory, her next IMAP logins are refused within the status limit (the
//! default, 30 s), measured. Grace (in no group) is told app passwords are not for her.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::time::{Duration, Instant};

use app_passwords_e2e::{Dovecot, Driver, Kind, Server, Shadow, Slapd, Smtpd};

const ADA: (&str, &str) = ("ada.lovelace@contoso.example", Slapd::PEOPLE_PASSWORD);
const GRACE: (&str, &str) = ("grace.hopper@contoso.example", Slapd::PEOPLE_PASSWORD);

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_person_copies_an_app_password_and_loses_imap_when_locked_there() {
    let slapd = Slapd::start();
    let server = Server::with_directory(&slapd, false).await;
    let relay = Smtpd::start().await;
    let mail = Dovecot::start(&server.base, &server.mail_server_secret_file(), relay.port).await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;

    b.open_app(&server.base, false).await;
    b.sign_in(ADA, false).await;
    b.until_heading("Secure your account first").await;
    b.check("directory/chromium-01-ada-set-it-up-now").await;
    let now = server.clock.now();
    let shown = b.set_up_and_create("Outlook", now, false).await;
    b.check("directory/chromium-02-ada-app-password").await;
    let password = shown.replace(' ', "");
    let answer = mail.sign_in("imap", "127.0.0.2", ADA.0, &password).await;
    assert!(answer.starts_with("OK"), "{answer}\n{}", mail.log());

    // Locked in the directory, as its operator would (ldapmodify).
    slapd.modify(
        "dn: uid=ada,ou=people,dc=contoso,dc=example\nchangetype: modify\n\
         add: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n",
    );
    let locked = Instant::now();
    let refused = loop {
        let answer = mail.sign_in("imap", "127.0.0.3", ADA.0, &password).await;
        if answer.contains("AUTHENTICATIONFAILED") {
            break locked.elapsed();
        }
        assert!(answer.starts_with("OK"), "{answer}\n{}", mail.log());
        assert!(locked.elapsed() < Duration::from_secs(30), "still signing in after 30 s");
        tokio::time::sleep(Duration::from_millis(250)).await;
    };
    eprintln!("a lock in the directory to the first refused IMAP login: {refused:?}");
    // Her sessions ended with it, and the web sign-in refuses her.
    let (sessions,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM sessions s JOIN accounts a ON a.id = s.account_id \
         WHERE a.username = $1",
    )
    .bind(ADA.0)
    .fetch_one(server.db())
    .await
    .unwrap();
    assert_eq!(sessions, 0);
    b.open_app(&server.base, false).await;
    b.sign_in(ADA, false).await;
    b.until_text("The email, username or password is not correct.").await;
    b.check("directory/chromium-03-ada-locked").await;

    // Grace, in no group: app passwords are not offered, and why.
    b.type_in("#ap-username", GRACE.0).await;
    b.type_in("#ap-password", GRACE.1).await;
    b.press("Sign in").await;
    b.until_heading("App passwords are not available").await;
    b.check("directory/chromium-04-grace-not-available").await;

    // The directory down: the sign-in says so, and keeps what was typed.
    slapd.stop();
    b.press("Sign out").await;
    b.until_heading("Sign in").await;
    b.sign_in(GRACE, false).await;
    b.until_text("Your organization’s directory can’t be reached right now.").await;
    b.check("directory/chromium-05-directory-down").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_person_gets_an_app_password_in_the_portal_in_firefox() {
    let slapd = Slapd::start();
    let server = Server::with_directory(&slapd, true).await;
    let portal = server.portal.clone().unwrap();
    let driver = Driver::start(Kind::Firefox).await;
    let b = driver.browser(false).await;
    b.open(&portal).await;
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("Sign in").await;
    app.sign_in(ADA).await;
    app.until_heading("Secure your account first").await;
    app.press("Set it up now").await;
    app.click("label[for=ap-kind-totp]").await;
    app.press("Continue").await;
    let (shown, _) = app.verify_and_create("Apple Mail").await;
    b.shot("directory/firefox-01-portal-ada-app-password").await;
    let password = shown.replace(' ', "");
    assert_eq!(server.legacy_status(ADA.0, &password).await, 200);

    // The helpdesk (the portal's Users page) sees her as the directory's, locked there.
    slapd.modify(
        "dn: uid=ada,ou=people,dc=contoso,dc=example\nchangetype: modify\n\
         add: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n",
    );
    let locked = std::time::Instant::now();
    while server.legacy_status(ADA.0, &password).await != 401 {
        assert!(locked.elapsed() < std::time::Duration::from_secs(30), "not refused in 30 s");
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    b.open(&format!("{portal}/users.html")).await;
    let helpdesk = Shadow { b: &b, index: 0 };
    helpdesk.until_heading("Helpdesk: app passwords").await;
    helpdesk.type_in("#ap-admin-q", "ada").await;
    helpdesk.press("Search").await;
    helpdesk.click(&format!("button[data-user='{}']", ADA.0)).await;
    helpdesk.until_heading("Ada Lovelace").await;
    helpdesk.until_text("From the organization’s directory, which has locked them").await;
    b.check("directory/firefox-02-helpdesk-ada-locked").await;
}
