use crate::common::*;

#[tokio::test]
async fn the_served_openapi_document_equals_the_checked_in_one() {
    let app = spawn_app().await;
    let served =
        app.http.get(app.url("/v1/openapi.json")).send().await.unwrap().text().await.unwrap();
    let generated = app_passwords_server::http::routes::openapi::document();
    assert_eq!(served, generated);
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.json");
    let checked_in = std::fs::read_to_string(path).unwrap_or_default();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(path, &generated).unwrap();
        return;
    }
    assert!(
        checked_in == generated,
        "crates/server/openapi.json is out of date: run `make openapi` and commit it"
    );
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    for path in [
        "/v1/sessions",
        "/v1/sessions/current",
        "/v1/account",
        "/v1/mfa/enrollments",
        "/v1/mfa/enrollments/{id}/resend",
        "/v1/mfa/enrollments/{id}/verify",
        "/v1/mfa/challenges",
        "/v1/mfa/challenges/{id}/verify",
        "/v1/app-passwords",
        "/v1/app-passwords/{id}",
        "/v1/legacy/whoami",
        "/scim/v2/Users",
        "/scim/v2/Users/{id}",
        "/scim/v2/Groups",
        "/scim/v2/Groups/{id}",
        "/scim/v2/ServiceProviderConfig",
    ] {
        assert!(doc["paths"].get(path).is_some(), "{path} missing from the contract");
    }
}
