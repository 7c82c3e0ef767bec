//! Requests that hang: the real client gives up at its time limit and aborts the fetch;
//! the app says so, and trying again reuses the request's Idempotency-Key.

use app_passwords::api::{ApiError, Endpoint as _, Http, SignInEndpoint, Token};
use app_passwords::i18n::Lang;
use wasm_bindgen_test::*;
use wire::Next;

use crate::fake::{self, Fake};
use crate::{replace_fetch, restore_fetch, Ui};

/// A `fetch` that never answers but honours its abort signal (as the browser's own
/// does), counting the aborts in `globalThis.__apAborted`.
const HANGING: &str =
    "(req) => new Promise((_, reject) => req.signal.addEventListener('abort', () => {
    globalThis.__apAborted = (globalThis.__apAborted ?? 0) + 1;
    reject(new DOMException('aborted', 'AbortError'));
  }))";

fn aborted() -> f64 {
    let global = js_sys::global();
    js_sys::Reflect::get(&global, &"__apAborted".into()).unwrap().as_f64().unwrap_or(0.0)
}

#[wasm_bindgen_test]
async fn a_call_that_hangs_is_abandoned_at_its_time_limit_and_its_fetch_aborted() {
    js_sys::Reflect::set(&js_sys::global(), &"__apAborted".into(), &0.into()).unwrap();
    replace_fetch(HANGING);
    let http = Http::new("http://127.0.0.1:9").with_timeout(60);
    let account = http.account(&Token::new("t")).await;
    let sso = http.sso().await;
    let sign_out = http.sign_out(&Token::new("t")).await;
    restore_fetch();
    let aborted = aborted();
    assert_eq!(account.map(drop), Err(ApiError::Timeout));
    assert_eq!(sso.map(drop), Err(ApiError::Timeout));
    assert_eq!(sign_out, Err(ApiError::Timeout), "answers without a body too");
    assert_eq!(aborted, 3.0, "each fetch was aborted, not left running");
}

#[wasm_bindgen_test]
async fn a_create_that_timed_out_says_so_in_each_language_and_the_retry_reuses_its_key() {
    for (lang, said, create, shown) in [
        (Lang::En, "did not answer in time", "Create app password", "Your app password"),
        (
            Lang::Fr,
            "n’a pas répondu à temps",
            "Créer le mot de passe",
            "Votre mot de passe d’application",
        ),
    ] {
        let fake = Fake::new(Next::Ready);
        let ui = Ui::mount(fake.clone(), lang).await;
        ui.sign_in(fake::PASSWORD).await;
        ui.until("the list", |ui| ui.has(".ap-list") || ui.text().contains(" 40")).await;
        ui.click(".ap-button--primary").await;
        ui.until("the name screen", |ui| ui.has("#ap-name")).await;
        *fake.lose_next_create_answer.borrow_mut() = Some(ApiError::Timeout);
        ui.press(create).await;
        ui.until_text(said).await;
        assert!(ui.has("#ap-name"), "the person stays where they were");
        ui.press(create).await;
        ui.until_heading(shown).await;
        let creates = fake.creates.borrow().clone();
        assert_eq!(creates.len(), 2);
        assert_eq!(creates[0].1, creates[1].1, "the retry carries the same Idempotency-Key");
        assert_eq!(fake.items.borrow().len(), 1, "one app password, not two");
    }
}
