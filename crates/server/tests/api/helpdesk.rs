//! The admin API, as a helpdesk's portal uses it: find a person, see why they do or do
//! not get app passwords, act on their methods and app passwords, change their policy.
//! Each action lands once in the audit log and in an email to the person. Attacked:
//! every door crossed (a person's session on admin routes, an admin token or
//! credential on a person's routes, a read-only credential acting, a forged or
//! expired token), and one revocation raced from many addresses.

use futures::future::join_all;
use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    assert_eq!(res.status(), status);
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_helpdesk_finds_a_person_and_sees_why_app_passwords_are_offered_or_not() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;
    let token = app.admin_token("reader").await;

    let found =
        json_of(app.admin(Method::GET, "/v1/admin/users?q=NORA", &token, None).await, 200).await;
    assert_eq!(found["items"][0]["username"], NEW_USER.0);
    let none =
        json_of(app.admin(Method::GET, "/v1/admin/users?q=%25", &token, None).await, 200).await;
    assert_eq!(none["items"], json!([]), "% is a character, not a wildcard");
    for bad in ["/v1/admin/users?q=", "/v1/admin/users", "/v1/admin/audit?username=a%20b"] {
        let (status, _) = problem(app.admin(Method::GET, bad, &token, None).await).await;
        assert_eq!(status, 422, "{bad}");
    }

    let res =
        app.admin(Method::GET, &format!("/v1/admin/users/{}", NEW_USER.0), &token, None).await;
    let text = res.text().await.unwrap();
    let page: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(page["app_passwords_offer"], "offered");
    assert_eq!(page["methods"][0]["kind"], "totp");
    assert_eq!(page["app_passwords"][0]["name"], "Thunderbird");
    assert!(!text.contains(&password) && !text.contains(&secret), "no secret in {text}");

    for (who, offer) in [
        (NO_MFA.0, "mfa_not_required"),
        (NO_APPPW.0, "app_passwords_off"),
        ("key.user@contoso.example", "no_method_yet"),
    ] {
        let page = json_of(
            app.admin(Method::GET, &format!("/v1/admin/users/{who}"), &token, None).await,
            200,
        )
        .await;
        assert_eq!(page["app_passwords_offer"], offer, "{who}");
    }
    let (status, _) = problem(
        app.admin(Method::GET, "/v1/admin/users/nobody@contoso.example", &token, None).await,
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn every_action_is_done_audited_and_told_to_the_person() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (one, _) = user.create_app_password("Old phone").await;
    let (_, kept) = user.create_app_password("Thunderbird").await;
    let token = app.admin_token("portal").await;
    let base = format!("/v1/admin/users/{}", NEW_USER.0);

    let page = json_of(
        app.admin(Method::DELETE, &format!("{base}/app-passwords/{one}"), &token, None).await,
        200,
    )
    .await;
    assert_eq!(page["app_passwords"].as_array().unwrap().len(), 1);
    let page = json_of(
        app.admin(Method::DELETE, &format!("{base}/app-passwords"), &token, None).await,
        200,
    )
    .await;
    assert_eq!(page["app_passwords"], json!([]));
    assert_eq!(
        app.legacy(NEW_USER.0, &kept).await.status(),
        401,
        "revoked: the mail client is refused"
    );

    let method = page["methods"][0]["id"].as_str().unwrap().to_owned();
    let page = json_of(
        app.admin(Method::DELETE, &format!("{base}/methods/{method}"), &token, None).await,
        200,
    )
    .await;
    assert_eq!(page["methods"], json!([]));
    assert_eq!(page["app_passwords_offer"], "no_method_yet");
    user.enroll_totp().await;
    let page =
        json_of(app.admin(Method::POST, &format!("{base}/reset-mfa"), &token, None).await, 200)
            .await;
    assert_eq!(page["methods"], json!([]));
    // The person is signed out, and asked to set up a method at the next sign-in.
    assert_eq!(user.get("/v1/app-passwords").await.status(), 401);
    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["next"], "mfa_setup");

    let mut policy = page["policy"].clone();
    policy["app_passwords_allowed"] = json!(false);
    let page = json_of(
        app.admin(Method::PUT, &format!("{base}/policy"), &token, Some(policy.clone())).await,
        200,
    )
    .await;
    assert_eq!(page["app_passwords_offer"], "app_passwords_off");
    // A policy no one could live under is refused, naming the field.
    policy["app_password_scopes"] = json!([]);
    let (status, p) =
        problem(app.admin(Method::PUT, &format!("{base}/policy"), &token, Some(policy)).await)
            .await;
    assert_eq!((status, p["errors"][0]["field"].as_str()), (422, Some("app_password_scopes")));

    let log = json_of(
        app.admin(Method::GET, &format!("/v1/admin/audit?username={}", NEW_USER.0), &token, None)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(
        actions,
        [
            "set_policy",
            "reset_mfa",
            "remove_method",
            "revoke_all_app_passwords",
            "revoke_app_password"
        ]
    );
    let first = &log["items"][4];
    assert_eq!(
        (first["credential"].as_str(), first["actor"].as_str(), first["from"].as_str()),
        (Some("portal"), Some("jane@helpdesk"), Some("127.0.0.1"))
    );
    assert_eq!(first["detail"], "Old phone");
    assert!(log["items"][3]["detail"].as_str().unwrap().contains("Thunderbird"));

    let outbox = app.outbox().await;
    let told: Vec<&str> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["destination"] == NEW_USER.0
                && m["body"].as_str().unwrap().contains("An administrator")
        })
        .map(|m| m["body"].as_str().unwrap())
        .collect();
    assert_eq!(told.len(), 5, "{told:?}");
    assert!(told.iter().any(|b| b.contains("removed all your verification methods")));
}

