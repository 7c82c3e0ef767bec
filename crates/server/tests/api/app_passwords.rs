use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn an_app_password_is_sixteen_letters_returned_once_and_stored_only_as_a_keyed_hash() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (id, password) = user.create_app_password("Outlook on my laptop").await;
    assert_eq!(password.len(), 16);
    assert!(password.bytes().all(|b| b.is_ascii_lowercase()));

    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["limit"], 40);
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["name"], "Outlook on my laptop");
    assert_eq!(list["items"][0]["last_used_at"], Value::Null);
    assert!(!list.to_string().contains(&password));

    let stored: Vec<(String,)> = sqlx::query_as("SELECT secret_hash FROM app_passwords")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(stored[0].0.len(), 64);
    assert_ne!(stored[0].0, password);
    assert!(!stored[0].0.contains(&password));
}

#[tokio::test]
async fn app_passwords_need_a_recent_mfa_proof() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let (status, body) = problem(user.post("/v1/app-passwords", json!({"name": "x"})).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
    user.enroll_totp().await;
    user.create_app_password("fresh").await;
    // Eleven minutes later the step-up has lapsed.
    app.clock.advance(660);
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "stale"})).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
    let (_, body) = problem(user.delete("/v1/app-passwords").await).await;
    assert_eq!(body["code"], "mfa_required");
}

#[tokio::test]
async fn not_available_accounts_cannot_list_or_create() {
    let app = spawn_app().await;
    let user = app.sign_in(NO_MFA).await;
    let (status, body) = problem(user.get("/v1/app-passwords").await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("not_available")));
}

#[tokio::test]
async fn names_are_trimmed_bounded_and_unique_per_account() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let res = user.post("/v1/app-passwords", json!({"name": "  Apple Mail  "})).await;
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["name"], "Apple Mail");
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "Apple Mail"})).await).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("name_taken")));
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "   "})).await).await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("required")));
    let (_, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "x".repeat(65)})).await).await;
    assert_eq!(body["errors"], json!([{"field": "name", "code": "too_long"}]));
}

#[tokio::test]
async fn the_per_user_limit_is_enforced() {
    let app = spawn_with(|c| c.limits.app_passwords = 2).await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    user.create_app_password("one").await;
    user.create_app_password("two").await;
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "three"})).await).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("limit_reached")));
    assert_eq!(body["limit"], 2, "the problem says the configured limit");
}

#[tokio::test]
async fn a_retry_with_the_same_idempotency_key_returns_the_first_password_not_a_second() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let create = |name: &'static str| {
        app.http
            .post(app.url("/v1/app-passwords"))
            .bearer_auth(user.token())
            .header("Idempotency-Key", "c0ffee-0001")
            .json(&json!({"name": name}))
            .send()
    };
    let a: Value = create("Outlook").await.unwrap().json().await.unwrap();
    let res = create("Outlook").await.unwrap();
    assert_eq!(res.status(), 201);
    let b: Value = res.json().await.unwrap();
    assert_eq!(a, b, "same id and same password");
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // The stored answer is sealed: the password is not in the database.
    let stored: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT body FROM idempotency").fetch_all(&app.pool().await).await.unwrap();
    assert!(!stored[0].0.clone().unwrap().contains(a["password"].as_str().unwrap()));
    // The same key for another body is a conflict.
    let (status, body) = problem(create("Other").await.unwrap()).await;
    assert_eq!((status, body["code"].as_str()), (409, Some("idempotency_conflict")));
}

#[tokio::test]
async fn revoke_one_and_revoke_all() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (a, _) = user.create_app_password("a").await;
    user.create_app_password("b").await;
    user.create_app_password("c").await;
    assert_eq!(user.delete(&format!("/v1/app-passwords/{a}")).await.status(), 204);
    let (status, _) = problem(user.delete(&format!("/v1/app-passwords/{a}")).await).await;
    assert_eq!(status, 404);
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 2);
    assert_eq!(user.delete("/v1/app-passwords").await.status(), 204);
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn one_account_cannot_revoke_anothers_app_password() {
    let app = spawn_app().await;
    app.sql(
        "UPDATE accounts SET app_passwords_allowed = 1 WHERE username = 'no.apppw@contoso.example'",
    )
    .await;
    let nora = app.sign_in(NEW_USER).await;
    nora.enroll_totp().await;
    let (id, _) = nora.create_app_password("mine").await;
    let nina = app.sign_in(NO_APPPW).await;
    nina.enroll_totp().await;
    let (status, _) = problem(nina.delete(&format!("/v1/app-passwords/{id}")).await).await;
    assert_eq!(status, 404);
}
