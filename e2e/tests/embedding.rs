//! The module embedded in the example admin portal (examples/portal/), served from an
//! origin other than the endpoint's, under the portal's strict Content-Security-Policy
//! and a deliberately hostile stylesheet: the first-time journey to a copied app
//! password, the events the portal receives (never a secret), two instances at once.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Driver, Kind, Server, Shadow};
use serde_json::Value;

async fn js(b: &app_passwords_e2e::Browser, script: &str) -> Value {
    b.client.execute(script, vec![]).await.unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_on_another_origin_embeds_the_module_in_chromium() {
    portal_under_strict_csp_and_hostile_css(Kind::Chromium).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_on_another_origin_embeds_the_module_in_firefox() {
    portal_under_strict_csp_and_hostile_css(Kind::Firefox).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_portal_on_another_origin_embeds_the_module_in_webkit() {
    portal_under_strict_csp_and_hostile_css(Kind::WebKit).await;
}

async fn portal_under_strict_csp_and_hostile_css(kind: Kind) {
    let tag = format!("{kind:?}").to_lowercase();
    let server = Server::with_portal().await;
    let portal = server.portal.clone().unwrap();
    assert_ne!(portal, server.base, "the portal is another origin");

    // The portal's page carries the strict policy.
    let res = reqwest::get(&portal).await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("script-src 'self' 'wasm-unsafe-eval' 'sha256-"), "{csp}");
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    let html = res.text().await.unwrap();
    // One inline script, allowed by its hash: it starts the wasm with the page.
    assert_eq!(html.matches("<script>").count(), 1, "{html}");
    assert!(html.contains("<script>self.appPasswordsFetched={'app-passwords-"), "{html}");
    assert!(!html.contains("style="), "no inline style");
    assert!(html.contains(&format!("endpoint=\"{}\"", server.base)));

    let driver = Driver::start(kind).await;
    let b = driver.browser(false).await;
    b.open(&format!("{portal}/?hostile")).await;
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("Sign in").await;
    b.shot(&format!("embedding/{tag}-01-portal-hostile-sign-in")).await;
    // The wasm and the JS come over the network once each, in every engine: the wasm is
    // the page's own fetch, which the element took (it asked for none itself).
    assert_eq!(b.bundle_downloads().await, [1, 1], "each file of the bundle downloaded once");
    let wasm = b.requested().await.into_iter().filter(|n| n.ends_with("_bg.wasm")).count();
    assert_eq!(wasm, 1, "the wasm requested once");
    assert_eq!(b.fetches_left().await, Vec::<String>::new(), "taken");

    // The hostile sheet really is in force on the portal…
    assert_eq!(js(&b, "return getComputedStyle(document.documentElement).fontSize").await, "40px");
    // …and the module is untouched by it: its own sizes, its buttons shown.
    assert_eq!(app.style("h1", "font-size").await, "24px");
    assert_ne!(app.style("button[type=submit]", "display").await, "none");
    assert_eq!(app.style("#ap-username", "width").await, app.style("form", "width").await);
    // The module's CSS does not leak out: a host element with the module's class names.
    let leak = js(
        &b,
        "const p = document.createElement('div'); p.className = 'ap-card ap-button';
        document.body.append(p); const s = getComputedStyle(p);
        const r = [s.borderRadius, s.paddingTop]; p.remove(); return r;",
    )
    .await;
    assert_eq!(leak, serde_json::json!(["0px", "0px"]), "module styles leaked onto the host");
    // The host themes it through custom properties.
    assert_eq!(app.style("button[type=submit]", "background-color").await, "rgb(64, 32, 96)");

    // The first-time journey, calling the endpoint on its other origin.
    app.sign_in(("new.user@contoso.example", "Demo-new-2026")).await;
    app.until_heading("Secure your account first").await;
    app.press("Set it up now").await;
    app.click("label[for=ap-kind-totp]").await;
    app.press("Continue").await;
    app.until_heading("Set up your authenticator app").await;
    b.shot(&format!("embedding/{tag}-02-portal-hostile-authenticator")).await;
    let (shown, secret) = app.verify_and_create("Outlook").await;
    let password = shown.replace(' ', "");
    app.press("Copy").await;
    app.press("✓ Copied").await; // visible once copied; pressing again copies again
    assert_eq!(b.paste_clipboard().await, password);
    b.shot(&format!("embedding/{tag}-03-portal-hostile-copied")).await;
    assert_eq!(server.legacy_status("new.user@contoso.example", &password).await, 200);

    // The portal heard every step, and never a secret.
    app.press("Done").await;
    app.until_heading("Your app passwords").await;
    let log = js(&b, "return document.getElementById('event-log').textContent").await;
    let log = log.as_str().unwrap().to_owned();
    for event in [
        "app-passwords:signed-in",
        "app-passwords:method-registered",
        "app-passwords:app-password-created",
    ] {
        assert!(log.contains(event), "{event} missing from {log}");
    }
    assert!(log.contains("\"name\":\"Outlook\""), "{log}");
    assert!(!log.contains(&password) && !log.contains(&secret), "a secret reached the host: {log}");
    assert!(!log.contains("Demo-new-2026"));

    // A second instance beside it, in French; then removed, leaving the first intact.
    js(&b, "const e = document.createElement('app-passwords');
        e.setAttribute('endpoint', document.querySelector('app-passwords').getAttribute('endpoint'));
        e.setAttribute('lang', 'fr'); e.id = 'second';
        document.querySelector('main').append(e);")
    .await;
    let second = Shadow { b: &b, index: 1 };
    second.until_heading("Connexion").await;
    b.shot(&format!("embedding/{tag}-04-portal-two-instances")).await;
    app.until_heading("Your app passwords").await;
    second.type_in("#ap-username", "no.mfa@contoso.example").await;
    second.type_in("#ap-password", "Demo-nomfa-2026").await;
    second.press("Se connecter").await;
    second.until_heading("Mots de passe d’application indisponibles").await;
    app.until_heading("Your app passwords").await;
    js(&b, "document.getElementById('second').remove()").await;
    assert_eq!(js(&b, "return document.querySelectorAll('app-passwords').length").await, 1);
    app.press("Create an app password").await;
    app.until_heading("Name your app password").await;

    // Language from the host, live: the journey goes on.
    js(&b, "document.querySelector('app-passwords').setAttribute('lang', 'fr')").await;
    app.until_heading("Nommez votre mot de passe d’application").await;

    let violations = js(&b, "return window.cspViolations").await;
    assert_eq!(violations, serde_json::json!([]), "CSP violations");
    b.client.close().await.unwrap();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_token_from_the_host_skips_sign_in() {
    let server = Server::with_portal().await;
    let portal = server.portal.clone().unwrap();
    // The host's own sign-in, done by the portal's back end.
    let token = server.session_token("no.apppw@contoso.example", "Demo-noapppw-2026").await;

    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.open(&portal).await;
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("Sign in").await;
    b.shot("embedding/00-portal").await;
    // axe-core reads into shadow roots: the portal page with the module in it.
    b.assert_accessible("the portal").await;
    b.client
        .execute(
            "document.querySelector('app-passwords').sessionToken = arguments[0];",
            vec![token.clone().into()],
        )
        .await
        .unwrap();
    app.until_heading("App passwords are not available").await;
    let attrs = js(&b, "return document.querySelector('app-passwords').outerHTML").await;
    assert!(!attrs.as_str().unwrap().contains(&token), "the token is not in the DOM");
    assert_eq!(
        js(&b, "return document.querySelector('app-passwords').sessionToken ?? null").await,
        Value::Null
    );
    b.client.close().await.unwrap();
}

/// The element's handling of the host's session, in a real browser: a token set before
/// the element is defined is taken in and not left readable; a token never follows the
/// element to another endpoint; an empty token signs the module out and focus stays
/// with the host.
#[tokio::test(flavor = "multi_thread")]
async fn the_element_keeps_the_host_token_to_its_endpoint_and_signs_out_with_the_host() {
    let server = Server::with_portal().await;
    let token = server.session_token("no.apppw@contoso.example", "Demo-noapppw-2026").await;
    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    // A page of the endpoint's origin where <app-passwords> is not defined yet.
    b.open(&format!("{}/", server.base)).await;
    b.client
        .execute_async(
            "const [token, done] = arguments;
             const el = document.createElement('app-passwords');
             el.sessionToken = token; // before the class exists: a plain property
             document.body.append(el);
             import('/app-passwords-element.js').then(() => done(true), (e) => done(String(e)));",
            vec![token.clone().into()],
        )
        .await
        .unwrap();
    let app = Shadow { b: &b, index: 0 };
    app.until_heading("App passwords are not available").await;
    let left = js(
        &b,
        "const el = document.querySelector('app-passwords');
         return [Object.getOwnPropertyNames(el), el.sessionToken ?? null, el.outerHTML];",
    )
    .await;
    assert_eq!(left[0], serde_json::json!([]), "no own property left on the element");
    assert_eq!(left[1], Value::Null, "write-only");
    assert!(!left[2].as_str().unwrap().contains(&token));

    // mount() for hosts that call code: unmount() empties the element and frees the app's
    // wasm object; the handle is spent after it (calls are no-ops, never a wasm
    // null-pointer error). Removing an element frees its app too. Frees are counted on
    // the wasm-bindgen class itself (the page's module, the one the element imports).
    let spent = b
        .client
        .execute_async(
            "const done = arguments[0];
             (async () => {
               const glue = await import(document.querySelector('link[rel=modulepreload]').href);
               const free = glue.Mounted.prototype.free;
               let freed = 0;
               glue.Mounted.prototype.free = function () { freed += 1; return free.call(this); };
               const tick = () => new Promise((r) => setTimeout(r, 100));
               const { mount, stylesheet } = await import('/app-passwords-element.js');
               const div = document.createElement('div');
               document.body.append(div);
               const app = await mount(div, { lang: 'en' });
               await tick();
               const rendered = div.querySelector('h1')?.textContent;
               app.unmount(); app.unmount(); app.setLang('fr'); app.setSessionToken('x');
               await tick(); // Yew removes on its next tick
               const afterMount = [freed, div.childElementCount];
               const el = document.createElement('app-passwords');
               document.body.append(el);
               await tick();
               el.remove();
               await tick();
               // The stylesheet a host adopts for the light DOM: the module's own rules.
               const sheet = [...stylesheet.cssRules].some((r) => r.selectorText === '.ap-card');
               done([rendered, ...afterMount, freed, sheet]);
             })().catch((e) => done(String(e)));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(spent, serde_json::json!(["Sign in", 1, 0, 2, true]), "{spent}");

    // Another endpoint: what the module sends is recorded before the page's CSP (which
    // only allows its own origin) stops it.
    js(
        &b,
        "window.__sent = [];
         const fetchBefore = window.fetch;
         window.fetch = (req, init) => {
           window.__sent.push([req.url, req.headers.get('authorization')]);
           return fetchBefore(req, init);
         };
         document.querySelector('app-passwords').setAttribute('endpoint', 'http://127.0.0.1:9');",
    )
    .await;
    app.until_heading("Sign in").await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let sent = js(&b, "return window.__sent;").await;
    let sent = sent.as_array().unwrap();
    assert!(!sent.is_empty(), "the module did call its new endpoint");
    for call in sent {
        assert!(call[0].as_str().unwrap().starts_with("http://127.0.0.1:9/"), "{call}");
        assert_eq!(call[1], Value::Null, "no token goes to another endpoint: {call}");
    }

    // Back on its endpoint with a new session, then the host's user signs out.
    let token = server.session_token("no.apppw@contoso.example", "Demo-noapppw-2026").await;
    b.client
        .execute(
            "const el = document.querySelector('app-passwords');
             el.setAttribute('endpoint', location.origin);
             el.sessionToken = arguments[0];",
            vec![token.into()],
        )
        .await
        .unwrap();
    app.until_heading("App passwords are not available").await;
    js(
        &b,
        "const b = document.createElement('button');
         b.id = 'host-button'; b.textContent = 'Host';
         document.body.append(b); b.focus();
         document.querySelector('app-passwords').sessionToken = '';",
    )
    .await;
    app.until_heading("Sign in").await;
    assert!(app.text().await.contains("You have signed out."));
    assert_eq!(
        js(&b, "return document.activeElement.id;").await,
        Value::from("host-button"),
        "a change the host made leaves focus with the host"
    );
    b.client.close().await.unwrap();
}

/// A page that starts another build's wasm (one deployed since the page was made, or a
/// name copied wrong; here a file of that name, served, which is not this bundle's): the
/// element does not take it, asks for its own, and the app comes — those bytes are all
/// it costs.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_starting_another_builds_wasm_only_costs_those_bytes() {
    let copy = app_passwords_e2e::copy_of_dist();
    let path = copy.path().join("app-passwords.json");
    let mut manifest: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let ours = manifest["app"]["wasm"].as_str().unwrap().to_owned();
    let stale = "app-passwords-0123456789abcdef_bg.wasm";
    std::fs::copy(copy.path().join(&ours), copy.path().join(stale)).unwrap();
    manifest["app"]["wasm"] = stale.into();
    std::fs::write(&path, manifest.to_string()).unwrap();
    let server = Server::with_portal_serving(copy.path()).await;
    let portal = server.portal.clone().unwrap();
    let html = reqwest::get(&portal).await.unwrap().text().await.unwrap();
    assert!(html.contains(stale), "the page starts the other file");

    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.open(&portal).await;
    let app = Shadow { b: &b, index: 0 };
    app.sign_in(("new.user@contoso.example", "Demo-new-2026")).await;
    app.until_heading("Secure your account first").await;
    let mut asked: Vec<String> =
        b.requested().await.into_iter().filter(|n| n.ends_with("_bg.wasm")).collect();
    asked.sort();
    let mut both = vec![stale.to_owned(), ours];
    both.sort();
    assert_eq!(asked, both, "each asked for once");
    assert_eq!(js(&b, "return window.cspViolations").await, serde_json::json!([]));
}
