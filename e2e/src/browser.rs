//! One browser session on the app: open it, type, press, wait for what a person
//! sees, photograph and audit each screen (axe-core), read the QR code.

use std::time::Duration;

use fantoccini::elements::Element;
use fantoccini::{Client, Locator};
use serde_json::json;

use crate::*;

/// A browser session on the app.
pub struct Browser {
    pub client: Client,
    pub kind: Kind,
}

/// The WebAuthn WebDriver extension's "Add Virtual Authenticator" (W3C WebAuthn §11.3):
/// a platform authenticator with user verification, that says yes to every prompt.
#[derive(Debug)]
struct AddVirtualAuthenticator;

impl fantoccini::wd::WebDriverCompatibleCommand for AddVirtualAuthenticator {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/webauthn/authenticator", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({
            "protocol": "ctap2",
            "transport": "internal",
            "hasResidentKey": true,
            "hasUserVerification": true,
            "isUserConsenting": true,
            "isUserVerified": true,
        });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Ends its WebDriver session (the browser closes): geckodriver and WebKitWebDriver
    /// hold one session at a time, so a test that needs a second person closes the first.
    pub async fn close(self) {
        let _ = self.client.close().await;
    }

    /// Gives the browser a virtual security key (a passkey on the device). `Err` when
    /// the driver lacks the WebAuthn extension (WebKitWebDriver, when last checked).
    pub async fn add_virtual_authenticator(&self) -> Result<String, String> {
        match self.client.issue_cmd(AddVirtualAuthenticator).await {
            Ok(id) => Ok(id.as_str().unwrap_or_default().to_owned()),
            Err(e) => Err(e.to_string()),
        }
    }

    /// Opens `url` and waits (10 s at most) for the app to have taken over the sign-in
    /// screen drawn at build time (crates/prerender), if the page has one: typing into
    /// that one while the app takes over would leave the driver holding a removed field.
    pub async fn open(&self, url: &str) {
        self.client.goto(url).await.unwrap();
        self.until_live().await;
    }

    /// Waits (10 s at most) until the page has no prerendered screen left.
    pub async fn until_live(&self) {
        let script = "return document.querySelector('[data-prerendered]') === null;";
        until("the prerendered sign-in screen taken over by the app", || async {
            self.client.execute(script, vec![]).await.unwrap() == json!(true)
        })
        .await;
    }

    pub async fn size(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.unwrap();
    }

    /// Waits (up to 10 s) for an element matching `css`.
    pub async fn find(&self, css: &str) -> Element {
        self.client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("no {css}: {e}"))
    }

    /// Waits for the screen whose heading is `title`.
    pub async fn until_heading(&self, title: &str) {
        let xpath = format!("//h1[normalize-space(.)={}]", xpath_literal(title));
        if let Err(e) = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            let text = self.text().await;
            panic!("no heading {title:?} ({e}); the page says: {text}");
        }
    }

    /// Waits until an element's text contains `wanted`.
    pub async fn until_text(&self, wanted: &str) {
        let xpath = format!("//*[contains(normalize-space(.), {})]", xpath_literal(wanted));
        if let Err(e) = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
        {
            panic!("no {wanted:?} ({e}); the page says: {}", self.text().await);
        }
    }

    pub async fn text(&self) -> String {
        match self.client.find(Locator::Css("body")).await {
            Ok(body) => body.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        }
    }

    /// How many times the bundle's wasm and its JS came over the network (Resource
    /// Timing; a cache's answer does not count).
    pub async fn bundle_downloads(&self) -> [u64; 2] {
        let script = "return ['_bg.wasm', '.js'].map(end => performance
            .getEntriesByType('resource')
            .filter(e => /app-passwords-[0-9a-f]+(_bg)?\\.(wasm|js)$/.test(e.name))
            .filter(e => e.name.endsWith(end) && e.transferSize > 0).length)";
        let counts = self.client.execute(script, vec![]).await.unwrap();
        serde_json::from_value(counts).unwrap()
    }

    /// The names of the files the page asked for (Resource Timing: each request, from the
    /// network or a cache), in the order asked.
    pub async fn requested(&self) -> Vec<String> {
        let script = "return performance.getEntriesByType('resource')
            .map(e => new URL(e.name).pathname.split('/').pop())";
        serde_json::from_value(self.client.execute(script, vec![]).await.unwrap()).unwrap()
    }

    /// The files a page started fetching that no loader has taken yet
    /// (`self.appPasswordsFetched`, src/embed/stand-in.js).
    pub async fn fetches_left(&self) -> Vec<String> {
        let script = "return Object.keys(self.appPasswordsFetched ?? {})";
        serde_json::from_value(self.client.execute(script, vec![]).await.unwrap()).unwrap()
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
        settled(&self.client, &field, text).await;
    }

    /// Clicks the button whose visible text is `label`, once it is enabled (as a person
    /// can; a click on a disabled one is lost), as `Shadow::press` does.
    pub async fn press(&self, label: &str) {
        let xpath =
            format!("//button[normalize-space(.)={}][not(@disabled)]", xpath_literal(label));
        let button = self
            .client
            .wait()
            .at_most(Duration::from_secs(10))
            .for_element(Locator::XPath(&xpath))
            .await
            .unwrap_or_else(|e| panic!("no button {label:?}: {e}"));
        click_in_view(&self.client, button).await;
    }

    pub async fn click(&self, css: &str) {
        click_in_view(&self.client, self.find(css).await).await;
    }

    /// Pastes the clipboard into a scratch field added to the page, with the keyboard
    /// as a person would, and returns what arrived.
    pub async fn paste_clipboard(&self) -> String {
        self.client
            .execute(
                "const t = document.createElement('textarea'); t.id = 'e2e-paste';
                 t.setAttribute('aria-label', 'paste'); document.body.appendChild(t); t.focus();",
                vec![],
            )
            .await
            .unwrap();
        let field = self.find("#e2e-paste").await;
        field.send_keys(&format!("{}v", char::from(fantoccini::key::Key::Control))).await.unwrap();
        let value = field.prop("value").await.unwrap().unwrap_or_default();
        self.client.execute("document.getElementById('e2e-paste').remove()", vec![]).await.unwrap();
        value
    }

    /// The text the QR code on the page encodes, read from a screenshot of it by
    /// zbarimg (Debian zbar-tools), an independent decoder.
    pub async fn read_qr(&self) -> String {
        let qr = self.find("svg.ap-qr").await;
        decode_qr(&qr_picture(self, qr).await)
    }

    /// The WCAG 2.1 A and AA violations axe-core finds on the page, one line each.
    pub async fn audit(&self) -> Vec<String> {
        // axe-core's 0.5 MB is sent (and parsed) only where the page does not have it yet.
        let loaded = self.client.execute("return !!window.axe", vec![]).await.unwrap();
        if loaded != json!(true) {
            let axe = root().join(".tools/node_modules/axe-core/axe.min.js");
            let source = std::fs::read_to_string(&axe)
                .unwrap_or_else(|e| panic!("{} ({e}); make test installs it", axe.display()));
            self.client.execute(&source, vec![]).await.unwrap();
        }
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, { runOnly: { type: 'tag',
                     values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
                   .then(r => done(r.violations.map(v =>
                      v.id + ': ' + v.help + ' @ ' + v.nodes.map(n => n.target.join(' ')).join(', '))))
                   .catch(e => done(['axe failed: ' + e]));",
                vec![],
            )
            .await
            .unwrap();
        serde_json::from_value(result).unwrap()
    }

    /// Opens the app at `url` on its sign-in screen and, with `fr`, switches it to French.
    pub async fn open_app(&self, url: &str, fr: bool) {
        self.open(url).await;
        self.until_heading("Sign in").await;
        if fr {
            self.press("Français").await;
            self.until_heading("Connexion").await;
        }
    }

    /// Signs in from the sign-in screen (its button in French with `fr`).
    pub async fn sign_in(&self, (user, password): (&str, &str), fr: bool) {
        self.type_in("#ap-username", user).await;
        self.type_in("#ap-password", password).await;
        self.press(if fr { "Se connecter" } else { "Sign in" }).await;
    }

    /// From the first screen after sign-in to a new app password named `name`, as a
    /// person goes: "Set it up now", an authenticator app (its code computed at `now`,
    /// unix seconds), "Next", the name, "Create". Returns the password as shown
    /// (spaced in fours).
    pub async fn set_up_and_create(&self, name: &str, now: i64, fr: bool) -> String {
        let t = |en: &'static str, fr_text: &'static str| if fr { fr_text } else { en };
        self.press(t("Set it up now", "Configurer maintenant")).await;
        self.click("label[for=ap-kind-totp]").await;
        self.press(t("Continue", "Continuer")).await;
        let secret = otpauth_secret(&self.read_qr().await);
        self.type_in("#ap-code", &totp_at(&secret, now)).await;
        self.press(t("Verify", "Vérifier")).await;
        self.press(t("Next", "Suivant")).await;
        self.until_heading(t("Name your app password", "Nommez votre mot de passe d’application"))
            .await;
        self.type_in("#ap-name", name).await;
        self.press(t("Create app password", "Créer le mot de passe")).await;
        self.until_heading(t("Your app password", "Votre mot de passe d’application")).await;
        self.find("#ap-password-shown").await.text().await.unwrap()
    }

    /// Fails with axe-core's findings (WCAG 2.1 A and AA) on the page as it is now.
    pub async fn assert_accessible(&self, what: &str) {
        let violations = self.audit().await;
        assert!(violations.is_empty(), "axe on {what}:\n{}", violations.join("\n"));
    }

    /// Photographs the screen (`e2e/artifacts/{name}.png`) and fails on any
    /// accessibility violation.
    pub async fn check(&self, name: &str) {
        self.shot(name).await;
        self.assert_accessible(name).await;
        self.assert_forms_unsendable(name).await;
    }

    /// Fails if a form of the module could be sent by the browser itself (`method` other
    /// than `dialog`): `form.submit()` from another hand (a password manager's
    /// auto-submit) would GET the page's own URL with what was typed in its query.
    pub async fn assert_forms_unsendable(&self, what: &str) {
        let script = "const roots = [document, ...[...document.querySelectorAll('app-passwords')]
                .map((e) => e.shadowRoot).filter(Boolean)];
            return roots.flatMap((r) => [...r.querySelectorAll('.ap-root form')])
                .filter((f) => f.method !== 'dialog').map((f) => f.outerHTML.slice(0, 120));";
        let sendable = self.client.execute(script, vec![]).await.unwrap();
        assert_eq!(sendable, json!([]), "forms the browser would send on {what}");
    }

    /// A PNG of the viewport, saved as `e2e/artifacts/{name}.png`.
    pub async fn shot(&self, name: &str) {
        let png = self.client.screenshot().await.unwrap();
        let path = root().join("e2e/artifacts").join(format!("{name}.png"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

/// A picture of the QR code `qr`. WebKitGTK without a GPU draws element screenshots
/// black (the viewport's are right): there, the viewport with the code scrolled into it,
/// which zbarimg reads as well.
pub(crate) async fn qr_picture(b: &Browser, qr: Element) -> Vec<u8> {
    if b.kind != Kind::WebKit {
        return qr.screenshot().await.unwrap();
    }
    let args = vec![serde_json::to_value(&qr).unwrap()];
    b.client.execute("arguments[0].scrollIntoView({block: 'center'});", args).await.unwrap();
    b.client.screenshot().await.unwrap()
}

/// Clicks `element` once it is wholly in view, as a person scrolls to a button before
/// pressing it. WebKit's driver clicks a partly visible element at the centre of its
/// visible part, and there delivered pointerdown, mousedown and mouseup to the button
/// but no click (seen on the portal's "Create app password", 9 px of it in view: the
/// embedding test's flake under load).
pub(crate) async fn click_in_view(client: &Client, element: Element) {
    let script = "arguments[0].scrollIntoView({ block: 'center', inline: 'center' });";
    client.execute(script, vec![serde_json::to_value(&element).unwrap()]).await.unwrap();
    element.click().await.unwrap();
}

/// Waits until `check` holds, polling every 50 ms for 10 s at most; then fails saying
/// `what` was expected.
pub async fn until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..200 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{what} within 10 s");
}

/// Waits until `field` holds `text` and the app has had a frame to take it in:
/// WebKitWebDriver may answer a key sequence before the page has handled every key.
pub(crate) async fn settled(client: &Client, field: &Element, text: &str) {
    let script = "const [el, text, done] = arguments;
        const check = (n) => el.value === text || n === 0
          ? requestAnimationFrame(() => setTimeout(() => done(el.value), 0))
          : setTimeout(() => check(n - 1), 20);
        check(100);";
    let args = vec![serde_json::to_value(field).unwrap(), json!(text)];
    client.execute_async(script, args).await.unwrap();
}

pub(crate) fn decode_qr(png: &[u8]) -> String {
    let file = tempfile::Builder::new().suffix(".png").tempfile().unwrap();
    std::fs::write(file.path(), png).unwrap();
    let out = std::process::Command::new("zbarimg")
        .args(["--raw", "-q"])
        .arg(file.path())
        .output()
        .expect("zbarimg (apt zbar-tools; make test installs it)");
    let text = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    if !text.starts_with("otpauth://") {
        let kept = root().join("e2e/artifacts/qr-unreadable.png");
        let _ = std::fs::create_dir_all(kept.parent().unwrap());
        let _ = std::fs::write(&kept, png);
        panic!("zbarimg read {text:?} from the screenshot kept in {}", kept.display());
    }
    text
}

pub(crate) fn xpath_literal(s: &str) -> String {
    if !s.contains('\'') {
        format!("'{s}'")
    } else if !s.contains('"') {
        format!("\"{s}\"")
    } else {
        let parts: Vec<String> = s.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
