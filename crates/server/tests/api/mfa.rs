use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn totp_enrollment_gives_a_key_and_uri_and_the_verified_method_makes_the_session_ready() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let res = user.post("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
    assert_eq!(res.status(), 201);
    let e: Value = res.json().await.unwrap();
    let secret = e["secret"].as_str().unwrap();
    assert_eq!(secret.len(), 32, "160-bit key in base32");
    let uri = e["otpauth_uri"].as_str().unwrap();
    assert!(uri.starts_with("otpauth://totp/Contoso:new.user%40contoso.example?"), "{uri}");
    assert!(uri.contains(&format!("secret={secret}")) && uri.contains("issuer=Contoso"));

    let id = e["id"].as_str().unwrap();
    let old_token = user.token();
    let res = user.verify(&format!("/v1/mfa/enrollments/{id}/verify"), &app.totp(secret, 0)).await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["next"], "ready");
    assert_ne!(user.token(), old_token, "proving MFA rotates the session token");
    assert_eq!(v["method"]["kind"], "totp");
    assert_eq!(v["method"]["label"], "Authenticator app");
    let account: Value = user.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["next"], "ready");
    assert_eq!(account["account"]["methods"].as_array().unwrap().len(), 1);
    // The enrollment is closed: verifying it again finds nothing.
    let (status, _) = problem(
        user.post(
            &format!("/v1/mfa/enrollments/{id}/verify"),
            json!({"code": app.totp(secret, 0)}),
        )
        .await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn totp_accepts_the_neighbouring_steps_but_not_two_steps_away() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e = user.create("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
    let (secret, id) = (e["secret"].as_str().unwrap(), e["id"].as_str().unwrap());
    let verify = format!("/v1/mfa/enrollments/{id}/verify");
    for far in [app.totp(secret, -3), app.totp(secret, 3)] {
        if far == app.totp(secret, 0) || far == app.totp(secret, -1) || far == app.totp(secret, 1) {
            continue; // one in a million: the same digits
        }
        let (status, body) = problem(user.post(&verify, json!({"code": far})).await).await;
        assert_eq!((status, body["code"].as_str()), (422, Some("invalid_code")));
    }
    let res = user.verify(&verify, &app.totp(secret, -1)).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_totp_code_is_never_accepted_twice_for_the_same_method() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await; // used the current step
    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["next"], "mfa_challenge");
    let method_id = again.session["account"]["methods"][0]["id"].as_str().unwrap().to_owned();
    let c = again.create("/v1/mfa/challenges", json!({"method_id": method_id})).await;
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let (status, body) =
        problem(again.post(&verify, json!({"code": app.totp(&secret, 0)})).await).await;
    assert_eq!((status, body["code"].as_str()), (422, Some("invalid_code")), "replayed code");
    // The next step's code works once.
    let res = again.verify(&verify, &app.totp(&secret, 1)).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn sms_enrollment_sends_a_six_digit_code_to_the_masked_number() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let res = user
        .post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33 6 12 34 56 78"}))
        .await;
    assert_eq!(res.status(), 201);
    let e: Value = res.json().await.unwrap();
    assert_eq!(e["destination"], "+33 ••• •• 78");
    assert_eq!(e["resend_after"], 30);
    assert!(e.get("secret").is_none());
    let code = app.last_code().await;
    let outbox = app.outbox().await;
    assert_eq!(outbox[0]["destination"], "+33612345678");
    assert_eq!(outbox[0]["channel"], "sms");
    // Pasted with a space: still accepted.
    let pasted = format!("{} {}", &code[..3], &code[3..]);
    let res = user
        .post(
            &format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap()),
            json!({"code": pasted}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let v: Value = res.json().await.unwrap();
    assert_eq!(v["method"]["label"], "+33 ••• •• 78");
}

#[tokio::test]
async fn bad_phone_numbers_and_emails_are_named_fields_in_the_problem() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let (status, body) = problem(
        user.post("/v1/mfa/enrollments", json!({"kind": "voice", "phone": "06 12 34 56 78"})).await,
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"], json!([{"field": "phone", "code": "invalid_phone"}]));
    let (_, body) =
        problem(user.post("/v1/mfa/enrollments", json!({"kind": "email", "email": "nope"})).await)
            .await;
    assert_eq!(body["errors"], json!([{"field": "email", "code": "invalid_email"}]));
    let (status, _) =
        problem(user.post("/v1/mfa/enrollments", json!({"kind": "pigeon"})).await).await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn wrong_codes_count_down_then_too_many_attempts_even_for_the_right_code() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e = user
        .create("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
        .await;
    let code = app.last_code().await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    for left in (1..=4).rev() {
        let (status, body) = problem(user.post(&verify, json!({"code": wrong})).await).await;
        assert_eq!(
            (status, body["code"].as_str(), body["attempts_left"].as_u64()),
            (422, Some("invalid_code"), Some(left))
        );
    }
    let (status, body) = problem(user.post(&verify, json!({"code": wrong})).await).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("too_many_attempts")));
    let (_, body) = problem(user.post(&verify, json!({"code": code})).await).await;
    assert_eq!(body["code"], "too_many_attempts");
}

