//! Two server processes on one database agree: sessions, throttles and proofs live
//! in the database, not in memory.

use app_passwords_server::config::Config;
use app_passwords_server::startup::Application;
use serde_json::{json, Value};

use crate::common::*;

/// Starts another server on `a`'s database and clock; returns its base URL.
pub async fn second_replica(a: &TestApp, tweak: impl FnOnce(&mut Config)) -> String {
    let mut config = Config::for_tests(a.dir.path());
    config.database_url = a.database_url.clone();
    tweak(&mut config);
    let b = Application::build_with(config, a.clock.clone()).await.unwrap();
    let base = format!("http://{}", b.local_addr().unwrap());
    tokio::spawn(b.run_until_stopped());
    base
}

#[tokio::test]
async fn a_second_replica_on_the_same_database_honours_sessions_codes_and_throttles() {
    let a = spawn_with(|c| c.limits.signin_per_account = 2).await;
    let b_base = second_replica(&a, |c| c.limits.signin_per_account = 2).await;

    // Session from A, enrollment on B, code from A's outbox, verified on B.
    let user = a.sign_in(NEW_USER).await;
    let on_b = |path: &str| format!("{b_base}{path}");
    let e: Value = a
        .http
        .post(on_b("/v1/mfa/enrollments"))
        .bearer_auth(user.token())
        .json(&json!({"kind": "sms", "phone": "+33612345678"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = a.last_code().await;
    let res = a
        .http
        .post(on_b(&format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap())))
        .bearer_auth(user.token())
        .json(&json!({"code": code}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    user.rotated(&res.json().await.unwrap());
    assert_eq!(user.get("/v1/app-passwords").await.status(), 200, "B's new token works on A");

    // Failures on A and B add up to one throttle.
    a.post("/v1/sessions", json!({"username": NO_MFA.0, "password": "x"})).await;
    a.http
        .post(on_b("/v1/sessions"))
        .json(&json!({"username": NO_MFA.0, "password": "x"}))
        .send()
        .await
        .unwrap();
    let (status, _) =
        problem(a.post("/v1/sessions", json!({"username": NO_MFA.0, "password": NO_MFA.1})).await)
            .await;
    assert_eq!(status, 429);

    // Sign-out on B ends the session on A.
    a.http.delete(on_b("/v1/sessions/current")).bearer_auth(user.token()).send().await.unwrap();
    assert_eq!(user.get("/v1/account").await.status(), 401);
}
