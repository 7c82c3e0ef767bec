//! Single sign-on through a real OpenID provider: the demo organization's
//! (`examples/idp/idp.mjs`, panva's certified `oidc-provider` on Node) over real HTTP,
//! its people in a real OpenLDAP, started by the test on loopback. A "browser" here is
//! an HTTP client keeping cookies that walks the provider's sign-in form; the endpoint
//! does the rest (the code exchange, the ID token's verification) as in production.

use app_passwords_server::config::{Config, DirectoryConfig, SsoConfig};
use app_passwords_server::domain::accounts::Username;
use app_passwords_server::store::accounts::NewAccount;
use app_passwords_test_support::{totp_at, Idp, Slapd};
use serde_json::{json, Value};

use crate::common::*;

const ADA: &str = "ada.lovelace@contoso.example";
const KATHERINE: &str = "katherine.johnson@contoso.example";
const GRACE: &str = "grace.hopper@contoso.example";

/// The organization: its directory, its provider (not running until `start`).
struct Org {
    slapd: Slapd,
    idp: Idp,
}

impl Org {
    fn new() -> Self {
        Self { slapd: Slapd::start(), idp: Idp::new() }
    }

    fn directory(&self) -> DirectoryConfig {
        DirectoryConfig {
            directory_url: Some(self.slapd.url.clone()),
            directory_bind_dn: Some(Slapd::SERVICE.into()),
            directory_bind_password_file: Some(self.slapd.service_secret_file()),
            directory_base: Some(Slapd::BASE.into()),
            directory_mfa_group: Some(Slapd::MFA_GROUP.into()),
            directory_app_passwords_off_group: Some(Slapd::OFF_GROUP.into()),
            ..DirectoryConfig::default()
        }
    }

    fn sso(&self, mfa_amr: &[&str]) -> SsoConfig {
        SsoConfig {
            sso_issuer: Some(self.idp.issuer.clone()),
            sso_client_id: Some(Idp::CLIENT_ID.into()),
            sso_client_secret_file: Some(self.idp.client_secret_file()),
            sso_mfa_amr: mfa_amr.iter().map(|s| (*s).to_owned()).collect(),
            ..SsoConfig::default()
        }
    }

    /// The endpoint with the directory and the provider (`tweak` last), the provider
    /// started for it, and the endpoint's clock set to the real time (the provider
    /// stamps its tokens with it).
    async fn spawn(&self, mfa_amr: &[&str], tweak: impl FnOnce(&mut Config)) -> TestApp {
        let (directory, sso) = (self.directory(), self.sso(mfa_amr));
        let app = spawn_with(move |c: &mut Config| {
            c.directory = directory;
            c.sso = sso;
            tweak(c);
        })
        .await;
        self.idp.start(&self.slapd, &public_url(&app), &[("IDP_ID_TOKEN_TTL", "120")]);
        app.clock.advance(now() - app.clock.now());
        app
    }
}

fn now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64
}

/// The app's page (the demo's public URL: `http://localhost:<port>/`).
fn public_url(app: &TestApp) -> String {
    format!("http://localhost:{}/", app.base.rsplit(':').next().unwrap())
}

