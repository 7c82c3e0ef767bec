//! The person changes their primary password: what it asks, what it ends, and the
//! rules attacked (guessing the current password, racing two changes).

use serde_json::{json, Value};

use crate::common::*;

const NEW_PASSWORD: &str = "plume ardoise volcan tiroir";

async fn change(user: &User<'_>, current: &str, new: &str) -> (u16, Value) {
    let res = user
        .post("/v1/account/password", json!({"current_password": current, "new_password": new}))
        .await;
    (res.status().as_u16(), res.json().await.unwrap())
}

#[tokio::test]
async fn a_new_password_ends_the_other_sessions_and_revokes_the_app_passwords_it_names() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (_, outlook) = user.create_app_password("Outlook").await;
    let (_, _phone) = user.create_app_password("Phone").await;
    let other = app.sign_in(NEW_USER).await;
    let before = user.token();
    let (status, done) = change(&user, NEW_USER.1, NEW_PASSWORD).await;
    assert_eq!(status, 200, "{done}");
    let mut names: Vec<&str> = done["app_passwords_revoked"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    names.sort_unstable();
    assert_eq!(names, ["Outlook", "Phone"]);
    assert_eq!(done["sessions_ended"], 1);
    user.rotated(&done);
    assert_ne!(user.token(), before);
    // This session goes on with its new token; the old token and the other session end.
    assert_eq!(user.get("/v1/app-passwords").await.status(), 200);
    let list: Value = user.get("/v1/app-passwords").await.json().await.unwrap();
    assert_eq!(list["items"], json!([]));
    assert_eq!(other.get("/v1/account").await.status(), 401);
    // The account is told, with the names of what stopped working.
    let outbox = app.outbox().await;
    let notice = outbox.as_array().unwrap().iter().find(|m| m["channel"] == "notice").unwrap();
    let text = notice["body"].as_str().unwrap();
    assert!(text.starts_with("The password of your Contoso account was changed"), "{text}");
    assert!(text.contains("- “Outlook”") && text.contains("- “Phone”"), "{text}");
    let stale = app.http.get(app.url("/v1/account")).bearer_auth(before).send().await.unwrap();
    assert_eq!(stale.status(), 401);
    // The old password and the app passwords stop; the new one signs in.
    assert_eq!(app.legacy(NEW_USER.0, &outlook).await.status(), 401);
    let old =
        app.post("/v1/sessions", json!({"username": NEW_USER.0, "password": NEW_USER.1})).await;
    assert_eq!(old.status(), 401);
    app.sign_in((NEW_USER.0, NEW_PASSWORD)).await;
}

#[tokio::test]
async fn a_new_password_must_be_hard_to_guess_and_the_current_one_right() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    // Not without a fresh MFA proof.
    let (status, body) = change(&user, NEW_USER.1, NEW_PASSWORD).await;
    assert_eq!((status, body["code"].as_str()), (403, Some("mfa_required")));
    user.enroll_totp().await;
    for (current, new, field, why) in [
        (NEW_USER.1, "short", "new_password", "too_short"),
        (NEW_USER.1, NEW_USER.1, "new_password", "same_as_current"),
        (NEW_USER.1, "password123", "new_password", "too_guessable"),
        (NEW_USER.1, "NewUser2026!", "new_password", "too_guessable"),
        (NEW_USER.1, "Contoso-2026", "new_password", "too_guessable"),
        ("", NEW_PASSWORD, "current_password", "required"),
        ("not-my-password", NEW_PASSWORD, "current_password", "incorrect"),
    ] {
        let (status, body) = change(&user, current, new).await;
        assert_eq!(status, 422, "{new}: {body}");
        assert_eq!(body["errors"][0], json!({"field": field, "code": why}), "{new}");
    }
}

#[tokio::test]
async fn guessing_the_current_password_spends_the_sign_in_budget() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    // A stolen session tries to take the account over: 12 guesses at once.
    let guesses = (0..12).map(|n| {
        let body =
            json!({"current_password": format!("guess-{n}-xyz"), "new_password": NEW_PASSWORD});
        let req =
            app.http.post(app.url("/v1/account/password")).bearer_auth(user.token()).json(&body);
        async move { outcome(req.send().await.unwrap()).await }
    });
    let outcomes = futures::future::join_all(guesses).await;
    assert_eq!(count(&outcomes, 422, "validation_failed"), 5, "the budget: {outcomes:?}");
    assert_eq!(count(&outcomes, 429, "rate_limited"), 7, "{outcomes:?}");
    // The real password is refused too until the window ends: nothing is evaluated.
    let (status, _) = change(&user, NEW_USER.1, NEW_PASSWORD).await;
    assert_eq!(status, 429);
}

#[tokio::test]
async fn of_two_changes_raced_with_the_same_current_password_one_wins() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let token = user.token();
    let tries = (0..6).map(|n| {
        let body = json!({
            "current_password": NEW_USER.1,
            "new_password": format!("{NEW_PASSWORD} {n}"),
        });
        let req =
            client_at(n).post(app.url("/v1/account/password")).bearer_auth(&token).json(&body);
        async move { outcome(req.send().await.unwrap()).await }
    });
    let outcomes = futures::future::join_all(tries).await;
    assert_eq!(count(&outcomes, 200, ""), 1, "{outcomes:?}");
    // The others: the password they proved is no longer current (422), the token was
    // replaced (401), or the password budget was spent while the winner held it (429).
    assert!(outcomes.iter().all(|o| matches!(o.0, 200 | 401 | 422 | 429)), "{outcomes:?}");
}

#[tokio::test]
async fn an_admin_policy_may_keep_app_passwords_explicitly() {
    let app = spawn_app().await;
    app.sql(&format!(
        "UPDATE accounts SET keep_app_passwords_on_password_change = 1 WHERE username = '{}'",
        NEW_USER.0
    ))
    .await;
    let user = app.sign_in(NEW_USER).await;
    assert_eq!(user.session["account"]["policy"]["keep_app_passwords_on_password_change"], true);
    user.enroll_totp().await;
    let (_, outlook) = user.create_app_password("Outlook").await;
    let (status, done) = change(&user, NEW_USER.1, NEW_PASSWORD).await;
    assert_eq!((status, done["app_passwords_revoked"].clone()), (200, json!([])));
    assert_eq!(app.legacy(NEW_USER.0, &outlook).await.status(), 200);
}
