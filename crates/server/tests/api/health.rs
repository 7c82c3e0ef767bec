use crate::common::spawn_app;

#[tokio::test]
async fn health_answers_ok_with_a_request_id_and_security_headers() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/v1/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["x-request-id"].len(), 16);
    assert_eq!(res.headers()["x-content-type-options"], "nosniff");
    assert_eq!(res.headers()["cache-control"], "no-store");
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    assert!(csp.contains("'wasm-unsafe-eval'") && !csp.contains("unsafe-inline"), "{csp}");
    // Cut from cross-origin openers; keeping the windows it opens (the embedded app's
    // sign-in at the organization's provider), whose way there and back sets no policy.
    assert_eq!(res.headers()["cross-origin-opener-policy"], "same-origin-allow-popups");
    let body: wire::Health = res.json().await.unwrap();
    assert_eq!(body.status, "ok");
    let no_redirect = reqwest::redirect::Policy::none();
    let browser = reqwest::Client::builder().redirect(no_redirect).build().unwrap();
    let res = browser.get(app.url("/v1/sso/callback")).send().await.unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers().get("cross-origin-opener-policy").is_none(), "{:?}", res.headers());
}

#[tokio::test]
async fn unknown_api_paths_are_problem_documents_not_the_app() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/v1/nope")).send().await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(res.headers()["content-type"], "application/problem+json");
    let problem: wire::Problem = res.json().await.unwrap();
    assert_eq!(problem.code, wire::ErrorCode::NotFound);
    assert_eq!(problem.request_id.as_deref().map(str::len), Some(16));
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = crate::common::spawn_with(|c| {
        c.allowed_origins = vec!["https://portal.contoso.example".into()]
    })
    .await;
    let preflight = |origin: &'static str| {
        app.http
            .request(reqwest::Method::OPTIONS, app.url("/v1/sessions"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type,authorization,idempotency-key")
            .send()
    };
    let ok = preflight("https://portal.contoso.example").await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], "https://portal.contoso.example");
    let allowed = ok.headers()["access-control-allow-headers"].to_str().unwrap().to_owned();
    assert!(allowed.contains("authorization") && allowed.contains("idempotency-key"), "{allowed}");
    let evil = preflight("https://evil.example").await.unwrap();
    assert!(!evil.headers().contains_key("access-control-allow-origin"));
}
