use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn sign_in_returns_a_token_the_account_policy_and_mfa_setup_for_a_new_user() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let s = &user.session;
    assert_eq!(s["next"], "mfa_setup");
    assert_eq!(s["account"]["username"], NEW_USER.0);
    assert_eq!(
        s["account"]["password_elsewhere"], false,
        "a local account's password is changed here"
    );
    assert_eq!(s["account"]["policy"]["mfa_required"], true);
    assert_eq!(
        s["account"]["policy"]["allowed_methods"],
        json!(["totp", "sms", "voice", "email", "passkey"])
    );
    assert_eq!(s["account"]["policy"]["phishing_resistant"], false);
    assert_eq!(s["account"]["methods"], json!([]));
    assert_eq!(user.token().len(), 64);
    assert!(s["expires_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn usernames_are_matched_case_insensitively() {
    let app = spawn_app().await;
    let res = app
        .post(
            "/v1/sessions",
            json!({"username": " New.User@Contoso.Example", "password": NEW_USER.1}),
        )
        .await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn accounts_without_the_mfa_requirement_or_with_app_passwords_off_are_not_available_with_a_reason(
) {
    let app = spawn_app().await;
    let s = app.sign_in(NO_MFA).await.session;
    assert_eq!(
        (s["next"].as_str(), s["reason"].as_str()),
        (Some("not_available"), Some("mfa_not_required"))
    );
    let s = app.sign_in(NO_APPPW).await.session;
    assert_eq!(
        (s["next"].as_str(), s["reason"].as_str()),
        (Some("not_available"), Some("app_passwords_disabled"))
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_invalid_credentials_problem() {
    let app = spawn_app().await;
    for (u, p) in [(NEW_USER.0, "wrong"), ("nobody@contoso.example", "whatever")] {
        let (status, body) =
            problem(app.post("/v1/sessions", json!({"username": u, "password": p})).await).await;
        assert_eq!(status, 401);
        assert_eq!(body["code"], "invalid_credentials");
        assert_eq!(body["title"], "The username or password is not correct");
        assert!(body["request_id"].is_string());
    }
}

#[tokio::test]
async fn malformed_missing_and_wrong_typed_fields_are_problems_not_500s() {
    let app = spawn_app().await;
    let res = app
        .http
        .post(app.url("/v1/sessions"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    let (status, body) = problem(res).await;
    assert_eq!((status, body["code"].as_str()), (400, Some("bad_request")));

    let (status, body) =
        problem(app.post("/v1/sessions", json!({"username": "a@b.example"})).await).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));
    assert_eq!(body["errors"], json!([{"field": "password", "code": "required"}]));

    let (status, body) =
        problem(app.post("/v1/sessions", json!({"username": 5, "password": "x"})).await).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("validation_failed")));

    let (status, body) =
        problem(app.post("/v1/sessions", json!({"username": "   ", "password": "x"})).await).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("username")));

    let res = app.http.post(app.url("/v1/sessions")).body("{}").send().await.unwrap();
    let (status, _) = problem(res).await;
    assert_eq!(status, 415);
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_with_retry_after() {
    let app = spawn_with(|c| c.limits.signin_per_account = 3).await;
    for _ in 0..3 {
        let res =
            app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": "nope"})).await;
        assert_eq!(res.status(), 401);
    }
    // Even the right password is refused while the account is throttled.
    let res =
        app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": NEW_USER.1})).await;
    let retry: u32 = res.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!(retry > 0 && retry <= 300);
    let (status, body) = problem(res).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("rate_limited")));
    // Other accounts are unaffected.
    app.sign_in(NO_MFA).await;
}

#[tokio::test]
async fn the_client_address_is_throttled_across_accounts() {
    let app = spawn_with(|c| c.limits.signin_per_address = 4).await;
    for user in ["a@x.example", "b@x.example", "c@x.example", "d@x.example"] {
        app.post("/v1/sessions", json!({"username": user, "password": "x"})).await;
    }
    let (status, _) = problem(
        app.post("/v1/sessions", json!({"username": NO_MFA.0, "password": NO_MFA.1})).await,
    )
    .await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn account_needs_a_token_and_sign_out_ends_the_session() {
    let app = spawn_app().await;
    let (status, body) = problem(app.http.get(app.url("/v1/account")).send().await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("unauthorized")));

    let user = app.sign_in(NEW_USER).await;
    let res = user.get("/v1/account").await;
    assert_eq!(res.status(), 200);
    let v: serde_json::Value = res.json().await.unwrap();
    assert_eq!(v["next"], "mfa_setup");
    assert!(v.get("token").is_none());

    assert_eq!(user.delete("/v1/sessions/current").await.status(), 204);
    let (status, _) = problem(user.get("/v1/account").await).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn idle_sessions_expire_with_session_expired() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    // 16 minutes without a request (idle limit 15).
    app.clock.advance(960);
    let (status, body) = problem(user.get("/v1/account").await).await;
    assert_eq!((status, body["code"].as_str()), (401, Some("session_expired")));
    // ...and the token is gone for good.
    let (_, body) = problem(user.get("/v1/account").await).await;
    assert_eq!(body["code"], "unauthorized");
}

#[tokio::test]
async fn sessions_expire_absolutely_even_when_active() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    // Active every 10 minutes: alive until the absolute limit (8 h), then over.
    for _ in 0..(8 * 6) {
        app.clock.advance(600);
        assert_eq!(user.get("/v1/account").await.status(), 200);
    }
    app.clock.advance(600);
    let (_, body) = problem(user.get("/v1/account").await).await;
    assert_eq!(body["code"], "session_expired");
}
