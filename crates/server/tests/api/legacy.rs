use serde_json::Value;

use crate::common::*;

#[tokio::test]
async fn a_legacy_client_signs_in_with_the_app_password_with_or_without_spaces_and_use_is_recorded()
{
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;

    let res = app.legacy(NEW_USER.0, &password).await;
    assert_eq!(res.status(), 200);
    let who: Value = res.json().await.unwrap();
    assert_eq!(who["username"], NEW_USER.0);

    let spaced =
        format!("{} {} {} {}", &password[..4], &password[4..8], &password[8..12], &password[12..]);
    assert_eq!(app.legacy(NEW_USER.0, &spaced).await.status(), 200);
    assert_eq!(
        app.legacy(&NEW_USER.0.to_uppercase(), &password.to_uppercase()).await.status(),
        200
    );

    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert!(list["items"][0]["last_used_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn the_primary_password_is_refused_where_mfa_is_required_and_accepted_where_not() {
    let app = spawn_app().await;
    let res = app.legacy(NEW_USER.0, NEW_USER.1).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    assert_eq!(app.legacy(NO_MFA.0, NO_MFA.1).await.status(), 200);
}

#[tokio::test]
async fn an_app_password_works_only_for_its_own_account_and_stops_when_revoked() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (id, password) = user.create_app_password("Outlook").await;
    assert_eq!(app.legacy(NO_APPPW.0, &password).await.status(), 401);
    user.delete(&format!("/v1/app-passwords/{id}")).await;
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401);
}

#[tokio::test]
async fn app_passwords_stop_working_when_the_admin_turns_them_off() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Outlook").await;
    app.sql("UPDATE accounts SET app_passwords_allowed = 0").await;
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401);
}

#[tokio::test]
async fn missing_or_malformed_basic_credentials_get_401_not_500() {
    let app = spawn_app().await;
    let res = app.http.get(app.url("/v1/legacy/whoami")).send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .http
        .get(app.url("/v1/legacy/whoami"))
        .header("authorization", "Basic !!!")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn guessing_is_throttled() {
    let app = spawn_with(|c| c.limits.legacy_per_client = 4).await;
    for _ in 0..4 {
        assert_eq!(app.legacy(NEW_USER.0, "aaaabbbbccccdddd").await.status(), 401);
    }
    let res = app.legacy(NEW_USER.0, "aaaabbbbccccdddd").await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
}
