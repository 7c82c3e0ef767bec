//! The attacker who already has the password, and the crowd: every rule attacked the
//! way it would be, with requests in parallel from many loopback addresses, replayed
//! and raced. Each of these failed on the code before the store owned the rules.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

/// The registered method of `NEW_USER` after the real user enrolled an authenticator.
async fn victim_with_totp(app: &TestApp) -> (String, String) {
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    let method = app.sign_in(NEW_USER).await.session["account"]["methods"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (secret, method)
}

/// A 6-digit code that is not the authenticator's current one (nor a neighbour).
fn wrong_code(app: &TestApp, secret: &str) -> String {
    let near = [app.totp(secret, -1), app.totp(secret, 0), app.totp(secret, 1)];
    (0..).map(|n| format!("{:06}", 123_457 + n)).find(|c| !near.contains(c)).unwrap()
}

/// A 16-letter guess, different for each `n`.
fn letters(n: u32) -> String {
    let tail: String = format!("{n:05}").bytes().map(|d| char::from(b'a' + d - b'0')).collect();
    format!("aaaabbbbccc{tail}")
}

/// Signs in from client `n`; returns its token.
async fn session_from(app: &TestApp, n: u32, (user, pass): (&str, &str)) -> String {
    let res = client_at(n)
        .post(app.url("/v1/sessions"))
        .json(&json!({"username": user, "password": pass}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let v: Value = res.json().await.unwrap();
    v["token"].as_str().unwrap().to_owned()
}

async fn post(app: &TestApp, n: u32, token: &str, path: &str, body: Value) -> reqwest::Response {
    client_at(n).post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

#[tokio::test]
async fn wrong_mfa_codes_are_budgeted_per_account_whatever_the_session_challenge_or_address() {
    let app = spawn_app().await;
    let (secret, method) = victim_with_totp(&app).await;
    let wrong = wrong_code(&app, &secret);
    // 15 attackers with the password, each from its own address with its own session
    // and challenge (a sign-in is cheap for them), then 5 codes each: 75 tries at once.
    let mut opened = vec![];
    for n in 0..15 {
        let token = session_from(&app, n, NEW_USER).await;
        let c = post(&app, n, &token, "/v1/mfa/challenges", json!({"method_id": method})).await;
        assert_eq!(c.status(), 201);
        let id = c.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
        opened.push((n, token, format!("/v1/mfa/challenges/{id}/verify")));
    }
    let attackers = opened.iter().map(|(n, token, path)| {
        let (app, wrong) = (&app, &wrong);
        async move {
            let tries = (0..5).map(|_| post(app, *n, token, path, json!({"code": wrong})));
            join_all(tries.map(|t| async { outcome(t.await).await })).await
        }
    });
    let outcomes: Vec<(u16, String)> = join_all(attackers).await.into_iter().flatten().collect();
    let evaluated =
        count(&outcomes, 422, "invalid_code") + count(&outcomes, 429, "too_many_attempts");
    assert_eq!(evaluated, 10, "wrong codes checked for the account: {outcomes:?}");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 65, "{outcomes:?}");

    // The budget is the account's: even the real user's right code waits for the window.
    let user = app.sign_in(NEW_USER).await;
    let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let res = user.post(&verify, json!({"code": app.totp(&secret, 1)})).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_eq!(outcome(res).await, (429, "rate_limited".into()));
    app.clock.advance(15 * 60);
    let user = app.sign_in(NEW_USER).await;
    let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    assert_eq!(user.verify(&verify, &app.totp(&secret, 0)).await.status(), 200);
}

#[tokio::test]
async fn a_hundred_wrong_codes_in_a_row_lock_mfa_until_an_admin_unlocks_it() {
    let app = spawn_app().await;
    let (secret, method) = victim_with_totp(&app).await;
    let wrong = wrong_code(&app, &secret);
    // Ten windows of ten wrong codes (the most each window allows), two challenges each.
    for window in 0..10 {
        for n in 0..2 {
            let user = app.sign_in(NEW_USER).await;
            let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
            let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
            for _ in 0..5 {
                let (status, code) =
                    outcome(user.post(&verify, json!({"code": wrong})).await).await;
                assert!(
                    status == 422 || code == "too_many_attempts",
                    "window {window}.{n}: {code}"
                );
            }
        }
        app.clock.advance(15 * 60);
    }
    let user = app.sign_in(NEW_USER).await;
    let res = user.post("/v1/mfa/challenges", json!({"method_id": method})).await;
    assert_eq!(outcome(res).await, (403, "mfa_locked".into()), "no new challenge while locked");

    crate::admin::cli(&app, &["account", "unlock-mfa", NEW_USER.0], None);
    let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    assert_eq!(user.verify(&verify, &app.totp(&secret, 0)).await.status(), 200);
}

#[tokio::test]
async fn a_right_code_clears_the_consecutive_count() {
    let app = spawn_with(|c| c.limits.mfa_lockout = 8).await;
    let (secret, method) = victim_with_totp(&app).await;
    let wrong = wrong_code(&app, &secret);
    let user = app.sign_in(NEW_USER).await;
    let challenge = || async {
        let c = user.create("/v1/mfa/challenges", json!({"method_id": &method})).await;
        format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap())
    };
    let verify = challenge().await;
    for _ in 0..5 {
        user.post(&verify, json!({"code": wrong})).await;
    }
    app.clock.advance(30);
    assert_eq!(user.verify(&challenge().await, &app.totp(&secret, 0)).await.status(), 200);
    let verify = challenge().await;
    for _ in 0..5 {
        user.post(&verify, json!({"code": wrong})).await;
    }
    // 5 + 5 wrong would have locked at 8, had the right code not cleared the first 5.
    let res = user.post("/v1/mfa/challenges", json!({"method_id": method})).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn challenges_are_limited_per_account() {
    let app = spawn_app().await;
    let (_, method) = victim_with_totp(&app).await;
    let mut tokens = vec![];
    for n in 0..25 {
        tokens.push(session_from(&app, n, NEW_USER).await);
    }
    let opens = tokens.iter().zip(0..).map(|(token, n)| {
        let (app, method) = (&app, &method);
        async move {
            outcome(post(app, n, token, "/v1/mfa/challenges", json!({"method_id": method})).await)
                .await
        }
    });
    let outcomes = join_all(opens).await;
    assert_eq!(count(&outcomes, 201, ""), 20, "{outcomes:?}");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 5);
}

#[tokio::test]
async fn ten_creates_raced_at_one_below_the_limit_make_exactly_one_app_password() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    for n in 0..39 {
        user.create_app_password(&format!("client {n}")).await;
    }
    let token = user.token();
    let creates = (0..10).map(|n| {
        let (app, token) = (&app, &token);
        async move {
            outcome(
                post(app, n, token, "/v1/app-passwords", json!({"name": format!("raced {n}")}))
                    .await,
            )
            .await
        }
    });
    let outcomes = join_all(creates).await;
    assert_eq!(count(&outcomes, 201, ""), 1, "{outcomes:?}");
    assert_eq!(count(&outcomes, 409, "limit_reached"), 9);
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["items"].as_array().unwrap().len(), 40);
}

