//! The app inside an `<app-passwords>` element's shadow root.

use std::time::Duration;

use fantoccini::elements::{Element, ElementRef};
use fantoccini::Client;
use serde_json::{json, Value};

use crate::*;

/// The app inside one `<app-passwords>` element's shadow root: the same moves as on
/// the standalone page, found through `shadowRoot` since CSS selectors stop at it.
pub struct Shadow<'a> {
    pub b: &'a Browser,
    /// Which `<app-passwords>` element of the page (0 = the first).
    pub index: usize,
}

impl Shadow<'_> {
    fn root(&self) -> String {
        format!("document.querySelectorAll('app-passwords')[{}]?.shadowRoot", self.index)
    }

    /// Runs `body` (which sees `root`) until it returns an element, up to 10 s, once the
    /// app has taken over the sign-in screen drawn at build time (see `Browser::open`).
    async fn poll_element(&self, what: &str, body: &str, args: Vec<Value>) -> Element {
        let script = format!(
            "const root = {}; if (!root || root.querySelector('[data-prerendered]')) return null; {body}",
            self.root()
        );
        for _ in 0..200 {
            let found = self.b.client.execute(&script, args.clone()).await.unwrap();
            if let Some(element) = as_element(&self.b.client, &found) {
                return element;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {what} in <app-passwords>[{}]: {}", self.index, self.text().await);
    }

    pub async fn find(&self, css: &str) -> Element {
        self.poll_element(css, "return root.querySelector(arguments[0]);", vec![json!(css)]).await
    }

    pub async fn text(&self) -> String {
        let script = format!("return {}?.textContent ?? '';", self.root());
        self.b.client.execute(&script, vec![]).await.unwrap().as_str().unwrap_or("").to_owned()
    }

    /// Waits (10 s at most) until the module's text contains `wanted`.
    pub async fn until_text(&self, wanted: &str) {
        for _ in 0..200 {
            if self.text().await.contains(wanted) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no {wanted:?} in: {}", self.text().await);
    }

    pub async fn until_heading(&self, title: &str) {
        let body = "const h = root.querySelector('h1');
                    return h && h.textContent.trim() === arguments[0] ? h : null;";
        self.poll_element(&format!("the heading {title:?}"), body, vec![json!(title)]).await;
    }

    pub async fn press(&self, label: &str) {
        let body = "return [...root.querySelectorAll('button')]
                      .find(b => b.textContent.trim() === arguments[0] && !b.disabled) ?? null;";
        let button =
            self.poll_element(&format!("button {label:?}"), body, vec![json!(label)]).await;
        click_in_view(&self.b.client, button).await;
    }

    pub async fn click(&self, css: &str) {
        click_in_view(&self.b.client, self.find(css).await).await;
    }

    pub async fn type_in(&self, css: &str, text: &str) {
        let field = self.find(css).await;
        field.clear().await.unwrap();
        field.send_keys(text).await.unwrap();
        settled(&self.b.client, &field, text).await;
    }

    /// A computed style property of the first element matching `css`.
    pub async fn style(&self, css: &str, property: &str) -> String {
        self.find(css).await;
        let script = format!(
            "return getComputedStyle({}.querySelector(arguments[0])).getPropertyValue(arguments[1]);",
            self.root()
        );
        let v = self.b.client.execute(&script, vec![json!(css), json!(property)]).await.unwrap();
        v.as_str().unwrap_or_default().to_owned()
    }

    /// The otpauth URI in this instance's QR code, read by zbarimg from a screenshot.
    pub async fn read_qr(&self) -> String {
        let qr = self.find("svg.ap-qr").await;
        decode_qr(&qr_picture(self.b, qr).await)
    }

    /// Signs in from this instance's sign-in screen, in English.
    pub async fn sign_in(&self, (user, password): (&str, &str)) {
        self.type_in("#ap-username", user).await;
        self.type_in("#ap-password", password).await;
        self.press("Sign in").await;
    }

    /// From "Set up your authenticator app" to a new app password named `name`: the QR
    /// code read, its code verified, "Next", the name, "Create". The password as shown,
    /// and the authenticator's key.
    pub async fn verify_and_create(&self, name: &str) -> (String, String) {
        self.until_heading("Set up your authenticator app").await;
        let secret = otpauth_secret(&self.read_qr().await);
        self.type_in("#ap-code", &totp(&secret)).await;
        self.press("Verify").await;
        self.until_heading("Method verified").await;
        self.press("Next").await;
        self.until_heading("Name your app password").await;
        self.type_in("#ap-name", name).await;
        self.press("Create app password").await;
        self.until_heading("Your app password").await;
        (self.find("#ap-password-shown").await.text().await.unwrap(), secret)
    }
}

/// The element a script returned, as WebDriver holds it (`None`: it returned another value).
pub fn as_element(client: &Client, found: &Value) -> Option<Element> {
    let id = found.get(ELEMENT_KEY)?.as_str()?;
    Some(Element::from_element_id(client.clone(), ElementRef::from(id.to_owned())))
}
