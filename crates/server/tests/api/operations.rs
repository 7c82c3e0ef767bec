//! Running it: secrets at rest, the key that must exist, what expires and is swept,
//! and requests that are not what any route expects.

use app_passwords_server::config::Config;
use app_passwords_server::startup::Application;
use serde_json::{json, Value};

use crate::common::*;

#[tokio::test]
async fn authenticator_keys_are_sealed_at_rest_and_gone_from_closed_enrollments() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    let secret = user.enroll_totp().await;
    let pool = app.pool().await;
    let (stored,): (String,) =
        sqlx::query_as("SELECT totp_secret FROM methods").fetch_one(&pool).await.unwrap();
    assert!(stored.starts_with("v1:") && !stored.contains(&secret[..8]), "{stored}");
    let open: Vec<(Option<String>,)> =
        sqlx::query_as("SELECT totp_secret FROM proofs").fetch_all(&pool).await.unwrap();
    assert!(open.iter().all(|(s,)| s.is_none()), "closed proofs keep no key");
    // A sealed key copied onto another row does not open there.
    let other = app.sign_in(NO_APPPW).await;
    app.sql("UPDATE accounts SET app_passwords_allowed = 1").await;
    other.enroll_totp().await;
    app.sql(&format!(
        "UPDATE methods SET totp_secret = '{stored}' WHERE account_id = \
         (SELECT id FROM accounts WHERE username = '{}')",
        NO_APPPW.0
    ))
    .await;
    let again = app.sign_in(NO_APPPW).await;
    let method = again.session["account"]["methods"][0]["id"].clone();
    let c = again.create("/v1/mfa/challenges", json!({"method_id": method})).await;
    app.clock.advance(30);
    let verify = format!("/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap());
    let (status, code) =
        outcome(again.post(&verify, json!({"code": app.totp(&secret, 0)})).await).await;
    assert_eq!((status, code.as_str()), (422, "invalid_code"));
}

#[tokio::test]
async fn keys_an_older_version_stored_in_plain_text_are_sealed_at_start_and_keep_working() {
    let app = spawn_app().await;
    app.sign_in(NEW_USER).await.enroll_totp().await;
    // What the previous version stored: the base32 key itself.
    let plain = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    app.sql(&format!("UPDATE methods SET totp_secret = '{plain}'")).await;
    let b = crate::replicas::second_replica(&app, |_| {}).await; // a restart, in effect
    let (stored,): (String,) = sqlx::query_as("SELECT totp_secret FROM methods")
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert!(stored.starts_with("v1:"), "{stored}");
    let res = app
        .http
        .post(format!("{b}/v1/sessions"))
        .json(&json!({"username": NEW_USER.0, "password": NEW_USER.1}));
    let session: Value = res.send().await.unwrap().json().await.unwrap();
    let token = session["token"].as_str().unwrap();
    let method = &session["account"]["methods"][0]["id"];
    let c: Value = app
        .http
        .post(format!("{b}/v1/mfa/challenges"))
        .bearer_auth(token)
        .json(&json!({"method_id": method}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    app.clock.advance(30);
    let res = app
        .http
        .post(format!("{b}/v1/mfa/challenges/{}/verify", c["id"].as_str().unwrap()))
        .bearer_auth(token)
        .json(&json!({"code": app.totp(plain, 0)}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn outside_demo_mode_a_missing_server_key_stops_the_start_with_the_way_out() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    config.demo = false;
    config.secret_key_file = dir.path().join("missing.key");
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("no server key") && err.contains("key generate"), "{err}");
    assert!(!dir.path().join("missing.key").exists(), "no key was made up");
}

#[tokio::test]
async fn settings_the_server_cannot_honour_are_refused_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    config.database_url = "mysql://root@127.0.0.1:3306/identity".into();
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("not supported"), "{err}");
    let mut files: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["admin.credentials", "mail-server.secret", "scim.secret", "server.key"],
        "no stray database file"
    );
    // A mail server's secret short enough to guess, or a file that is not there.
    std::fs::write(dir.path().join("short.secret"), "# rotated\nhunter2\n").unwrap();
    for (file, says) in [("short.secret", "shorter than 32"), ("none.secret", "cannot read")] {
        let mut config = Config::for_tests(dir.path());
        config.mail_server_secret_file = Some(dir.path().join(file));
        let err = Application::build(config).await.err().expect("refused").to_string();
        assert!(err.contains("APP_MAIL_SERVER_SECRET_FILE") && err.contains(says), "{err}");
        let mut config = Config::for_tests(dir.path());
        config.scim_secret_file = Some(dir.path().join(file));
        let err = Application::build(config).await.err().expect("refused").to_string();
        assert!(err.contains("APP_SCIM_SECRET_FILE") && err.contains(says), "{err}");
    }
    // Policy groups for a provisioning that is off, or a group no one could be named.
    let mut config = Config::for_tests(dir.path());
    (config.scim_secret_file, config.demo) = (None, false);
    config.scim_mfa_group = Some("MFA-Required".into());
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("APP_SCIM_MFA_GROUP is set but provisioning is off"), "{err}");
    let mut config = Config::for_tests(dir.path());
    config.scim_app_passwords_off_group = Some(" No\u{7}App ".into());
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("APP_SCIM_APP_PASSWORDS_OFF_GROUP: a group's name"), "{err}");
    let mut config = Config::for_tests(dir.path());
    config.limits.mfa_window = 0;
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("APP_MFA_WINDOW"), "{err}");
    // Notices that could not carry their link, or would carry it to a page off TLS.
    for (public_url, says) in [
        (None, "APP_PUBLIC_URL is required with APP_SMTP_URL"),
        (Some("http://id.contoso.example/"), "must be https://"),
        (Some("https://id.contoso.example/?x=1"), "must not have a query"),
    ] {
        let mut config = Config::for_tests(dir.path());
        config.demo = false;
        config.deliveries.smtp_url = Some("smtp://127.0.0.1:2525".to_owned().into());
        config.public_url = public_url.map(str::to_owned);
        let err = Application::build(config).await.err().expect("refused").to_string();
        assert!(err.contains(says), "{public_url:?}: {err}");
    }
    // Security keys a browser would refuse on every ceremony.
    for (rp_id, origins, says) in [
        ("contoso.example", vec![], "APP_WEBAUTHN_ORIGINS is required"),
        ("contoso.example", vec!["https://portal.fabrikam.example".into()], "not within"),
        ("10.0.0.5", vec![], "must be a domain name"),
    ] {
        let mut config = Config::for_tests(dir.path());
        (config.webauthn_rp_id, config.webauthn_origins) = (rp_id.into(), origins);
        let err = Application::build(config).await.err().expect("refused").to_string();
        assert!(err.contains(says), "{rp_id}: {err}");
    }
}