#[tokio::test]
async fn forty_wrong_passwords_at_once_are_evaluated_at_most_five_times() {
    let app = spawn_app().await;
    let before = app.hashes.evaluations();
    let guesses = (0..40).map(|n| {
        let app = &app;
        async move {
            let res = client_at(n)
                .post(app.url("/v1/sessions"))
                .json(&json!({"username": NEW_USER.0, "password": format!("guess-{n}")}))
                .send()
                .await
                .unwrap();
            outcome(res).await
        }
    });
    let outcomes = join_all(guesses).await;
    assert_eq!(count(&outcomes, 401, "invalid_credentials"), 5, "{outcomes:?}");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 35);
    assert_eq!(app.hashes.evaluations() - before, 5, "hashes computed");
    // Other accounts are not affected.
    app.sign_in(NO_MFA).await;
}

#[tokio::test]
async fn a_right_password_hands_its_hit_back() {
    let app = spawn_with(|c| c.limits.signin_per_account = 2).await;
    for _ in 0..5 {
        app.sign_in(NEW_USER).await;
    }
}

#[tokio::test]
async fn wrong_legacy_passwords_are_evaluated_within_the_budgets_however_parallel() {
    let app = spawn_app().await;
    // App-password guesses from one client: its budget is 20 per window.
    let before = app.hashes.evaluations();
    let guesses = (0..60).map(|n| {
        let app = &app;
        async move {
            let res = client_at(0)
                .get(app.url("/v1/legacy/whoami"))
                .basic_auth(NEW_USER.0, Some(letters(n)))
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 20, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 40);
    assert!(app.hashes.evaluations() - before <= 20);

    // Primary-password guesses for an account that accepts its password here, from 60
    // addresses: they spend the web sign-in's budget (5), which then refuses the web too.
    let before = app.hashes.evaluations();
    let guesses = (0..60).map(|n| {
        let app = &app;
        async move {
            let res = client_at(100 + n)
                .get(app.url("/v1/legacy/whoami"))
                .basic_auth(NO_MFA.0, Some(format!("guess-{n}")))
                .send()
                .await
                .unwrap();
            res.status().as_u16()
        }
    });
    let statuses = join_all(guesses).await;
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(app.hashes.evaluations() - before, 5);
    let res = app.post("/v1/sessions", json!({"username": NO_MFA.0, "password": NO_MFA.1})).await;
    assert_eq!(outcome(res).await, (429, "rate_limited".into()));
}

#[tokio::test]
async fn a_mail_client_retrying_a_revoked_app_password_locks_neither_web_sign_in_nor_other_clients()
{
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (old_id, old) = user.create_app_password("Old phone").await;
    let (_, laptop) = user.create_app_password("Laptop").await;
    user.delete(&format!("/v1/app-passwords/{old_id}")).await;
    // The forgotten phone at address 5 retries for a while.
    let mut last = 0;
    for _ in 0..30 {
        let res = client_at(5).get(app.url("/v1/legacy/whoami")).basic_auth(NEW_USER.0, Some(&old));
        last = res.send().await.unwrap().status().as_u16();
    }
    assert_eq!(last, 429, "the phone is throttled");
    // The laptop, elsewhere, still signs in; so does the person on the web.
    let res = client_at(6).get(app.url("/v1/legacy/whoami")).basic_auth(NEW_USER.0, Some(&laptop));
    assert_eq!(res.send().await.unwrap().status(), 200);
    app.sign_in(NEW_USER).await;
}

#[tokio::test]
async fn behind_a_trusted_mail_server_limits_count_the_end_client_and_nobody_else_can_forward() {
    let app = spawn_with(|c| {
        c.trusted_proxies = vec!["127.0.0.2/32".parse().unwrap()];
        c.limits.legacy_per_address = 5;
    })
    .await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;
    let via_mail_server = |client: &'static str, pass: String| {
        client_at(0) // 127.0.0.2: the trusted mail server
            .get(app.url("/v1/legacy/whoami"))
            .header("x-forwarded-for", client)
            .basic_auth(NEW_USER.0, Some(pass))
            .send()
    };
    for _ in 0..6 {
        via_mail_server("198.51.100.7", "wrongwrongwrongw".into()).await.unwrap();
    }
    let res = via_mail_server("198.51.100.7", password.clone()).await.unwrap();
    assert_eq!(res.status(), 429, "the guessing client is throttled");
    let res = via_mail_server("203.0.113.9", password.clone()).await.unwrap();
    assert_eq!(res.status(), 200, "another client of the same mail server is not");
    // An untrusted peer's X-Forwarded-For is ignored: it is counted as itself.
    for _ in 0..6 {
        client_at(9)
            .get(app.url("/v1/legacy/whoami"))
            .header("x-forwarded-for", "192.0.2.1")
            .basic_auth(NEW_USER.0, Some("wrongwrongwrongw"))
            .send()
            .await
            .unwrap();
    }
    let res = client_at(9)
        .get(app.url("/v1/legacy/whoami"))
        .header("x-forwarded-for", "192.0.2.99")
        .basic_auth(NEW_USER.0, Some(&password));
    assert_eq!(res.send().await.unwrap().status(), 429, "spoofing a new address does not help");
}

#[tokio::test]
async fn the_token_issued_for_the_password_alone_dies_when_mfa_is_proven() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let before = user.token();
    let secret = user.enroll_totp().await;
    let stale = |token: String| {
        let app = &app;
        async move {
            let res = app.http.get(app.url("/v1/app-passwords")).bearer_auth(token).send().await;
            outcome(res.unwrap()).await
        }
    };
    assert_eq!(stale(before).await, (401, "unauthorized".into()));
    assert_eq!(user.get("/v1/app-passwords").await.status(), 200);
    // A returning user's challenge rotates too.
    let again = app.sign_in(NEW_USER).await;
    let before = again.token();
    let method = again.session["account"]["methods"][0]["id"].clone();
    let c = again.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    app.clock.advance(30);
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    assert_eq!(again.verify(&verify, &app.totp(&secret, 0)).await.status(), 200);
    assert_eq!(stale(before).await, (401, "unauthorized".into()));
    assert_eq!(again.get("/v1/app-passwords").await.status(), 200);
}

