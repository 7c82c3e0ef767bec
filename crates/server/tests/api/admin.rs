//! The admin CLI, run as a real process on the test server's database.

use std::io::Write;
use std::process::{Command, Stdio};

use crate::common::*;

fn cli(app: &TestApp, args: &[&str], stdin: Option<&str>) -> (bool, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_app-passwords-server"))
        .args(args)
        .env("DATABASE_URL", format!("sqlite://{}", app.dir.path().join("test.db").display()))
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test]
async fn an_admin_creates_an_account_sets_its_policy_and_revokes_its_app_passwords() {
    let app = spawn_app().await;
    let (ok, out) = cli(
        &app,
        &[
            "account",
            "create",
            "Ada@Contoso.example",
            "--display-name",
            "Ada",
            "--methods",
            "totp,email",
        ],
        Some("Correct-horse-9\n"),
    );
    assert!(ok, "{out}");
    let ada = app.sign_in(("ada@contoso.example", "Correct-horse-9")).await;
    assert_eq!(ada.session["next"], "mfa_setup");
    assert_eq!(
        ada.session["account"]["policy"]["allowed_methods"],
        serde_json::json!(["totp", "email"])
    );
    ada.enroll_totp().await;
    let (id, password) = ada.create_app_password("Outlook").await;

    let (ok, out) = cli(&app, &["app-passwords", "list", "ada@contoso.example"], None);
    assert!(
        ok && out.contains(&id) && out.contains("Outlook") && !out.contains(&password),
        "{out}"
    );
    let (ok, _) = cli(&app, &["app-passwords", "revoke", "ada@contoso.example", "--all"], None);
    assert!(ok);
    assert_eq!(app.legacy("ada@contoso.example", &password).await.status(), 401);

    let (ok, out) =
        cli(&app, &["account", "policy", "ada@contoso.example", "--mfa-required", "false"], None);
    assert!(ok && out.contains("mfa_required=false"), "{out}");
    assert_eq!(
        app.sign_in(("ada@contoso.example", "Correct-horse-9")).await.session["next"],
        "not_available"
    );

    let (ok, _) = cli(&app, &["account", "disable", "ada@contoso.example"], None);
    assert!(ok);
    let (status, body) = problem(
        app.post(
            "/v1/sessions",
            serde_json::json!({"username": "ada@contoso.example", "password": "Correct-horse-9"}),
        )
        .await,
    )
    .await;
    assert_eq!((status, body["code"].as_str()), (403, Some("account_disabled")));
}

#[tokio::test]
async fn the_cli_refuses_bad_input_with_a_clear_message() {
    let app = spawn_app().await;
    let (ok, out) =
        cli(&app, &["account", "create", "x@y.example", "--display-name", "X"], Some("short\n"));
    assert!(!ok && out.contains("at least 8 characters"), "{out}");
    let (ok, out) =
        cli(&app, &["account", "policy", "nobody@y.example", "--mfa-required", "true"], None);
    assert!(!ok && out.contains("no account"), "{out}");
    let (ok, out) = cli(&app, &["account", "policy", NEW_USER.0, "--methods", "pigeon"], None);
    assert!(!ok && out.contains("unknown method"), "{out}");
}