#[tokio::test]
async fn the_doors_do_not_cross() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (id, _) = user.create_app_password("Thunderbird").await;
    let portal = app.admin_token("portal").await;
    let reader = app.admin_token("reader").await;
    let page = format!("/v1/admin/users/{}", NEW_USER.0);
    let code = |res: reqwest::Response| async move {
        let (status, p) = problem(res).await;
        (status, p["code"].as_str().unwrap_or_default().to_owned())
    };

    // A person's session on an admin route: known, not allowed.
    assert_eq!(
        code(app.admin(Method::GET, &page, &user.token(), None).await).await,
        (403, "forbidden".into())
    );
    // An admin token, the credential itself, or a mail server's secret on a person's route.
    for token in [portal.clone(), app.admin_credential("portal"), app.mail_server_secret()] {
        assert_eq!(
            code(app.admin(Method::GET, "/v1/app-passwords", &token, None).await).await.0,
            401
        );
    }
    // The credential mints tokens and does nothing else.
    assert_eq!(
        code(app.admin(Method::GET, &page, &app.admin_credential("portal"), None).await).await.0,
        401
    );
    // A read-only credential reads and does not act.
    assert_eq!(app.admin(Method::GET, &page, &reader, None).await.status(), 200);
    let revoke = format!("{page}/app-passwords/{id}");
    assert_eq!(
        code(app.admin(Method::DELETE, &revoke, &reader, None).await).await,
        (403, "forbidden".into())
    );
    // A token whose scopes were rewritten, or cut short, or signed by nobody.
    let (head, mac) = portal.rsplit_once('.').unwrap();
    for forged in
        [format!("{head}x.{mac}"), format!("{head}.{}", &mac[1..]), "adm1.e30.00".to_owned()]
    {
        assert_eq!(
            code(app.admin(Method::GET, &page, &forged, None).await).await.0,
            401,
            "{forged}"
        );
    }
    // Sign-in to the admin side needs a credential first, then a proper actor.
    let res = app
        .http
        .post(app.url("/v1/admin/sessions"))
        .bearer_auth("x".repeat(64))
        .json(&json!({"actor": ""}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .http
        .post(app.url("/v1/admin/sessions"))
        .bearer_auth(app.admin_credential("portal"))
        .json(&json!({"actor": "\u{202e}evil"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    // Tokens last 15 minutes.
    app.clock.advance(15 * 60);
    assert_eq!(
        code(app.admin(Method::GET, &page, &portal, None).await).await,
        (401, "session_expired".into())
    );
    // Nothing above was done: no audit line.
    let fresh = app.admin_token("reader").await;
    let log = json_of(app.admin(Method::GET, "/v1/admin/audit", &fresh, None).await, 200).await;
    assert_eq!(log["items"], json!([]));
}

#[tokio::test]
async fn guessing_admin_credentials_stops_at_the_address_budget_and_a_portal_never_runs_out() {
    let app = spawn_with(|c| c.limits.signin_per_address = 5).await;
    let (guesser, portal) = (client_at(1), client_at(2));
    let mint = |http: &reqwest::Client, secret: String| {
        let req = http.post(app.url("/v1/admin/sessions")).bearer_auth(secret);
        async move { req.json(&json!({"actor": "jane"})).send().await.unwrap().status().as_u16() }
    };
    // Five wrong guesses raced, then even the right credential is not looked at.
    let guesses = join_all((0..5).map(|i| mint(&guesser, format!("{i:x>64}")))).await;
    assert_eq!(guesses, [401; 5]);
    assert_eq!(mint(&guesser, app.admin_credential("portal")).await, 429);
    // A portal minting a token per page, far past the budget, from its own address.
    for _ in 0..12 {
        assert_eq!(mint(&portal, app.admin_credential("portal")).await, 201);
    }
}

#[tokio::test]
async fn one_revocation_raced_from_many_addresses_is_done_and_audited_once() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (id, _) = user.create_app_password("Thunderbird").await;
    let token = app.admin_token("portal").await;
    let path = format!("/v1/admin/users/{}/app-passwords/{id}", NEW_USER.0);
    let clients: Vec<reqwest::Client> = (0..10).map(client_at).collect();
    let (app, path, token) = (&app, &path, &token);
    let answers = join_all(clients.iter().map(|http| async move {
        http.delete(app.url(path)).bearer_auth(token).send().await.unwrap().status().as_u16()
    }))
    .await;
    assert_eq!(answers.iter().filter(|s| **s == 200).count(), 1, "{answers:?}");
    assert_eq!(answers.iter().filter(|s| **s == 404).count(), 9, "{answers:?}");
    let log = json_of(app.admin(Method::GET, "/v1/admin/audit", token, None).await, 200).await;
    assert_eq!(log["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_helpdesk_disables_enables_and_unlocks_as_the_command_line_does() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, mail) = user.create_app_password("Thunderbird").await;
    let base = format!("/v1/admin/users/{}", NEW_USER.0);
    let (portal, reader) = (app.admin_token("portal").await, app.admin_token("reader").await);

    // A read-only credential may not; the person is untouched.
    let res = app.admin(Method::POST, &format!("{base}/disable"), &reader, None).await;
    assert_eq!(res.status(), 403);
    assert_eq!(app.legacy(NEW_USER.0, &mail).await.status(), 200);

    // Disabled: the mail client refused at once, the session ended, sign-in refused.
    let page =
        json_of(app.admin(Method::POST, &format!("{base}/disable"), &portal, None).await, 200)
            .await;
    assert_eq!(page["disabled"], true);
    assert_eq!(app.legacy(NEW_USER.0, &mail).await.status(), 401);
    assert_eq!(user.get("/v1/account").await.status(), 401);
    let res =
        app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": NEW_USER.1})).await;
    assert_eq!(outcome(res).await, (403, "account_disabled".into()));

    // Enabled: in again, with the app password the account kept.
    let page =
        json_of(app.admin(Method::POST, &format!("{base}/enable"), &portal, None).await, 200).await;
    assert_eq!(page["disabled"], false);
    assert_eq!(app.legacy(NEW_USER.0, &mail).await.status(), 200);

    // Locked after too many wrong codes, then unlocked, methods kept.
    app.sql(&format!("UPDATE accounts SET mfa_failures = 1000 WHERE username = '{}'", NEW_USER.0))
        .await;
    let seen = json_of(app.admin(Method::GET, &base, &reader, None).await, 200).await;
    assert_eq!(seen["mfa_locked"], true);
    let page =
        json_of(app.admin(Method::POST, &format!("{base}/unlock-mfa"), &portal, None).await, 200)
            .await;
    assert_eq!(
        (page["mfa_locked"].as_bool(), page["methods"].as_array().map(Vec::len)),
        (Some(false), Some(1))
    );

    let log = json_of(
        app.admin(Method::GET, &format!("/v1/admin/audit?username={}", NEW_USER.0), &reader, None)
            .await,
        200,
    )
    .await;
    let actions: Vec<&str> =
        log["items"].as_array().unwrap().iter().filter_map(|l| l["action"].as_str()).collect();
    assert_eq!(actions, ["unlock_mfa", "enable", "disable"], "each once, newest first");
    let outbox = app.outbox().await;
    for told in ["disabled your account", "enabled your account again", "unlocked verification"] {
        assert!(
            outbox
                .as_array()
                .unwrap()
                .iter()
                .any(|m| m["destination"] == NEW_USER.0
                    && m["body"].as_str().unwrap().contains(told)),
            "{told}"
        );
    }
}

/// The helpdesk view's sign-out ends its admin token before its 15 minutes: refused
/// at once, raced from many addresses, on another replica of the same database; the
/// portal's other tokens live on.
#[tokio::test]
async fn an_admin_token_signed_out_works_nowhere_at_once() {
    let app = spawn_app().await;
    let other_replica = crate::replicas::second_replica(&app, |_| {}).await;
    let (token, kept) = (app.admin_token("portal").await, app.admin_token("portal").await);
    let path = format!("/v1/admin/users/{}", NEW_USER.0);
    assert_eq!(app.admin(Method::GET, &path, &token, None).await.status(), 200);

    let res = app.admin(Method::DELETE, "/v1/admin/sessions/current", &token, None).await;
    assert_eq!(res.status(), 204);
    let tries = (0..12u32).map(|n| {
        let (token, url) = (token.clone(), app.url(&path));
        async move {
            let res = client_at(n).get(url).bearer_auth(token).send().await.unwrap();
            problem(res).await
        }
    });
    for (status, p) in join_all(tries).await {
        assert_eq!((status, p["code"].as_str()), (401, Some("session_expired")));
    }
    let res = reqwest::Client::new()
        .get(format!("{other_replica}{path}"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "ended on every replica");
    let (status, _) =
        problem(app.admin(Method::DELETE, "/v1/admin/sessions/current", &token, None).await).await;
    assert_eq!(status, 401, "ended once");
    assert_eq!(app.admin(Method::GET, &path, &kept, None).await.status(), 200, "others live");
    // A person's session ends no admin token (the doors do not cross).
    let user = app.sign_in(NEW_USER).await;
    assert_eq!(user.delete("/v1/admin/sessions/current").await.status(), 403);
    // Stored as a keyed hash, never the token.
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM ended_admin_tokens")
        .fetch_all(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert!(!token.contains(&stored[0].0) && stored[0].0.len() == 64);
}