#[tokio::test]
async fn the_sweeper_removes_what_expired_and_nothing_else() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.create("/v1/mfa/enrollments", json!({"kind": "sms", "phone": "+33612345678"})).await;
    app.post("/v1/sessions", json!({"username": NO_MFA.0, "password": "wrong"})).await;
    let kept = app.sign_in(NO_MFA).await;
    assert_eq!(app.store.sweep().await.unwrap().total(), 0, "nothing has expired yet");
    app.clock.advance(10 * 60);
    kept.get("/v1/account").await;
    app.clock.advance(10 * 60);
    kept.get("/v1/account").await;
    let swept = app.store.sweep().await.unwrap();
    assert_eq!(swept.sessions, 1, "the idle session");
    assert_eq!(swept.proofs, 1, "the open enrollment");
    assert!(swept.throttles >= 2, "{swept:?}");
    assert_eq!(kept.get("/v1/account").await.status(), 200, "the live session stays");
}

#[tokio::test]
async fn an_app_password_is_replayable_by_its_idempotency_key_for_minutes_not_a_day() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let create = || {
        app.http
            .post(app.url("/v1/app-passwords"))
            .bearer_auth(user.token())
            .header("Idempotency-Key", "k-1")
            .json(&json!({"name": "Outlook"}))
            .send()
    };
    assert_eq!(create().await.unwrap().status(), 201);
    app.clock.advance(9 * 60);
    assert_eq!(create().await.unwrap().status(), 201, "a retry minutes later gets the answer");
    app.clock.advance(2 * 60);
    app.store.sweep().await.unwrap();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM idempotency")
        .fetch_one(&app.pool().await)
        .await
        .unwrap();
    assert_eq!(n, 0, "after 10 minutes the sealed answer is gone");
}

#[tokio::test]
async fn wrong_methods_and_oversized_bodies_are_problem_documents() {
    let app = spawn_app().await;
    let res = app.http.put(app.url("/v1/sessions")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    let (_, body) = problem(res).await;
    assert_eq!(body["code"], "unsupported_method");
    let huge = json!({"username": "a".repeat(64 * 1024), "password": "x"});
    let (status, body) = problem(app.post("/v1/sessions", huge).await).await;
    assert_eq!((status, body["code"].as_str()), (413, Some("payload_too_large")));
}

#[tokio::test]
async fn names_that_disguise_themselves_are_refused() {
    let app = spawn_app().await;
    let user = app.sign_in(NEW_USER).await;
    user.enroll_totp().await;
    let (status, body) =
        problem(user.post("/v1/app-passwords", json!({"name": "Outlook\u{202E}exe.gnp"})).await)
            .await;
    assert_eq!(status, 422);
    assert_eq!(body["errors"], json!([{"field": "name", "code": "invalid_characters"}]));
}

#[tokio::test]
async fn a_postgresql_that_does_not_answer_stops_the_start_with_where_it_looked() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    config.database_url = format!("postgres://app:s3cret@127.0.0.1:{port}/identity");
    let err = Application::build(config).await.err().expect("refused").to_string();
    assert!(err.contains("cannot open the database") && err.contains(&port.to_string()), "{err}");
    assert!(!err.contains("s3cret"), "the password is not repeated: {err}");
}

#[tokio::test]
async fn replicas_started_without_migrating_wait_for_the_migrate_command() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::for_tests(dir.path());
    config.database_url = database_url(dir.path()).await;
    config.migrate = false;
    let err = Application::build(config.clone()).await.err().expect("refused").to_string();
    assert!(
        err.contains("schema is behind") && err.contains("app-passwords-server migrate"),
        "{err}"
    );
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_app-passwords-server"))
        .arg("migrate")
        .env("DATABASE_URL", &config.database_url)
        .env("RUST_LOG", "warn")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stdout).contains("schema up to date"));
    Application::build(config).await.expect("starts on a migrated schema");
}
