//! Single sign-on as people live it: the organization's OpenID provider (the demo one of
//! `make run-org`, panva's oidc-provider on Node, its people in a real OpenLDAP), the
//! release build in real browsers, standalone (the page goes to the provider and comes
//! back) and embedded in the example portal (the provider in a window of its own; the
//! portal's page stays).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{totp_at, until, Browser, Driver, Idp, Kind, Server, Shadow, Slapd};
use fantoccini::Locator;

const ADA: &str = "ada.lovelace@contoso.example";
const KATHERINE: &str = "katherine.johnson@contoso.example";

/// Signs `who` in on the provider's pages, in the window the driver is in: their
/// password, then their authenticator's code when the provider asks for one.
async fn at_the_provider(b: &Browser, who: &str, otp_secret: Option<&str>) {
    b.find("#username").await;
    b.type_in("#username", who).await;
    b.type_in("#password", Slapd::PEOPLE_PASSWORD).await;
    b.press("Sign in").await;
    if let Some(secret) = otp_secret {
        b.find("#otp").await;
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap();
        b.type_in("#otp", &totp_at(secret, now.as_secs() as i64)).await;
        b.press("Verify").await;
    }
}

/// The standalone page to the provider and back, in `kind`, for `who` (with her
/// authenticator's secret when the provider asks for a code): the first screen after
/// sign-in, the code gone from the address.
async fn standalone(
    server: &Server,
    driver: &Driver,
    who: &str,
    otp: Option<&str>,
    first: &str,
) -> Browser {
    let b = driver.browser(false).await;
    b.open_app(&server.localhost(), false).await;
    b.until_text("Sign in with Contoso").await;
    b.press("Sign in with Contoso").await;
    at_the_provider(&b, who, otp).await;
    b.until_heading(first).await;
    let address = b.client.current_url().await.unwrap().to_string();
    assert_eq!(address, format!("{}/", server.localhost()), "nothing left in the address");
    b
}