#[tokio::test]
async fn an_enrollment_opened_before_the_user_registered_cannot_be_finished_after() {
    let app = spawn_app().await;
    // The attacker, with the password, opens an enrollment while nothing is registered.
    let attacker = app.sign_in(NEW_USER).await;
    let e = attacker.create("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
    let attacker_secret = e["secret"].as_str().unwrap().to_owned();
    // The real user registers their authenticator.
    app.sign_in(NEW_USER).await.enroll_totp().await;
    // The attacker's code is right, and still refused.
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    let res = attacker.post(&verify, json!({"code": app.totp(&attacker_secret, 0)})).await;
    assert_eq!(outcome(res).await, (403, "mfa_required".into()));
    let account: Value = app.sign_in(NEW_USER).await.session;
    assert_eq!(
        account["account"]["methods"].as_array().unwrap().len(),
        1,
        "one method: the user's"
    );
}

#[tokio::test]
async fn enrollments_expire_authenticator_ones_too() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e = user.create("/v1/mfa/enrollments", json!({"kind": "totp"})).await;
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    // The session stays active; the enrollment is left open past its 15 minutes.
    for _ in 0..3 {
        app.clock.advance(5 * 60 + 1);
        assert_eq!(user.get("/v1/account").await.status(), 200);
    }
    let res = user.post(&verify, json!({"code": app.totp(e["secret"].as_str().unwrap(), 0)})).await;
    assert_eq!(outcome(res).await, (422, "code_expired".into()));
}

