//! Notices of what was added to an account, and their "this wasn't me" link: single
//! use, expiring, raced, replayed, guessed; and one sent over real SMTP.

use serde_json::{json, Value};

use crate::common::*;

/// The notices in the demo outbox, newest first: (text, the link's token).
async fn notices(app: &TestApp) -> Vec<(String, String)> {
    let outbox = app.outbox().await;
    let notices = outbox.as_array().unwrap().iter().filter(|m| m["channel"] == "notice");
    notices
        .map(|notice| {
            assert_eq!(notice["destination"], NEW_USER.0);
            let body = notice["body"].as_str().unwrap().to_owned();
            let token = body.split("#disown=").nth(1).unwrap().split_whitespace().next().unwrap();
            (body.clone(), token.to_owned())
        })
        .collect()
}

async fn last_notice(app: &TestApp) -> (String, String) {
    notices(app).await.into_iter().next().expect("a notice")
}

async fn disown(app: &TestApp, token: &str, n: u32) -> (u16, Value) {
    let res = client_at(n)
        .post(app.url("/v1/notices/disown"))
        .json(&json!({"token": token}))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn a_new_app_password_is_noticed_and_this_wasnt_me_removes_it_and_ends_every_session() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, password) =
        user.create_app_password("Call +1 555 0100: support asks you to approve").await;
    let (body, token) = last_notice(&app).await;
    assert!(body.starts_with("A new app password was created for your Contoso account"), "{body}");
    assert!(body.contains("From: 127.0.0.1"), "{body}");
    let cut: String = "Call +1 555 0100: support asks you to approve".chars().take(40).collect();
    assert!(body.contains(&format!("Name given: “{cut}…”")), "quoted and cut: {body}");
    let link = format!("{}/#disown={token}", app.base.replace("127.0.0.1", "localhost"));
    assert!(body.contains(&link), "the link opens the app, the token in the fragment: {body}");
    assert_eq!(token.len(), 64);

    let (status, done) = disown(&app, &token, 1).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["what"].as_str(), done["removed"].as_bool()),
        (Some("app_password"), Some(true))
    );
    assert!(done["name"].as_str().unwrap().starts_with("Call +1"));
    assert_eq!(app.legacy(NEW_USER.0, &password).await.status(), 401, "the password is gone");
    assert_eq!(user.get("/v1/account").await.status(), 401, "the sessions ended");
    // Once only.
    let (status, body) = disown(&app, &token, 1).await;
    assert_eq!((status, body["code"].as_str()), (404, Some("not_found")));
}

#[tokio::test]
async fn a_link_works_once_however_many_clicks_race_and_not_after_seven_days() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    user.create_app_password("Outlook").await;
    user.create_app_password("Phone").await;
    let all = notices(&app).await;
    let (phone, outlook) = (all[0].1.clone(), all[1].1.clone());
    let clicks = (0..8).map(|n| disown(&app, &outlook, 10 + n));
    let outcomes: Vec<u16> =
        futures::future::join_all(clicks).await.into_iter().map(|o| o.0).collect();
    assert_eq!(outcomes.iter().filter(|s| **s == 200).count(), 1, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|s| **s == 404).count(), 7, "{outcomes:?}");
    let again = app.sign_in(NEW_USER).await;
    let methods = again.session["account"]["methods"].as_array().unwrap().len();
    assert_eq!(methods, 1, "the password's link removes the password, not the method");
    app.clock.advance(7 * 86_400);
    assert_eq!(disown(&app, &phone, 1).await.0, 404, "expired after 7 days");
}

#[tokio::test]
async fn a_method_added_by_someone_else_is_removed_from_its_notice() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (body, token) = last_notice(&app).await;
    assert!(body.starts_with("A new sign-in method was added"), "{body}");
    assert!(body.contains("Name given: “Authenticator app”"), "{body}");
    let (status, done) = disown(&app, &token, 1).await;
    assert_eq!((status, done["what"].as_str()), (200, Some("method")));
    let again = app.sign_in(NEW_USER).await;
    assert_eq!(again.session["next"], "mfa_setup", "the method is gone");
}

#[tokio::test]
async fn guessing_links_spends_the_address_budget() {
    let app = spawn_app().await;
    let guesses = (0..40).map(|n| disown(&app, Box::leak(format!("{n:064x}").into_boxed_str()), 5));
    let outcomes: Vec<u16> =
        futures::future::join_all(guesses).await.into_iter().map(|o| o.0).collect();
    assert_eq!(outcomes.iter().filter(|s| **s == 404).count(), 30, "{outcomes:?}");
    assert_eq!(outcomes.iter().filter(|s| **s == 429).count(), 10, "{outcomes:?}");
    let (status, body) = disown(&app, "", 6).await;
    assert_eq!((status, body["errors"][0]["field"].as_str()), (422, Some("token")));
}