#[tokio::test]
async fn sent_codes_expire() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e =
        user.create("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    let code = app.last_code().await;
    app.clock.advance(601);
    let (status, body) = problem(
        user.post(
            &format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap()),
            json!({"code": code}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (422, Some("code_expired")));
}

#[tokio::test]
async fn resend_waits_for_the_cooldown_then_replaces_the_code() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e =
        user.create("/v1/mfa/enrollments", json!({"kind": "voice", "phone": "+15550100199"})).await;
    let id = e["id"].as_str().unwrap();
    let first = app.last_code().await;
    let res = user.post(&format!("/v1/mfa/enrollments/{id}/resend"), json!({})).await;
    assert!(res.headers().contains_key("retry-after"));
    let (status, body) = problem(res).await;
    assert_eq!((status, body["code"].as_str()), (429, Some("resend_too_soon")));

    app.clock.advance(31);
    let res = user.post(&format!("/v1/mfa/enrollments/{id}/resend"), json!({})).await;
    assert_eq!(res.status(), 201);
    let sent: Value = res.json().await.unwrap();
    assert_eq!(sent["destination"], "+1 ••• •• 99");
    let second = app.last_code().await;
    if first != second {
        let (_, body) = problem(
            user.post(&format!("/v1/mfa/enrollments/{id}/verify"), json!({"code": first})).await,
        )
        .await;
        assert_eq!(body["code"], "invalid_code", "the first code stopped working");
    }
    let res = user.verify(&format!("/v1/mfa/enrollments/{id}/verify"), &second).await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn returning_users_prove_a_registered_sent_method_with_a_challenge() {
    let app = spawn_app().await;
    let first = app.sign_in(NEW_USER).await;
    let e = first
        .create("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
        .await;
    let code = app.last_code().await;
    first.verify(&format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap()), &code).await;

    let user = app.sign_in(NEW_USER).await;
    assert_eq!(user.session["next"], "mfa_challenge");
    let (status, body) = problem(user.get("/v1/app-passwords").await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
    let method = &user.session["account"]["methods"][0];
    assert_eq!(method["label"], "n•••@example.com");
    let res = user.post("/v1/mfa/challenges", json!({"method_id": method["id"]})).await;
    assert_eq!(res.status(), 201);
    let c: Value = res.json().await.unwrap();
    assert_eq!(c["destination"], "n•••@example.com");
    let res = user
        .verify(
            &format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap()),
            &app.last_code().await,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(user.get("/v1/app-passwords").await.status(), 200);
}

#[tokio::test]
async fn a_challenge_for_someone_elses_method_or_session_is_not_found() {
    let app = spawn_app().await;
    let nora = app.sign_in(NEW_USER).await;
    nora.enroll_totp().await;
    let method_id = app.sign_in(NEW_USER).await.session["account"]["methods"][0]["id"].clone();
    let other = app.sign_in(NO_APPPW).await;
    let (status, _) =
        problem(other.post("/v1/mfa/challenges", json!({"method_id": method_id})).await).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_second_method_needs_the_first_one_proven_in_this_session() {
    let app = spawn_app().await;
    app.sign_in(NEW_USER).await.enroll_totp().await;
    let later = app.sign_in(NEW_USER).await;
    let (status, body) = problem(
        later.post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
}

#[tokio::test]
async fn methods_the_admin_does_not_allow_are_refused_and_not_available_accounts_cannot_enroll() {
    let app = spawn_app().await;
    app.sql(
        "UPDATE accounts SET allowed_methods = 'totp' WHERE username = 'new.user@contoso.example'",
    )
    .await;
    let user = app.sign_in(NEW_USER).await;
    assert_eq!(user.session["account"]["policy"]["allowed_methods"], json!(["totp"]));
    let (status, body) = problem(
        user.post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("method_not_allowed")));
    let other = app.sign_in(NO_MFA).await;
    let (status, body) =
        problem(other.post("/v1/mfa/enrollments", json!({"kind": "totp"})).await).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("not_available")));
}

#[tokio::test]
async fn an_enrollment_retried_with_the_same_idempotency_key_sends_one_code() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let send = || async {
        app.http
            .post(app.url("/v1/mfa/enrollments"))
            .bearer_auth(user.token())
            .header("Idempotency-Key", "3f1c2a9e-retry")
            .json(&json!({"kind": "sms", "phone": "+33612345678"}))
            .send()
            .await
            .unwrap()
    };
    let a: Value = send().await.json().await.unwrap();
    let b: Value = send().await.json().await.unwrap();
    assert_eq!(a["id"], b["id"]);
    let outbox = app.outbox().await;
    assert_eq!(outbox.as_array().unwrap().len(), 1, "one code sent");
}

#[tokio::test]
async fn the_demo_outbox_does_not_exist_outside_demo_mode() {
    let app = spawn_with(|c| c.demo = false).await;
    let (status, _) = problem(app.http.get(app.url("/v1/demo/outbox")).send().await.unwrap()).await;
    assert_eq!(status, 404);
}