#[tokio::test]
async fn adding_a_second_method_is_not_a_step_up() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await; // first method: a step-up at T
    app.clock.advance(8 * 60);
    let e = user
        .create("/v1/mfa/enrollments", json!({"kind": "email", "email": "nora@example.com"}))
        .await;
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    assert_eq!(user.verify(&verify, &app.last_code().await).await.status(), 200);
    app.clock.advance(3 * 60); // T + 11 min: the step-up of T has lapsed
    let res = user.post("/v1/app-passwords", json!({"name": "late"})).await;
    assert_eq!(outcome(res).await, (403, "mfa_required".into()));
}

#[tokio::test]
async fn one_sent_code_verified_ten_times_at_once_passes_once() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e =
        user.create("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    let code = app.last_code().await;
    let token = user.token();
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    let raced = (0..10).map(|n| {
        let (app, token, verify, code) = (&app, &token, &verify, &code);
        async move { outcome(post(app, n, token, verify, json!({"code": code})).await).await }
    });
    let outcomes = join_all(raced).await;
    assert_eq!(count(&outcomes, 200, ""), 1, "{outcomes:?}");
    let account: Value = app.sign_in(NEW_USER).await.session;
    assert_eq!(account["account"]["methods"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn one_totp_code_raced_on_two_replicas_passes_once() {
    let a = spawn_app().await;
    let (secret, method) = victim_with_totp(&a).await;
    let b = crate::replicas::second_replica(&a, |_| {}).await;
    let user = a.sign_in(NEW_USER).await;
    let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    a.clock.advance(30);
    let path = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let code = a.totp(&secret, 0);
    let token = user.token();
    let raced = (0..10).map(|n| {
        let base = if n % 2 == 0 { a.base.clone() } else { b.clone() };
        let (path, code, token) = (&path, &code, &token);
        async move {
            let res = client_at(n)
                .post(format!("{base}{path}"))
                .bearer_auth(token)
                .json(&json!({"code": code}))
                .send()
                .await
                .unwrap();
            outcome(res).await
        }
    });
    let outcomes = join_all(raced).await;
    assert_eq!(count(&outcomes, 200, ""), 1, "{outcomes:?}");
}

#[tokio::test]
async fn resends_raced_after_the_cooldown_send_one_code() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e =
        user.create("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    app.clock.advance(31);
    let token = user.token();
    let path = format!("/v1/mfa/enrollments/{}/resend", e["id"].as_str().unwrap());
    let raced = (0..10).map(|n| {
        let (app, token, path) = (&app, &token, &path);
        async move { outcome(post(app, n, token, path, json!({})).await).await }
    });
    let outcomes = join_all(raced).await;
    assert_eq!(count(&outcomes, 201, ""), 1, "{outcomes:?}");
    assert_eq!(count(&outcomes, 429, "resend_too_soon"), 9);
    assert_eq!(app.outbox().await.as_array().unwrap().len(), 2, "the first code and one resend");
}

#[tokio::test]
async fn codes_sent_to_one_number_are_capped_per_day_across_accounts_and_enrollments() {
    let app = spawn_app().await;
    app.sql("UPDATE accounts SET app_passwords_allowed = 1").await;
    let mut outcomes = vec![];
    for n in 0..12 {
        // Alternate accounts and sessions: the cap follows the destination.
        let who = if n % 2 == 0 { NEW_USER } else { NO_APPPW };
        let user = app.sign_in(who).await;
        let res = user
            .post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33 6 12 34 56 78"}))
            .await;
        outcomes.push(outcome(res).await);
        app.clock.advance(60);
    }
    assert_eq!(count(&outcomes, 201, ""), 10, "{outcomes:?}");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 2);
    assert_eq!(app.outbox().await.as_array().unwrap().len(), 10);
    // A day later the number can be reached again.
    app.clock.advance(24 * 3600);
    let user = app.sign_in(NEW_USER).await;
    let res =
        user.post("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    assert_eq!(res.status(), 201);
}

#[tokio::test]
async fn a_method_the_admin_no_longer_allows_cannot_answer_a_challenge() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let e =
        user.create("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    let verify = format!("/v1/mfa/enrollments/{}/verify", e["id"].as_str().unwrap());
    assert_eq!(user.verify(&verify, &app.last_code().await).await.status(), 200);
    let later = app.sign_in(NEW_USER).await;
    let method = later.session["account"]["methods"][0]["id"].clone();
    let c = later.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let code = app.last_code().await;
    // The admin stops allowing text messages: the open challenge and new ones are refused.
    crate::admin::cli(&app, &["account", "policy", NEW_USER.0, "--methods", "totp,email"], None);
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let res = later.post(&verify, json!({"code": code})).await;
    assert_eq!(outcome(res).await, (403, "method_not_allowed".into()));
    let res = later.post("/v1/mfa/challenges", json!({"method_id": method})).await;
    assert_eq!(outcome(res).await, (403, "method_not_allowed".into()));
}

/// A web sign-in of NEW_USER with `password` from client `n`: its status and code.
async fn sign_in_from(app: &TestApp, n: u32, password: &str) -> (u16, String) {
    let res = client_at(n)
        .post(app.url("/v1/sessions"))
        .json(&json!({"username": NEW_USER.0, "password": password}))
        .send()
        .await
        .unwrap();
    outcome(res).await
}

/// A spray waiting for the hashers does not keep people out either: a sign-in from a
/// network the person signed in from lately is hashed before every guess from anywhere
/// else still waiting, however many arrived before it.
#[tokio::test]
async fn a_spray_queued_for_the_hashers_lets_people_from_their_own_network_go_first() {
    let app = spawn_with(|c| {
        c.limits.hash_concurrency = 1;
        c.limits.hash_queue_ms = 120_000;
    })
    .await;
    session_from(&app, 0, NEW_USER).await;
    // 60 guesses at names no one has, from 60 other addresses, queued for one hasher.
    let spray: Vec<_> = (1..=60u32)
        .map(|n| {
            let (http, url) = (client_at(n), app.url("/v1/sessions"));
            let body = json!({"username": format!("guess{n}@contoso.example"), "password": "x"});
            tokio::spawn(async move { http.post(url).json(&body).send().await.unwrap().status() })
        })
        .collect();
    let started = std::time::Instant::now();
    while app.hashes.waiting() < 20 {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "the spray never queued");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    assert_eq!(sign_in_from(&app, 0, NEW_USER.1).await.0, 201);
    // In order of arrival it would have come after every guess waiting when it came.
    let left = app.hashes.waiting();
    assert!(left >= 10, "the person waited behind the spray: {left} guesses left waiting");
    for guess in join_all(spray).await {
        assert_eq!(guess.unwrap(), 401, "each guess is still evaluated, later");
    }
}

/// Smart lockout: an attacker holding the name guesses flat out from 50 addresses while
/// the person signs in from the address they used last week. Every one of the person's
/// sign-ins succeeds; the attacker's guesses are evaluated no more than before (the
/// budget of 5, exactly, however parallel); a new address of the person's is as
/// locked as the attacker's until the window passes, and a familiar one stays familiar
/// only a month.
#[tokio::test]
async fn a_spray_from_fifty_addresses_does_not_lock_the_person_out_of_their_own_network() {
    let app = spawn_app().await;
    session_from(&app, 0, NEW_USER).await;
    app.clock.advance(7 * 86_400);
    let before = app.hashes.evaluations();
    let guesses = (1..=50u32).flat_map(|n| (0..4u32).map(move |i| (n, i))).map(|(n, i)| {
        let app = &app;
        async move { sign_in_from(app, n, &format!("guess-{n}-{i}")).await }
    });
    // The person signs in from home three times while the spray runs.
    let person = (0..3).map(|_| {
        let app = &app;
        async move { sign_in_from(app, 0, NEW_USER.1).await.0 }
    });
    let (outcomes, signed_in) = tokio::join!(join_all(guesses), join_all(person));
    assert_eq!(signed_in, [201, 201, 201], "the person is never locked out at home");
    assert_eq!(count(&outcomes, 401, "invalid_credentials"), 5, "evaluated: today's budget");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 195);
    assert_eq!(app.hashes.evaluations() - before, 5 + 3, "hashes: 5 guesses, 3 sign-ins");
    // From a network the person never used, the name is locked as before.
    let res = sign_in_from(&app, 60, NEW_USER.1).await;
    assert_eq!(res, (429, "rate_limited".to_owned()));
    // Wrong passwords at home spend the home budget only: five, then home waits too.
    for i in 0..5 {
        let res = sign_in_from(&app, 0, &format!("typo-{i}")).await;
        assert_eq!(res.0, 401);
    }
    let res = sign_in_from(&app, 0, NEW_USER.1).await;
    assert_eq!(res.0, 429, "the familiar budget is as large as the other");
    // Stored as keyed hashes, never the address; forgotten after a month.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT source FROM familiar_sources")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].0.contains("127.0.0"));
    app.clock.advance(31 * 86_400);
    session_from(&app, 61, NEW_USER).await;
    for i in 0..5 {
        let res = sign_in_from(&app, 0, &format!("late-{i}")).await;
        assert_eq!(res.0, 401);
    }
    let res = sign_in_from(&app, 61, NEW_USER.1).await;
    assert_eq!(res.0, 201, "home is no longer familiar: its guesses spent the other budget");
}
