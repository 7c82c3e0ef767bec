//! What a host page sees: events without secrets, a handed-over session, the
//! language changed from outside, and `mount()` into an element with DOM events.

use app_passwords::api::Token;
use app_passwords::host::{HostCommand, HostEvent};
use app_passwords::i18n::Lang;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use wire::{MethodKind, Next};

use crate::fake::{self, Fake};
use crate::{replace_fetch, restore_fetch, stub_clipboard, Ui};

#[wasm_bindgen_test]
async fn the_host_hears_of_each_step_and_never_of_a_secret() {
    stub_clipboard(true);
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.start_setup("totp", "Set up your authenticator app").await;
    ui.type_in("#ap-code", fake::GOOD).await;
    ui.press("Verify").await;
    ui.until_heading("Method verified").await;
    ui.press("Next").await;
    ui.type_in("#ap-name", "Outlook").await;
    ui.press("Create app password").await;
    ui.until_heading("Your app password").await;
    ui.press("Done").await;
    ui.until_text("1 of 40").await;
    ui.click("button[aria-label='Delete Outlook']").await;
    ui.click(".ap-confirm button").await;
    ui.until_text("0 of 40").await;
    ui.press("Sign out").await;
    ui.until_heading("Sign in").await;

    let events = ui.events.borrow().clone();
    let id = match &events[2] {
        HostEvent::AppPasswordCreated { id, name } if name == "Outlook" => id.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(
        events,
        [
            HostEvent::SignedIn { username: "nora@contoso.example".into() },
            HostEvent::MethodRegistered { kind: MethodKind::Totp },
            HostEvent::AppPasswordCreated { id: id.clone(), name: "Outlook".into() },
            HostEvent::AppPasswordRevoked { id: Some(id) },
            HostEvent::SignedOut,
        ]
    );
    let all = format!("{events:?}");
    for secret in [fake::APP_PASSWORD, fake::TOTP_SECRET, fake::PASSWORD, "secret-token"] {
        assert!(!all.contains(secret), "{secret} reached the host");
    }
}

#[wasm_bindgen_test]
async fn a_session_handed_over_by_the_host_skips_sign_in_and_its_expiry_is_told() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let ui = Ui::mount_with(fake.clone(), Some(Lang::En), Some("secret-token")).await;
    ui.until_heading("Your app passwords").await;
    ui.until_text("Outlook").await;
    assert_eq!(
        ui.events.borrow()[0],
        HostEvent::SignedIn { username: "nora@contoso.example".into() }
    );

    fake.expired.set(true);
    ui.press("Create an app password").await;
    ui.press("Create app password").await;
    ui.until_heading("Sign in").await;
    assert_eq!(ui.events.borrow().last(), Some(&HostEvent::SessionExpired));
}

#[wasm_bindgen_test]
async fn a_token_the_endpoint_refuses_leaves_the_sign_in_form_usable_and_a_later_one_works() {
    let ui = Ui::mount_with(Fake::new(Next::Ready), Some(Lang::En), Some("stale")).await;
    ui.until("the resume attempt to end", |ui| {
        ui.fake.calls.borrow().contains(&"account")
            && ui.button("Sign in").is_some_and(|b| !b.has_attribute("disabled"))
    })
    .await;
    assert!(ui.events.borrow().is_empty());
    ui.control.send(HostCommand::SetSessionToken(Token::new("secret-token")));
    ui.until_heading("Your app passwords").await;
}

#[wasm_bindgen_test]
async fn the_host_changes_the_language_without_losing_the_journey() {
    let ui = Ui::mount(Fake::new(Next::MfaSetup), Lang::En).await;
    ui.start_setup("sms", "Add your mobile phone").await;
    ui.type_in("#ap-phone", "+33 6 12 34 56 78").await;
    ui.control.send(HostCommand::SetLang(Some(Lang::Fr)));
    ui.until_heading("Ajoutez votre mobile").await;
    assert_eq!(ui.input("#ap-phone").value(), "+33 6 12 34 56 78");
}

#[wasm_bindgen(inline_js = "export function listen(el, log) {
  for (const t of ['signed-in', 'signed-out']) {
    el.addEventListener('app-passwords:' + t, e => log.push(e.type + ' ' + JSON.stringify(e.detail)));
  }
}")]
extern "C" {
    fn listen(el: &web_sys::Element, log: &js_sys::Array);
}

/// The page's fetch answers as an identity endpoint would: the account of a token, and
/// single sign-on not offered.
const SERVE_ACCOUNT: &str = "async (req) => {
    const json = (body, status = 200, type = 'application/json') => new Response(
      JSON.stringify(body), { status, headers: { 'content-type': type } });
    if (new URL(req.url).pathname === '/v1/account') {
      return json({ next: 'mfa_setup', account: { username: 'host.user@contoso.example',
        display_name: 'Hosted', methods: [], policy: { mfa_required: true,
        app_passwords_allowed: true, allowed_methods: ['totp'] } } });
    }
    return json({ type: 'about:blank', title: 'Not found', status: 404, code: 'not_found' },
      404, 'application/problem+json');
  }";

