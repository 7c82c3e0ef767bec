//! Security info: the person removes, renames and picks the default of their own
//! methods — each change audited and told — and every rule of it attacked: a stale
//! session, another person's ids, removals raced, a removed method's open challenge, a
//! name that would read differently than it is. (A key under the phishing-resistant
//! policy: `passkeys.rs`.)

use reqwest::Method;
use serde_json::{json, Value};

use crate::common::*;

impl User<'_> {
    /// Adds an email method (the session must be fresh); returns the account's methods.
    async fn enroll_email(&self, email: &str) -> Value {
        let e = self.create("/v1/mfa/enrollments", json!({"kind": "email", "email": email})).await;
        let id = e["id"].as_str().unwrap();
        let code = self.app.last_code().await;
        let res = self.verify(&format!("/v1/mfa/enrollments/{id}/verify"), &code).await;
        assert_eq!(res.status(), 200);
        self.methods().await
    }

    async fn methods(&self) -> Value {
        let account: Value = self.get("/v1/account").await.json().await.unwrap();
        account["account"]["methods"].clone()
    }

    async fn rename(&self, id: &str, name: &str) -> reqwest::Response {
        let path = format!("/v1/mfa/methods/{id}/name");
        self.send(Method::PUT, &path, Some(json!({ "name": name }))).await
    }

    async fn prefer(&self, id: &str) -> reqwest::Response {
        self.post(&format!("/v1/mfa/methods/{id}/default"), json!({})).await
    }

    async fn remove(&self, id: &str) -> reqwest::Response {
        self.delete(&format!("/v1/mfa/methods/{id}")).await
    }
}

fn id_of(methods: &Value, kind: &str) -> String {
    let m = methods.as_array().unwrap().iter().find(|m| m["kind"] == kind).expect(kind);
    m["id"].as_str().unwrap().to_owned()
}

/// (kind, label, default) of each method, in the order listed.
fn listed(methods: &Value) -> Vec<(String, String, bool)> {
    methods
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap().to_owned();
            (s("kind"), s("label"), m["default"].as_bool().unwrap())
        })
        .collect()
}

async fn account_of(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200);
    let account: Value = res.json().await.unwrap();
    account["methods"].clone()
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let token = app.admin_token("portal").await;
    let path = format!("/v1/admin/audit?username={}", NEW_USER.0);
    let res = app.admin(Method::GET, &path, &token, None).await;
    let log: Value = res.json().await.unwrap();
    log["items"].as_array().unwrap().clone()
}

#[tokio::test]
async fn a_person_renames_picks_the_default_and_removes_each_change_audited_and_told() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let methods = user.enroll_email("nora@example.com").await;
    let t = |s: &str| s.to_owned();
    assert_eq!(
        listed(&methods),
        [(t("totp"), t("Authenticator app"), true), (t("email"), t("n•••@example.com"), false)],
        "the oldest is the default until one is picked"
    );
    assert!(methods[0]["added_at"].as_str().unwrap().ends_with('Z'));
    let (totp, email) = (id_of(&methods, "totp"), id_of(&methods, "email"));

    let methods = account_of(user.rename(&totp, "  Phone in my bag ").await).await;
    assert_eq!(methods[0]["label"], "Phone in my bag", "trimmed");
    let methods = account_of(user.prefer(&email).await).await;
    assert_eq!(listed(&methods)[0], (t("email"), t("n•••@example.com"), true));
    assert_eq!(methods[1]["default"], false);
    let methods = account_of(user.remove(&totp).await).await;
    assert_eq!(listed(&methods), [(t("email"), t("n•••@example.com"), true)]);

    // Audited as the person's own doing, from their address.
    let log = audit(&app).await;
    let lines: Vec<(&str, &str, &str, &str)> = log
        .iter()
        .take(3)
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap();
            (s("action"), s("credential"), s("actor"), s("detail"))
        })
        .collect();
    assert_eq!(
        lines,
        [
            ("remove_method", "session", "self", "totp Phone in my bag"),
            ("prefer_method", "session", "self", "email n•••@example.com"),
            ("rename_method", "session", "self", "totp Authenticator app -> Phone in my bag"),
        ]
    );
    assert!(log.iter().take(3).all(|e| e["from"] == "127.0.0.1"));

    // Told, with the link; the link ends every session (there is nothing to put back).
    let outbox = app.outbox().await;
    let notice = outbox.as_array().unwrap().iter().find(|m| m["channel"] == "notice").unwrap();
    let body = notice["body"].as_str().unwrap();
    assert!(body.starts_with("Your Contoso sign-in methods were changed"), "{body}");
    assert!(body.contains("What: removed: totp Phone in my bag"), "{body}");
    let token = body.split("#disown=").nth(1).unwrap().split_whitespace().next().unwrap();
    let res = app.post("/v1/notices/disown", json!({ "token": token })).await;
    let done: Value = res.json().await.unwrap();
    assert_eq!(
        (done["what"].as_str(), done["removed"].as_bool()),
        (Some("method_change"), Some(false))
    );
    assert_eq!(user.get("/v1/account").await.status(), 401, "every session ended");

    // The next sign-in offers the default first.
    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["account"]["methods"][0]["id"], email.as_str());
    assert_eq!(again.session["next"], "mfa_challenge");
}

