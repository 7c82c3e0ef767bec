//! Scopes, expiry and last use of app passwords: what the server calling the legacy
//! endpoint says (the protocol, the end client) decides, attacked from many addresses.

use serde_json::{json, Value};

use crate::common::*;

impl TestApp {
    /// A legacy sign-in over `protocol` (None: not said), from loopback address `n`.
    async fn legacy_over(&self, password: &str, protocol: Option<&str>, n: u32) -> u16 {
        let query = protocol.map(|p| format!("?protocol={p}")).unwrap_or_default();
        client_at(n)
            .get(self.url(&format!("/v1/legacy/whoami{query}")))
            .basic_auth(NEW_USER.0, Some(password))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}

async fn create(user: &User<'_>, body: Value) -> (u16, Value) {
    let res = user.post("/v1/app-passwords", body).await;
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn listed(user: &User<'_>, id: &str) -> Value {
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    list["items"].as_array().unwrap().iter().find(|i| i["id"] == id).cloned().expect("listed")
}

#[tokio::test]
async fn a_mail_password_opens_imap_and_smtp_but_not_calendars_and_a_dav_one_the_reverse() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (status, mail) = create(&user, json!({"name": "Thunderbird"})).await;
    assert_eq!(status, 201);
    assert_eq!(mail["scopes"], json!(["mail"]), "one click still gets a mail password");
    let mail = mail["password"].as_str().unwrap().to_owned();
    let (_, dav) = create(&user, json!({"name": "Calendar", "scopes": ["dav"]})).await;
    let dav = dav["password"].as_str().unwrap().to_owned();
    for (protocol, mail_ok, dav_ok) in [
        (Some("imap"), 200, 401),
        (Some("pop"), 200, 401),
        (Some("smtp"), 200, 401),
        (None, 200, 401),
        (Some("caldav"), 401, 200),
        (Some("carddav"), 401, 200),
        (Some("ews"), 401, 401),
        (Some("activesync"), 401, 401),
    ] {
        assert_eq!(app.legacy_over(&mail, protocol, 1).await, mail_ok, "mail over {protocol:?}");
        assert_eq!(app.legacy_over(&dav, protocol, 2).await, dav_ok, "dav over {protocol:?}");
    }
    let (status, body) = problem(
        client_at(3)
            .get(app.url("/v1/legacy/whoami?protocol=gopher"))
            .basic_auth(NEW_USER.0, Some(&mail))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("unknown_protocol")));
    let res = client_at(3)
        .get(app.url("/v1/legacy/whoami?protocol=caldav&protocol=imap"))
        .basic_auth(NEW_USER.0, Some(&dav))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422, "a repeated protocol is not a choice of the likeliest");
}

#[tokio::test]
async fn a_right_password_out_of_scope_is_a_failure_and_spends_the_budget() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, mail) = create(&user, json!({"name": "Mail"})).await;
    let mail = mail["password"].as_str().unwrap().to_owned();
    // In parallel: a stolen mail password tried against the calendar server, 40 times.
    let tries = (0..40).map(|_| app.legacy_over(&mail, Some("caldav"), 7));
    let outcomes = futures::future::join_all(tries).await;
    let refused = outcomes.iter().filter(|s| **s == 401).count();
    assert_eq!(refused, 20, "the per-client budget: {outcomes:?}");
    assert_eq!(outcomes.iter().filter(|s| **s == 429).count(), 20, "{outcomes:?}");
    // Another client over IMAP is not blocked by it.
    assert_eq!(app.legacy_over(&mail, Some("imap"), 8).await, 200);
}

#[tokio::test]
async fn an_expired_password_stops_and_is_listed_as_expired() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    let (status, p) = create(&user, json!({"name": "Phone", "expires_in_days": 30})).await;
    assert_eq!(status, 201, "{p}");
    let expires = p["expires_at"].as_str().unwrap().to_owned();
    let (id, password) = (p["id"].as_str().unwrap(), p["password"].as_str().unwrap().to_owned());
    app.clock.advance(30 * 86_400 - 60);
    assert_eq!(app.legacy_over(&password, Some("imap"), 1).await, 200, "a minute before");
    let user = proven(&app, &secret).await;
    let item = listed(&user, id).await;
    assert_eq!(
        (item["expired"].as_bool(), item["expires_at"].as_str()),
        (Some(false), Some(&*expires))
    );
    app.clock.advance(60);
    assert_eq!(app.legacy_over(&password, Some("imap"), 1).await, 401, "at expiry");
    assert_eq!(listed(&user, id).await["expired"], true);
    // Out of range lifetimes are refused.
    for days in [0, 3651] {
        let (status, body) = create(&user, json!({"name": "X", "expires_in_days": days})).await;
        assert_eq!((status, body["errors"][0]["code"].as_str()), (422, Some("out_of_range")));
    }
}