async fn until_heading_in(host: &web_sys::Element, heading: &str) {
    for _ in 0..300 {
        let h1 = host.query_selector("h1").unwrap().and_then(|h| h.text_content());
        if h1.as_deref() == Some(heading) {
            return;
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("no heading {heading:?} in {}", host.inner_html());
}

#[wasm_bindgen_test]
async fn mount_renders_into_an_element_sends_dom_events_and_unmounts_cleanly() {
    let doc = gloo_utils::document();
    let host = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    let log = js_sys::Array::new();
    listen(&host, &log);
    replace_fetch(SERVE_ACCOUNT);
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"lang".into(), &"fr".into()).unwrap();
    js_sys::Reflect::set(&options, &"endpoint".into(), &"http://127.0.0.1:9".into()).unwrap();
    js_sys::Reflect::set(&options, &"sessionToken".into(), &"host-token".into()).unwrap();
    let mut mounted = app_passwords::mount(host.clone(), options.into());
    until_heading_in(&host, "Sécurisez d’abord votre compte").await;
    restore_fetch();
    let events: Vec<String> = log.iter().filter_map(|v| v.as_string()).collect();
    assert_eq!(
        events,
        vec![r#"app-passwords:signed-in {"username":"host.user@contoso.example"}"#.to_owned()],
        "one DOM event, bubbling from the module with its detail"
    );

    mounted.set_lang("en");
    until_heading_in(&host, "Secure your account first").await;

    // The host's user signs out: so does the module, and focus stays with the host.
    let outside = doc.create_element("button").unwrap();
    doc.body().unwrap().append_child(&outside).unwrap();
    let outside: web_sys::HtmlElement = outside.unchecked_into();
    outside.focus().unwrap();
    mounted.set_session_token("");
    until_heading_in(&host, "Sign in").await;
    assert_eq!(doc.active_element(), Some(outside.clone().into()), "focus stays with the host");
    assert!(host.text_content().unwrap().contains("You have signed out."));
    assert_eq!(log.length(), 1, "the host signed out: it is not told what it did");

    mounted.unmount();
    yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(host.child_element_count(), 0, "unmount left {}", host.inner_html());
    host.unchecked_into::<web_sys::HtmlElement>().remove();
    outside.remove();
}

/// A host that hands its session over right after `mount()` returns (its own fetch
/// answered first, as the example portal's can): the app has not drawn yet, and the
/// session and the language still arrive, in the order sent.
#[wasm_bindgen_test]
async fn what_the_host_sends_before_the_app_has_drawn_is_not_lost() {
    let doc = gloo_utils::document();
    let host = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    replace_fetch(SERVE_ACCOUNT);
    let options = js_sys::Object::new();
    js_sys::Reflect::set(&options, &"endpoint".into(), &"http://127.0.0.1:9".into()).unwrap();
    let mut mounted = app_passwords::mount(host.clone(), options.into());
    mounted.set_session_token("host-token");
    mounted.set_lang("fr");
    until_heading_in(&host, "Sécurisez d’abord votre compte").await;
    restore_fetch();
    mounted.unmount();
    host.unchecked_into::<web_sys::HtmlElement>().remove();
}

#[wasm_bindgen_test]
async fn an_unmounted_app_leaves_no_timer_behind() {
    use app_passwords::app::{App, AppProps};
    use app_passwords::host::EndpointRef;
    let fake = Fake::new(Next::MfaSetup);
    fake.offline.set(true); // the app asks the endpoint again every 3 s while it is down
    let doc = gloo_utils::document();
    let host = doc.create_element("div").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    let props = AppProps { api: Some(EndpointRef(fake.clone())), ..AppProps::default() };
    let handle = yew::Renderer::<App>::with_root_and_props(host.clone(), props).render();
    let polls = || fake.calls.borrow().iter().filter(|c| **c == "sso").count();
    for _ in 0..500 {
        if polls() >= 2 {
            break;
        }
        yew::platform::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(polls() >= 2, "the poll runs while mounted");
    handle.destroy();
    let after = polls();
    yew::platform::time::sleep(std::time::Duration::from_millis(3500)).await;
    assert_eq!(polls(), after, "a timer outlived the app");
    assert_eq!(host.child_element_count(), 0);
    host.unchecked_into::<web_sys::HtmlElement>().remove();
}

#[wasm_bindgen_test]
async fn a_token_handed_over_during_a_session_changes_nothing_and_blocks_nothing() {
    let fake = Fake::new(Next::Ready).with_item("Outlook", None);
    let ui = Ui::mount(fake.clone(), Lang::En).await;
    ui.sign_in(fake::PASSWORD).await;
    ui.until_text("1 of 40").await;
    ui.control.send(HostCommand::SetSessionToken(Token::new("secret-token")));
    ui.until("the handed-over session to be looked at", |ui| {
        ui.fake.calls.borrow().contains(&"account")
    })
    .await;
    ui.until("the buttons to be usable", |ui| {
        ui.button("Create an app password").is_some_and(|b| !b.has_attribute("disabled"))
    })
    .await;
    assert_eq!(ui.heading(), "Your app passwords");
}