/// Ada proved a code at the provider, and the organization counts it: no method to set
/// up here, straight to her app passwords; Katherine proved nothing there: she sets up
/// one of ours, as everyone did before. In each engine.
async fn both_ways(kind: Kind, engine: &str) {
    let (slapd, idp) = (Slapd::start(), Idp::new());
    let server = Server::with_sso(&slapd, &idp, false, true).await;
    let driver = Driver::start(kind).await;
    let b =
        standalone(&server, &driver, ADA, Some(Idp::ADA_OTP_SECRET), "Your app passwords").await;
    b.check(&format!("sso/{engine}-02-ada-back-signed-in")).await;
    b.close().await;
    let b = standalone(&server, &driver, KATHERINE, None, "Secure your account first").await;
    b.check(&format!("sso/{engine}-03-katherine-sets-up-a-method")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_provider_with_and_without_its_mfa_in_firefox() {
    both_ways(Kind::Firefox, "firefox").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn through_the_provider_with_and_without_its_mfa_in_webkit() {
    both_ways(Kind::WebKit, "webkit").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ada_signs_in_at_her_organization_and_copies_an_app_password_without_a_method_here() {
    let (slapd, idp) = (Slapd::start(), Idp::new());
    let server = Server::with_sso(&slapd, &idp, false, true).await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.open_app(&server.localhost(), false).await;
    b.until_text("Sign in with Contoso").await;
    b.check("sso/chromium-01-sign-in-with-contoso").await;
    b.close().await;
    let b =
        standalone(&server, &driver, ADA, Some(Idp::ADA_OTP_SECRET), "Your app passwords").await;
    b.check("sso/chromium-02-ada-back-signed-in").await;
    b.press("Create an app password").await;
    b.until_heading("Name your app password").await;
    b.type_in("#ap-name", "Outlook").await;
    b.press("Create app password").await;
    b.until_heading("Your app password").await;
    b.check("sso/chromium-03-app-password").await;
    let shown = b.find("#ap-password-shown").await.text().await.unwrap();
    assert_eq!(server.legacy_status(ADA, &shown.replace(' ', "")).await, 200);
    b.close().await;
    // Katherine proves nothing at the provider: one of our methods, as today.
    let b = standalone(&server, &driver, KATHERINE, None, "Secure your account first").await;
    b.check("sso/chromium-04-katherine-sets-up-a-method").await;
}

/// The embedded app's sign-in at the provider, in `kind`: in a window of its own, which
/// hands over and closes; the portal's page never leaves.
async fn in_the_portal(kind: Kind, engine: &str) {
    let (slapd, idp) = (Slapd::start(), Idp::new());
    let server = Server::with_sso(&slapd, &idp, true, true).await;
    let portal = server.portal.clone().unwrap();
    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.open(&portal).await;
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("Sign in").await;
    let page = b.client.window().await.unwrap();
    app.press("Sign in with Contoso").await;
    until("the provider's window", || async { b.client.windows().await.unwrap().len() == 2 }).await;
    let windows = b.client.windows().await.unwrap();
    let popup = windows.into_iter().find(|w| *w != page).unwrap();
    b.client.switch_to_window(popup).await.unwrap();
    b.find("#username").await;
    b.shot(&format!("sso/{engine}-05-portal-the-providers-window")).await;
    // Katherine proves nothing at the provider: she sets up a method here, as today.
    at_the_provider(&b, KATHERINE, None).await;
    until("the provider's window closed", || async {
        b.client.windows().await.unwrap().len() == 1
    })
    .await;
    b.client.switch_to_window(page).await.unwrap();
    assert_eq!(b.client.current_url().await.unwrap().as_str(), format!("{portal}/"));
    app.until_heading("Secure your account first").await;
    b.check(&format!("sso/{engine}-06-portal-signed-in")).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_portal_the_provider_opens_in_a_window_of_its_own_in_chromium() {
    in_the_portal(Kind::Chromium, "chromium").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn in_the_portal_the_provider_opens_in_a_window_of_its_own_in_firefox() {
    in_the_portal(Kind::Firefox, "firefox").await;
}

#[tokio::test(flavor = "multi_thread")]
async fn with_the_provider_as_the_only_door_its_outage_is_said_and_then_it_lets_people_in() {
    let (slapd, idp) = (Slapd::start(), Idp::new());
    let mut server = Server::with_sso(&slapd, &idp, false, false).await;
    // The provider down when the endpoint starts: it cannot learn where to send anyone.
    idp.stop();
    server.stop().await;
    server.restart().await;
    let driver = Driver::start(Kind::Firefox).await;
    let b = driver.browser(false).await;
    b.open_app(&server.localhost(), false).await;
    // No password asked for, once the app knows how this endpoint signs people in.
    until("the password form gone", || async {
        b.client.find_all(Locator::Css("#ap-password")).await.unwrap().is_empty()
    })
    .await;
    b.check("sso/firefox-01-provider-only").await;
    b.press("Sign in with Contoso").await;
    b.until_text("Your organization’s sign-in service can’t be reached right now.").await;
    let address = b.client.current_url().await.unwrap().to_string();
    assert_eq!(address, format!("{}/", server.localhost()), "nothing left in the address");
    b.check("sso/firefox-02-provider-down").await;
    // Back: Grace signs in there, and is told app passwords are not for her (no group).
    idp.restart(false);
    b.press("Sign in with Contoso").await;
    at_the_provider(&b, "grace.hopper@contoso.example", None).await;
    b.until_heading("App passwords are not available").await;
    b.check("sso/firefox-03-grace-not-available").await;
}

/// The example portal signs its own users in at the provider (its own client there),
/// exchanges the access token it gets for the endpoint (RFC 8707) for a session of the
/// module (RFC 8693, its admin credential), and hands that to the element: Ada is in,
/// without a password and without the module's own sign-in.
#[tokio::test(flavor = "multi_thread")]
async fn the_portal_signs_its_user_in_at_the_provider_and_hands_her_to_the_module() {
    let (slapd, idp) = (Slapd::start(), Idp::new());
    let server = Server::with_sso(&slapd, &idp, true, true).await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    let portal = server.portal_localhost();
    b.open(&portal).await;
    b.click("a.portal-sso").await;
    at_the_provider(&b, ADA, Some(Idp::ADA_OTP_SECRET)).await;
    let app = Shadow { b: &b, index: 0 };
    // Her MFA at the provider counts: straight to her app passwords (the session picked
    // up, then the screens after sign-in fetched: two waits, for a loaded machine).
    app.until_text("Signed in as Ada Lovelace").await;
    app.until_heading("Your app passwords").await;
    assert_eq!(b.client.current_url().await.unwrap().as_str(), format!("{portal}/"));
    b.until_text("Signed in to the portal as Ada Lovelace").await;
    b.check("sso/chromium-07-portal-hands-ada-over").await;
}