/// A browser: keeps cookies, follows no redirect by itself.
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET /v1/sso/start`, as the app's button sends the browser there: where the endpoint
/// sends it on (`303`), or its problem.
async fn start_at(
    browser: &reqwest::Client,
    app: &TestApp,
    return_to: &str,
    again: bool,
) -> reqwest::Response {
    let again = if again { "true" } else { "false" };
    let params = [("return_to", return_to), ("again", again)];
    let url = url::Url::parse_with_params(&app.url("/v1/sso/start"), params).unwrap();
    browser.get(url).send().await.unwrap()
}

/// Where a redirect goes, resolved against the URL that answered it.
fn location(res: &reqwest::Response) -> Option<String> {
    let to = res.headers().get("location")?.to_str().ok()?;
    Some(res.url().join(to).ok()?.to_string())
}

/// Follows redirects from `url` until one leaves for `stop_at` (returned, not fetched),
/// or a page answers (its URL and text).
async fn walk(
    browser: &reqwest::Client,
    mut url: String,
    stop_at: &str,
) -> Result<String, (String, String)> {
    for _ in 0..10 {
        if url.starts_with(stop_at) {
            return Ok(url);
        }
        let res = browser.get(&url).send().await.unwrap();
        match location(&res) {
            Some(next) => url = next,
            None => {
                let at = res.url().to_string();
                return Err((at, res.text().await.unwrap()));
            }
        }
    }
    panic!("too many redirects from {url}");
}

/// Posts the provider's form at `page` (`/interaction/<uid>`) step `step` and follows
/// where it leads, up to `stop_at`.
async fn submit(
    browser: &reqwest::Client,
    page: &str,
    step: &str,
    form: &[(&str, &str)],
    stop_at: &str,
) -> Result<String, (String, String)> {
    let res = browser.post(format!("{page}/{step}")).form(form).send().await.unwrap();
    match location(&res) {
        Some(next) => walk(browser, next, stop_at).await,
        None => {
            let at = res.url().to_string();
            Err((at, res.text().await.unwrap()))
        }
    }
}

/// Starts a sign-in at the endpoint and signs `who` in at the provider (their password,
/// and their one-time code when it asks): the callback URL the provider sends the
/// browser to (not fetched yet).
async fn at_provider(
    app: &TestApp,
    browser: &reqwest::Client,
    who: &str,
    return_to: &str,
) -> String {
    let res = start_at(browser, app, return_to, false).await;
    assert_eq!(res.status(), 303, "{:?}", res.text().await);
    let authorize = location(&res).unwrap();
    assert!(authorize.contains("code_challenge_method=S256") && authorize.contains("nonce="));
    let callback = app.url("/v1/sso/callback");
    let callback_local = format!("{}v1/sso/callback", public_url(app));
    let reached = login(browser, authorize, who, &callback_local).await;
    // The redirect URI is the public URL (localhost); the same server answers on 127.0.0.1.
    reached.replacen(&callback_local, &callback, 1)
}

/// Signs `who` in at the provider from its `authorize` URL (their password, and their
/// one-time code when it asks): where it sends the browser back to (`stop_at…`).
async fn login(browser: &reqwest::Client, authorize: String, who: &str, stop_at: &str) -> String {
    let (page, form) = walk(browser, authorize, stop_at).await.unwrap_err();
    assert!(form.contains("name=\"password\""), "{form}");
    let asked = submit(
        browser,
        &page,
        "login",
        &[("username", who), ("password", Slapd::PEOPLE_PASSWORD)],
        stop_at,
    )
    .await;
    match asked {
        Ok(reached) => reached,
        Err((page, otp)) => {
            assert!(otp.contains("name=\"otp\""), "{otp}");
            let code = totp_at(Idp::ADA_OTP_SECRET, now());
            let page = page.trim_end_matches("/login");
            submit(browser, page, "otp", &[("otp", &code)], stop_at).await.unwrap()
        }
    }
}

/// Fetches the callback: the fragment of the address it sends the browser on to.
async fn callback(browser: &reqwest::Client, callback: &str) -> (String, String) {
    let res = browser.get(callback).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    let (_, fragment) = to.split_once('#').expect("a fragment");
    let (key, value) = fragment.split_once('=').unwrap();
    (key.to_owned(), value.to_owned())
}

/// The whole sign-in of `who`: their session, as the app gets it.
async fn sso_sign_in<'a>(app: &'a TestApp, who: &str) -> User<'a> {
    let browser = browser();
    let reached = at_provider(app, &browser, who, &public_url(app)).await;
    let (key, code) = callback(&browser, &reached).await;
    assert_eq!(key, "sso", "{code}");
    let res = app.post("/v1/sessions/sso", json!({"code": code})).await;
    assert_eq!(res.status(), 201, "{:?}", res.text().await);
    let session: Value = res.json().await.unwrap();
    app.user(session)
}

#[tokio::test]
async fn mfa_done_at_the_provider_counts_when_the_organization_says_so() {
    let org = Org::new();
    let app = org.spawn(&["mfa", "otp", "hwk", "swk"], |_| {}).await;
    assert_eq!(
        app.http.get(app.url("/v1/sso")).send().await.unwrap().json::<Value>().await.unwrap(),
        json!({"name": "Contoso", "password_sign_in": true, "provider_mfa": true})
    );
    // Ada proved a code at the provider: she needs no method here to make an app
    // password, and the mail client signs in with it.
    let ada = sso_sign_in(&app, ADA).await;
    assert_eq!(ada.session["account"]["username"], ADA);
    assert_eq!(ada.session["next"], "ready", "{}", ada.session);
    let (_, password) = ada.create_app_password("Outlook").await;
    assert_eq!(app.legacy(ADA, &password).await.status(), 200);
    // Katherine used only her password there: she proves one of our methods, as today.
    let katherine = sso_sign_in(&app, KATHERINE).await;
    assert_eq!(katherine.session["next"], "mfa_setup");
    let res = katherine.post("/v1/app-passwords", json!({"name": "Outlook"})).await;
    assert_eq!(problem(res).await.1["code"], "mfa_required");
    // The provider's proof is as old as its auth_time: past the window, it is spent.
    app.clock.advance(11 * 60);
    let res = ada.post("/v1/app-passwords", json!({"name": "Mail"})).await;
    assert_eq!(problem(res).await.1["code"], "mfa_required");
    assert_eq!(ada.get("/v1/account").await.json::<Value>().await.unwrap()["next"], "mfa_setup");
}

#[tokio::test]
async fn without_the_organizations_word_mfa_at_the_provider_does_not_count() {
    let org = Org::new();
    let app = org.spawn(&[], |_| {}).await;
    let ada = sso_sign_in(&app, ADA).await;
    assert_eq!(ada.session["next"], "mfa_setup");
    // The same person as her directory sign-in: one account.
    let by_password = app.sign_in((ADA, Slapd::PEOPLE_PASSWORD)).await;
    assert_eq!(by_password.session["account"], ada.session["account"]);
}

#[tokio::test]
async fn the_callback_and_the_hand_off_are_single_use_even_raced() {
    let org = Org::new();
    let app = org.spawn(&["mfa"], |_| {}).await;
    let browser = browser();
    let reached = at_provider(&app, &browser, GRACE, &public_url(&app)).await;
    let (key, code) = callback(&browser, &reached).await;
    assert_eq!(key, "sso");
    // The provider's answer replayed: the sign-in it belonged to is taken.
    assert_eq!(callback(&browser, &reached).await, ("sso_error".into(), "sso_failed".into()));
    // The hand-off code sent ten times at once: one session.
    let tries = (0..10).map(|_| app.post("/v1/sessions/sso", json!({"code": code})));
    let statuses: Vec<u16> =
        futures::future::join_all(tries).await.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 422).count(), 9, "{statuses:?}");
    // A code guessed, or none: the same refusal.
    let res = app.post("/v1/sessions/sso", json!({"code": "x".repeat(43)})).await;
    assert_eq!(problem(res).await.1["code"], "sso_failed");
    // A state the endpoint never made, and a provider's error, go back to the app.
    let forged = format!("{}?code=abc&state=forged", app.url("/v1/sso/callback"));
    assert_eq!(callback(&browser, &forged).await.1, "sso_failed");
}

#[tokio::test]
async fn the_hand_off_lives_one_minute() {
    let org = Org::new();
    let app = org.spawn(&[], |_| {}).await;
    let browser = browser();
    let reached = at_provider(&app, &browser, GRACE, &public_url(&app)).await;
    let (_, code) = callback(&browser, &reached).await;
    app.clock.advance(61);
    let res = app.post("/v1/sessions/sso", json!({"code": code})).await;
    assert_eq!(problem(res).await.1["code"], "sso_failed");
}

#[tokio::test]
async fn id_tokens_are_checked_by_the_endpoints_clock() {
    let org = Org::new();
    let app = org.spawn(&[], |_| {}).await;
    let browser = browser();
    // Issued "in the future" by more than the skew allowed: refused.
    let reached = at_provider(&app, &browser, GRACE, &public_url(&app)).await;
    app.clock.advance(-120);
    assert_eq!(callback(&browser, &reached).await.1, "sso_failed");
    // Expired (the provider's tokens live 120 s here; the sign-in itself 10 minutes).
    app.clock.advance(120);
    let browser = self::browser();
    let reached = at_provider(&app, &browser, GRACE, &public_url(&app)).await;
    app.clock.advance(300);
    assert_eq!(callback(&browser, &reached).await.1, "sso_failed");
}

#[tokio::test]
async fn only_the_apps_own_pages_and_allowed_origins_are_returned_to() {
    let org = Org::new();
    let app =
        org.spawn(&[], |c| c.allowed_origins.push("http://portal.localhost:8081".into())).await;
    for (return_to, why) in [
        ("https://evil.example/", "not_allowed"),
        ("http://localhost.evil.example/", "not_allowed"),
        ("javascript:alert(1)", "not_a_url"),
        ("/relative", "not_a_url"),
        (&format!("{}#sso=planted", public_url(&app)), "not_a_url"),
    ] {
        // Nowhere it may send the browser back to: the problem itself.
        let res = start_at(&browser(), &app, return_to, false).await;
        let (status, body) = problem(res).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some(why)), "{return_to}");
    }
    for (query, field) in [("", "return_to"), ("?return_to=x&again=maybe", "again")] {
        let res = browser().get(app.url(&format!("/v1/sso/start{query}"))).send().await.unwrap();
        let (status, body) = problem(res).await;
        assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some(field)), "{query}");
    }
    let res = start_at(&browser(), &app, "http://portal.localhost:8081/people?x=1", false).await;
    assert_eq!(res.status(), 303);
    let url = location(&res).unwrap();
    assert!(url.starts_with(&org.idp.issuer) && !url.contains("prompt="), "{url}");
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    // MFA at the provider too old: the person is asked to sign in there anew.
    let res = start_at(&browser(), &app, &public_url(&app), true).await;
    let url = location(&res).unwrap();
    assert!(url.contains("prompt=login") && url.contains("max_age=0"), "{url}");
}

/// Each start is a sign-in attempt of the client's address: a flood from one address,
/// in parallel, starts exactly as many as its budget and sends the rest back to the app
/// with `rate_limited`; another network is not held up by it.
#[tokio::test]
async fn starts_flooded_from_one_address_spend_its_sign_in_budget_exactly() {
    let org = Org::new();
    let app = org.spawn(&[], |c| c.limits.signin_per_address = 5).await;
    let from = |n: u32| {
        let [_, _, c, d] = (n / 250 * 256 + n % 250 + 2).to_be_bytes();
        let addr = std::net::IpAddr::V4(std::net::Ipv4Addr::new(127, 0, c, d));
        let no_redirect = reqwest::redirect::Policy::none();
        reqwest::Client::builder().local_address(addr).redirect(no_redirect).build().unwrap()
    };
    let (flood, page) = (from(0), public_url(&app));
    let starts = (0..20).map(|_| start_at(&flood, &app, &page, false));
    let mut to_provider = 0;
    for res in futures::future::join_all(starts).await {
        assert_eq!(res.status(), 303);
        match location(&res).unwrap() {
            to if to.starts_with(&org.idp.issuer) => to_provider += 1,
            to => assert_eq!(to, format!("{page}#sso_error=rate_limited")),
        }
    }
    assert_eq!(to_provider, 5);
    let res = start_at(&from(250), &app, &page, false).await;
    assert!(location(&res).unwrap().starts_with(&org.idp.issuer));
}

/// Locked in the directory after signing in at the provider (whose session may outlive
/// the lock): the endpoint reads the directory at the callback and lets no one in.
#[tokio::test]
async fn a_person_locked_in_the_directory_cannot_come_in_through_the_provider() {
    let org = Org::new();
    let app = org.spawn(&["mfa"], |_| {}).await;
    let browser = browser();
    let reached = at_provider(&app, &browser, GRACE, &public_url(&app)).await;
    org.slapd.modify(
        "dn: uid=grace,ou=people,dc=contoso,dc=example\nchangetype: modify\n\
         add: pwdAccountLockedTime\npwdAccountLockedTime: 000001010000Z\n",
    );
    assert_eq!(callback(&browser, &reached).await, ("sso_error".into(), "account_disabled".into()));
}

#[tokio::test]
async fn a_provider_that_is_down_is_said_and_one_that_rotated_its_key_is_followed() {
    let org = Org::new();
    let app = org.spawn(&[], |_| {}).await;
    org.idp.stop();
    // Said on the app's page, where the browser is sent back to.
    let res = start_at(&browser(), &app, &public_url(&app), false).await;
    assert_eq!(res.status(), 303);
    let back = format!("{}#sso_error=sso_unavailable", public_url(&app));
    assert_eq!(location(&res).as_deref(), Some(back.as_str()));
    // Back: it works unaided (its discovery read now and kept).
    org.idp.restart(false);
    sso_sign_in(&app, GRACE).await;
    // It rotates its signing key: the endpoint reads its keys again and goes on.
    org.idp.restart(true);
    sso_sign_in(&app, GRACE).await;
}

#[tokio::test]
async fn the_provider_can_be_the_only_door() {
    let org = Org::new();
    let app = org.spawn(&[], |c| c.sso.password_sign_in = false).await;
    let info: Value = app.http.get(app.url("/v1/sso")).send().await.unwrap().json().await.unwrap();
    assert_eq!(info["password_sign_in"], false);
    let res = app
        .post("/v1/sessions", json!({"username": GRACE, "password": Slapd::PEOPLE_PASSWORD}))
        .await;
    assert_eq!(problem(res).await.1["code"], "password_sign_in_off");
    sso_sign_in(&app, GRACE).await;
}

#[tokio::test]
async fn without_a_directory_people_get_an_account_of_their_own_never_a_local_ones() {
    let org = Org::new();
    let app = org.spawn(&[], |c| c.directory = DirectoryConfig::default()).await;
    // A local account already has Katherine's mail: hers is never taken over.
    let name = Username::parse(KATHERINE).unwrap();
    let policy = wire::Policy::default();
    let local = NewAccount {
        username: &name,
        display_name: "Someone Else",
        password_hash: "",
        policy: &policy,
    };
    app.store.create_account(local).await.unwrap().unwrap();
    let b0 = browser();
    let reached = at_provider(&app, &b0, KATHERINE, &public_url(&app)).await;
    assert_eq!(callback(&b0, &reached).await, ("sso_error".into(), "sso_no_account".into()));
    // Grace's first sign-ins, raced: one account, the provider's name on it.
    let (b1, b2) = (browser(), browser());
    let (r1, r2) = (
        at_provider(&app, &b1, GRACE, &public_url(&app)).await,
        at_provider(&app, &b2, GRACE, &public_url(&app)).await,
    );
    let (c1, c2) = tokio::join!(callback(&b1, &r1), callback(&b2, &r2));
    let (mut accounts, mut session_token) = (Vec::new(), None);
    for (key, code) in [c1, c2] {
        assert_eq!(key, "sso", "{code}");
        let res = app.post("/v1/sessions/sso", json!({"code": code})).await;
        let session: Value = res.json().await.unwrap();
        accounts.push(session["account"].clone());
        session_token = session["token"].as_str().map(str::to_owned);
    }
    assert_eq!(accounts[0], accounts[1]);
    assert_eq!(accounts[0]["username"], GRACE);
    assert_eq!(accounts[0]["display_name"], "Grace Hopper");
    // She has no password here: none to change, and the app offers none.
    assert_eq!(accounts[0]["password_elsewhere"], true);
    let token = session_token.unwrap();
    let change = json!({"current_password": "", "new_password": "a long new passphrase 42"});
    let res = app.http.post(app.url("/v1/account/password")).bearer_auth(token).json(&change);
    let (status, body) = problem(res.send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("not_available")), "{body}");
    let rows: Vec<(i64,)> = sqlx::query_as("SELECT COUNT(*) FROM sso_links")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(rows[0].0, 1);
}

/// Nothing secret is kept in plain text: the sign-ins in flight and the hand-offs are
/// hashes, and neither the nonce nor the PKCE verifier is stored at all.
#[tokio::test]
async fn what_is_kept_of_a_sign_in_in_flight_is_a_hash() {
    let org = Org::new();
    let app = org.spawn(&[], |_| {}).await;
    let res = start_at(&browser(), &app, &public_url(&app), false).await;
    let url = url::Url::parse(&location(&res).unwrap()).unwrap();
    let state = url.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned();
    let rows: Vec<(String,)> = sqlx::query_as("SELECT state_hash FROM sso_logins")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_ne!(rows[0].0, state);
    assert_eq!(rows[0].0.len(), 64);
}

/// What a portal's back end does: signs its own user in at the provider (its own
/// client, PKCE, asking an access token for the endpoint as a resource, RFC 8707), and
/// takes the code's tokens: the access token (a JWT for the endpoint) and the ID token
/// (for the portal).
async fn portal_tokens(app: &TestApp, org: &Org, who: &str) -> (String, String) {
    use base64::Engine as _;
    use sha2::Digest as _;
    let verifier = "portal-verifier-of-forty-three-characters-x";
    let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(sha2::Sha256::digest(verifier.as_bytes()));
    let mut authorize = url::Url::parse(&format!("{}/auth", org.idp.issuer)).unwrap();
    authorize
        .query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", Idp::PORTAL_ID)
        .append_pair("redirect_uri", Idp::PORTAL_REDIRECT)
        .append_pair("scope", "openid email")
        .append_pair("resource", &public_url(app))
        .append_pair("state", "portal-state")
        .append_pair("nonce", "portal-nonce")
        .append_pair("code_challenge", &challenge)
        .append_pair("code_challenge_method", "S256");
    let reached = login(&browser(), authorize.to_string(), who, Idp::PORTAL_REDIRECT).await;
    let back = url::Url::parse(&reached).unwrap();
    let code = back.query_pairs().find(|(k, _)| k == "code").expect("a code").1.into_owned();
    let res = reqwest::Client::new()
        .post(format!("{}/token", org.idp.issuer))
        .basic_auth(Idp::PORTAL_ID, Some(org.idp.portal_secret()))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", Idp::PORTAL_REDIRECT),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    let tokens: Value = res.json().await.unwrap();
    let access = tokens["access_token"].as_str().unwrap_or_else(|| panic!("{tokens}"));
    (access.to_owned(), tokens["id_token"].as_str().unwrap().to_owned())
}

const TOKEN_EXCHANGE: &str = "urn:ietf:params:oauth:grant-type:token-exchange";
const ACCESS_TOKEN: &str = "urn:ietf:params:oauth:token-type:access_token";

/// `POST /v1/token` with `credential` (a Bearer secret, or none) and `form`.
async fn exchange(app: &TestApp, credential: Option<&str>, form: &[(&str, &str)]) -> (u16, Value) {
    let mut req = app.http.post(app.url("/v1/token")).form(form);
    if let Some(secret) = credential {
        req = req.bearer_auth(secret);
    }
    let res = req.send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_portal_hands_its_signed_in_person_over_without_a_password() {
    let org = Org::new();
    let app = org.spawn(&["mfa", "otp"], |_| {}).await;
    let (access, id_token) = portal_tokens(&app, &org, ADA).await;
    let portal = app.admin_credential("portal");
    let form = |token: &'static str, kind: &'static str| {
        vec![("grant_type", TOKEN_EXCHANGE), ("subject_token", token), ("subject_token_type", kind)]
    };
    let access: &'static str = Box::leak(access.into_boxed_str());
    let (status, body) = exchange(&app, Some(&portal), &form(access, ACCESS_TOKEN)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["issued_token_type"], ACCESS_TOKEN);
    assert!(body["expires_in"].as_i64().unwrap() > 0);
    // The module runs with that session: Ada's code at the provider counts, so the
    // journey goes straight to her app password.
    let ada = app.user(json!({"token": body["access_token"]}));
    let state: Value = ada.get("/v1/account").await.json().await.unwrap();
    assert_eq!(state["account"]["username"], ADA);
    assert_eq!(state["next"], "ready", "{state}");
    ada.create_app_password("Outlook").await;

    // Refused, each as OAuth says: no credential, a credential without the scope, an
    // admin token instead of the credential, another grant, another token type, the
    // portal's own ID token (its audience is the portal), a token that is none.
    let reader = app.admin_credential("reader");
    let admin_token = app.admin_token("portal").await;
    let id_token: &'static str = Box::leak(id_token.into_boxed_str());
    for (credential, form, status, error) in [
        (None, form(access, ACCESS_TOKEN), 401, "invalid_client"),
        (Some(reader.as_str()), form(access, ACCESS_TOKEN), 403, "unauthorized_client"),
        (Some(admin_token.as_str()), form(access, ACCESS_TOKEN), 401, "invalid_client"),
        (
            Some(portal.as_str()),
            vec![
                ("grant_type", "password"),
                ("subject_token", access),
                ("subject_token_type", ACCESS_TOKEN),
            ],
            400,
            "unsupported_grant_type",
        ),
        (
            Some(portal.as_str()),
            form(access, "urn:ietf:params:oauth:token-type:saml2"),
            400,
            "invalid_request",
        ),
        (Some(portal.as_str()), vec![("grant_type", TOKEN_EXCHANGE)], 400, "invalid_request"),
        (
            Some(portal.as_str()),
            form(id_token, "urn:ietf:params:oauth:token-type:id_token"),
            400,
            "invalid_grant",
        ),
        (Some(portal.as_str()), form("not.a.jwt", ACCESS_TOKEN), 400, "invalid_grant"),
    ] {
        let (got, body) = exchange(&app, credential, &form).await;
        assert_eq!((got, body["error"].as_str()), (status, Some(error)), "{body}");
    }
    // Expired: the provider's access tokens live 10 minutes.
    app.clock.advance(11 * 60);
    let (status, body) = exchange(&app, Some(&portal), &form(access, ACCESS_TOKEN)).await;
    assert_eq!((status, body["error"].as_str()), (400, Some("invalid_grant")));
}