/// A new session of the demo user proven with its authenticator app (`secret`).
async fn proven<'a>(app: &'a TestApp, secret: &str) -> User<'a> {
    let user = app.sign_in(NEW_USER).await;
    let method = user.session["account"]["methods"][0]["id"].as_str().unwrap().to_owned();
    let c = user.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    let path = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let res = user.verify(&path, &app.totp(secret, 0)).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    user
}

#[tokio::test]
async fn the_admin_narrows_scopes_and_caps_lifetimes_and_old_passwords_follow() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, dav) = create(&user, json!({"name": "Calendar", "scopes": ["dav", "mail"]})).await;
    let dav = dav["password"].as_str().unwrap().to_owned();
    assert_eq!(app.legacy_over(&dav, Some("caldav"), 1).await, 200);
    app.sql(&format!(
        "UPDATE accounts SET app_password_scopes = 'mail', app_password_max_days = 90 \
         WHERE username = '{}'",
        NEW_USER.0
    ))
    .await;
    assert_eq!(app.legacy_over(&dav, Some("caldav"), 1).await, 401, "dav is no longer allowed");
    assert_eq!(app.legacy_over(&dav, Some("imap"), 1).await, 200, "mail still is");
    let account: Value = user.get("/v1/account").await.json().await.unwrap();
    assert_eq!(account["account"]["policy"]["app_password_scopes"], json!(["mail"]));
    assert_eq!(account["account"]["policy"]["app_password_max_days"], 90);
    for (body, field, why) in [
        (json!({"name": "A", "scopes": ["dav"]}), "scopes", "not_allowed"),
        (json!({"name": "B"}), "expires_in_days", "required"),
        (json!({"name": "C", "expires_in_days": 365}), "expires_in_days", "too_long"),
    ] {
        let (status, problem) = create(&user, body).await;
        assert_eq!(status, 422);
        assert_eq!(problem["errors"][0], json!({"field": field, "code": why}));
    }
    let (status, _) = create(&user, json!({"name": "D", "expires_in_days": 90})).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn last_use_says_when_from_where_and_over_what_written_at_most_once_a_minute() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, p) = create(&user, json!({"name": "Mail", "scopes": ["mail", "dav"]})).await;
    let (id, password) = (p["id"].as_str().unwrap(), p["password"].as_str().unwrap());
    assert_eq!(listed(&user, id).await["last_used_at"], Value::Null);
    // Eight clients at once: one use is recorded, whichever came first.
    let uses = (0..8).map(|n| app.legacy_over(password, Some("imap"), 10 + n));
    assert!(futures::future::join_all(uses).await.iter().all(|s| *s == 200));
    let item = listed(&user, id).await;
    let first_from = item["last_used_from"].as_str().unwrap().to_owned();
    assert!(first_from.starts_with("127.0.0."), "{item}");
    assert_eq!(item["last_used_protocol"], "imap");
    // Within the minute another use writes nothing...
    app.clock.advance(30);
    assert_eq!(app.legacy_over(password, Some("carddav"), 40).await, 200);
    assert_eq!(listed(&user, id).await["last_used_from"], json!(first_from));
    // ... after it, the new one is recorded.
    app.clock.advance(31);
    assert_eq!(app.legacy_over(password, Some("carddav"), 40).await, 200);
    let item = listed(&user, id).await;
    assert_eq!(
        (item["last_used_from"].as_str(), item["last_used_protocol"].as_str()),
        (Some("127.0.0.42"), Some("carddav"))
    );
}

#[tokio::test]
async fn where_the_policy_says_so_passwords_unused_for_n_days_are_removed() {
    let app = spawn_app().await;
    app.sql(&format!(
        "UPDATE accounts SET app_password_unused_days = 30 WHERE username = '{}'",
        NEW_USER.0
    ))
    .await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    assert_eq!(user.session["account"]["policy"]["app_password_unused_days"], 30);
    let (_, used) = user.create_app_password("Used").await;
    let (_, _never) = user.create_app_password("Never used").await;
    app.clock.advance(20 * 86_400);
    assert_eq!(app.legacy_over(&used, Some("imap"), 1).await, 200);
    // Day 31: the one never used goes; the one used on day 20 stays.
    app.clock.advance(11 * 86_400);
    assert_eq!(app.store.sweep().await.unwrap().unused_app_passwords, 1);
    let user = proven(&app, &secret).await;
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    let names: Vec<&str> =
        list["items"].as_array().unwrap().iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Used"]);
    // Thirty days after its last use, it goes too.
    app.clock.advance(20 * 86_400);
    assert_eq!(app.store.sweep().await.unwrap().unused_app_passwords, 1);
    assert_eq!(app.legacy_over(&used, Some("imap"), 2).await, 401);
}