#[tokio::test]
async fn a_stale_session_changes_nothing_and_adds_nothing() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let totp = id_of(&user.methods().await, "totp");
    // Eleven minutes: the step-up window (10) has passed.
    app.clock.advance(660);
    for res in [
        user.rename(&totp, "Mine").await,
        user.prefer(&totp).await,
        user.remove(&totp).await,
        user.post("/v1/mfa/enrollments", json!({"kind": "email", "email": "x@example.com"})).await,
    ] {
        let (status, p) = problem(res).await;
        assert_eq!((status, p["code"].as_str()), (403, Some("mfa_required")));
    }
    assert_eq!(listed(&user.methods().await)[0].1, "Authenticator app", "unchanged");
    assert!(audit(&app).await.is_empty(), "nothing done, nothing written");
}

#[tokio::test]
async fn one_persons_session_cannot_touch_anothers_methods() {
    let app = spawn_app().await;
    let other = app.sign_in(crate::passkeys::KEY_USER).await;
    other.enroll_totp().await;
    let theirs = id_of(&other.methods().await, "totp");
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    for res in [
        user.rename(&theirs, "Mine now").await,
        user.prefer(&theirs).await,
        user.remove(&theirs).await,
    ] {
        let (status, p) = problem(res).await;
        assert_eq!((status, p["code"].as_str()), (404, Some("not_found")), "ids are not secrets");
    }
    assert_eq!(listed(&other.methods().await)[0].1, "Authenticator app");
    assert_eq!(user.methods().await.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn removals_raced_leave_the_state_one_of_them_describes_and_the_default_is_a_method() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let methods = user.enroll_email("nora@example.com").await;
    let (totp, email) = (id_of(&methods, "totp"), id_of(&methods, "email"));
    // Twelve removals of the default and twelve "make it the default" of it, at once,
    // from twelve addresses.
    let token = user.token();
    let sends = (0..24u32).map(|n| {
        let (http, token, totp) = (client_at(n), token.clone(), totp.clone());
        let base = app.url(&format!("/v1/mfa/methods/{totp}"));
        async move {
            let req = if n % 2 == 0 {
                http.delete(&base)
            } else {
                http.post(format!("{base}/default")).json(&json!({}))
            };
            let res = req.bearer_auth(token).send().await.unwrap();
            let status = res.status().as_u16();
            (n % 2 == 0, status, res.json::<Value>().await.unwrap())
        }
    });
    let outcomes = futures::future::join_all(sends).await;
    let removed: Vec<&Value> =
        outcomes.iter().filter(|(rm, s, _)| *rm && *s == 200).map(|(_, _, v)| v).collect();
    assert_eq!(removed.len(), 1, "one removal acts: {outcomes:?}");
    assert!(outcomes.iter().all(|(_, s, v)| *s == 200 || v["code"] == "not_found"), "{outcomes:?}");
    // What the removal answered is still the state (a later "default" found nothing).
    let now = user.methods().await;
    assert_eq!(now, removed[0]["methods"]);
    assert_eq!(listed(&now), [("email".to_owned(), "n•••@example.com".to_owned(), true)]);
    assert_eq!(now[0]["id"], email.as_str());
    let log = audit(&app).await;
    let removals = log.iter().filter(|e| e["action"] == "remove_method").count();
    assert_eq!(removals, 1, "one line for the one removal");
}

#[tokio::test]
async fn removing_a_method_closes_its_open_challenge() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let email = id_of(&user.enroll_email("nora@example.com").await, "email");
    let c = user.create("/v1/mfa/challenges", json!({ "method_id": email })).await;
    let code = app.last_code().await;
    assert_eq!(user.remove(&email).await.status(), 200);
    let path = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let (status, p) = problem(user.verify(&path, &code).await).await;
    assert_eq!(
        (status, p["code"].as_str()),
        (404, Some("not_found")),
        "the right code proves nothing"
    );
}

#[tokio::test]
async fn names_are_checked_and_only_keys_and_apps_take_one() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let methods = user.enroll_email("nora@example.com").await;
    let (totp, email) = (id_of(&methods, "totp"), id_of(&methods, "email"));
    for (name, why) in [
        ("Phone\u{202e}gnp.exe", "invalid_characters"),
        ("Phone\u{7}", "invalid_characters"),
        ("   ", "required"),
        (&"x".repeat(65), "too_long"),
    ] {
        let (status, p) = problem(user.rename(&totp, name).await).await;
        let field = (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str());
        assert_eq!((status, field), (422, (Some("name"), Some(why))), "{name:?}");
    }
    let (status, p) = problem(user.rename(&email, "Work mail").await).await;
    let field = (p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str());
    assert_eq!((status, field), (422, (Some("name"), Some("not_renamable"))));
    let labels: Vec<String> = listed(&user.methods().await).into_iter().map(|m| m.1).collect();
    assert_eq!(labels, ["Authenticator app", "n•••@example.com"], "nothing lost");
}
