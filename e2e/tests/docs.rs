//! The API documentation at /v1/docs, in a real browser: it renders the served
//! contract under its own strict policy (no inline code, no eval), and the app's pages
//! keep theirs.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use app_passwords_e2e::{Driver, Kind, Server};

#[tokio::test(flavor = "multi_thread")]
async fn the_api_documentation_renders_the_contract_under_a_strict_policy() {
    let server = Server::start().await;
    let docs = format!("{}/v1/docs", server.base);
    let res = reqwest::get(&docs).await.unwrap();
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.starts_with("default-src 'none'; script-src 'self';"), "{csp}");
    assert!(!csp.contains("unsafe") && !csp.contains("wasm"), "{csp}");
    let app = reqwest::get(&server.base).await.unwrap();
    let app_csp = app.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(app_csp.contains("'wasm-unsafe-eval'"), "the app keeps its own policy: {app_csp}");

    let driver = Driver::start(Kind::Chromium).await;
    let b = driver.browser(false).await;
    b.open(&docs).await;
    b.until_text("app-passwords identity endpoint").await;
    b.until_text("/v1/mfa/enrollments/{id}/verify").await;
    b.click(".opblock-summary-path[data-path='/v1/sessions']").await;
    b.until_text("invalid_credentials").await;
    b.shot("docs/api-sign-in").await;
    let violations = b.client.execute("return window.cspViolations", vec![]).await.unwrap();
    assert_eq!(violations, serde_json::json!([]), "nothing the page does is refused by its policy");
    // Closed, or the browser outlives its driver.
    b.client.close().await.unwrap();
}
