//! The example portal: another origin, a strict CSP, the bundle beside it, and its
//! origin allowed by CORS without configuration.

use crate::common::spawn_with;

#[tokio::test]
async fn the_portal_is_another_origin_with_a_strict_csp_and_is_allowed_by_cors() {
    let files = tempfile::tempdir().unwrap();
    let portal_dir = files.path().join("portal");
    let dist = files.path().join("dist");
    std::fs::create_dir_all(&portal_dir).unwrap();
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(
        portal_dir.join("index.html"),
        r#"%START%%PRELOAD%<app-passwords endpoint="%ENDPOINT%">"#,
    )
    .unwrap();
    std::fs::write(portal_dir.join("portal.css"), "body{}").unwrap();
    std::fs::write(
        portal_dir.join("users.html"),
        r#"<app-passwords mode="admin" endpoint="%ENDPOINT%">"#,
    )
    .unwrap();
    std::fs::write(dist.join("index.html"), "<p>app</p>").unwrap();
    std::fs::write(dist.join("app-passwords-element.js"), "export {}").unwrap();
    std::fs::write(
        dist.join("app-passwords.json"),
        r#"{"element":"app-passwords-element.js","app":{"js":"app-passwords-0123abcd.js","wasm":"app-passwords-4567ef89_bg.wasm"}}"#,
    )
    .unwrap();
    let app = spawn_with(|c| {
        c.portal_port = Some(0);
        c.portal_dir = portal_dir.clone();
        c.static_dir = dist.clone();
    })
    .await;
    let portal = app.portal.clone().expect("the portal is served");
    assert_ne!(portal, app.base);

    let res = app.http.get(&portal).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let csp = res.headers()["content-security-policy"].to_str().unwrap().to_owned();
    // The one inline script, which starts the wasm with the page, allowed by its hash.
    let start = "self.appPasswordsFetched={'app-passwords-4567ef89_bg.wasm':\
        fetch('/app-passwords/app-passwords-4567ef89_bg.wasm')}";
    let hash = {
        use base64::Engine as _;
        use sha2::Digest as _;
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(start))
    };
    for part in [
        "default-src 'self'",
        &format!("script-src 'self' 'wasm-unsafe-eval' 'sha256-{hash}';"),
        "style-src 'self';",
        &format!("connect-src 'self' {};", app.base),
        "object-src 'none'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{part} missing from {csp}");
    }
    assert!(!csp.contains("unsafe-inline"));
    let body = res.text().await.unwrap();
    // The files the element loads, fetched with the page, as the bundle's manifest names them.
    let preload = r#"<link rel="modulepreload" href="/app-passwords/app-passwords-0123abcd.js">"#;
    let expected =
        format!(r#"<script>{start}</script>{preload}<app-passwords endpoint="{}">"#, app.base);
    assert_eq!(body, expected);
    let manifest = app.http.get(format!("{portal}/app-passwords/app-passwords.json")).send().await;
    let manifest = manifest.unwrap();
    assert_eq!(manifest.headers()["cache-control"], "no-cache", "a stable name, revalidated");
    let js = app
        .http
        .get(format!("{portal}/app-passwords/app-passwords-element.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), 200, "the bundle is served beside the portal");
    assert_eq!(app.http.get(format!("{portal}/portal.css")).send().await.unwrap().status(), 200);

    // The Users page, and its back end minting an admin token (never the credential).
    let users = app.http.get(format!("{portal}/users.html")).send().await.unwrap();
    assert_eq!(
        users.text().await.unwrap(),
        format!(r#"<app-passwords mode="admin" endpoint="{}">"#, app.base)
    );
    let minted = app.http.post(format!("{portal}/helpdesk-token")).send().await.unwrap();
    assert_eq!(minted.status(), 200);
    let minted: serde_json::Value = minted.json().await.unwrap();
    assert!(minted["token"].as_str().unwrap().starts_with("adm1."), "{minted}");
    assert!(!minted.to_string().contains(&app.admin_credential("portal")));

    let preflight = |origin: String| {
        app.http
            .request(reqwest::Method::OPTIONS, format!("{}/v1/sessions", app.base))
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "content-type")
            .send()
    };
    let ok = preflight(portal.clone()).await.unwrap();
    assert_eq!(ok.headers()["access-control-allow-origin"], portal.as_str());
    let other = preflight("http://evil.example".into()).await.unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

/// A manifest the portal cannot read is refused at start, naming the file; never served
/// as a page that preloads nothing or something else.
#[tokio::test]
async fn a_bundle_manifest_that_names_no_file_is_refused_at_start() {
    let files = tempfile::tempdir().unwrap();
    let dist = files.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::write(dist.join("app-passwords.json"), r#"{"app":{"js":"x.js\"><script>"}}"#).unwrap();
    let mut config = app_passwords_server::config::Config::for_tests(files.path());
    config.portal_port = Some(0);
    config.static_dir = dist;
    let built = app_passwords_server::startup::Application::build_with(
        config,
        app_passwords_server::clock::Clock::manual(crate::common::START),
    )
    .await;
    let err = built.err().expect("refused").to_string();
    assert!(err.contains("app-passwords.json") && err.contains("app.js"), "{err}");
}
