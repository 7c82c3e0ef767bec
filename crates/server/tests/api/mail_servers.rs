//! `POST /v1/legacy/verify`, as a mail server (Dovecot, examples/mail/) asks it: only a
//! caller holding a configured secret is answered, and only its word for the client's
//! address is taken. Attacked: without, with a wrong or a session's token; guesses
//! raced from one reported client; the secret's holder cannot lift a client's limit by
//! coming from elsewhere, and a reported address cannot be picked by anyone else.

use futures::future::join_all;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn a_mail_server_learns_whether_the_app_password_opens_the_account_over_its_protocol() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;
    let dav: Value =
        user.create("/v1/app-passwords", json!({"name": "Calendar", "scopes": ["dav"]})).await;
    let dav = dav["password"].as_str().unwrap().to_owned();
    let spaced =
        format!("{} {} {} {}", &password[..4], &password[4..8], &password[8..12], &password[12..]);

    let verdict = |res: reqwest::Response| async move {
        assert_eq!(res.status(), 200);
        res.json::<Value>().await.unwrap()
    };
    let http = &app.http;
    let shouting = NEW_USER.0.to_uppercase();
    let ok = verdict(app.verify_for(http, (&shouting, &spaced), "imap", "203.0.113.7").await).await;
    assert_eq!(ok, json!({"valid": true, "username": NEW_USER.0}));
    for (creds, protocol) in [
        ((NEW_USER.0, password.as_str()), "caldav"), // outside its scope
        ((NEW_USER.0, dav.as_str()), "imap"),        // outside its scope
        ((NEW_USER.0, NEW_USER.1), "imap"),          // the primary password: MFA is required
        ((NO_APPPW.0, password.as_str()), "imap"),   // another account's
        (("no such user", "x"), "smtp"),             // not even a username
    ] {
        let refused = verdict(app.verify_for(http, creds, protocol, "203.0.113.7").await).await;
        assert_eq!(refused, json!({"valid": false}), "{creds:?} over {protocol}");
    }
    assert_eq!(
        verdict(app.verify_for(http, (NEW_USER.0, &dav), "carddav", "203.0.113.7").await).await
            ["valid"],
        true
    );

    // The list says where the mail client was, not where the mail server is.
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    let thunderbird =
        list["items"].as_array().unwrap().iter().find(|i| i["name"] == "Thunderbird").unwrap();
    assert_eq!(thunderbird["last_used_from"], "203.0.113.7");
    assert_eq!(thunderbird["last_used_protocol"], "imap");
}

#[tokio::test]
async fn only_a_caller_holding_a_configured_secret_is_answered() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;
    let body = json!({"username": NEW_USER.0, "password": password, "protocol": "imap", "client": "203.0.113.7"});
    let secret = app.mail_server_secret();
    for authorization in [
        None,
        Some(format!("Bearer {}", &secret[..secret.len() - 1])),
        Some(format!("Bearer {secret}x")),
        Some(format!("Basic {secret}")),
        Some(format!("Bearer {}", user.token())), // a person's session is not a mail server
    ] {
        let mut req = app.http.post(app.url("/v1/legacy/verify")).json(&body);
        if let Some(a) = &authorization {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Bearer"));
        let (status, problem) = problem(res).await;
        assert_eq!(
            (status, problem["code"].as_str().unwrap()),
            (401, "unauthorized"),
            "{authorization:?}"
        );
    }
    // And the mail server's secret opens nothing a person's session does.
    let res = app.http.get(app.url("/v1/app-passwords")).bearer_auth(&secret).send().await.unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_malformed_question_is_a_validation_error_naming_the_field() {
    let app = spawn_app().await;
    for (body, field) in [
        (
            json!({"username": "a", "password": "b", "protocol": "gopher", "client": "203.0.113.7"}),
            "protocol",
        ),
        (
            json!({"username": "a", "password": "b", "protocol": "imap", "client": "somewhere"}),
            "client",
        ),
        (json!({"username": "a", "password": "b", "protocol": "imap"}), "client"),
    ] {
        let res = app
            .http
            .post(app.url("/v1/legacy/verify"))
            .bearer_auth(app.mail_server_secret())
            .json(&body)
            .send()
            .await
            .unwrap();
        let (status, problem) = problem(res).await;
        assert_eq!(status, 422, "{body}");
        assert!(problem.to_string().contains(field), "{problem}");
    }
}

#[tokio::test]
async fn guesses_raced_from_one_reported_client_block_that_client_only() {
    let app = spawn_app().await; // 20 failures per account and client (legacy_per_client)
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) = user.create_app_password("Thunderbird").await;

    // 40 wrong passwords at once, all reported from one client, through 8 connections
    // of the mail server (as Dovecot's auth workers would).
    let servers: Vec<reqwest::Client> = (0..8).map(client_at).collect();
    let (app, servers) = (&app, &servers);
    let guesses = (0..40).map(|i| {
        let http = &servers[i % servers.len()];
        let guess = format!("{:a>16}", i);
        async move {
            outcome(app.verify_for(http, (NEW_USER.0, &guess), "imap", "198.51.100.9").await).await
        }
    });
    let outcomes = join_all(guesses).await;
    let answered = count(&outcomes, 200, "");
    let throttled = count(&outcomes, 429, "rate_limited");
    assert!(answered <= 20 && answered + throttled == 40, "{outcomes:?}");

    // That client is now refused even the right password; another client of the same
    // mail server is not, nor the person's web sign-in.
    let blocked = app.verify_for(&app.http, (NEW_USER.0, &password), "imap", "198.51.100.9").await;
    assert_eq!(blocked.status(), 429);
    assert!(blocked.headers().contains_key("retry-after"));
    let other = app.verify_for(&app.http, (NEW_USER.0, &password), "imap", "198.51.100.10").await;
    assert_eq!(other.json::<Value>().await.unwrap()["valid"], true);
    app.sign_in(NEW_USER).await;
}

#[tokio::test]
async fn nobody_else_picks_the_address_a_guess_is_counted_as() {
    // A guesser talking to whoami directly, claiming to forward for others, is counted
    // as itself: its X-Forwarded-For is read only from trusted proxies.
    let app = spawn_with(|c| c.limits.legacy_per_client = 3).await;
    let guesser = client_at(1);
    for n in 0..4 {
        let res = guesser
            .get(app.url("/v1/legacy/whoami"))
            .basic_auth(NEW_USER.0, Some("aaaabbbbccccdddd"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), if n < 3 { 401 } else { 429 }, "guess {n}");
    }
}
